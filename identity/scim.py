"""SCIM 2.0 provisioning (/scim/v2/): the company's identity provider keeps people and groups in sync.

django-scim2 speaks the protocol (routes, list responses, filters, discovery); this module gives it
adapters over our models and tightens its views:

- Users are Django users with their people.EmployeeProfile. The SCIM id is the user's pk; userName
  is the username (an imported employee's username is their email, so providers match them by it).
  title is the job role, timezone the profile's zone, the enterprise extension carries department
  and manager (the manager's SCIM id), our employee extension team and location. Superusers are not
  provisioned: the site's own administrators stay out of the provider's reach.
- Deleting a user deactivates them (is_active=False), never deletes: their reads, acknowledgements
  and attendance stay for the readiness figures; Audience.users_in, and so the dispatch tick, skip them.
- Every SCIM group is a list audience named after it (people.Audience kind=list, linked by
  identity.ScimGroup); its members are the audience's. Deleting a group unlinks and empties the
  audience but keeps it, because campaigns may still point at it.
- Bad input is a 400 with a SCIM error body, never a 500; names the provider uses that we do not
  keep (phone numbers, addresses, ...) are accepted and ignored.
"""

from __future__ import annotations

import json
from urllib.parse import urljoin

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Prefetch
from django.urls import re_path, reverse
from django_scim import views
from django_scim.adapters import SCIMGroup, SCIMUser
from django_scim.constants import SchemaURI
from django_scim.exceptions import BadRequestError, IntegrityError, NotFoundError
from django_scim.models import SCIMServiceProviderConfig
from scim2_filter_parser.attr_paths import AttrPath
from scim2_filter_parser.parser import SCIMParserError

from core.time_zones import time_zone_names
from identity import models
from identity.scim_schema import EMPLOYEE, ENTERPRISE
from people import roles
from people.models import Audience, EmployeeProfile

User = get_user_model()

MAX_RESULTS = 200  # the most resources one page of a list answers with


def users():
    """The people SCIM sees and changes: every account but superusers, ready to render."""
    scim_audiences = Prefetch(
        "listed_audiences",
        queryset=Audience.objects.filter(scim_group__isnull=False),
        to_attr="scim_audiences",
    )
    return (
        User.objects.filter(is_superuser=False)
        .select_related("profile__manager", "scim")
        .prefetch_related(scim_audiences)
        .order_by("pk")
    )


def groups():
    """The audiences that are SCIM groups, with their members, ready to render."""
    members = Prefetch("audience__members", queryset=User.objects.filter(is_superuser=False).order_by("pk"))
    return models.ScimGroup.objects.select_related("audience").prefetch_related(members).order_by("pk")


def invalid(detail: str, scim_type: str = "invalidValue") -> BadRequestError:
    return BadRequestError(detail, scim_type=scim_type)


def _text(label: str, raw, max_length: int) -> str:
    if raw is None:
        return ""
    if not isinstance(raw, str):
        raise invalid(f"{label} must be a string, not {type(raw).__name__}.")
    value = raw.strip()
    if len(value) > max_length:
        raise invalid(f"{label} is longer than {max_length} characters.")
    return value


def _object(doc: dict, key: str) -> dict:
    value = doc.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise invalid(f"{key} must be an object.")
    return value


def _ids(label: str, raw) -> list[str]:
    """The "value" of each {"value": id} in a members or manager list."""
    if not isinstance(raw, list) or not all(isinstance(item, dict) for item in raw):
        raise invalid(f'{label} must be a list of {{"value": id}} objects.')
    return [str(item.get("value", "")) for item in raw]


def _pk(raw) -> int | None:
    """A SCIM id as a primary key, or None when it cannot be one of ours."""
    text = str(raw).strip() if isinstance(raw, (str, int)) and not isinstance(raw, bool) else ""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else None


def _url(route: str, pk) -> str:
    return urljoin(settings.SITE_URL, reverse(route, kwargs={"uuid": pk}))


