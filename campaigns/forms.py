"""Forms for logging and editing a campaign: the campaign itself, its impacts and its assets."""

from __future__ import annotations

from pathlib import Path

from django import forms
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.forms import BaseFormSet, BaseInlineFormSet, formset_factory, inlineformset_factory
from django.forms.utils import ErrorDict, ErrorList
from django.utils import timezone

from campaigns.models import Asset, AssetTag, Campaign, Impact
from core.form_errors import form_error_links
from people.models import Audience, MarcomTeam, user_zone

DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class CampaignForm(forms.ModelForm):
    """Title, story, timing, teams, channels and key messages; times are in the viewer's zone."""

    external_channels = forms.MultipleChoiceField(
        label="External channels",
        choices=Campaign.ExternalChannel.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    version = forms.CharField(widget=forms.HiddenInput, required=False)  # updated_at when the form was opened

    class Meta:
        model = Campaign
        fields = Campaign.EDITABLE_FIELDS
        labels = {
            "go_live_at": "Go-live",
            "embargo_until": "Embargo until",
            "teams": "MARCOM teams involved",
            "is_go_live_tentative": "The go-live date is tentative",
        }
        widgets = {
            "concept": forms.Textarea(attrs={"rows": 3}),
            "details": forms.Textarea(attrs={"rows": 4}),
            "objectives": forms.Textarea(attrs={"rows": 3}),
            "go_live_at": DATETIME_INPUT,
            "embargo_until": DATETIME_INPUT,
            "teams": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        zone = user_zone(user).key
        self.fields["teams"].queryset = MarcomTeam.objects.all()
        self.fields["embargo_until"].required = False
        self.fields["go_live_at"].help_text = f"Date and time in your time zone ({zone})."
        self.fields["embargo_until"].help_text = (
            "When employees may learn the details. Leave empty to lift the embargo at go-live; "
            "it may not be after go-live."
        )
        self.fields["concept"].help_text = "The shareable teaser: safe to tell employees early."
        self.fields["details"].help_text = "Embargoed: employees see this only from the embargo time on."
        if self.instance.pk:
            self.fields["version"].initial = self.instance.updated_at.isoformat()
            self.fields["external_channels"].initial = self.instance.external_channels
            if self.instance.embargo_until == self.instance.go_live_at:
                self.initial["embargo_until"] = None  # "same as go-live" stays so when go-live moves

    def _same_minute_as_before(self, name: str, value):
        """The input has minute precision: an unchanged minute keeps the stored time exactly."""
        stored = getattr(self.instance, name) if self.instance.pk else None
        if stored and value and value == stored.replace(second=0, microsecond=0):
            return stored
        return value

    def clean_embargo_until(self):
        return self._same_minute_as_before("embargo_until", self.cleaned_data["embargo_until"])

    def clean_go_live_at(self):
        go_live_at = self._same_minute_as_before("go_live_at", self.cleaned_data["go_live_at"])
        if self.instance.pk is None and go_live_at < timezone.now():
            raise forms.ValidationError("Go-live must be in the future for a new campaign.")
        return go_live_at

    def clean(self):
        cleaned = super().clean()
        current = self.instance.updated_at.isoformat() if self.instance.pk else ""
        if cleaned.get("version") and cleaned["version"] != current:
            self.data = self.data.copy()
            self.data[self.add_prefix("version")] = current  # saving again overwrites, knowingly
            raise forms.ValidationError(
                "Someone else changed this campaign while you were editing it (see its change history). "
                "Nothing was saved. Check the values below and save again to keep yours."
            )
        # Campaign.clean reports an embargo after go-live on the embargo field.
        if (
            cleaned.get("go_live_at")
            and not cleaned.get("embargo_until")
            and "embargo_until" not in self.errors
        ):
            cleaned["embargo_until"] = cleaned["go_live_at"]
        return cleaned

    def _get_validation_exclusions(self):
        exclude = super()._get_validation_exclusions()
        if self.cleaned_data.get("embargo_until") is None:
            exclude.add("embargo_until")  # only empty because go-live was invalid: that error is enough
        return exclude

    def change_notes(self) -> list[str]:
        """What changed that the campaign's own history rows cannot show (teams are many-to-many)."""
        if "teams" not in self.changed_data or self.instance.pk is None:
            return []
        old = {t.name for t in self.instance.teams.all()}
        new = {t.name for t in self.cleaned_data["teams"]}
        notes = []
        if new - old:
            notes.append("Teams added: " + ", ".join(sorted(new - old)))
        if old - new:
            notes.append("Teams removed: " + ", ".join(sorted(old - new)))
        return notes


class KeyMessageForm(forms.Form):
    text = forms.CharField(label="Key message", max_length=500, required=False)


class BaseKeyMessageFormSet(BaseFormSet):
    """Key messages as rows, most important first; an empty or removed row is no message."""

    def texts(self) -> list[str]:
        return [
            form.cleaned_data["text"].strip()
            for form in self.forms
            if not self._should_delete_form(form) and form.cleaned_data.get("text", "").strip()
        ]


KeyMessageFormSet = formset_factory(
    KeyMessageForm, formset=BaseKeyMessageFormSet, extra=1, can_delete=True, max_num=50, validate_max=True
)


class ImpactForm(forms.ModelForm):
    class Meta:
        model = Impact
        fields = ["audience", "level", "what_changes", "what_to_do"]
        widgets = {
            "what_changes": forms.Textarea(attrs={"rows": 2}),
            "what_to_do": forms.Textarea(attrs={"rows": 2}),
        }


class BaseImpactFormSet(BaseInlineFormSet):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # One audience query for every row's select (and the add-another template), not one per row.
        self.audience_choices = [("", "Choose an audience")] + [
            (a.pk, a.name) for a in Audience.objects.only("pk", "name")
        ]

    def add_fields(self, form, index) -> None:
        super().add_fields(form, index)
        form.fields["audience"].choices = self.audience_choices
        form.fields["audience"].required = False  # clean() says which audience is missing

    def get_unique_error_message(self, unique_check) -> str:
        return "Name each audience once: remove or change the repeated one."

    def get_form_error(self) -> str:
        return "This audience is already named in another row."

    def clean(self):
        super().clean()
        for form in self.forms:
            if not form.has_changed() or self._should_delete_form(form):
                continue
            if form.cleaned_data.get("audience") is None and "audience" not in form.errors:
                form.add_error("audience", "Choose the audience this impact is for.")


ImpactFormSet = inlineformset_factory(
    Campaign, Impact, form=ImpactForm, formset=BaseImpactFormSet, extra=1, can_delete=True
)


class AssetForm(forms.ModelForm):
    """A file (image, PDF, office document) or a link (video, page), with a caption."""

    url = forms.URLField(
        label="or a link",
        required=False,
        assume_scheme="https",
        help_text="A video (YouTube, Vimeo, Stream) or a page or shared folder.",
    )

    class Meta:
        model = Asset
        fields = ["caption", "file", "url"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["caption"].required = False
        allowed = ", ".join(sorted(ext.lstrip(".") for ext in Asset.ALLOWED_EXTENSIONS))
        self.fields["file"].help_text = f"Up to {settings.ASSET_MAX_UPLOAD_MB} MB: {allowed}."
        self.fields["file"].widget.attrs["accept"] = ",".join(sorted(Asset.ALLOWED_EXTENSIONS))

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if not upload or upload == self.instance.file:
            return upload
        if Path(upload.name).suffix.lower() not in Asset.ALLOWED_EXTENSIONS:
            raise forms.ValidationError(
                "That file type is not allowed. Upload an image, a PDF or an office document, or give a link."
            )
        if upload.size > settings.ASSET_MAX_UPLOAD_MB * 1024 * 1024:
            raise forms.ValidationError(f"The file is larger than {settings.ASSET_MAX_UPLOAD_MB} MB.")
        return upload

    def clean(self):
        cleaned = super().clean()
        has_file, has_url = bool(cleaned.get("file")), bool(cleaned.get("url"))
        if self.errors:
            return cleaned
        if has_file and has_url:
            self.add_error("url", "Give a file or a link, not both.")
        elif not (has_file or has_url):
            self.add_error("file", "Upload a file or give a link.")
        elif not cleaned.get("caption"):
            self.add_error("caption", "Say in a few words what this asset is.")
        elif has_file:
            self.instance.kind = Asset.ALLOWED_EXTENSIONS[Path(cleaned["file"].name).suffix.lower()]
        else:
            self.instance.kind = Asset.kind_for_url(cleaned["url"])
        return cleaned


AssetFormSet = inlineformset_factory(Campaign, Asset, form=AssetForm, extra=1, can_delete=True)


class LibraryAssetField(forms.ModelMultipleChoiceField):
    """A picker of existing library assets (checkboxes; app.js adds a filter box): "Poster — Spring (Image)"."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, queryset=None, **kwargs):
        kwargs.setdefault("label", "Reuse from the asset library")
        kwargs.setdefault("required", False)
        super().__init__(queryset if queryset is not None else Asset.objects.none(), **kwargs)

    def offer(self, assets) -> None:
        """Pick from these assets, listed by campaign then caption, with one query."""
        self.queryset = assets.select_related("campaign").order_by("campaign__title", "caption", "pk")

    def label_from_instance(self, obj: Asset) -> str:
        return f"{obj.caption} — {obj.campaign.title} ({obj.get_kind_display()})"


class ReusedAssetsForm(forms.Form):
    """The campaign form's picker: other campaigns' assets this campaign shows too."""

    assets = LibraryAssetField(
        help_text="Shown on this campaign, its explainer and briefing packs, without uploading again. "
        "Employees see each only once its own campaign's embargo has lifted too.",
    )

    def __init__(self, *args, campaign: Campaign, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        visible = Asset.objects.visible_to(user)
        if campaign.pk:
            visible = visible.exclude(campaign=campaign)
            self.initial.setdefault("assets", list(campaign.asset_reuses.values_list("asset_id", flat=True)))
        # Keep what is already reused even if this person could not pick it themselves.
        reused = Asset.objects.filter(reuses__campaign=campaign) if campaign.pk else Asset.objects.none()
        self.fields["assets"].offer(
            Asset.objects.filter(Q(pk__in=visible.values("pk")) | Q(pk__in=reused.values("pk")))
        )

    def change_notes(self) -> list[str]:
        """For the campaign's change history: which library assets it starts or stops reusing."""
        if not self.has_changed():
            return []
        before = (
            set(self.campaign.asset_reuses.values_list("asset_id", flat=True)) if self.campaign.pk else set()
        )
        after = {a.pk: a for a in self.cleaned_data["assets"]}
        added = [after[pk].caption for pk in after.keys() - before]
        removed = Asset.objects.filter(pk__in=before - after.keys()).values_list("caption", flat=True)
        notes = []
        if added:
            notes.append("Reused from the asset library: " + ", ".join(sorted(added)))
        if removed:
            notes.append("No longer reused: " + ", ".join(sorted(removed)))
        return notes

    def save(self, user) -> None:
        wanted = {a.pk: a for a in self.cleaned_data["assets"]}
        current = set(self.campaign.asset_reuses.values_list("asset_id", flat=True))
        self.campaign.asset_reuses.exclude(asset_id__in=list(wanted)).delete()
        for pk in wanted.keys() - current:
            wanted[pk].reuse_in(self.campaign, user)


class AssetFilterForm(forms.Form):
    """The asset library's search and filters (GET); bad values are field errors, not a 500."""

    q = forms.CharField(label="Search", required=False, max_length=200)
    campaign = forms.ModelChoiceField(Campaign.objects.none(), required=False, empty_label="All campaigns")
    team = forms.ModelChoiceField(
        MarcomTeam.objects.all(), required=False, to_field_name="slug", empty_label="All teams"
    )
    kind = forms.ChoiceField(label="Type", required=False, choices=[("", "All types"), *Asset.Kind.choices])
    tag = forms.ModelChoiceField(
        AssetTag.objects.all(), required=False, to_field_name="name", empty_label="All tags"
    )

    def __init__(self, *args, assets, **kwargs):
        super().__init__(*args, **kwargs)
        # Campaigns that have an asset this person may see (as origin or by reuse).
        shown = Q(assets__in=assets.values("pk")) | Q(asset_reuses__asset__in=assets.values("pk"))
        self.fields["campaign"].queryset = Campaign.objects.filter(
            pk__in=Campaign.objects.filter(shown).values("pk")
        ).order_by("title")
        for name in ("campaign", "team", "kind", "tag"):
            self.fields[name].widget.attrs["id"] = f"filter-{name}"
            self.fields[name].error_messages["invalid_choice"] = "Choose one from the list."
        self.fields["q"].widget.attrs.update({"id": "filter-q", "type": "search"})

    def filter(self, assets):
        data = self.cleaned_data
        if data["campaign"]:
            assets = assets.shown_with(data["campaign"])
        if data["team"]:
            assets = assets.filter(team=data["team"])
        if data["kind"]:
            assets = assets.filter(kind=data["kind"])
        if data["tag"]:
            assets = assets.filter(tags=data["tag"])
        return assets.search(data["q"])


class AssetDetailsForm(forms.ModelForm):
    """What the library knows of an asset beyond the campaign form: description, team and tags."""

    tag_names = forms.CharField(
        label="Tags",
        required=False,
        max_length=500,
        help_text="Words separated by commas, e.g. logo, poster.",
    )

    class Meta:
        model = Asset
        fields = ["caption", "description", "team"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["tag_names"].initial = ", ".join(t.name for t in self.instance.tags.all())

    def clean_tag_names(self) -> list[str]:
        names = AssetTag.split(self.cleaned_data["tag_names"])
        if any(len(name) > 50 for name in names):
            raise forms.ValidationError("Each tag must be at most 50 characters.")
        return names


class MoveForm(forms.Form):
    """The optional (or, for sending back, required) comment on a status move."""

    comment = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000)


def review_words(changed_fields) -> list[str]:
    """The changed fields IC would want to see again, in the edit page's words ("Go-live", "Details")."""
    return [
        str(CampaignForm.base_fields[name].label or name).capitalize()
        for name in changed_fields
        if name not in Campaign.REVIEW_FREE_FIELDS
    ]


class CampaignEditor:
    """The parts of the campaign page form, validated together and saved all or nothing.

    "Add another impact/key message/asset" (a submit button named `add_row`, for browsers without
    script) re-renders the page with one more empty row of that kind: nothing is saved and no errors
    are shown for that round trip, and everything typed stays in place (a chosen file cannot: browsers
    never refill a file input).
    """

    WRITABLE = [name for name in CampaignForm.Meta.fields if name != "teams"]
    ROWS = {"impacts": "impact", "messages": "key message", "assets": "asset"}  # formset prefix -> noun

    def __init__(self, request, campaign: Campaign | None = None):
        data = request.POST.copy() if request.method == "POST" else None
        files = request.FILES if request.method == "POST" else None
        self.user = request.user
        self.campaign = campaign or Campaign()
        self.adding_row = data.get("add_row", "") if data is not None else ""
        if self.adding_row in self.ROWS:
            _add_empty_row(data, self.adding_row)
        # What the campaign holds now, to write back only what this person changed (update_fields):
        # two people editing different fields at once both keep their change.
        self.before = {name: getattr(self.campaign, name) for name in self.WRITABLE}
        self.form = CampaignForm(data, files, instance=self.campaign, user=request.user)
        self.messages = KeyMessageFormSet(
            data,
            prefix="messages",
            initial=[{"text": text} for text in self.campaign.ordered_key_messages()] if campaign else None,
        )
        self.impacts = ImpactFormSet(data, instance=self.campaign, prefix="impacts")
        self.assets = AssetFormSet(data, files, instance=self.campaign, prefix="assets")
        self.reused = ReusedAssetsForm(data, campaign=self.campaign, user=request.user, prefix="library")
        self.sent_back_for_review = False
        self.files_to_choose_again = bool(self.adding_row and files)
        if self.adding_row:
            self._show_no_errors()

    def _show_no_errors(self) -> None:
        """Render what was posted as it was typed, without judging it (an add-another round trip)."""
        for form in [self.form, self.reused, *self.messages, *self.impacts, *self.assets]:
            form._errors, form.cleaned_data = ErrorDict(), {}
        for formset in (self.messages, self.impacts, self.assets):
            formset._errors, formset._non_form_errors = [], ErrorList()

    def is_valid(self) -> bool:
        if self.adding_row:
            return False  # the person is still filling in rows: never save on this round trip
        # Evaluate every part so each shows its errors at once.
        return all(
            [
                self.form.is_valid(),
                self.messages.is_valid(),
                self.impacts.is_valid(),
                self.assets.is_valid(),
                self.reused.is_valid(),
            ]
        )

    @property
    def error_links(self) -> list[tuple[str, str]]:
        """(anchor id, message) for the error summary at the top of the page, in page order."""
        links = form_error_links(self.form, anchor="campaign-form")
        sections = [
            ("Key messages", self.messages),
            ("Who it affects", self.impacts),
            ("Assets", self.assets),
        ]
        for title, formset in sections:
            links.extend((formset.prefix, f"{title}: {error}") for error in formset.non_form_errors())
            for number, form in enumerate(formset.forms, 1):
                links.extend(form_error_links(form, section=f"{title}, row {number}", anchor=form.prefix))
        links.extend(form_error_links(self.reused))
        return links

    def _changed_words(self, changed_fields: list[str]) -> list[str]:
        """What this save changes that IC would want to see again, in words ("Go-live", "Audiences")."""
        words = review_words(changed_fields)
        if self.messages.texts() != self.campaign.ordered_key_messages():
            words.append("Key messages")
        if self.impacts.has_changed():
            words.append("Audiences")
        if self.assets.has_changed() or self.reused.has_changed():
            words.append("Assets")
        return words

    @transaction.atomic
    def save(self) -> Campaign:
        is_new = self.campaign.pk is None
        notes = self.form.change_notes() + self.reused.change_notes()
        campaign = self.form.save(commit=False)
        campaign.external_channels = self.form.cleaned_data["external_channels"]
        if is_new:
            campaign.owner = self.user
            campaign.time_zone = user_zone(self.user).key
        if notes:
            campaign._change_reason = "; ".join(notes)
        if is_new:
            campaign.save()
        else:
            changed = [name for name in self.WRITABLE if getattr(campaign, name) != self.before[name]]
            self.sent_back_for_review = campaign.send_back_for_review(self.user, self._changed_words(changed))
            if self.sent_back_for_review:
                changed.append("status")
            if changed or notes:
                campaign.save(update_fields=[*changed, "updated_at"])
        self.form.save_m2m()
        campaign.set_key_messages(self.messages.texts())
        self.impacts.instance = campaign
        self.impacts.save()
        self.assets.instance = campaign
        for asset in self.assets.save(commit=False):
            if asset.pk is None:
                asset.uploaded_by = self.user
            asset.save()
        for asset in self.assets.deleted_objects:
            asset.delete()
        self.reused.campaign = campaign
        self.reused.save(self.user)
        return campaign


def _add_empty_row(data, prefix: str) -> None:
    """One more row in the posted formset `prefix` (its TOTAL_FORMS), within Django's absolute maximum."""
    key = f"{prefix}-TOTAL_FORMS"
    total = data.get(key, "0")
    data[key] = str(min(int(total) + 1, 1000) if total.isdigit() else 1)
