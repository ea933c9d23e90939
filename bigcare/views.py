from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse

from bigcare.access import active_roles, centres_for_user
from bigcare.models import Role

# Where each role starts its day. A later app registers its own page by URL name; until it exists
# the role lands on the generic start page.
START_PAGES = {
    Role.CASEWORKER: "cases:worklist",
    Role.NURSE: "cases:worklist",
    Role.SUPERVISOR: "cases:supervisor",
    Role.DATA_ADMIN: "intake:sources",
    Role.AUDITOR: "cases:access_log",
}


def _start_url(user) -> str | None:
    roles = active_roles(user)
    for role, name in START_PAGES.items():
        if role in roles:
            try:
                return reverse(name)
            except NoReverseMatch:
                continue  # that role's app is not installed: try the user's next role
    return None


@login_required
def start(request: HttpRequest) -> HttpResponse:
    url = _start_url(request.user)
    if url and url != request.path:
        return redirect(url)
    memberships = request.user.memberships.in_force().select_related("centre__district", "district")
    centres = centres_for_user(request.user).select_related("district")[:50]
    return render(request, "start.html", {"memberships": memberships, "centres": centres})


def health(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")
