"""Signals bigcare sends; the apps above it listen (bigcare imports none of them, DESIGN.md)."""

from django.dispatch import Signal

# Sent inside ``bigcare.actions.end_membership``'s transaction, after the membership's own grants
# are withdrawn, with ``membership`` and ``acting_user``: every app withdraws the per-object
# grants it gave through that membership (a referral's case, a data source), so they end with it.
membership_ended = Signal()
