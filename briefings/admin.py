"""Django admin for briefings and invitations (kept minimal; the briefings pages own the workflow)."""

from django.contrib import admin

from briefings.models import Briefing, Invitation
from core.admin import HTTPS_LINKS


class InvitationInline(admin.TabularInline):
    model = Invitation
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Briefing)
class BriefingAdmin(admin.ModelAdmin):
    formfield_overrides = HTTPS_LINKS
    list_display = ["title", "campaign", "starts_at", "presenter", "status", "capacity"]
    list_filter = ["status"]
    search_fields = ["title", "campaign__title"]
    raw_id_fields = ["campaign", "presenter"]
    filter_horizontal = ["audiences"]
    inlines = [InvitationInline]
    list_select_related = ["campaign", "presenter"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["briefing", "user", "rsvp", "is_waitlisted", "attended_at"]
    list_filter = ["rsvp", "is_waitlisted"]
    raw_id_fields = ["briefing", "user"]
    list_select_related = ["briefing", "user"]
