"""Django admin for stages and deliveries; deliveries are read-mostly (the engine writes them)."""

from django import forms
from django.contrib import admin

from rollout.forms import StageTextChecks
from rollout.models import Delivery, RolloutStage


class RolloutStageAdminForm(StageTextChecks, forms.ModelForm):
    class Meta:
        model = RolloutStage
        fields = [
            "campaign",
            "kind",
            "offset_minutes",
            "audiences",
            "channels",
            "subject",
            "body",
            "requires_acknowledgement",
            "state",
            "state_reason",
            "recipients_resolved_at",
        ]


@admin.register(RolloutStage)
class RolloutStageAdmin(admin.ModelAdmin):
    form = RolloutStageAdminForm  # the same subject/body checks as IC's stage form
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
