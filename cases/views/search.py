"""Search first: residents are found, never listed (issue 5 §2)."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

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


def no_rrn_in_address(view):
    """A GET whose ``?q=`` holds an identity number is refused unread, before anything else
    (sign-in included, whose ``?next=`` would carry the number on), and sent to the form."""

    @wraps(view)
    def refuse(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method == "GET" and finder.holds_rrn(request.GET.get("q", "")):
            messages.error(
                request,
                _(
                    "Search by RRN with the search form: "
                    "an identity number must not be put in an address."
                ),
            )
            return redirect("cases:search")
        return view(request, *args, **kwargs)

    return refuse


@no_rrn_in_address
@login_required
def search(request: HttpRequest) -> HttpResponse:
    """The form POSTs, so an identity number never travels in a URL (browser history, proxies,
    the server's request log). A GET with ``?q=`` still serves names, dates and phones (links,
    bookmarks)."""
    form = SearchForm(request.POST if request.method == "POST" else request.GET or None)
    results, query = None, None
    if form.is_valid() and (form.cleaned_data["q"] or "").strip():
        query = finder.parse_query(form.cleaned_data["q"], form.cleaned_data["birth_year"])
        results = finder.search(residents_for_user(request.user), query)
        log_access(request, AccessAction.SEARCH, [r.pk for r in results], detail=query.describe())
    template = "cases/_search_results.html" if request.htmx else "cases/search.html"
    return render(
        request,
        template,
        {
            "form": form,
            "results": results,
            "query": query,
            "recent": recently_viewed(request) if not request.htmx else [],
        },
    )
