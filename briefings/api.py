"""JSON API for briefings: read what you may see, answer your invitation. Same rules as the pages.

Embargoed details never appear here: a briefing carries its campaign's title and concept only.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from briefings.forms import RsvpForm
from briefings.models import Briefing, Invitation
from core.api import documented


class BriefingCampaignSerializer(serializers.Serializer):
    """The campaign a briefing is for: never its embargoed details."""

    id = serializers.IntegerField()
    title = serializers.CharField()
    concept = serializers.CharField()


class BriefingSerializer(serializers.ModelSerializer):
    campaign = BriefingCampaignSerializer(read_only=True)
    presenter = serializers.SerializerMethodField()
    audiences = serializers.SlugRelatedField(many=True, read_only=True, slug_field="name")
    url = serializers.SerializerMethodField()
    ics_url = serializers.SerializerMethodField()
    # A plain string keeps the OpenAPI enum names free of a clash with Campaign.status.
    status = serializers.CharField(read_only=True, help_text="scheduled, delivered or cancelled")

    class Meta:
        model = Briefing
        fields = [
            "id",
            "title",
            "campaign",
            "status",
            "starts_at",
            "ends_at",
            "time_zone",
            "place",
            "online_url",
            "presenter",
            "audiences",
            "capacity",
            "url",
            "ics_url",
        ]

    def get_presenter(self, obj: Briefing) -> str | None:
        return (obj.presenter.get_full_name() or obj.presenter.get_username()) if obj.presenter else None

    def get_url(self, obj: Briefing) -> str:
        return self.context["request"].build_absolute_uri(obj.get_absolute_url())

    def get_ics_url(self, obj: Briefing) -> str:
        return self.context["request"].build_absolute_uri(f"{obj.get_absolute_url()}ics")


class RsvpSerializer(serializers.Serializer):
    answer = serializers.ChoiceField(choices=["yes", "no", "maybe"])


class RsvpResultSerializer(serializers.Serializer):
    answer = serializers.CharField()
    is_waitlisted = serializers.BooleanField(help_text="A yes over capacity joins the waiting list.")


@extend_schema_view(
    list=documented({200: BriefingSerializer}),
    retrieve=documented({200: BriefingSerializer}, 404),
)
class BriefingViewSet(viewsets.ReadOnlyModelViewSet):
    """Briefings you may see: IC all, marketing their campaigns', presenters theirs, invitees theirs."""

    serializer_class = BriefingSerializer

    def get_queryset(self):
        return (
            Briefing.objects.visible_to(self.request.user)
            .select_related("campaign", "presenter")
            .prefetch_related("audiences")
            .order_by("starts_at", "pk")
        )

    @documented({200: RsvpResultSerializer}, 400, 403, 404, request=RsvpSerializer)
    @action(detail=True, methods=["post"], serializer_class=RsvpSerializer)
    def rsvp(self, request, pk=None):
        """Answer yes / no / maybe; over capacity a yes joins the waiting list."""
        briefing = self.get_object()
        invitation = Invitation.objects.filter(briefing=briefing, user=request.user).first()
        if invitation is None:
            raise PermissionDenied("Only invitees answer.")
        form = RsvpForm({"answer": request.data.get("answer", "")}, briefing=briefing)
        if not form.is_valid():
            return Response(form.errors, status=status.HTTP_400_BAD_REQUEST)
        invitation.respond(form.cleaned_data["answer"])
        return Response({"answer": invitation.rsvp, "is_waitlisted": invitation.is_waitlisted})


def register(router) -> None:
    router.register("briefings", BriefingViewSet, basename="briefing")
