from django.contrib import admin

from planning.models import AudienceCap, CommsItem, ReadinessThreshold


@admin.register(CommsItem)
class CommsItemAdmin(admin.ModelAdmin):
    list_display = ["title", "starts_at", "channel"]
    filter_horizontal = ["audiences"]


@admin.register(AudienceCap)
class AudienceCapAdmin(admin.ModelAdmin):
    list_display = ["audience", "weekly_cap"]


@admin.register(ReadinessThreshold)
class ReadinessThresholdAdmin(admin.ModelAdmin):
    list_display = ["campaign", "warned_pct", "briefed_pct", "red_within_days"]