def _compact(doc: dict) -> dict:
    """Unassigned attributes left out (RFC 7643 §2.5), not sent as "" or {}."""
    doc = {k: _compact(v) if isinstance(v, dict) and k.startswith("urn:") else v for k, v in doc.items()}
    return {k: v for k, v in doc.items() if v not in ("", {})}


def _parse(path: str, filters: dict | None = None) -> tuple[list[tuple], dict]:
    """A PATCH path's attribute paths, lower-cased ([("name", "givenname", None)]), and its filter
    values ({("members", "value", None): "12"} for members[value eq "12"])."""
    try:
        parsed = AttrPath(f'{path} eq ""', filters or {})
        found = parsed.params_by_attr_paths
    except (SCIMParserError, ValueError, IndexError) as exc:
        raise invalid(f"Cannot read the path {path!r}: {exc}", "invalidPath") from exc
    lower = {tuple(part.lower() if part else None for part in p): value for p, value in found.items()}
    return list(lower), lower


def _patch_ops(operations) -> list[tuple[str, str | None, object]]:
    """(op, path, value) for each PATCH operation; a path-less add/replace becomes one op per key."""
    if not isinstance(operations, list) or not operations:
        raise invalid("Operations must be a non-empty list.", "invalidSyntax")
    ops = []
    for operation in operations:
        if not isinstance(operation, dict):
            raise invalid("Each operation must be an object.", "invalidSyntax")
        op = str(operation.get("op", "")).lower()
        path, value = operation.get("path"), operation.get("value")
        if op not in ("add", "replace", "remove"):
            raise invalid(f"Unknown PATCH op {operation.get('op')!r}.", "invalidSyntax")
        if path is not None and not isinstance(path, str):
            raise invalid("path must be a string.", "invalidPath")
        if path:
            ops.append((op, path, value))
        elif op == "remove":
            raise invalid("A remove operation needs a path.", "noTarget")
        elif isinstance(value, dict):
            ops.extend((op, key, item) for key, item in value.items())
        else:
            raise invalid("An operation without a path needs an object value.")
    return ops


# --- Users ----------------------------------------------------------------------------------------

# PATCH paths (lower-cased) and the field each sets.
USER_PATHS = {
    ("username", None, None): "username",
    ("externalid", None, None): "external_id",
    ("name", "givenname", None): "first_name",
    ("name", "familyname", None): "last_name",
    ("emails", None, None): "email",
    ("emails", "value", None): "email",
    ("active", None, None): "is_active",
    ("title", None, None): "role",
    ("timezone", None, None): "time_zone",
    ("department", None, ENTERPRISE.lower()): "department",
    ("manager", None, ENTERPRISE.lower()): "manager",
    ("manager", "value", ENTERPRISE.lower()): "manager",
    ("team", None, EMPLOYEE.lower()): "team",
    ("location", None, EMPLOYEE.lower()): "location",
}
USERNAME_MAX = User._meta.get_field("username").max_length
NAME_MAX = User._meta.get_field("first_name").max_length
PROFILE_MAX = {
    f: EmployeeProfile._meta.get_field(f).max_length for f in ("department", "team", "location", "role")
}


