"""The rollout stage form: offset as days/hours/minutes before or after go-live, checked templates."""

from __future__ import annotations

from django import forms

from campaigns.models import Campaign
from campaigns.warnings import ConflictWarningMixin
from people.models import Audience, EmployeeProfile
from rollout import composer
from rollout.models import RolloutStage
from rollout.plan import leak_reason


class StageTextChecks:
    """Field errors for a subject or body the composer would refuse (the stage form and the admin)."""

    def _clean_template(self, name: str) -> str:
        source = self.cleaned_data[name]
        try:
            composer.check_template(source)
        except composer.TemplateSyntaxError as exc:
            raise forms.ValidationError(f"This template has an error: {exc}") from exc
        return source

    def clean_subject(self) -> str:
        return self._clean_template("subject")

    def clean_body(self) -> str:
        return self._clean_template("body")


class StageForm(StageTextChecks, ConflictWarningMixin, forms.ModelForm):
    BEFORE, AT, AFTER = "before", "at", "after"

    days = forms.IntegerField(min_value=0, max_value=365, initial=0)
    hours = forms.IntegerField(min_value=0, max_value=23, initial=0)
    minutes = forms.IntegerField(min_value=0, max_value=59, initial=0)
    direction = forms.ChoiceField(
        label="When",
        choices=[(BEFORE, "Before go-live"), (AT, "At go-live"), (AFTER, "After go-live")],
        widget=forms.RadioSelect,
        initial=BEFORE,
    )
    audiences = forms.ModelMultipleChoiceField(
        queryset=Audience.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Leave all unticked to send to the campaign's medium and high impact audiences, "
        "as they are when the stage is sent.",
    )
    channels = forms.MultipleChoiceField(
        choices=EmployeeProfile.Channel.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = RolloutStage
        fields = ["kind", "audiences", "channels", "subject", "body", "requires_acknowledgement"]
        help_texts = {
            "body": "Placeholders: "
            + ", ".join(f"{{{{ {name} }}}}" for name in composer.PLACEHOLDERS)
            + ". {{ details }} is embargoed: only allowed in stages sent after the embargo lifts.",
        }

    def __init__(self, *args, campaign: Campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        offset = self.instance.offset_minutes if self.instance.pk else -DAY_MINUTES
        days, rest = divmod(abs(offset), DAY_MINUTES)
        self.initial.update(
            days=days,
            hours=rest // 60,
            minutes=rest % 60,
            direction=self.BEFORE if offset < 0 else self.AFTER if offset > 0 else self.AT,
        )
        if not self.instance.pk:
            self.initial.setdefault("channels", [c.value for c in EmployeeProfile.Channel])
        field_order = ["kind", "days", "hours", "minutes", "direction", "audiences", "channels"]
        field_order += ["subject", "body", "requires_acknowledgement", "confirm_conflicts"]
        self.order_fields(field_order)

    def clean(self) -> dict:
        data = super().clean()
        if any(k not in data for k in ("days", "hours", "minutes", "direction")):
            return data
        amount = data["days"] * DAY_MINUTES + data["hours"] * 60 + data["minutes"]
        direction = data["direction"]
        if direction == self.AT:
            amount = 0
        elif amount == 0:
            self.add_error("days", "Give an amount of time, or choose “At go-live”.")
            return data
        self.instance.offset_minutes = -amount if direction == self.BEFORE else amount
        self.instance.campaign = self.campaign
        if "subject" in data and "body" in data:
            probe = RolloutStage(
                campaign=self.campaign,
                offset_minutes=self.instance.offset_minutes,
                subject=data["subject"],
                body=data["body"],
            )
            probe.send_at = probe.compute_send_at()
            if leak_reason(probe, self.campaign):
                self.add_error(
                    "body",
                    "This stage would reveal the embargoed details before the embargo lifts. "
                    "Send it at or after the embargo time, or remove {{ details }}.",
                )
            if not self.errors:
                # Where the stage will go (RolloutStage.target_audiences): ticked audiences, or else
                # the campaign's medium and high impact ones.
                audiences = list(data.get("audiences") or []) or RolloutStage.default_audiences(self.campaign)
                self.check_conflicts(audiences, probe.send_at, exclude=self.instance, campaign=self.campaign)
        return data


DAY_MINUTES = 24 * 60
