import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django_htmx.http import HttpResponseClientRedirect


def polling(view: Callable) -> Callable:
    """Mark a view that pages call on a timer (htmx ``every 1s``): its requests are not the
    user's doing, so they do not keep the session alive (#12 item 15). A page left polling a
    stuck run is signed out after the idle timeout like any other."""
    view.extends_session = False
    return view


class IdleTimeoutMiddleware:
    """Sign a user out after ``SESSION_IDLE_TIMEOUT`` seconds without a request of theirs.

    Tablets are left on tables during home visits; an idle session must not stay open. Requests
    to views marked ``@polling`` are checked against the timeout but do not reset it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = int(time.time())
            last = request.session.get("last_seen", now)
            if now - last > settings.SESSION_IDLE_TIMEOUT:
                logout(request)
                htmx = getattr(request, "htmx", None)
                if htmx:
                    # A fragment would get the sign-in page swapped into it: leave the page.
                    page = htmx.current_url_abs_path or "/"
                    return HttpResponseClientRedirect(redirect_to_login(page)["Location"])
                return redirect_to_login(request.get_full_path())
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        if request.user.is_authenticated and getattr(view_func, "extends_session", True):
            now = int(time.time())
            last = request.session.get("last_seen")
            # Write at most once a minute so that every request does not rewrite the session.
            if last is None or now - last >= 60:
                request.session["last_seen"] = now
        return None


class NoStoreMiddleware:
    """``Cache-Control: no-store`` on every response to a signed-in user: their pages carry
    personal data, which must not stay in a shared tablet's or a proxy's cache (#12 item 15).
    Static files never reach here (whitenoise answers them earlier)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.user.is_authenticated and "no-store" not in response.get("Cache-Control", ""):
            add_never_cache_headers(response)
            patch_cache_control(response, private=True)
        return response