class ScimUserAdapter(SCIMUser):
    """A person as a SCIM User (see the module docstring for the mapping)."""

    id_field = "pk"

    def __init__(self, obj, request=None):
        super().__init__(obj, request)
        self.values: dict | None = None  # checked field values waiting for save()
        try:
            self.profile = obj.profile
        except ObjectDoesNotExist:
            self.profile = EmployeeProfile(user=obj if obj.pk else None)
        try:
            self.link = obj.scim
        except ObjectDoesNotExist:
            self.link = models.ScimUser()

    # reading

    def current(self) -> dict:
        user, profile = self.obj, self.profile
        return {
            "username": user.username,
            "external_id": self.link.external_id,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
            "is_active": user.is_active if user.pk else True,
            "role": profile.role,
            "time_zone": profile.time_zone,
            "department": profile.department,
            "team": profile.team,
            "location": profile.location,
            "manager": profile.manager,
        }

    @property
    def emails(self) -> list[dict]:
        return [{"value": self.obj.email, "type": "work", "primary": True}] if self.obj.email else []

    @property
    def groups(self) -> list[dict]:
        audiences = getattr(self.obj, "scim_audiences", None)
        if audiences is None:
            audiences = (
                Audience.objects.filter(members=self.obj, scim_group__isnull=False) if self.obj.pk else []
            )
        return [{"value": str(a.pk), "$ref": _url("scim:groups", a.pk), "display": a.name} for a in audiences]

    @property
    def meta(self) -> dict:
        changed = self.link.updated_at or self.obj.date_joined
        return {
            "resourceType": self.resource_type,
            "created": self.obj.date_joined.isoformat(),
            "lastModified": changed.isoformat(),
            "location": self.location,
        }

    def to_dict(self) -> dict:
        user, profile = self.obj, self.profile
        manager = profile.manager
        doc = {
            "schemas": [SchemaURI.USER, ENTERPRISE, EMPLOYEE],
            "id": self.id,
            "externalId": self.link.external_id,
            "userName": user.username,
            "name": {
                "givenName": user.first_name,
                "familyName": user.last_name,
                "formatted": self.display_name,
            },
            "displayName": self.display_name,
            "emails": self.emails,
            "active": user.is_active,
            "title": profile.role,
            "timezone": profile.time_zone,
            "groups": self.groups,
            ENTERPRISE: {"department": profile.department},
            EMPLOYEE: {"team": profile.team, "location": profile.location},
            "meta": self.meta,
        }
        if manager is not None:
            doc[ENTERPRISE]["manager"] = {
                "value": str(manager.pk),
                "$ref": _url("scim:users", manager.pk),
                "displayName": manager.get_full_name() or manager.username,
            }
        return _compact(doc)

    @classmethod
    def resource_type_dict(cls, request=None) -> dict:
        doc = super().resource_type_dict(request)
        doc["schemaExtensions"] = [
            {"schema": ENTERPRISE, "required": False},
            {"schema": EMPLOYEE, "required": False},
        ]
        return doc

    # writing: POST and PUT (the whole resource)

    def validate_dict(self, d) -> None:
        if not isinstance(d, dict):
            raise invalid("The body must be a JSON object.", "invalidSyntax")
        name, enterprise, employee = _object(d, "name"), _object(d, ENTERPRISE), _object(d, EMPLOYEE)
        values = {
            "username": d.get("userName"),
            "external_id": d.get("externalId"),
            "first_name": name.get("givenName"),
            "last_name": name.get("familyName"),
            "email": d.get("emails"),
            "is_active": d.get("active", self.current()["is_active"]),
            "role": d.get("title"),
            "time_zone": d.get("timezone"),
            "department": enterprise.get("department"),
            "manager": enterprise.get("manager"),
            "team": employee.get("team"),
            "location": employee.get("location"),
        }
        if not values["email"] and isinstance(values["username"], str) and "@" in values["username"]:
            values["email"] = values["username"]  # providers that send no emails use the address as userName
        self.values = self.checked(values)

    def from_dict(self, d) -> None:
        if self.values is None:
            self.validate_dict(d)

    def save(self) -> None:
        values = self.values
        if values is None:
            return
        user, profile = self.obj, self.profile
        for field in ("username", "first_name", "last_name", "email", "is_active"):
            setattr(user, field, values[field])
        for field in ("role", "time_zone", "department", "team", "location", "manager"):
            setattr(profile, field, values[field])
        with transaction.atomic():
            is_new = user.pk is None
            if is_new:
                user.set_unusable_password()  # they sign in through the provider or an emailed link
            user.save()
            if is_new:  # the Employee role, as import_employees gives
                user.groups.add(Group.objects.get(name=roles.EMPLOYEE))
            profile.user = user
            profile.save()
            self.link, _ = models.ScimUser.objects.update_or_create(
                user=user, defaults={"external_id": values["external_id"]}
            )

    def delete(self) -> None:
        """Deactivate, never delete: the person keeps their history and loses sign-in and announcements."""
        self.obj.is_active = False
        self.obj.save(update_fields=["is_active"])

    # writing: PATCH

    def handle_operations(self, operations) -> None:
        values = self.current()
        for op, path, value in _patch_ops(operations):
            self.patch(values, path, None if op == "remove" else value)
        self.values = self.checked(values)
        self.save()

    def patch(self, values: dict, path: str, value) -> None:
        if path.lower() in (ENTERPRISE.lower(), EMPLOYEE.lower()):  # a whole extension object
            for key, item in (value or {}).items() if isinstance(value, dict) else []:
                self.patch(values, f"{path}:{key}", item)
            return
        parts, _ = _parse(path)
        if parts[0] == ("name", None, None):
            name = value if isinstance(value, dict) else {}
            values["first_name"], values["last_name"] = name.get("givenName"), name.get("familyName")
            return
        field = next((USER_PATHS[p] for p in reversed(parts) if p in USER_PATHS), None)
        if field is None:
            return  # an attribute we do not keep (phone numbers, addresses, displayName...)
        if field == "is_active" and value is None:
            raise invalid("active cannot be removed; replace it with true or false.", "mutability")
        values[field] = value

    def checked(self, values: dict) -> dict:
        """The values as they will be stored, or a 400 (409 for a taken userName) naming the problem."""
        clean = {
            "external_id": _text("externalId", values["external_id"], 255),
            "first_name": _text("name.givenName", values["first_name"], NAME_MAX),
            "last_name": _text("name.familyName", values["last_name"], NAME_MAX),
            "role": _text("title", values["role"], PROFILE_MAX["role"]),
            "department": _text("department", values["department"], PROFILE_MAX["department"]),
            "team": _text("team", values["team"], PROFILE_MAX["team"]),
            "location": _text("location", values["location"], PROFILE_MAX["location"]),
            "username": self.checked_username(values["username"]),
            "email": self.checked_email(values["email"]),
            "is_active": self.checked_active(values["is_active"]),
            "time_zone": _text("timezone", values["time_zone"], 64),
            "manager": self.checked_manager(values["manager"]),
        }
        if clean["time_zone"] and clean["time_zone"] not in time_zone_names():
            raise invalid(
                f"timezone {clean['time_zone']!r} is not a known IANA time zone (e.g. Europe/London)."
            )
        return clean

    def checked_username(self, raw) -> str:
        if raw is None or raw == "":
            raise invalid("userName is required.")
        username = _text("userName", raw, USERNAME_MAX)
        try:
            UnicodeUsernameValidator()(username)
        except ValidationError as exc:
            raise invalid(f"userName {username!r}: {exc.messages[0]}") from exc
        if User.objects.filter(username__iexact=username).exclude(pk=self.obj.pk).exists():
            raise IntegrityError(f"userName {username!r} is taken.", scim_type="uniqueness")
        return username

    @staticmethod
    def checked_email(raw) -> str:
        if isinstance(raw, list):  # emails: the primary one, else the first
            entries = [e for e in raw if isinstance(e, dict)]
            if len(entries) != len(raw):
                raise invalid("emails must be a list of objects.")
            chosen = next((e for e in entries if e.get("primary") is True), entries[0] if entries else {})
            raw = chosen.get("value")
        elif isinstance(raw, dict):
            raw = raw.get("value")
        email = _text("emails.value", raw, 254)
        if email:
            try:
                validate_email(email)
            except ValidationError as exc:
                raise invalid(f"{email!r} is not an email address.") from exc
        return email

    @staticmethod
    def checked_active(raw) -> bool:
        # Microsoft Entra ID sends "True"/"False" strings in some PATCH requests.
        if isinstance(raw, str) and raw.lower() in ("true", "false"):
            return raw.lower() == "true"
        if not isinstance(raw, bool):
            raise invalid(f"active must be true or false, not {json.dumps(raw)}.")
        return raw

    def checked_manager(self, raw):
        if isinstance(raw, User) or raw is None or raw == "":
            return raw or None
        if isinstance(raw, dict):
            raw = raw.get("value")
        pk = _pk(raw)
        manager = users().filter(pk=pk).first() if pk is not None else None
        if manager is None:
            raise invalid(f"manager {raw!r} is not a known user.")
        if manager.pk == self.obj.pk:
            raise invalid("A person cannot be their own manager.")
        return manager


