"""JSON API for the asset library: the same role, object and embargo rules as its pages.

Only marketing and IC use it (others get 403). A person lists and reads the assets they may see in
the library (Asset.objects.visible_to); changing one needs the right to edit its origin campaign,
reusing it the right to edit the campaign it is reused in.
"""

from __future__ import annotations

from django.db import transaction
from drf_spectacular.utils import OpenApiParameter, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from campaigns.asset_uses import uses_of
from campaigns.forms import AssetDetailsForm, AssetFilterForm, AssetForm
from campaigns.models import Asset, AssetTag, Campaign
from core.api import documented
from people import roles
from people.models import MarcomTeam


class IsCampaignManager(permissions.BasePermission):
    message = "The asset library is for marketing and internal communications."

    def has_permission(self, request, view) -> bool:
        return roles.can_manage_campaigns(request.user)


class UseSerializer(serializers.Serializer):
    place = serializers.CharField(help_text="Origin campaign, Campaign, Explainer, Briefing pack, …")
    title = serializers.CharField()
    url = serializers.CharField(help_text="Its page, for marketing and IC.")
    embargo_until = serializers.DateTimeField(allow_null=True, help_text="The embargo of that place.")
    shown_from = serializers.DateTimeField(help_text="When that place may show it: both embargoes lifted.")


class TagNamesField(serializers.ListField):
    """Tags as a list of names (read from the prefetched tags, written as names)."""

    child = serializers.CharField(max_length=50)

    def to_representation(self, tags) -> list[str]:
        return [tag.name for tag in tags.all()]


class AssetSerializer(serializers.ModelSerializer):
    campaign = serializers.PrimaryKeyRelatedField(
        queryset=Campaign.objects.all(), help_text="The origin campaign: its embargo is the asset's."
    )
    campaign_title = serializers.CharField(source="campaign.title", read_only=True)
    team = serializers.SlugRelatedField(
        slug_field="slug", queryset=MarcomTeam.objects.all(), required=False, allow_null=True
    )
    tags = TagNamesField(required=False, help_text="Tag names, lower case.")
    file = serializers.FileField(required=False, write_only=True, help_text="Upload (multipart) or give url.")
    url = serializers.URLField(required=False, allow_blank=True, write_only=True)
    href = serializers.CharField(read_only=True, help_text="The link, or the checked file address.")
    embargo_until = serializers.DateTimeField(read_only=True)
    is_embargoed = serializers.SerializerMethodField()
    reused_in = serializers.PrimaryKeyRelatedField(many=True, read_only=True, help_text="Campaign ids.")

    class Meta:
        model = Asset
        fields = [
            "id",
            "caption",
            "description",
            "kind",
            "campaign",
            "campaign_title",
            "team",
            "tags",
            "file",
            "url",
            "href",
            "file_name",
            "embargo_until",
            "is_embargoed",
            "reused_in",
            "created_at",
        ]
        read_only_fields = ["kind", "file_name", "created_at"]

    def get_is_embargoed(self, asset: Asset) -> bool:
        return asset.is_embargoed()

    def validate_campaign(self, campaign: Campaign) -> Campaign:
        if self.instance is not None and campaign.pk != self.instance.campaign_id:
            raise serializers.ValidationError("An asset stays with its origin campaign; reuse it instead.")
        if not campaign.can_edit(self.context["request"].user):
            raise serializers.ValidationError("You may not add assets to this campaign.")
        return campaign

    def validate_tags(self, names: list[str]) -> list[str]:
        return AssetTag.split(",".join(names))

    def validate(self, attrs: dict) -> dict:
        if self.instance is not None:
            if "file" in attrs or "url" in attrs:
                raise serializers.ValidationError({"file": "To replace the file or link, add a new asset."})
            return attrs
        # A new asset: the campaign form's rules (one of file or link, allowed types, size, caption).
        form = AssetForm(
            {"caption": attrs.get("caption", ""), "url": attrs.get("url", "")},
            {"file": attrs["file"]} if attrs.get("file") else {},
        )
        if not form.is_valid():
            raise serializers.ValidationError({k: list(v) for k, v in form.errors.items()})
        attrs["kind"] = form.instance.kind
        return attrs

    @transaction.atomic
    def create(self, validated_data: dict) -> Asset:
        tags = validated_data.pop("tags", [])
        asset = Asset.objects.create(uploaded_by=self.context["request"].user, **validated_data)
        asset.set_tags(tags)
        return asset

    @transaction.atomic
    def update(self, asset: Asset, validated_data: dict) -> Asset:
        tags = validated_data.pop("tags", None)
        details = AssetDetailsForm(instance=asset).Meta.fields
        for name in details:
            if name in validated_data:
                setattr(asset, name, validated_data[name])
        asset.save()
        if tags is not None:
            asset.set_tags(tags)
        return asset


