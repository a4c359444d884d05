from __future__ import annotations

from datetime import date

from django import forms
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from campaigns.models import Campaign
from campaigns.warnings import ConflictWarningMixin
from people.models import Audience, EmployeeProfile, MarcomTeam
from planning.models import CommsItem, ReadinessThreshold


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class CommsItemForm(ConflictWarningMixin, forms.ModelForm):
    """Times are entered in the person's own zone (the middleware activates it)."""

    class Meta:
        model = CommsItem
        fields = ["title", "description", "starts_at", "ends_at", "audiences", "channel"]
        widgets = {
            "starts_at": DateTimeLocalInput(),
            "ends_at": DateTimeLocalInput(),
            "audiences": forms.CheckboxSelectMultiple,
            "description": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {"starts_at": "Starts", "ends_at": "Ends"}
        help_texts = {
            "starts_at": "In your time zone. It counts in the load in the week it starts.",
            "audiences": "Who receives it. It counts towards each audience's weekly cap.",
        }

    field_order = [*Meta.fields, "confirm_conflicts"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["audiences"].queryset = Audience.objects.order_by("name")

    def clean(self):
        cleaned = super().clean()
        starts_at, ends_at = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts_at and ends_at and ends_at < starts_at:
            self.add_error("ends_at", "The end must be after the start.")
        if starts_at and cleaned.get("audiences") and not self.errors:
            self.check_conflicts(cleaned["audiences"], starts_at, exclude=self.instance)
        return cleaned


CHANNEL_CHOICES = [
    ("", "Any channel"),
    *EmployeeProfile.Channel.choices,
    ("briefing", "Briefing"),
    *[(v, label) for v, label in CommsItem.Channel.choices if v not in EmployeeProfile.Channel.values],
]


class QuickSelect(forms.Select):
    """A <select> rendered in one Python pass, the same HTML as Django's template for it.

    The calendar's campaign filter names every campaign of the period (~870 in a busy month); the
    template renders each option through an include, which was a third of the month page."""

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        chosen = {str(v) for v in self.format_value(value)}
        options = "".join(
            f'\n  <option value="{escape(v)}"{" selected" if str(v) in chosen else ""}>{escape(label)}</option>\n'
            for v, label in self.choices
        )
        attrs = "".join(  # as django/forms/widgets/attrs.html writes them, in their order
            f" {escape(k)}" if v is True else f' {escape(k)}="{escape(str(v))}"'
            for k, v in self.build_attrs(self.attrs, attrs).items()
            if v is not False
        )
        return mark_safe(f'<select name="{escape(name)}"{attrs}>{options}\n</select>')  # all escaped above


class CalendarFilterForm(forms.Form):
    VIEWS = [("month", "Month"), ("week", "Week"), ("list", "List")]

    view = forms.ChoiceField(choices=VIEWS, required=False)
    date = forms.DateField(required=False, label="Go to date", widget=forms.DateInput(attrs={"type": "date"}))
    audience = forms.ModelChoiceField(
        queryset=Audience.objects.none(), required=False, empty_label="All audiences", widget=QuickSelect
    )
    team = forms.ModelChoiceField(
        queryset=MarcomTeam.objects.none(),
        required=False,
        empty_label="All teams",
        label="MARCOM team",
        widget=QuickSelect,
    )
    channel = forms.ChoiceField(choices=CHANNEL_CHOICES, required=False)
    campaign = forms.ModelChoiceField(
        queryset=Campaign.objects.none(), required=False, empty_label="All campaigns", widget=QuickSelect
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["audience"].queryset = Audience.objects.order_by("name")
        self.fields["team"].queryset = MarcomTeam.objects.order_by("name")
        # Only campaigns this person may open are offered by name (never an embargoed title).
        self.fields["campaign"].queryset = (
            Campaign.objects.visible_to(user).exclude(status=Campaign.Status.CANCELLED).only("pk", "title")
        )

    def anchor(self) -> date:
        return (self.cleaned_data.get("date") if self.is_valid() else None) or timezone.localdate()


class ReadinessThresholdForm(forms.ModelForm):
    class Meta:
        model = ReadinessThreshold
        fields = ["warned_pct", "briefed_pct", "red_within_days"]
        widgets = {f: forms.NumberInput(attrs={"min": 0, "max": 100}) for f in ["warned_pct", "briefed_pct"]}