# --- Groups ---------------------------------------------------------------------------------------

AUDIENCE_NAME_MAX = Audience._meta.get_field("name").max_length


class ScimGroupAdapter(SCIMGroup):
    """A SCIM group as a list audience of the same name (identity.ScimGroup links the two)."""

    id_field = "pk"

    def __init__(self, obj, request=None):
        super().__init__(obj, request)
        self.audience = obj.audience if obj.pk else Audience(kind=Audience.Kind.LIST)
        self.member_ids: list[str] | None = None  # members waiting for save(); None: unchanged

    @property
    def display_name(self) -> str:
        return self.audience.name

    @property
    def members(self) -> list[dict]:
        if self.audience.pk is None:
            return []
        people = [u for u in self.audience.members.all() if not u.is_superuser]
        return [
            {
                "value": str(u.pk),
                "$ref": _url("scim:users", u.pk),
                "display": u.get_full_name() or u.username,
            }
            for u in people
        ]

    @property
    def meta(self) -> dict:
        return {
            "resourceType": self.resource_type,
            "created": self.obj.created_at.isoformat(),
            "lastModified": self.obj.updated_at.isoformat(),
            "location": self.location,
        }

    def to_dict(self) -> dict:
        doc = {
            "schemas": [SchemaURI.GROUP],
            "id": self.id,
            "externalId": self.obj.external_id,
            "displayName": self.display_name,
            "members": self.members,
            "meta": self.meta,
        }
        return _compact(doc)

    def validate_dict(self, d) -> None:
        if not isinstance(d, dict):
            raise invalid("The body must be a JSON object.", "invalidSyntax")
        self.set_name(d.get("displayName"))
        self.obj.external_id = _text("externalId", d.get("externalId"), 255)
        self.member_ids = _ids("members", d.get("members") or [])

    def from_dict(self, d) -> None:
        pass  # validate_dict has taken everything in

    def set_name(self, raw) -> None:
        name = _text("displayName", raw, AUDIENCE_NAME_MAX)
        if not name:
            raise invalid("displayName is required.")
        self.audience.name = name

    def save(self) -> None:
        audience = self.audience
        if Audience.objects.filter(name=audience.name).exclude(pk=audience.pk).exists():
            raise IntegrityError(
                f"An audience called {audience.name!r} exists already.", scim_type="uniqueness"
            )
        people = None
        if self.member_ids is not None:
            people = list(users().filter(pk__in=[pk for i in self.member_ids if (pk := _pk(i)) is not None]))
            unknown = sorted(set(self.member_ids) - {str(u.pk) for u in people})
            if unknown:
                raise invalid(f"Unknown members: {', '.join(unknown)}.")
        with transaction.atomic():
            if audience.pk is None:
                audience.description = "Kept in sync with the identity provider's group (SCIM)."
            audience.save()
            self.obj.audience = audience
            self.obj.save()
            if people is not None:
                audience.members.set(people)
                getattr(audience, "_prefetched_objects_cache", {}).pop("members", None)

    def delete(self) -> None:
        """Unlink and empty the audience; keep it, as campaigns and their history may point at it."""
        with transaction.atomic():
            self.audience.members.clear()
            self.audience.description = "Its group was removed from the identity provider; it has no members."
            self.audience.save(update_fields=["description"])
            self.obj.delete()

    def handle_operations(self, operations) -> None:
        current = {str(pk) for pk in self.audience.members.values_list("pk", flat=True)}
        members = set(current)
        for op, path, value in _patch_ops(operations):
            parts, params = _parse(path, {("members", "value", None): "members.value"})
            attribute = parts[0][0]
            if attribute == "displayname":
                self.set_name(value)
            elif attribute == "externalid":
                self.obj.external_id = _text("externalId", value, 255)
            elif attribute == "members":
                chosen = params.get(("members", "value", None))  # members[value eq "12"]
                if "[" in path and not chosen:
                    raise invalid(
                        f'Only members[value eq "id"] can pick members, not {path!r}.', "invalidFilter"
                    )
                ids = {str(chosen)} if chosen else set(_ids("members", value or []))
                if op == "remove":
                    members = set() if not ids else members - ids
                elif op == "add":
                    members |= ids
                else:
                    members = ids
        self.member_ids = sorted(members) if members != current else None
        self.save()


