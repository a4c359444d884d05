"""Django admin for campaigns, their key messages, impacts and assets (with change history)."""

from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from campaigns.models import Asset, AssetReuse, AssetTag, Campaign, Impact, KeyMessage
from core.admin import HTTPS_LINKS


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


@admin.register(Impact)
class ImpactAdmin(SimpleHistoryAdmin):
    list_display = ["campaign", "audience", "level"]
    list_filter = ["level"]
    search_fields = ["campaign__title", "audience__name"]
    raw_id_fields = ["campaign"]
    autocomplete_fields = ["audience"]
    list_select_related = ["campaign", "audience"]


class AssetReuseInline(admin.TabularInline):
    model = AssetReuse
    extra = 0
    raw_id_fields = ["campaign", "added_by"]


@admin.register(Asset)
class AssetAdmin(SimpleHistoryAdmin):
    formfield_overrides = HTTPS_LINKS
    list_display = ["caption", "kind", "campaign", "team", "created_at"]
    list_filter = ["kind", "team"]
    search_fields = ["caption", "description", "campaign__title"]
    raw_id_fields = ["campaign", "uploaded_by"]
    filter_horizontal = ["tags"]
    inlines = [AssetReuseInline]
    list_select_related = ["campaign", "team"]


@admin.register(AssetTag)
class AssetTagAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(AssetReuse)
class AssetReuseAdmin(admin.ModelAdmin):
    list_display = ["asset", "campaign", "added_by", "added_at"]
    raw_id_fields = ["asset", "campaign", "added_by"]
    list_select_related = ["asset", "campaign", "added_by"]


admin.site.register(KeyMessage, SimpleHistoryAdmin)
