"""JSON API for the inbox and explainers: the same rules as the pages, embargo included."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from campaigns.models import Campaign
from core.api import ErrorSerializer, documented
from core.markup import render_markdown
from explainers.models import ExplainerQuestion, ExplainerRead, relevant_campaigns
from explainers.views import (
    _get_explainer_for_user,
    explainer_context,
    explainer_of,
    inbox_deliveries,
)
from people.models import Audience
from rollout.composer import render_stage
from rollout.models import Delivery


class DeliverySerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    campaign = serializers.CharField(source="stage.campaign.title")
    kind = serializers.CharField(source="stage.kind")
    subject = serializers.SerializerMethodField()
    text = serializers.SerializerMethodField()
    sent_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True, help_text="Null until you first open it.")
    requires_acknowledgement = serializers.BooleanField(source="stage.requires_acknowledgement")
    acknowledged_at = serializers.DateTimeField(allow_null=True, help_text="Null until you acknowledge it.")

    def _message(self, delivery):
        cache = self.context.setdefault("_rendered", {})
        if delivery.pk not in cache:
            user = self.context["request"].user
            cache[delivery.pk] = render_stage(delivery.stage, user, at=timezone.now(), delivery=delivery)
        return cache[delivery.pk]

    def get_subject(self, delivery) -> str:
        return self._message(delivery).subject

    def get_text(self, delivery) -> str:
        return self._message(delivery).text


@extend_schema_view(
    list=documented({200: DeliverySerializer}),
    retrieve=documented({200: DeliverySerializer}, 404),
)
class InboxViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """My in-app announcements, newest first; retrieving one marks it read."""

    serializer_class = DeliverySerializer
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no signed-in user
            return Delivery.objects.none()
        return inbox_deliveries(self.request.user)

    def retrieve(self, request, *args, **kwargs):
        delivery = self.get_object()
        delivery.mark_read()
        return Response(self.get_serializer(delivery).data)

    @documented(
        {201: DeliverySerializer, 200: DeliverySerializer},
        400,
        403,
        404,
        bad_input=ErrorSerializer,
        request=None,
        description="Record your acknowledgement: 201 the first time, 200 when it was already recorded.",
    )
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        delivery = self.get_object()
        try:
            recorded = delivery.acknowledge()
        except ValidationError as exc:
            return Response({"detail": exc.messages[0]}, status=status.HTTP_400_BAD_REQUEST)
        data = self.get_serializer(delivery).data
        return Response(data, status=status.HTTP_201_CREATED if recorded else status.HTTP_200_OK)


class ExplainerSummarySerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    concept = serializers.CharField()
    is_published = serializers.BooleanField()
    more_detail_on = serializers.DateTimeField(source="embargo_until")
    go_live_at = serializers.DateTimeField()


class ForYouSerializer(serializers.Serializer):
    audience = serializers.CharField()
    html = serializers.CharField()


class ScenarioSerializer(serializers.Serializer):
    situation = serializers.CharField()
    response = serializers.CharField()


class ExplainerAssetSerializer(serializers.Serializer):
    caption = serializers.CharField()
    kind = serializers.CharField()
    url = serializers.CharField(help_text="A link, or the address of the uploaded file.")


class AnsweredQuestionSerializer(serializers.Serializer):
    question = serializers.CharField()
    answer = serializers.CharField()


_FULL_ONLY = "Only in the full explainer (is_published true); a teaser leaves it out."


class ExplainerDetailSerializer(ExplainerSummarySerializer):
    """One explainer: the summary fields always; the body only once it is readable in full."""

    details = serializers.CharField(required=False, help_text=_FULL_ONLY)
    what_and_why_html = serializers.CharField(required=False, help_text=_FULL_ONLY)
    for_you = ForYouSerializer(many=True, required=False, help_text=_FULL_ONLY)
    behaviours_html = serializers.CharField(required=False, help_text=_FULL_ONLY)
    scenarios = ScenarioSerializer(many=True, required=False, help_text=_FULL_ONLY)
    training_html = serializers.CharField(required=False, help_text=_FULL_ONLY)
    assets = ExplainerAssetSerializer(many=True, required=False, help_text=_FULL_ONLY)
    faq_html = serializers.CharField(required=False, help_text=_FULL_ONLY)
    answered_questions = AnsweredQuestionSerializer(many=True, required=False, help_text=_FULL_ONLY)


class HelpfulSerializer(serializers.Serializer):
    is_helpful = serializers.BooleanField()


class QuestionSerializer(serializers.ModelSerializer):
    class Meta:
        model = ExplainerQuestion
        fields = ["id", "text", "is_anonymous", "created_at"]
        read_only_fields = ["id", "created_at"]


def _full_explainer(campaign, explainer, user) -> dict:
    ctx = explainer_context(campaign, explainer, Audience.ids_for(user))
    return {
        "slug": campaign.slug,
        "title": campaign.title,
        "concept": campaign.concept,
        "is_published": True,
        "embargo_until": campaign.embargo_until,
        "details": campaign.details,
        "go_live_at": campaign.go_live_at,
        "what_and_why_html": render_markdown(explainer.what_and_why),
        "for_you": [{"audience": v.audience.name, "html": render_markdown(v.body)} for v in ctx["variants"]],
        "behaviours_html": render_markdown(explainer.behaviours),
        "scenarios": [{"situation": s.situation, "response": s.response} for s in ctx["scenarios"]],
        "training_html": render_markdown(explainer.training),
        "assets": [
            {"caption": a.caption, "kind": a.kind, "url": a.href} for a in ctx["images"] + ctx["links"]
        ],
        "faq_html": render_markdown(explainer.faq),
        "answered_questions": [{"question": e.question, "answer": e.answer} for e in ctx["extra_faq"]],
    }


@extend_schema_view(
    list=documented({200: ExplainerSummarySerializer}),
    retrieve=documented({200: ExplainerDetailSerializer}, 404),
    helpful=documented({200: HelpfulSerializer}, 400, 404, request=HelpfulSerializer),
    questions=documented({201: QuestionSerializer}, 400, 404, request=QuestionSerializer),
)
class ExplainerViewSet(viewsets.GenericViewSet):
    """Explainers relevant to me; one by slug: in full once published, a teaser before (or 404)."""

    lookup_field = "slug"
    lookup_value_regex = "[-a-zA-Z0-9_]+"
    serializer_class = ExplainerSummarySerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Campaign.objects.none()
        return (
            relevant_campaigns(self.request.user, Audience.ids_for(self.request.user))
            .select_related("explainer")
            .order_by("-go_live_at", "pk")
        )

    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        now = timezone.now()
        rows = []
        for campaign in page:
            explainer = explainer_of(campaign)
            campaign.is_published = explainer is not None and explainer.is_published(now)
            rows.append(campaign)
        return self.get_paginated_response(self.get_serializer(rows, many=True).data)

    def _resolve(self, slug):
        campaign, explainer, mode = _get_explainer_for_user(self.request, slug)
        if mode == "full" or (mode == "preview" and explainer is not None):
            # Managers (IC, the campaign's marketers) read the draft through the API as on the page.
            return campaign, explainer, True
        return campaign, explainer, False

    def retrieve(self, request, slug=None):
        campaign, explainer, is_full = self._resolve(slug)
        if is_full:
            ExplainerRead.objects.get_or_create(explainer=explainer, user=request.user)
            return Response(
                ExplainerDetailSerializer(_full_explainer(campaign, explainer, request.user)).data
            )
        campaign.is_published = False
        # The summary serializer, never the detail one: a Campaign has `details` and `assets` too.
        return Response(ExplainerSummarySerializer(campaign).data)

    def _published(self, slug):
        _campaign, explainer, mode = _get_explainer_for_user(self.request, slug)
        if mode != "full":
            raise Http404("This explainer is not published yet.")
        return explainer

    @action(detail=True, methods=["post"], serializer_class=HelpfulSerializer)
    def helpful(self, request, slug=None):
        explainer = self._published(slug)
        serializer = HelpfulSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        read, _ = ExplainerRead.objects.get_or_create(explainer=explainer, user=request.user)
        read.is_helpful = serializer.validated_data["is_helpful"]
        read.save(update_fields=["is_helpful"])
        return Response({"is_helpful": read.is_helpful})

    @action(detail=True, methods=["post"], serializer_class=QuestionSerializer)
    def questions(self, request, slug=None):
        explainer = self._published(slug)
        serializer = QuestionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        question = ExplainerQuestion.ask(explainer, request.user, **serializer.validated_data)
        return Response(QuestionSerializer(question).data, status=status.HTTP_201_CREATED)


def register(router) -> None:
    router.register("inbox", InboxViewSet, basename="inbox")
    router.register("explainers", ExplainerViewSet, basename="explainer")
