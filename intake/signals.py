"""Signals intake sends; matching listens (intake never imports matching, DESIGN.md)."""

from django.dispatch import Signal

# Sent after an import commits and after a rollback: ``record_ids`` are the SourceRecord ids whose
# status changed (new versions, superseded, retracted, current again); ``run`` is the ImportRun.
records_changed = Signal()
