"""Forms for scheduling, the pack, RSVP, attendance, delivery and feedback. They validate; views save."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, datetime

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from briefings.models import Briefing, Feedback, Invitation
from campaigns.forms import LibraryAssetField
from campaigns.models import Asset, Campaign
from campaigns.warnings import Conflict, ConflictItem, ConflictWarningMixin
from core.time_zones import time_zone_names
from people import roles
from people.models import Audience

TIME_ZONES = sorted(time_zone_names())
DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class WallClockField(forms.DateTimeField):
    """A date and time as typed, without a zone: the form applies the zone chosen next to it."""

    widget = DATETIME_WIDGET

    def to_python(self, value):
        with timezone.override(UTC):
            result = super().to_python(value)
        return result.replace(tzinfo=None) if result else result

    def prepare_value(self, value):
        return value  # initial values are already wall-clock times in the briefing's zone


def presenters_queryset():
    User = get_user_model()
    return (
        User.objects.filter(is_active=True)
        .filter(Q(groups__name__in=[roles.PRESENTER, roles.IC]) | Q(is_superuser=True))
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


class PresenterChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.get_username()


def _aware(wall: datetime, zone: zoneinfo.ZoneInfo) -> datetime | None:
    """wall in zone, or None when that wall-clock time does not exist there (the hour clocks skip)."""
    aware = wall.replace(tzinfo=zone)
    if aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != wall:
        return None
    return aware


class BriefingForm(ConflictWarningMixin, forms.Form):
    """Warns (planning's weekly cap and collisions) before saving a session that overloads an audience."""

    title = forms.CharField(max_length=200)
    time_zone = forms.ChoiceField(
        choices=[(z, z.replace("_", " ")) for z in TIME_ZONES],
        help_text="Start and end are in this zone; each invitee sees them in their own.",
        # static/js/time-zone-picker.js adds the city filter; "chosen", so it never changes the zone.
        widget=forms.Select(attrs={"data-zone-picker": "", "data-zone-chosen": "1"}),
        error_messages={"invalid_choice": "“%(value)s” is not a known time zone (use e.g. Europe/London)."},
    )
    starts_at = WallClockField(label="Starts")
    ends_at = WallClockField(label="Ends")
    place = forms.CharField(
        max_length=200, required=False, help_text="A room or site; leave empty if online only."
    )
    online_url = forms.URLField(label="Online link", required=False, assume_scheme="https")
    presenter = PresenterChoiceField(
        queryset=presenters_queryset(),
        error_messages={"invalid_choice": "Choose someone with the Presenter or IC role."},
    )
    audiences = forms.ModelMultipleChoiceField(
        queryset=Audience.objects.order_by("name"), widget=forms.CheckboxSelectMultiple
    )
    capacity = forms.IntegerField(min_value=0, required=False, help_text="Seats; empty means no limit.")

    field_order = [
        "title",
        "time_zone",
        "starts_at",
        "ends_at",
        "place",
        "online_url",
        "presenter",
        "audiences",
        "capacity",
        "confirm_conflicts",
    ]

    def __init__(self, *args, campaign: Campaign, briefing: Briefing | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        self.briefing = briefing  # the session being edited: it does not count against itself
        self.fields["presenter"].queryset = presenters_queryset()

    @classmethod
    def initial_for(cls, briefing: Briefing) -> dict:
        return {
            "title": briefing.title,
            "time_zone": briefing.time_zone,
            "starts_at": briefing.local_starts_at.replace(tzinfo=None),
            "ends_at": briefing.local_ends_at.replace(tzinfo=None),
            "place": briefing.place,
            "online_url": briefing.online_url,
            "presenter": briefing.presenter_id,
            "audiences": [a.pk for a in briefing.audiences.all()],
            "capacity": briefing.capacity,
        }

    def clean(self):
        data = super().clean()
        if not self.campaign.is_editable:
            raise forms.ValidationError(
                f"This campaign is {self.campaign.get_status_display().lower()}: no sessions after it closes."
            )
        zone_name, starts, ends = data.get("time_zone"), data.get("starts_at"), data.get("ends_at")
        if not (zone_name and starts and ends):
            return data
        zone = zoneinfo.ZoneInfo(zone_name)
        for field in ("starts_at", "ends_at"):
            aware = _aware(data[field], zone)
            if aware is None:
                self.add_error(field, f"That time does not exist in {zone_name}: the clocks skip it.")
            data[field] = aware
        if data["starts_at"] and data["ends_at"] and data["ends_at"] <= data["starts_at"]:
            self.add_error("ends_at", "The end must be after the start.")
        if not data.get("place") and not data.get("online_url"):
            self.add_error("place", "Give a place, an online link, or both.")
        if not self.errors:
            self.check_conflicts(
                data["audiences"], data["starts_at"], exclude=self.briefing, campaign=self.campaign
            )
            self._check_presenter_free(data)
        return data

    def _check_presenter_free(self, data: dict) -> None:
        """Warn (like the planning warnings, needing "Save anyway") when the presenter already presents
        a scheduled session, in any campaign, overlapping this one. Sessions that only touch
        (one ends as the other starts) do not overlap; times compare in UTC, so zones and DST agree."""
        presenter, starts, ends = data.get("presenter"), data["starts_at"], data["ends_at"]
        if presenter is None:
            return
        clashes = (
            Briefing.objects.overlapping(starts, ends)
            .filter(presenter=presenter)
            .exclude(pk=getattr(self.briefing, "pk", None))
            .select_related("campaign")
            .order_by("starts_at")
        )
        items = tuple(
            ConflictItem(label=_session_label(other, self.campaign), at=other.starts_at) for other in clashes
        )
        if not items:
            return
        name = presenter.get_full_name() or presenter.get_username()
        self.conflicts = [
            *getattr(self, "conflicts", []),
            Conflict(kind="presenter", audience=name, message="already presents at that time.", items=items),
        ]
        if not self.cleaned_data.get("confirm_conflicts"):
            self.add_error(
                "presenter",
                f"{name} already presents another session at that time (see the warnings). "
                "Choose another time or presenter, or tick “Save anyway”.",
            )


def _session_label(other: Briefing, campaign: Campaign) -> str:
    """The other session's title, unless it belongs to another campaign still under embargo."""
    if other.campaign_id == campaign.pk or not other.campaign.is_embargoed():
        return other.title
    return "A session of another campaign (under embargo)"


class PackForm(forms.ModelForm):
    pack_release_at = forms.DateTimeField(
        label="Release the pack to the presenter at",
        required=False,
        widget=DATETIME_WIDGET,
        help_text="Empty means when the embargo lifts. Earlier than that is recorded in the campaign history.",
    )

    class Meta:
        model = Briefing
        fields = [
            "why",
            "expected",
            "background",
            "key_messages",
            "faq",
            "speaker_notes",
            "pack_release_at",
            "pack_assets",
        ]
        widgets = {
            f: forms.Textarea(attrs={"rows": 5})
            for f in ["why", "expected", "background", "key_messages", "faq", "speaker_notes"]
        }

    pack_assets = LibraryAssetField(
        label="Also show from the asset library",
        help_text="The campaign's own and reused assets are in the pack already; pick others here. "
        "The presenter sees another campaign's asset only once that campaign's embargo has lifted.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        shown = Asset.objects.shown_with(self.instance.campaign).values("pk")
        self.fields["pack_assets"].offer(Asset.objects.exclude(pk__in=shown))


class RsvpForm(forms.Form):
    answer = forms.ChoiceField(
        label="Will you attend?",
        choices=[(c, label) for c, label in Invitation.Rsvp.choices if c != Invitation.Rsvp.PENDING],
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, briefing: Briefing, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.briefing = briefing

    def clean(self):
        data = super().clean()
        if self.briefing.is_cancelled:
            self.add_error("answer", "This briefing was cancelled: there is nothing to answer.")
        elif self.briefing.has_started():
            self.add_error("answer", "This briefing has already started: answers are closed.")
        return data


class AttendanceForm(forms.Form):
    attended = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, label="Attended"
    )

    def __init__(self, *args, invitations: list[Invitation], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attended"].choices = [
            (str(i.pk), i.user.get_full_name() or i.user.get_username()) for i in invitations
        ]


class DeliveredForm(forms.Form):
    notes = forms.CharField(
        label="Delivery notes",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="How it went, questions that came up, anything IC and marketing should know.",
    )

    def __init__(self, *args, briefing: Briefing, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.briefing = briefing

    def clean(self):
        data = super().clean()
        if self.briefing.is_cancelled:
            raise forms.ValidationError("A cancelled briefing cannot be delivered.")
        if not self.briefing.has_started():
            raise forms.ValidationError("You can confirm delivery once the briefing has started.")
        return data


class FeedbackForm(forms.Form):
    feeling = forms.TypedChoiceField(
        label="How do you feel about the campaign?",
        choices=Feedback.Feeling.choices,
        coerce=int,
        widget=forms.RadioSelect,
    )
    support = forms.CharField(
        label="How can you support it?", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    question = forms.CharField(
        label="Questions for marketing", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    is_anonymous = forms.BooleanField(
        label="Send anonymously (your name is not stored with this answer)", required=False
    )

    @classmethod
    def initial_for(cls, feedback: Feedback | None) -> dict:
        if feedback is None:
            return {}
        return {
            "feeling": feedback.feeling,
            "support": feedback.support,
            "question": feedback.question,
            "is_anonymous": feedback.is_anonymous,
        }


class AnswerForm(forms.Form):
    answer = forms.CharField(label="Answer", widget=forms.Textarea(attrs={"rows": 2}))


class CancelForm(forms.Form):
    confirm = forms.BooleanField(label="Yes, cancel this briefing and tell the invitees")
