from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from workplan.models import BriefChannel, BriefObjective, CampaignBrief, Deliverable, Workstream


class ObjectiveInline(admin.TabularInline):
    model = BriefObjective
    extra = 0


class ChannelInline(admin.TabularInline):
    model = BriefChannel
    extra = 0


@admin.register(CampaignBrief)
class CampaignBriefAdmin(SimpleHistoryAdmin):
    list_display = ["campaign", "updated_at"]
    inlines = [ObjectiveInline, ChannelInline]
    filter_horizontal = ["creatives"]


@admin.register(Workstream)
class WorkstreamAdmin(admin.ModelAdmin):
    list_display = ["campaign", "team", "lead"]
    list_select_related = ["campaign", "team", "lead"]


@admin.register(Deliverable)
class DeliverableAdmin(SimpleHistoryAdmin):
    list_display = ["title", "workstream", "type", "status", "due_at", "owner"]
    list_filter = ["status", "type", "channel"]
    list_select_related = ["workstream__campaign", "workstream__team", "owner"]
    readonly_fields = ["due_at"]
    filter_horizontal = ["assets", "depends_on"]