# --- Discovery --------------------------------------------------------------------------------------


class ServiceProviderConfig(SCIMServiceProviderConfig):
    """What we support: PATCH and filters (userName, externalId, displayName, ...); no bulk or sort."""

    def to_dict(self) -> dict:
        doc = super().to_dict()
        doc["filter"] = {"supported": True, "maxResults": MAX_RESULTS}
        doc["changePassword"] = {"supported": False}
        return doc


# --- Views and routes -------------------------------------------------------------------------------


class _Tightened:
    """django-scim2's views, plus: a body must be a JSON object, ids are numbers, pages are capped,
    and lists come from our querysets (so superusers stay out and a page costs a few queries)."""

    resources = None  # users or groups

    def load_body(self, body):
        doc = super().load_body(body)
        if not isinstance(doc, dict):
            raise invalid("The body must be a JSON object.", "invalidSyntax")
        return doc

    def _page(self, request):
        start, count = super()._page(request)
        return start, max(0, min(count, MAX_RESULTS))

    def get_object(self):
        uuid = self.kwargs.get("uuid") or ""
        found = self.resources().filter(pk=_pk(uuid)).first() if _pk(uuid) is not None else None
        if found is None:
            raise NotFoundError(uuid)
        return found

    def get_many(self, request):
        if request.GET.get("filter"):
            return super().get_many(request)
        return self._build_response(request, self.resources(), *self._page(request))


