"""JSON API for campaigns and audiences (DRF); the same role and object rules as the pages.

Only marketing and IC use these endpoints (employees and presenters get 403), so embargoed
details are served only to people who may already see them on the campaign page.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from campaigns import confirmations
from campaigns.asset_api import AssetViewSet
from campaigns.forms import review_words
from campaigns.models import Campaign, Impact
from core.api import documented
from people import roles
from people.models import Audience, MarcomTeam, user_zone


class IsCampaignManager(permissions.BasePermission):
    """Marketing and IC; writing a campaign needs the right to edit that campaign."""

    message = "Campaign management is for marketing and internal communications."

    def has_permission(self, request, view) -> bool:
        return roles.can_manage_campaigns(request.user)

    def has_object_permission(self, request, view, obj) -> bool:
        if request.method in permissions.SAFE_METHODS or not isinstance(obj, Campaign):
            return True
        return obj.can_edit(request.user) and obj.is_editable


class AudienceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Audience
        fields = ["id", "name", "description", "kind", "department", "team", "location", "role"]


class ImpactSerializer(serializers.ModelSerializer):
    audience_name = serializers.CharField(source="audience.name", read_only=True)

    class Meta:
        model = Impact
        fields = ["audience", "audience_name", "level", "what_changes", "what_to_do"]


class CampaignSerializer(serializers.ModelSerializer):
    owner = serializers.CharField(source="owner.username", read_only=True)
    teams = serializers.SlugRelatedField(
        slug_field="slug", many=True, queryset=MarcomTeam.objects.all(), required=False
    )
    external_channels = serializers.ListField(
        child=serializers.ChoiceField(choices=Campaign.ExternalChannel.choices), required=False
    )
    key_messages = serializers.ListField(
        child=serializers.CharField(max_length=500), source="ordered_key_messages", required=False
    )
    impacts = ImpactSerializer(many=True, required=False)
    embargo_until = serializers.DateTimeField(
        required=False, allow_null=True, help_text="Defaults to go-live; may not be after it."
    )

    class Meta:
        model = Campaign
        fields = [
            "id",
            "slug",
            "status",
            "owner",
            *Campaign.EDITABLE_FIELDS,
            "time_zone",
            "key_messages",
            "impacts",
            "review_comment",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["slug", "status", "time_zone", "review_comment", "created_at", "updated_at"]

    def validate(self, attrs: dict) -> dict:
        instance = self.instance
        go_live_at = attrs.get("go_live_at", instance.go_live_at if instance else None)
        if instance is None and go_live_at < timezone.now():
            raise serializers.ValidationError(
                {"go_live_at": "Go-live must be in the future for a new campaign."}
            )
        if "embargo_until" in attrs or instance is None:
            embargo_until = attrs.get("embargo_until") or go_live_at
        elif instance.embargo_until == instance.go_live_at:
            embargo_until = go_live_at  # "same as go-live" follows go-live, as on the form
        else:
            embargo_until = instance.embargo_until
        if embargo_until > go_live_at:
            raise serializers.ValidationError(
                {"embargo_until": "The embargo must lift at or before go-live."}
            )
        attrs["embargo_until"] = embargo_until
        audiences = [impact["audience"].pk for impact in attrs.get("impacts", [])]
        if len(audiences) != len(set(audiences)):
            raise serializers.ValidationError({"impacts": "Name each audience once."})
        if "ordered_key_messages" in attrs:
            attrs["ordered_key_messages"] = [m.strip() for m in attrs["ordered_key_messages"] if m.strip()]
        return attrs

    @transaction.atomic
    def create(self, validated_data: dict) -> Campaign:
        user = self.context["request"].user
        validated_data.update(owner=user, time_zone=user_zone(user).key)
        return self._save(Campaign(), validated_data)

    @transaction.atomic
    def update(self, instance: Campaign, validated_data: dict) -> Campaign:
        return self._save(instance, validated_data)

    def _save(self, campaign: Campaign, data: dict) -> Campaign:
        teams = data.pop("teams", None)
        key_messages = data.pop("ordered_key_messages", None)
        impacts = data.pop("impacts", None)
        if campaign.pk is not None:  # as on the edit page: marketing changing an approved one → IC review
            changed = self._changed_words(campaign, data, key_messages, impacts)
            campaign.send_back_for_review(self.context["request"].user, changed)
        for name, value in data.items():
            setattr(campaign, name, value)
        campaign.save()
        if teams is not None:
            campaign.teams.set(teams)
        if key_messages is not None:
            campaign.set_key_messages(key_messages)
        if impacts is not None:
            self._replace_impacts(campaign, impacts)
        return campaign

    @staticmethod
    def _changed_words(campaign: Campaign, data: dict, key_messages, impacts) -> list[str]:
        """What this update changes that IC would want to see again, in words ("Go-live", "Audiences")."""
        words = review_words(name for name, value in data.items() if getattr(campaign, name) != value)
        if key_messages is not None and key_messages != campaign.ordered_key_messages():
            words.append("Key messages")
        if impacts is not None:
            fields = ("level", "what_changes", "what_to_do")
            now = {(i.audience_id, *(getattr(i, f) for f in fields)) for i in campaign.impacts.all()}
            asked = {(d["audience"].pk, *(d.get(f, "") for f in fields)) for d in impacts}
            if now != asked:
                words.append("Audiences")
        return words

    @staticmethod
    def _replace_impacts(campaign: Campaign, impacts: list[dict]) -> None:
        """Make the impacts exactly these, changing rows in place so the history reads well."""
        existing = {i.audience_id: i for i in campaign.impacts.all()}
        for data in impacts:
            impact = existing.pop(data["audience"].pk, None) or Impact(campaign=campaign)
            for name, value in data.items():
                setattr(impact, name, value)
            impact.save()
        for impact in existing.values():
            impact.delete()


class MoveSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Campaign.Status.choices)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    confirm = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Go ahead although the move sends announcements now (see 409).",
    )


class SendsNowSerializer(serializers.Serializer):
    detail = serializers.CharField()
    sends_now = serializers.ListField(
        child=serializers.CharField(), help_text="What goes out, to how many, how."
    )
    skipped = serializers.ListField(child=serializers.CharField(), help_text="Overdue stages the rule skips.")


@extend_schema_view(
    list=documented({200: CampaignSerializer}, 403),
    create=documented({201: CampaignSerializer}, 400, 403),
    retrieve=documented({200: CampaignSerializer}, 403, 404),
    update=documented({200: CampaignSerializer}, 400, 403, 404),
    partial_update=documented({200: CampaignSerializer}, 400, 403, 404),
)
class CampaignViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Campaigns you may manage: IC all, marketing their own and their teams'."""

    serializer_class = CampaignSerializer
    permission_classes = [permissions.IsAuthenticated, IsCampaignManager]

    def get_queryset(self):
        return (
            Campaign.objects.visible_to(self.request.user)
            .select_related("owner")
            .prefetch_related(
                "teams", "key_messages", Prefetch("impacts", Impact.objects.select_related("audience"))
            )
            .order_by("go_live_at", "pk")
        )

    @documented(
        {
            200: CampaignSerializer,
            409: OpenApiResponse(
                SendsNowSerializer, description="The move sends now: nothing changed; ask first."
            ),
        },
        400,
        403,
        404,
        request=MoveSerializer,
    )
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None) -> Response:
        """Move the campaign to another status (submit, approve, send back, go live, close, cancel).

        A move that makes announcements go out at once (approving with an overdue early warning)
        changes nothing and answers 409 with what would be sent, until repeated with `confirm: true`.
        """
        campaign = self.get_object()
        serializer = MoveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        target, comment = serializer.validated_data["status"], serializer.validated_data.get("comment", "")
        if not campaign.may_move(request.user, target):
            raise PermissionDenied("Your role may not make that move on this campaign.")
        if target == Campaign.Status.DRAFT and not comment.strip():
            raise serializers.ValidationError({"comment": "Say why you are sending it back."})
        try:
            _, sends_now = confirmations.send_or_ask(
                campaign,
                lambda: campaign.move_to(target, request.user, comment.strip()),
                confirmed=serializer.validated_data["confirm"],
            )
        except DjangoValidationError as exc:
            return Response({"status": exc.messages}, status=status.HTTP_400_BAD_REQUEST)
        if sends_now:
            body = {
                "detail": 'This move sends announcements now. Repeat it with "confirm": true to go ahead.',
                "sends_now": [str(send) for send in sends_now.sends],
                "skipped": list(sends_now.skipped),
            }
            return Response(body, status=status.HTTP_409_CONFLICT)
        return Response(CampaignSerializer(self.get_queryset().get(pk=campaign.pk)).data)


@extend_schema_view(
    list=documented({200: AudienceSerializer}, 403),
    retrieve=documented({200: AudienceSerializer}, 403, 404),
)
class AudienceViewSet(viewsets.ReadOnlyModelViewSet):
    """Audiences marketing and IC can name on a campaign."""

    serializer_class = AudienceSerializer
    permission_classes = [permissions.IsAuthenticated, IsCampaignManager]
    queryset = Audience.objects.order_by("name")


def register(router) -> None:
    """Add this app's viewsets to the shared /api/v1/ router."""
    router.register("campaigns", CampaignViewSet, basename="campaign")
    router.register("audiences", AudienceViewSet, basename="audience")
    router.register("assets", AssetViewSet, basename="asset")
