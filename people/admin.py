"""Django admin for profiles, audiences and MARCOM teams."""

from django.contrib import admin

from people.models import Audience, CalendarFeed, EmployeeProfile, MarcomTeam


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


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "created_at"]
    list_filter = ["kind"]
    search_fields = ["user__username"]
    exclude = ["token"]  # a secret address: admins revoke (delete) it, they never need to read it
    raw_id_fields = ["user"]
    readonly_fields = ["created_at"]

    def get_readonly_fields(self, request, obj=None):
        return ["user", "kind", "created_at"] if obj else ["created_at"]

    def save_model(self, request, obj: CalendarFeed, form, change: bool) -> None:
        if not obj.token:
            obj.token = CalendarFeed.new_token()
        super().save_model(request, obj, form, change)
