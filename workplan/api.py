"""JSON API for workstreams and deliverables: the same rules as the workplan pages.

Reading: IC, and marketing on the campaigns they may see. Writing a deliverable: the team that owns
its workstream (IC for IC's). Bad input answers 400 with field messages.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema_view
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.exceptions import PermissionDenied

from campaigns.models import Asset, Campaign
from core.api import documented
from people import roles
from people.models import MarcomTeam
from workplan.models import Deliverable, Workstream, can_edit_team

# Named in SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]: two "status" fields with different choices
# need a name each; the campaign's keeps the name it had before deliverables came.
DELIVERABLE_STATUSES = Deliverable.Status.choices
CAMPAIGN_STATUSES = Campaign.Status.choices


class IsPlanner(permissions.BasePermission):
    message = "Workplans are for marketing and internal communications."

    def has_permission(self, request, view) -> bool:
        return roles.can_manage_campaigns(request.user)

    def has_object_permission(self, request, view, obj) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        return obj.workstream.can_edit(request.user) and obj.workstream.campaign.is_editable


class WorkstreamSerializer(serializers.ModelSerializer):
    campaign = serializers.PrimaryKeyRelatedField(queryset=Campaign.objects.none())
    name = serializers.CharField(read_only=True, help_text="The team's name, or Internal communications.")
    team = serializers.PrimaryKeyRelatedField(
        queryset=MarcomTeam.objects.all(), allow_null=True, help_text="null for IC's workstream"
    )
    deliverable_count = serializers.IntegerField(read_only=True, source="deliverables.count")

    class Meta:
        model = Workstream
        fields = ["id", "campaign", "team", "name", "lead", "deliverable_count"]
        read_only_fields = ["lead"]
        validators = []  # for_team answers an existing workstream instead of a uniqueness error

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["campaign"].queryset = Campaign.objects.visible_to(request.user)

    def validate(self, attrs: dict) -> dict:
        team = attrs.get("team")
        if not can_edit_team(self.context["request"].user, team.pk if team else None):
            raise serializers.ValidationError(
                {"team": ["Start a workstream for your own team (IC: team null)."]}
            )
        if not attrs["campaign"].is_editable:
            raise serializers.ValidationError(
                {"campaign": ["A closed or cancelled campaign can no longer be changed."]}
            )
        return attrs

    def create(self, validated_data: dict) -> Workstream:
        return Workstream.for_team(validated_data["campaign"], validated_data.get("team"))


class DeliverableSerializer(serializers.ModelSerializer):
    workstream = serializers.PrimaryKeyRelatedField(queryset=Workstream.objects.none())
    team = serializers.CharField(source="workstream.name", read_only=True)
    campaign = serializers.IntegerField(source="workstream.campaign_id", read_only=True)
    owner = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.all(), allow_null=True, required=False
    )
    shared_with = serializers.PrimaryKeyRelatedField(
        queryset=MarcomTeam.objects.all(), allow_null=True, required=False
    )
    assets = serializers.PrimaryKeyRelatedField(queryset=Asset.objects.all(), many=True, required=False)
    depends_on = serializers.PrimaryKeyRelatedField(
        queryset=Deliverable.objects.all(), many=True, required=False
    )
    is_overdue = serializers.BooleanField(read_only=True)
    due_before_dependency = serializers.SerializerMethodField(
        help_text="Ids of dependencies due after this deliverable (planned the wrong way round)."
    )

    class Meta:
        model = Deliverable
        fields = [
            "id",
            "workstream",
            "campaign",
            "team",
            "title",
            "description",
            "type",
            "channel",
            "owner",
            "offset_days",
            "due_at",
            "status",
            "shared_with",
            "assets",
            "depends_on",
            "is_overdue",
            "due_before_dependency",
        ]
        read_only_fields = ["due_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["workstream"].queryset = Workstream.objects.visible_to(request.user)

    def get_due_before_dependency(self, obj: Deliverable) -> list[int]:
        return [d.pk for d in obj.dependencies_due_later()]

    def validate_owner(self, owner):
        if owner is not None and not roles.can_manage_campaigns(owner):
            raise serializers.ValidationError("The owner must be someone in marketing or IC.")
        return owner

    def validate_workstream(self, workstream: Workstream) -> Workstream:
        if self.instance is not None and workstream != self.instance.workstream:
            raise serializers.ValidationError("A deliverable stays in its workstream.")
        if not can_edit_team(self.context["request"].user, workstream.team_id):
            raise serializers.ValidationError("Only the team that owns this workstream may add to it.")
        if not workstream.campaign.is_editable:
            raise serializers.ValidationError("A closed or cancelled campaign can no longer be changed.")
        return workstream

    def validate(self, attrs: dict) -> dict:
        workstream = attrs.get("workstream") or self.instance.workstream
        campaign: Campaign = workstream.campaign
        errors = {}
        if any(a.campaign_id != campaign.pk for a in attrs.get("assets", [])):
            errors["assets"] = ["Link assets of this campaign."]
        depends = attrs.get("depends_on", [])
        if any(d.workstream.campaign_id != campaign.pk for d in depends):
            errors["depends_on"] = ["A dependency must be on the same campaign."]
        elif self.instance is not None and any(d.pk == self.instance.pk for d in depends):
            errors["depends_on"] = ["A deliverable cannot depend on itself."]
        shared = attrs.get("shared_with")
        if shared is not None and shared.pk == workstream.team_id:
            errors["shared_with"] = ["Share it with another team than the one doing it."]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


@extend_schema_view(
    list=documented({200: WorkstreamSerializer}, 403),
    create=documented({201: WorkstreamSerializer}, 400, 403),
    retrieve=documented({200: WorkstreamSerializer}, 403, 404),
)
class WorkstreamViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Workstreams on the campaigns you may see: one per MARCOM team, and IC's (team null).
    Creating your team's workstream again answers the existing one."""

    serializer_class = WorkstreamSerializer
    permission_classes = [permissions.IsAuthenticated, IsPlanner]

    def get_queryset(self):
        return (
            Workstream.objects.visible_to(self.request.user)
            .select_related("team")
            .prefetch_related("deliverables")
            .order_by("campaign_id", "pk")
        )


@extend_schema_view(
    list=documented({200: DeliverableSerializer}, 403),
    create=documented({201: DeliverableSerializer}, 400, 403),
    retrieve=documented({200: DeliverableSerializer}, 403, 404),
    update=documented({200: DeliverableSerializer}, 400, 403, 404),
    partial_update=documented({200: DeliverableSerializer}, 400, 403, 404),
    destroy=documented({204: None}, 403, 404),
)
class DeliverableViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Deliverables on the campaigns you may see; change them in your own team's workstream."""

    serializer_class = DeliverableSerializer
    permission_classes = [permissions.IsAuthenticated, IsPlanner]

    def get_queryset(self):
        return (
            Deliverable.objects.visible_to(self.request.user)
            .select_related("workstream__team", "workstream__campaign")
            .prefetch_related("assets", "depends_on")
            .order_by("due_at", "pk")
        )

    def perform_destroy(self, instance: Deliverable) -> None:
        if not instance.workstream.can_edit(self.request.user):
            raise PermissionDenied("Only the team that owns this workstream may change it.")
        instance.delete()


def register(router) -> None:
    router.register("workstreams", WorkstreamViewSet, basename="workstream")
    router.register("deliverables", DeliverableViewSet, basename="deliverable")
