"""SCIM vocabulary: the schema URNs we speak, our employee extension, and what a filter may ask about.

Kept apart from identity/scim.py because django-scim2 imports these through its settings while its
adapter module is still loading (identity/scim.py imports that module).
"""

from __future__ import annotations

from django.conf import settings
from django_scim.constants import SchemaURI
from django_scim.schemas import default_schemas_getter
from scim2_filter_parser.transpilers.django_q_object import get_query

ENTERPRISE = SchemaURI.ENTERPRISE_USER
EMPLOYEE = "urn:campaignhub:scim:schemas:extension:employee:2.0:User"


def _text(name: str, description: str) -> dict:
    return {
        "name": name,
        "type": "string",
        "multiValued": False,
        "description": description,
        "required": False,
        "caseExact": False,
        "mutability": "readWrite",
        "returned": "default",
        "uniqueness": "none",
    }


EMPLOYEE_SCHEMA = {
    "id": EMPLOYEE,
    "name": "CampaignHubEmployee",
    "description": "Where an employee sits, for CampaignHub audiences (time zone: the core `timezone`).",
    "attributes": [
        _text("team", "The employee's team within their department."),
        _text("location", "Office, branch or site (e.g. London)."),
    ],
    "meta": {"resourceType": "Schema", "location": f"/scim/v2/Schemas/{EMPLOYEE}"},
}


def all_schemas() -> list[dict]:
    """The schemas django-scim2 ships (core User and Group, enterprise User) and ours."""
    return [*default_schemas_getter(), EMPLOYEE_SCHEMA]


def site_url(request=None, *args, **kwargs) -> str:
    """Where meta.location links start (SITE_URL, the address people and providers use)."""
    return settings.SITE_URL


class QFilter:
    """A SCIM filter as a Django queryset (scim2-filter-parser's Q transpiler; any database).

    django-scim2's own FilterQuery builds raw SQL for PostgreSQL only; the embedded SQLite default
    must answer `userName eq "…"` too. An attribute we do not map is a 400, not "no match".
    """

    attr_map: dict = {}

    @classmethod
    def queryset(cls):
        raise NotImplementedError

    @classmethod
    def search(cls, filter_query: str, request=None):
        query = get_query(filter_query, cls.attr_map)
        if query is None:
            raise ValueError("the filter names no attribute this server can filter on")
        return cls.queryset().filter(query).distinct().order_by("pk")


class UserFilter(QFilter):
    attr_map = {
        # (attribute, sub-attribute, schema URN): Django lookup ("." for a relation)
        ("userName", None, None): "username",
        ("externalId", None, None): "scim.external_id",
        ("name", "givenName", None): "first_name",
        ("name", "familyName", None): "last_name",
        ("emails", None, None): "email",
        ("emails", "value", None): "email",
        ("active", None, None): "is_active",
        ("title", None, None): "profile.role",
        ("department", None, ENTERPRISE): "profile.department",
        ("team", None, EMPLOYEE): "profile.team",
        ("location", None, EMPLOYEE): "profile.location",
    }

    @classmethod
    def queryset(cls):
        from identity.scim import users  # the one definition of who SCIM may see

        return users()


class GroupFilter(QFilter):
    attr_map = {
        ("displayName", None, None): "audience.name",
        ("externalId", None, None): "external_id",
    }

    @classmethod
    def queryset(cls):
        from identity.scim import groups

        return groups()
