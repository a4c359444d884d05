"""Django admin for profiles, audiences and MARCOM teams."""

from django.contrib import admin

from people.models import Audience, EmployeeProfile, MarcomTeam


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