class AssetDetailSerializer(AssetSerializer):
    used_in = serializers.SerializerMethodField()

    class Meta(AssetSerializer.Meta):
        fields = [*AssetSerializer.Meta.fields, "used_in"]

    def get_used_in(self, asset: Asset) -> list[dict]:
        rows = [{**vars(use), "shown_from": shown_from} for use, shown_from in uses_of(asset)]
        return UseSerializer(rows, many=True).data


class ReuseSerializer(serializers.Serializer):
    campaign = serializers.PrimaryKeyRelatedField(
        queryset=Campaign.objects.all(), help_text="The campaign to show the asset on too."
    )

    def validate_campaign(self, campaign: Campaign) -> Campaign:
        if not campaign.can_edit(self.context["request"].user):
            raise serializers.ValidationError("You may not change this campaign.")
        if campaign.pk == self.context["asset"].campaign_id:
            raise serializers.ValidationError("This asset already belongs to that campaign.")
        return campaign


FILTERS = [
    OpenApiParameter("q", str, description="Words in the caption, description, file name, link or tags."),
    OpenApiParameter("campaign", int, description="Shown on this campaign (its own or reused)."),
    OpenApiParameter("team", str, description="Team slug."),
    OpenApiParameter("kind", str, enum=Asset.Kind.values),
    OpenApiParameter("tag", str, description="Tag name."),
]


@extend_schema_view(
    list=documented({200: AssetSerializer}, 400, 403, parameters=FILTERS),
    create=documented({201: AssetSerializer}, 400, 403),
    retrieve=documented({200: AssetDetailSerializer}, 403, 404),
    update=documented({200: AssetSerializer}, 400, 403, 404),
    partial_update=documented({200: AssetSerializer}, 400, 403, 404),
)
class AssetViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The asset library: the organisation's assets you may see, with where each is used and its embargo."""

    permission_classes = [permissions.IsAuthenticated, IsCampaignManager]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_serializer_class(self):
        return AssetDetailSerializer if self.action == "retrieve" else AssetSerializer

    def get_queryset(self):
        visible = Asset.objects.visible_to(self.request.user)
        if self.action != "list":
            return visible.for_library().prefetch_related("reused_in")
        form = AssetFilterForm(self.request.query_params, assets=visible)
        if not form.is_valid():
            raise serializers.ValidationError({k: list(v) for k, v in form.errors.items()})
        return form.filter(visible).for_library().prefetch_related("reused_in").order_by("-created_at", "-pk")

    def perform_update(self, serializer) -> None:
        if not serializer.instance.can_edit(self.request.user):
            raise PermissionDenied("Only those who may edit its campaign can change this asset.")
        serializer.save()

    @documented({201: AssetSerializer}, 400, 403, 404, request=ReuseSerializer)
    @action(detail=True, methods=["post"])
    def reuse(self, request, pk=None) -> Response:
        """Show this asset on another campaign too (its page, explainer and packs), without a new upload."""
        asset = self.get_object()
        serializer = ReuseSerializer(data=request.data, context={"request": request, "asset": asset})
        serializer.is_valid(raise_exception=True)
        asset.reuse_in(serializer.validated_data["campaign"], request.user)
        return Response(
            AssetSerializer(self.get_queryset().get(pk=asset.pk)).data, status=status.HTTP_201_CREATED
        )
