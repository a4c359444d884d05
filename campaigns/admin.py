"""Django admin for IT and IC: every campaigns model; deliveries are read-mostly (the engine writes them)."""

from __future__ import annotations

from django.contrib import admin
from django.db import models
from simple_history.admin import SimpleHistoryAdmin

from campaigns.models import (
    Asset,
    Audience,
    Campaign,
    Delivery,
    EmployeeProfile,
    Explainer,
    ExplainerQuestion,
    ExplainerRead,
    ExplainerVariant,
    Impact,
    KeyMessage,
    MarcomTeam,
    RolloutStage,
    Scenario,
)

# Links typed without a scheme become https (Django 6's default, and what people mean today).
HTTPS_LINKS = {models.URLField: {"assume_scheme": "https"}}


class KeyMessageInline(admin.TabularInline):
    model = KeyMessage
    extra = 0


class ImpactInline(admin.TabularInline):
    model = Impact
    extra = 0
    autocomplete_fields = ["audience"]


class AssetInline(admin.TabularInline):
    model = Asset
    formfield_overrides = HTTPS_LINKS
    extra = 0
    fields = ["caption", "kind", "file", "url", "uploaded_by"]
    raw_id_fields = ["uploaded_by"]


@admin.register(Campaign)
class CampaignAdmin(SimpleHistoryAdmin):
    list_display = ["title", "status", "go_live_at", "is_go_live_tentative", "embargo_until", "owner"]
    list_filter = ["status", "teams", "is_go_live_tentative"]
    search_fields = ["title", "concept", "owner__username", "owner__email"]
    date_hierarchy = "go_live_at"
    raw_id_fields = ["owner"]
    filter_horizontal = ["teams"]
    readonly_fields = ["slug", "created_at", "updated_at"]
    inlines = [KeyMessageInline, ImpactInline, AssetInline]
    list_select_related = ["owner"]


@admin.register(Audience)
class AudienceAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "department", "team", "location", "role"]
    list_filter = ["kind"]
    search_fields = ["name", "description"]
    filter_horizontal = ["members"]


@admin.register(EmployeeProfile)
class EmployeeProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "department", "team", "location", "role", "time_zone"]
    list_filter = ["department", "location"]
    search_fields = ["user__username", "user__email", "user__first_name", "user__last_name", "team"]
    raw_id_fields = ["user", "manager"]
    list_select_related = ["user"]


@admin.register(MarcomTeam)
class MarcomTeamAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["members"]


@admin.register(Impact)
class ImpactAdmin(SimpleHistoryAdmin):
    list_display = ["campaign", "audience", "level"]
    list_filter = ["level"]
    search_fields = ["campaign__title", "audience__name"]
    raw_id_fields = ["campaign"]
    autocomplete_fields = ["audience"]
    list_select_related = ["campaign", "audience"]


@admin.register(Asset)
class AssetAdmin(SimpleHistoryAdmin):
    formfield_overrides = HTTPS_LINKS
    list_display = ["caption", "kind", "campaign", "created_at"]
    list_filter = ["kind"]
    search_fields = ["caption", "campaign__title"]
    raw_id_fields = ["campaign", "uploaded_by"]
    list_select_related = ["campaign"]


@admin.register(RolloutStage)
class RolloutStageAdmin(admin.ModelAdmin):
    list_display = ["campaign", "kind", "offset_minutes", "send_at", "state"]
    list_filter = ["state", "kind"]
    search_fields = ["campaign__title", "subject"]
    raw_id_fields = ["campaign"]
    filter_horizontal = ["audiences"]
    readonly_fields = ["send_at", "claimed_at", "heartbeat_at", "sent_at", "created_at"]
    list_select_related = ["campaign"]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """Read-mostly: the dispatch engine owns these rows; admins may only look (and delete test data)."""

    list_display = ["stage", "recipient", "channel", "status", "attempts", "sent_at", "read_at"]
    list_filter = ["status", "channel"]
    search_fields = ["recipient__username", "recipient__email", "stage__campaign__title"]
    list_select_related = ["stage__campaign", "recipient"]
    readonly_fields = [f.name for f in Delivery._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


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


admin.site.register(KeyMessage, SimpleHistoryAdmin)
admin.site.register(Scenario)
admin.site.register(ExplainerVariant)
