from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from people import roles
from search.finders import MAX_QUERY_LENGTH, search_for


@login_required
def search(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    groups = search_for(request.user, q)
    return render(
        request,
        "search/results.html",
        {
            "q": q,
            "groups": groups,
            "max_length": MAX_QUERY_LENGTH,
            "searched": bool(q),
            "can_manage": roles.can_manage_campaigns(request.user),
        },
    )
