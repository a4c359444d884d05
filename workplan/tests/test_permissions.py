"""Who may do what on the workplan routes, as a table (pages and API).

Mia owns the launch and is on Content; Tess is on Content; Omar is on Events (also on the launch);
Dora is on Design (not on it, so she cannot see it); Ian is IC. OK: 200 for a page, the action done
(302) for a form post, 200/201 for the API. READ: the page answers but shows no form.
"""

from __future__ import annotations

import pytest

from workplan.models import Deliverable
from workplan.tests.conftest import add_deliverable, team

pytestmark = pytest.mark.django_db

OK, NO, LOGIN, READ = "ok", 403, "login", "read"
ROLES = ("anonymous", "employee", "presenter", "owner", "same_team", "other_team", "outsider", "ic")
PERSONA = {
    "employee": "employee",
    "presenter": "presenter",
    "owner": "marketing",
    "same_team": "team_marketing",
    "other_team": "other_marketing",
    "outsider": "outsider",
    "ic": "ic",
}

# page: (method, path, data)
PAGES = {
    "workplan": ("get", "/campaigns/{c}/workplan/", None),
    "brief": ("get", "/campaigns/{c}/workplan/brief/", None),
    "brief_edit": ("get", "/campaigns/{c}/workplan/brief/edit/", None),
    "add": ("get", "/campaigns/{c}/workplan/deliverables/new/", None),
    "view": ("get", "/campaigns/{c}/workplan/deliverables/{ours}/", None),
    "edit": ("post", "/campaigns/{c}/workplan/deliverables/{ours}/", "edit"),
    "share": ("post", "/campaigns/{c}/workplan/deliverables/{theirs}/share/", "share"),
    "my_work": ("get", "/my-work/", None),
    "api_workstreams": ("get", "/api/v1/workstreams/", None),
    "api_deliverables": ("get", "/api/v1/deliverables/", None),
    "api_deliverable": ("get", "/api/v1/deliverables/{ours}/", None),
    "api_edit": ("patch", "/api/v1/deliverables/{ours}/", "api_edit"),
}

# fmt: off
MATRIX = {
    #                   anonymous employee presenter owner same_team other_team outsider ic
    "workplan":         (LOGIN,    NO,      NO,       OK,   OK,       OK,        NO,      OK),
    "brief":            (LOGIN,    NO,      NO,       OK,   OK,       OK,        NO,      OK),
    "brief_edit":       (LOGIN,    NO,      NO,       OK,   OK,       OK,        NO,      OK),
    "add":              (LOGIN,    NO,      NO,       OK,   OK,       OK,        NO,      OK),
    "view":             (LOGIN,    NO,      NO,       OK,   OK,       READ,      NO,      READ),
    "edit":             (LOGIN,    NO,      NO,       OK,   OK,       NO,        NO,      NO),
    "share":            (LOGIN,    NO,      NO,       OK,   OK,       NO,        NO,      NO),
    "my_work":          (LOGIN,    NO,      NO,       OK,   OK,       OK,        OK,      OK),
    "api_workstreams":  (401,      NO,      NO,       OK,   OK,       OK,        OK,      OK),
    "api_deliverables": (401,      NO,      NO,       OK,   OK,       OK,        OK,      OK),
    "api_deliverable":  (401,      NO,      NO,       OK,   OK,       OK,        404,     OK),
    "api_edit":         (401,      NO,      NO,       OK,   OK,       NO,        404,     NO),
}
# fmt: on

CASES = [
    (page, role, expected) for page, row in MATRIX.items() for role, expected in zip(ROLES, row, strict=True)
]


def post_data(kind: str, ours: Deliverable) -> dict:
    if kind == "share":
        return {"team": team("content").pk}
    if kind == "api_edit":
        return {"status": "in_review"}
    return {
        "title": "Renamed",
        "description": "",
        "type": ours.type,
        "channel": ours.channel,
        "offset_days": "-3",
        "status": "in_review",
        "decision": "different",
    }


@pytest.mark.parametrize(("page", "role", "expected"), CASES, ids=[f"{p}-{r}" for p, r, _ in CASES])
def test_permission_matrix(request, client, launch, team_marketing, outsider, page, role, expected):
    method, path, kind = PAGES[page]
    ours = add_deliverable(launch, "content", "Launch blog post", type="blog_post", channel="owned")
    theirs = add_deliverable(launch, "events", "Launch event", type="event", channel="events")
    if role != "anonymous":
        client.force_login(request.getfixturevalue(PERSONA[role]))
    url = path.format(c=launch.pk, ours=ours.pk, theirs=theirs.pk)
    data = post_data(kind, ours) if kind else None
    if method == "patch":
        response = client.patch(url, data, content_type="application/json")
    else:
        response = getattr(client, method)(url, data)

    ours.refresh_from_db()
    theirs.refresh_from_db()
    changed = ours.title == "Renamed" or ours.status == "in_review" or theirs.shared_with_id is not None
    if expected == LOGIN:
        assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    elif expected in (NO, 401, 404):
        assert response.status_code == expected
        assert not changed
    elif expected == READ:
        assert response.status_code == 200
        assert b'id="deliverable-form"' not in response.content
    elif method == "get":
        assert response.status_code == 200
    else:
        assert response.status_code in (200, 302)
        assert changed
