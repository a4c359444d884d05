from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q

from campaigns.models import Asset, Campaign
from people import roles
from people.models import MarcomTeam
from workplan.models import BriefChannel, BriefObjective, CampaignBrief, Deliverable

IC_TEAM = "ic"  # the team choice that means IC's workstream


def planners():
    """People who may own a deliverable: marketing and IC."""
    return (
        get_user_model()
        .objects.filter(
            Q(groups__name__in=[roles.MARKETING, roles.IC]) | Q(is_superuser=True), is_active=True
        )
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.get_username()


class DeliverableForm(forms.ModelForm):
    """A deliverable, with the team's workstream chosen among those this person may edit."""

    team = forms.ChoiceField(label="Workstream", help_text="The team that does this work.")
    owner = PersonChoiceField(queryset=None, required=False, empty_label="Nobody yet")
    decision = forms.CharField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = Deliverable
        fields = [
            "team",
            "title",
            "description",
            "type",
            "channel",
            "owner",
            "offset_days",
            "status",
            "shared_with",
            "assets",
            "depends_on",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "assets": forms.CheckboxSelectMultiple,
            "depends_on": forms.CheckboxSelectMultiple,
        }
        labels = {"shared_with": "Shared with", "depends_on": "Depends on", "assets": "Assets"}
        help_texts = {
            "shared_with": "Optionally a second team that works on it with you.",
            "depends_on": "Work that must be done first. A dependency due later than this is flagged.",
        }

    def __init__(self, *args, campaign: Campaign, teams: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        self.fields["team"].choices = teams
        if self.instance.pk:
            self.fields["team"].initial = self._team_value(self.instance.workstream.team_id)
            self.fields["team"].disabled = True
            self.fields["team"].choices = [(self.fields["team"].initial, self.instance.workstream.name)]
        self.fields["owner"].queryset = planners()
        self.fields["shared_with"].queryset = MarcomTeam.objects.order_by("name")
        self.fields["shared_with"].empty_label = "Not shared"
        self.fields["assets"].queryset = Asset.objects.filter(campaign=campaign).order_by("caption")
        others = Deliverable.objects.filter(workstream__campaign=campaign).select_related("workstream__team")
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        self.fields["depends_on"].queryset = others
        self.fields["depends_on"].label_from_instance = lambda d: f"{d.title} ({d.workstream.name})"

    @staticmethod
    def _team_value(team_id: int | None) -> str:
        return IC_TEAM if team_id is None else str(team_id)

    def team_id(self) -> int | None:
        value = self.cleaned_data["team"]
        return None if value == IC_TEAM else int(value)

    def clean(self):
        cleaned = super().clean()
        shared, team = cleaned.get("shared_with"), cleaned.get("team")
        if shared and team and str(shared.pk) == team:
            self.add_error("shared_with", "Share it with another team than the one doing it.")
        return cleaned


class BriefForm(forms.ModelForm):
    class Meta:
        model = CampaignBrief
        fields = ["positioning", "main_message", "target_customers", "creatives"]
        widgets = {
            "positioning": forms.Textarea(attrs={"rows": 3}),
            "main_message": forms.Textarea(attrs={"rows": 2}),
            "target_customers": forms.Textarea(attrs={"rows": 3}),
            "creatives": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "positioning": "Where the product sits against the alternatives, in a sentence or two.",
            "main_message": "The one thing every team says.",
            "creatives": "The campaign's assets every team builds on (add them on the campaign page).",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["creatives"].queryset = Asset.objects.filter(campaign=self.instance.campaign).order_by(
            "caption"
        )


class ObjectiveForm(forms.ModelForm):
    class Meta:
        model = BriefObjective
        fields = ["description", "metric", "target", "unit"]

    def clean_target(self):
        target = self.cleaned_data["target"]
        if target is not None and target < 0:
            raise forms.ValidationError("A target cannot be negative.")
        return target


class ChannelForm(forms.ModelForm):
    class Meta:
        model = BriefChannel
        fields = ["kind", "name", "budget_cap", "pricing", "rate"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") != BriefChannel.Kind.PAID and (cleaned.get("pricing") or cleaned.get("rate")):
            self.add_error("pricing", "CPC or CPM applies to paid channels only.")
        if cleaned.get("rate") is not None and not cleaned.get("pricing"):
            self.add_error("pricing", "Say whether the rate is a CPC or a CPM.")
        if cleaned.get("budget_cap") is not None and cleaned["budget_cap"] < 0:
            self.add_error("budget_cap", "A budget cap cannot be negative.")
        return cleaned


ObjectiveFormSet = forms.inlineformset_factory(
    CampaignBrief, BriefObjective, form=ObjectiveForm, extra=1, can_delete=True
)
ChannelFormSet = forms.inlineformset_factory(
    CampaignBrief, BriefChannel, form=ChannelForm, extra=1, can_delete=True
)
