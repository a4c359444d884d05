"""Forms for the explainer editor (IC) and the employee's responses to an explainer."""

from __future__ import annotations

from django import forms
from django.forms import inlineformset_factory
from django.utils import timezone

from campaigns.forms import LibraryAssetField
from campaigns.models import Asset
from explainers.models import Explainer, ExplainerQuestion, Scenario

MARKDOWN_HELP = "Markdown: **bold**, *italic*, lists, [links](https://…). Scripts and styles are removed."


class ExplainerForm(forms.ModelForm):
    class Publishing:
        DRAFT = "draft"
        AT_EMBARGO = "at_embargo"
        NOW = "now"

    publishing = forms.ChoiceField(
        label="When employees can read it",
        widget=forms.RadioSelect,
        choices=[
            (Publishing.DRAFT, "Draft: not ready for employees yet"),
            (Publishing.AT_EMBARGO, "Ready: publish automatically when the embargo lifts"),
            (Publishing.NOW, "Publish now (only once the embargo has lifted)"),
        ],
    )

    assets = LibraryAssetField(
        label="Also show from the asset library",
        help_text="Other campaigns' assets to show here too. "
        "Employees see each only once its own campaign's embargo has lifted.",
    )

    class Meta:
        model = Explainer
        fields = ["what_and_why", "behaviours", "training", "faq", "assets"]
        widgets = {
            f: forms.Textarea(attrs={"rows": 6}) for f in ["what_and_why", "behaviours", "training", "faq"]
        }
        help_texts = {
            "what_and_why": MARKDOWN_HELP,
            "behaviours": "What we ask people to do differently. " + MARKDOWN_HELP,
            "training": "One link per line as a list: - [Course name](https://…)",
            "faq": "Questions as headings (## Question?) with the answer below.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        explainer = self.instance
        # IC edits explainers and sees the whole library; the campaign's own assets show anyway.
        shown = Asset.objects.shown_with(explainer.campaign).values("pk")
        self.fields["assets"].offer(Asset.objects.exclude(pk__in=shown))
        if explainer.publishes_at_embargo:
            initial = self.Publishing.AT_EMBARGO
        elif explainer.published_at:
            initial = self.Publishing.NOW
        else:
            initial = self.Publishing.DRAFT
        self.fields["publishing"].initial = initial

    def clean_publishing(self) -> str:
        choice = self.cleaned_data["publishing"]
        campaign = self.instance.campaign
        if choice == self.Publishing.NOW and campaign.is_embargoed():
            lifts = timezone.localtime(campaign.embargo_until).strftime("%-d %B %Y, %H:%M")
            raise forms.ValidationError(
                f"The embargo lifts on {lifts}; choose “publish automatically when the embargo lifts”."
            )
        return choice

    def apply_publishing(self, explainer: Explainer) -> None:
        choice = self.cleaned_data["publishing"]
        explainer.publishes_at_embargo = choice == self.Publishing.AT_EMBARGO
        if choice == self.Publishing.NOW:
            explainer.published_at = explainer.published_at or timezone.now()
        elif choice == self.Publishing.DRAFT:
            explainer.published_at = None


class VariantsForm(forms.Form):
    """One text per affected audience: what the campaign means for them."""

    def __init__(self, *args, audiences=(), initial_bodies: dict[int, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        initial_bodies = initial_bodies or {}
        self.audiences = list(audiences)
        for audience in self.audiences:
            self.fields[self.key(audience)] = forms.CharField(
                label=f"What it means for {audience.name}",
                required=False,
                initial=initial_bodies.get(audience.pk, ""),
                widget=forms.Textarea(attrs={"rows": 4}),
                help_text=MARKDOWN_HELP,
            )

    @staticmethod
    def key(audience) -> str:
        return f"variant_{audience.pk}"

    def bodies(self) -> dict[int, str]:
        return {a.pk: self.cleaned_data[self.key(a)].strip() for a in self.audiences}

    def bound_fields(self):
        return [self[self.key(a)] for a in self.audiences]


class ScenarioForm(forms.ModelForm):
    position = forms.IntegerField(label="Order", required=False, min_value=0, initial=0)

    class Meta:
        model = Scenario
        fields = ["situation", "response", "position"]
        labels = {"situation": "Situation", "response": "What you do", "position": "Order"}
        help_texts = {"situation": "For example: A customer asks whether their rate changes."}
        widgets = {"response": forms.Textarea(attrs={"rows": 3})}

    def clean_position(self) -> int:
        return self.cleaned_data.get("position") or 0


ScenarioFormSet = inlineformset_factory(
    Explainer, Scenario, form=ScenarioForm, extra=1, can_delete=True, max_num=30, validate_max=True
)


class AnswerForm(forms.Form):
    answer = forms.CharField(label="Answer", max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))

    def clean_answer(self) -> str:
        answer = self.cleaned_data["answer"].strip()
        if not answer:
            raise forms.ValidationError("Write an answer.")
        return answer


class QuestionForm(forms.ModelForm):
    class Meta:
        model = ExplainerQuestion
        fields = ["text", "is_anonymous"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"text": "Marketing and internal communications read every question."}

    def clean_text(self) -> str:
        text = self.cleaned_data["text"].strip()
        if not text:
            raise forms.ValidationError("Write your question.")
        return text


class HelpfulForm(forms.Form):
    is_helpful = forms.TypedChoiceField(
        label="Was this helpful?",
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
