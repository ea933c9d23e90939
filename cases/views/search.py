"""Search first: residents are found, never listed (issue 5 §2)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from bigcare.accesslog import log_access, recently_viewed_ids
from bigcare.models import AccessAction
from cases import search as finder
from cases.access import residents_for_user
from cases.forms import SearchForm


def recently_viewed(request: HttpRequest) -> list:
    """What the user opened last (from the access log), still in scope, newest first."""
    ids = recently_viewed_ids(request.user)
    if not ids:
        return []
    found = residents_for_user(request.user).in_bulk(ids)
    return [found[i] for i in ids if i in found]


@login_required
def search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    results, query = None, None
    if form.is_valid() and (form.cleaned_data["q"] or "").strip():
        query = finder.parse_query(form.cleaned_data["q"], form.cleaned_data["birth_year"])
        results = finder.search(residents_for_user(request.user), query)
        log_access(request, AccessAction.SEARCH, [r.pk for r in results],
                   detail=query.describe())
    template = "cases/_search_results.html" if request.htmx else "cases/search.html"
    return render(request, template, {
        "form": form, "results": results, "query": query,
        "recent": recently_viewed(request) if not request.htmx else [],
    })
