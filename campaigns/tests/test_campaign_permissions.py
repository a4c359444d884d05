"""Who may do what on the campaign pages: each role by each page, as a table.

OK means the page answers (200) or the action is done (redirect back to the campaign);
403 means refused; LOGIN means sent to sign in; TOKEN (401) means only a bearer token opens it
(SCIM, for the identity provider: no session, whatever its role). Mia owns the campaign and her Content team is on it;
Tess is on the Content team; Omar is on Events.
"""

from __future__ import annotations

import pytest

from campaigns.models import Asset, Campaign

pytestmark = pytest.mark.django_db

OK, NO, LOGIN, TOKEN = "ok", 403, "login", 401
ROLES = ("anonymous", "employee", "presenter", "owner", "same_team", "other_team", "ic", "superuser")
PERSONA = {
    "employee": "employee",
    "presenter": "presenter",
    "owner": "marketing",
    "same_team": "team_marketing",
    "other_team": "other_marketing",
    "ic": "ic",
    "superuser": "superuser",
}

# page:            (method, path, campaign status before, status after when done)
PAGES = {
    "list": ("get", "/campaigns/", None, None),
    "new": ("get", "/campaigns/new/", None, None),
    "detail": ("get", "/campaigns/{pk}/", None, None),
    "edit": ("get", "/campaigns/{pk}/edit/", None, None),
    "submit": ("post", "/campaigns/{pk}/submit/", "draft", "submitted"),
    "approve": ("post", "/campaigns/{pk}/approve/", "submitted", "approved"),
    "send_back": ("post", "/campaigns/{pk}/send-back/", "submitted", "draft"),
    "go_live": ("post", "/campaigns/{pk}/go-live/", "approved", "live"),
    "close": ("post", "/campaigns/{pk}/close/", "live", "closed"),
    "cancel": ("post", "/campaigns/{pk}/cancel/", "draft", "cancelled"),
    "asset_delete": ("post", "/campaigns/{pk}/assets/{asset}/delete/", None, None),
    "account": ("get", "/account/", None, None),  # everyone's own settings (identity)
    "scim_users": ("get", "/scim/v2/Users", None, None),
    "scim_create": ("post", "/scim/v2/Users", None, None),
    "scim_groups": ("get", "/scim/v2/Groups", None, None),
    "search": ("get", "/search/?q=campaign", None, None),  # what each may see: search/tests
}

# fmt: off
MATRIX = {
    #               anonymous employee presenter owner same_team other_team ic  superuser
    "list":         (LOGIN,    NO,      NO,       OK,   OK,       OK,        OK, OK),
    "new":          (LOGIN,    NO,      NO,       OK,   OK,       OK,        OK, OK),
    "detail":       (LOGIN,    NO,      NO,       OK,   OK,       NO,        OK, OK),
    "edit":         (LOGIN,    NO,      NO,       OK,   OK,       NO,        OK, OK),
    "submit":       (LOGIN,    NO,      NO,       OK,   OK,       NO,        OK, OK),
    "approve":      (LOGIN,    NO,      NO,       NO,   NO,       NO,        OK, OK),
    "send_back":    (LOGIN,    NO,      NO,       NO,   NO,       NO,        OK, OK),
    "go_live":      (LOGIN,    NO,      NO,       NO,   NO,       NO,        OK, OK),
    "close":        (LOGIN,    NO,      NO,       NO,   NO,       NO,        OK, OK),
    "cancel":       (LOGIN,    NO,      NO,       OK,   NO,       NO,        OK, OK),
    "asset_delete": (LOGIN,    NO,      NO,       OK,   OK,       NO,        OK, OK),
    "account":      (LOGIN,    OK,      OK,       OK,   OK,       OK,        OK, OK),
    "scim_users":   (TOKEN,    TOKEN,   TOKEN,    TOKEN, TOKEN,   TOKEN,     TOKEN, TOKEN),
    "scim_create":  (TOKEN,    TOKEN,   TOKEN,    TOKEN, TOKEN,   TOKEN,     TOKEN, TOKEN),
    "scim_groups":  (TOKEN,    TOKEN,   TOKEN,    TOKEN, TOKEN,   TOKEN,     TOKEN, TOKEN),
    "search":       (LOGIN,    OK,      OK,       OK,   OK,       OK,        OK, OK),
}
# fmt: on

CASES = [
    (page, role, expected) for page, row in MATRIX.items() for role, expected in zip(ROLES, row, strict=True)
]


@pytest.mark.parametrize(("page", "role", "expected"), CASES, ids=[f"{p}-{r}" for p, r, _ in CASES])
def test_permission_matrix(request, client, team_campaign, page, role, expected):
    method, path, before, after = PAGES[page]
    campaign = team_campaign
    if before:
        campaign.status = before
        campaign.save(update_fields=["status"])
    asset = Asset.objects.create(campaign=campaign, kind="link", url="https://example.com/x", caption="Page")
    if role != "anonymous":
        client.force_login(request.getfixturevalue(PERSONA[role]))
    url = path.format(pk=campaign.pk, asset=asset.pk)

    response = getattr(client, method)(url, {"comment": "Needs work"} if method == "post" else None)

    campaign.refresh_from_db()
    if expected == TOKEN:
        assert response.status_code == 401
        assert response.json()["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
    elif expected == LOGIN:
        assert response.status_code == 302
        assert response.url.startswith("/accounts/login/")
    elif expected == NO:
        assert response.status_code == 403
        assert campaign.status == (before or Campaign.Status.DRAFT)
        assert Asset.objects.filter(pk=asset.pk).exists()
    elif method == "get":
        assert response.status_code == 200
    else:
        assert response.status_code == 302
        assert response.url == campaign.get_absolute_url()
        if after:
            assert campaign.status == after
        else:
            assert not Asset.objects.filter(pk=asset.pk).exists()


def test_marketing_list_shows_only_own_and_team_campaigns(client_for, other_marketing, team_campaign):
    html = client_for(other_marketing).get("/campaigns/").content.decode()
    assert team_campaign.title not in html


def test_team_member_sees_the_team_campaign_in_the_list(client_for, team_marketing, team_campaign):
    html = client_for(team_marketing).get("/campaigns/").content.decode()
    assert team_campaign.title in html
