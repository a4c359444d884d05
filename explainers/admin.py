"""Django admin for explainers, their variants, scenarios, reads and questions."""

from django.contrib import admin

from explainers.models import Explainer, ExplainerQuestion, ExplainerRead, ExplainerVariant, Scenario


class ExplainerVariantInline(admin.StackedInline):
    model = ExplainerVariant
    extra = 0


class ScenarioInline(admin.TabularInline):
    model = Scenario
    extra = 0


@admin.register(Explainer)
class ExplainerAdmin(admin.ModelAdmin):
    list_display = ["campaign", "slug", "publishes_at_embargo", "published_at"]
    search_fields = ["campaign__title", "slug"]
    raw_id_fields = ["campaign"]
    inlines = [ExplainerVariantInline, ScenarioInline]
    list_select_related = ["campaign"]


@admin.register(ExplainerRead)
class ExplainerReadAdmin(admin.ModelAdmin):
    list_display = ["explainer", "user", "first_read_at", "is_helpful", "progress"]
    raw_id_fields = ["explainer", "user"]
    list_select_related = ["explainer__campaign", "user"]


@admin.register(ExplainerQuestion)
class ExplainerQuestionAdmin(admin.ModelAdmin):
    list_display = ["explainer", "asked_by", "created_at"]
    search_fields = ["text", "explainer__campaign__title"]
    raw_id_fields = ["explainer", "author"]
    list_select_related = ["explainer__campaign", "author"]


admin.site.register(Scenario)
admin.site.register(ExplainerVariant)
