"""Admin for the models briefings added (admin.py holds Briefing/Invitation, written with the campaign admin)."""

from django.contrib import admin

from briefings.models import CalendarFeed, Feedback


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


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at"]
    search_fields = ["user__username"]
    exclude = ["token"]  # a secret address: admins revoke (delete) it, they never need to read it
    raw_id_fields = ["user"]
    readonly_fields = ["created_at"]

    def get_readonly_fields(self, request, obj=None):
        return ["user", "created_at"] if obj else ["created_at"]

    def save_model(self, request, obj: CalendarFeed, form, change: bool) -> None:
        if not obj.token:
            obj.token = CalendarFeed.new_token()
        super().save_model(request, obj, form, change)