class UsersView(_Tightened, views.UsersView):
    resources = staticmethod(users)


class GroupsView(_Tightened, views.GroupsView):
    resources = staticmethod(groups)


class UserSearchView(_Tightened, views.UserSearchView):
    pass


class GroupSearchView(_Tightened, views.GroupSearchView):
    pass


not_implemented = views.SCIMView.as_view(implemented=False)  # answers 501 (RFC 7644 §3.2)

urlpatterns = [
    re_path(r"^$", not_implemented, name="root"),
    re_path(r"^\.search$", not_implemented, name="search"),
    re_path(r"^Users/\.search$", UserSearchView.as_view(), name="users-search"),
    re_path(r"^Users(?:/(?P<uuid>[^/]+))?$", UsersView.as_view(), name="users"),
    re_path(r"^Groups/\.search$", GroupSearchView.as_view(), name="groups-search"),
    re_path(r"^Groups(?:/(?P<uuid>[^/]+))?$", GroupsView.as_view(), name="groups"),
    re_path(r"^Me$", not_implemented, name="me"),
    re_path(
        r"^ServiceProviderConfig$", views.ServiceProviderConfigView.as_view(), name="service-provider-config"
    ),
    re_path(
        r"^ResourceTypes(?:/(?P<uuid>[^/]+))?$", views.ResourceTypesView.as_view(), name="resource-types"
    ),
    re_path(r"^Schemas(?:/(?P<uuid>[^/]+))?$", views.SchemasView.as_view(), name="schemas"),
    re_path(r"^Bulk$", not_implemented, name="bulk"),
]
