"""One-click "stop emails" for optional mail (List-Unsubscribe, RFC 2369 and RFC 8058).

Every optional email (announcements, notifications) carries a signed link to this page; a mail
client's one-click POST, or the button on the page, switches the person to "in CampaignHub only",
the same choice as on the account page (which the page links to).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import User
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from identity.account import CHANNELS, IN_APP_ONLY
from people.models import EmployeeProfile

SALT = "identity.unsubscribe"


def unsubscribe_url(user) -> str:
    return settings.SITE_URL + reverse("unsubscribe", args=[signing.dumps(user.pk, salt=SALT)])


def unsubscribe_headers(user) -> dict[str, str]:
    """The headers for optional mail: mail clients show an "Unsubscribe" button that POSTs once."""
    return {
        "List-Unsubscribe": f"<{unsubscribe_url(user)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


@csrf_exempt  # RFC 8058: the mail client POSTs without a session; the signed token is the proof
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        user_pk = signing.loads(token, salt=SALT)
    except signing.BadSignature as exc:
        raise Http404("This unsubscribe link is not valid.") from exc
    person = User.objects.filter(pk=user_pk, is_active=True).first()
    if person is None:
        raise Http404("This unsubscribe link is not valid.")
    done = request.method == "POST"
    if done:
        profile, _ = EmployeeProfile.objects.get_or_create(user=person)
        profile.preferred_channels = CHANNELS[IN_APP_ONLY]
        profile.save(update_fields=["preferred_channels"])
    return render(request, "identity/unsubscribe.html", {"done": done, "person": person})
