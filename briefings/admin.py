"""Django admin for briefings, invitations and feedback (the briefings pages own the workflow)."""

from django.contrib import admin

from briefings.models import Briefing, Feedback, Invitation
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


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ["briefing", "feeling", "is_anonymous", "submitted_on", "has_question", "answered_at"]
    list_filter = ["is_anonymous", "feeling", "briefing__campaign"]
    search_fields = ["question", "support", "answer"]
    # The respondent key links anonymous rows to nobody without the secret; never show or edit it.
    exclude = ["respondent_key"]
    readonly_fields = ["briefing", "user", "is_anonymous", "feeling", "support", "question", "submitted_on"]

    @admin.display(boolean=True)
    def has_question(self, obj: Feedback) -> bool:
        return bool(obj.question)
