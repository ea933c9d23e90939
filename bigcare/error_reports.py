"""Error pages and error e-mails that show no personal data (DESIGN.md principle 6).

Django's technical 500 page (DEBUG, which the demo runs with) and the report mailed to admins
print every frame's local variables and the request's POST data: during an import those are
frames of people's rows with their identity numbers. Here each variable shows its type only,
POST values are hidden, and whatever text is left (the exception's message, the request's
path) has every identity number masked, in any spelling.
"""

from __future__ import annotations

from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter

from bigcare.rrn import redact_rrns

_SHOWN = (bool, int, float, type(None))


class PersonalDataFilter(SafeExceptionReporterFilter):
    """Frame variables as their type, POST values hidden: any of them may hold a person."""

    def get_traceback_frame_variables(self, request, tb_frame):
        return [
            (name, value if isinstance(value, _SHOWN) else f"<{type(value).__name__}>")
            for name, value in tb_frame.f_locals.items()
        ]

    def get_post_parameters(self, request):
        if request is None:
            return {}
        return {key: self.cleansed_substitute for key in request.POST}


class RedactingExceptionReporter(ExceptionReporter):
    """The technical 500 page and text with every identity number masked."""

    def get_traceback_html(self) -> str:
        return redact_rrns(super().get_traceback_html())

    def get_traceback_text(self) -> str:
        return redact_rrns(super().get_traceback_text())
