from django.contrib import admin

from notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["title", "recipient", "kind", "created_at", "read_at", "email_status", "email_attempts"]
    list_filter = ["kind", "email_status"]
    search_fields = ["title", "recipient__username", "recipient__email"]
    raw_id_fields = ["recipient"]
    readonly_fields = ["message_id", "email_last_error"]
