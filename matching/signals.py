"""What matching announces when people change residents (cases listens; matching never imports it).

``residents_merged`` is sent inside the merge's transaction, after the records moved, with
``survivor`` and ``merged`` (resident ids) and ``change`` (the ResidentChange). A receiver moves
what it keeps on the merged-away resident to the survivor and returns what it moved as
``{"app.Model": [ids]}``: the change keeps that, so an undo can move exactly those back.

``merge_undone`` is sent inside the undo's transaction with ``carried`` (what the merge's
receivers returned), ``back_to`` (the resident they return to) and ``survivor``.
"""

from django.dispatch import Signal

residents_merged = Signal()
merge_undone = Signal()
