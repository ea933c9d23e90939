"""Writes of matching: linkage runs, review decisions, merges and splits (each records itself).

The load/save boundary of the column core: frames in with ``values_list``, bulk writes out.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import numpy as np
import pandas as pd
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from bigcare.models import CommunityCentre
from matching import cluster as clustering
from matching.compare import FIELDS
from matching.em import Model
from matching.frames import read_frame, records_from_db, upsert
from matching.incremental import link_delta
from matching.models import (
    LinkageModel,
    LinkageRun,
    LinkDecision,
    RecordForm,
    RecordLink,
    Resident,
    ResidentChange,
    ReviewItem,
)
from matching.normalize import STRING_FORMS, concat_forms, name_forms, normalize, text
from matching.pipeline import link_frame

BATCH = 5000
# Key of the advisory lock every linkage run takes on PostgreSQL: one linkage at a time.
LINKAGE_LOCK = 0x4C494E4B  # "LINK"
RESIDENT_COLUMNS = ["id", "name", "birth_date", "sex", "phone", "rrn_enc", "rrn_index",
                    "rrn_masked", "address", "dong_code", "home_centre_id", "name_key",
                    "active", "created_at", "updated_at"]


def _on_postgres() -> bool:
    return connection.vendor == "postgresql"


@contextmanager
def _linkage_lock() -> Iterator[bool]:
    """Hold the linkage lock (PostgreSQL session advisory lock) for the whole run.

    A second worker waits here until the first finishes, then links what is left; a worker that
    dies drops its connection and with it the lock. SQLite (the one-process demo) needs none:
    its single writer already serialises the write transaction. Yields whether a real lock is held.
    """
    if not _on_postgres():
        yield False
        return
    with connection.cursor() as cur:
        cur.execute("SELECT pg_advisory_lock(%s)", [LINKAGE_LOCK])
    try:
        yield True
    finally:
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_unlock(%s)", [LINKAGE_LOCK])


def _stage(run: LinkageRun, stage: str, progress: Callable[[str], None] | None = None) -> None:
    # An UPDATE of one column, committed at once outside the write transaction: progress lives in
    # the database where the screens and other workers can see it (DESIGN.md principle 8).
    LinkageRun.objects.filter(pk=run.pk).update(stage=stage)
    run.stage = stage
    if progress:
        progress(stage)


def _stored_forms(rids: np.ndarray) -> pd.DataFrame:
    cols = ["rid", *RecordForm.FORM_FIELDS]
    forms = read_frame(RecordForm.objects.filter(record_id__in=rids.tolist()).values_list(
        "record_id", *RecordForm.FORM_FIELDS), cols)
    forms["rid"] = forms["rid"].astype(np.int64)
    forms = forms.set_index("rid").reindex(rids).reset_index()
    for c in RecordForm.FORM_FIELDS:
        if c not in ("is_hangul", "birth", "sex"):
            forms[c] = forms[c].fillna("").astype(str)
    b = pd.to_numeric(forms["birth"], errors="coerce").fillna(0).astype(np.int32).to_numpy()
    forms["birth"] = b
    forms["by"], forms["bm"], forms["bd"] = (b // 10000).astype(np.int16), (
        b // 100 % 100).astype(np.int8), (b % 100).astype(np.int8)
    forms["sex"] = pd.to_numeric(forms["sex"], errors="coerce").fillna(0).astype(np.int8)
    # SQLite gives 1/0, COPY gives "t"/"f".
    forms["is_hangul"] = forms["is_hangul"].isin([True, 1, "t", "True"])
    return forms


def _save_forms(forms: pd.DataFrame, replace_all: bool) -> None:
    cols = ["rid", *RecordForm.FORM_FIELDS]
    frame = forms[cols].rename(columns={"rid": "record_id"})
    frame = frame.assign(**{c: text(forms, c) for c in STRING_FORMS})
    if replace_all:
        RecordForm.objects.all().delete()
    upsert(RecordForm._meta.db_table, frame, "record_id")


def _decisions(rids: np.ndarray) -> tuple[tuple[np.ndarray, np.ndarray], ...]:
    """Active human decisions as position pairs (must, cannot) into ``rids``."""
    pos = pd.Series(np.arange(len(rids)), index=rids)
    d = pd.DataFrame.from_records(list(LinkDecision.objects.filter(active=True).values_list(
        "record_a_id", "record_b_id", "same")), columns=["a", "b", "same"])
    d["pa"], d["pb"] = d["a"].map(pos), d["b"].map(pos)
    d = d.dropna(subset=["pa", "pb"])
    out = []
    for same in (True, False):
        s = d[d["same"] == same]
        out.append((s["pa"].to_numpy(np.int64), s["pb"].to_numpy(np.int64)))
    return tuple(out)


def run_linkage(full: bool = True, retrain: bool = True,
                progress: Callable[[str], None] | None = None) -> LinkageRun:
    """Link current source records into residents. ``full`` relinks everything (training a new
    model version unless ``retrain`` is False); otherwise records without a link are linked in
    incrementally with the current model.

    One run at a time (an advisory lock on PostgreSQL); all writes in one transaction; a run that
    raises is left ``failed`` with its error, never ``running``.
    """
    run = LinkageRun.objects.create(full=full, stage="waiting")
    with _linkage_lock() as locked:
        if locked:
            # We hold the lock, so any other run still marked running lost its worker.
            LinkageRun.objects.filter(status=LinkageRun.Status.RUNNING).exclude(
                pk=run.pk).update(status=LinkageRun.Status.FAILED,
                                  error="interrupted (worker lost)", finished_at=timezone.now())
        try:
            _link(run, full, retrain, progress)
        except Exception as exc:
            LinkageRun.objects.filter(pk=run.pk).update(
                status=LinkageRun.Status.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000],
                finished_at=timezone.now())
            run.status = LinkageRun.Status.FAILED
            raise
    return run


def _link(run: LinkageRun, full: bool, retrain: bool,
          progress: Callable[[str], None] | None) -> None:
    stored = LinkageModel.current()
    if not full and stored is None:
        full = True
    _stage(run, "load", progress)
    records = records_from_db()
    if records.empty:
        # Nothing imported yet: a finished run that found nothing, not an error.
        run.full, run.model, run.status = full, stored, LinkageRun.Status.DONE
        run.finished_at = timezone.now()
        run.save(update_fields=["full", "model", "status", "finished_at"])
        return
    rids = records["rid"].to_numpy(np.int64)
    links = read_frame(RecordLink.objects.filter(record__status="current").values_list(
        "record_id", "resident_id"), ["rid", "resident"])
    previous = (pd.Series(links["resident"].to_numpy(np.int64), index=links["rid"].to_numpy(
        np.int64)).reindex(rids).fillna(0).to_numpy(np.int64))
    model = Model.from_params(stored.params) if stored and not (full and retrain) else None
    must, cannot = _decisions(rids)
    stage = functools.partial(_stage, run, progress=progress)
    review: list[dict] = []
    if full:
        result = link_frame(records, model=model, must=must, cannot=cannot, progress=stage)
        labels, forms = result.labels, result.forms
        pairs, per_rule, seconds = len(result.left), result.per_rule, result.seconds
        review = _review_pairs(result, rids)
        n_links = int(result.links.sum())
        write_forms = forms
    else:
        old = previous > 0
        old_forms = _stored_forms(rids[old])
        new_records = records[~old].reset_index(drop=True)
        order = np.r_[np.flatnonzero(old), np.flatnonzero(~old)]
        old_labels = pd.factorize(previous[old])[0].astype(np.int64)
        inv = np.empty_like(order)
        inv[order] = np.arange(len(order))
        stage("normalise")
        write_forms = new_forms = normalize(new_records)
        stage("link delta")
        lab, stats = link_delta(records[old].reset_index(drop=True), old_forms, old_labels,
                                new_records, model, new_forms=new_forms,
                                must=(inv[must[0]], inv[must[1]]),
                                cannot=(inv[cannot[0]], inv[cannot[1]]))
        labels = lab[inv]
        forms = concat_forms([old_forms, new_forms]).iloc[inv].reset_index(drop=True)
        pairs, per_rule, seconds, n_links = stats["delta_pairs"], {}, {}, 0
    stage("save")
    with transaction.atomic():
        if full and model is None:
            LinkageModel.objects.filter(active=True).update(active=False)
            stored = LinkageModel.objects.create(
                params=result.model.params(), link_threshold=result.model.link_threshold,
                review_threshold=result.model.review_threshold, trained_on=len(records))
        _save_forms(write_forms, replace_all=full)
        n_residents = _save_residents(records, forms, labels, previous, run, everything=full)
        n_review = _save_review_items(review, run) if full else 0
        run.model, run.full, run.stage = stored, full, "done"
        run.status, run.finished_at = LinkageRun.Status.DONE, timezone.now()
        run.records, run.pairs, run.links, run.review_items = len(records), pairs, n_links, \
            n_review
        run.residents, run.per_rule, run.seconds = n_residents, per_rule, seconds
        run.save()


def _review_pairs(result, rids: np.ndarray) -> list[dict]:
    """Review-band pairs whose records ended in different residents, one per pair of clusters,
    strongest first; pairs a person already decided are left out."""
    lab = result.labels
    band = np.flatnonzero(result.reviews & (lab[result.left] != lab[result.right]))
    band = band[np.argsort(-result.total[band], kind="stable")]
    la, lb = lab[result.left[band]], lab[result.right[band]]
    frame = pd.DataFrame({"k": band, "a": rids[result.left[band]], "b": rids[result.right[band]],
                          "ca": np.minimum(la, lb), "cb": np.maximum(la, lb)})
    frame = frame.drop_duplicates(["ca", "cb"])
    decided = read_frame(LinkDecision.objects.filter(active=True).values_list(
        "record_a_id", "record_b_id"), ["a", "b"])
    if len(decided):
        lo = np.minimum(decided["a"], decided["b"]).astype(np.int64)
        hi = np.maximum(decided["a"], decided["b"]).astype(np.int64)
        done = pd.MultiIndex.from_arrays([lo, hi])
        key = pd.MultiIndex.from_arrays([np.minimum(frame["a"], frame["b"]),
                                         np.maximum(frame["a"], frame["b"])])
        frame = frame[~key.isin(done)]
    k = frame["k"].to_numpy()
    weights = result.weights(k).round(2)
    levels = result.levels.iloc[k]
    labels = {f: np.array([*FIELDS[f], "missing"], dtype=object) for f in FIELDS}
    # Per review item (a few thousand at most), not per record: dicts for the JSON columns.
    level_text = pd.DataFrame({f: labels[f][levels[f].to_numpy()] for f in FIELDS})
    return [{"a": int(a), "b": int(b), "total": float(t), "weights": w, "levels": lv}
            for a, b, t, w, lv in zip(frame["a"], frame["b"], result.total[k],
                                      weights[list(FIELDS)].to_dict("records"),
                                      level_text.to_dict("records"), strict=True)]


def _save_review_items(items: list[dict], run: LinkageRun) -> int:
    ReviewItem.objects.filter(status=ReviewItem.Status.OPEN).update(
        status=ReviewItem.Status.OBSOLETE)
    ReviewItem.objects.bulk_create([
        ReviewItem(record_a_id=i["a"], record_b_id=i["b"], total=i["total"],
                   weights=i["weights"], levels=i["levels"], run=run) for i in items
    ], batch_size=BATCH)
    return len(items)


def _allocate_resident_ids(k: int) -> np.ndarray:
    """``k`` new resident ids. On PostgreSQL from the table's own sequence, so a concurrent
    ``Resident.objects.create()`` (a split, a caseworker screen) never takes the same id."""
    if _on_postgres():
        with connection.cursor() as cur:
            cur.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) "
                        "FROM generate_series(1, %s)", [Resident._meta.db_table, k])
            return np.array([r[0] for r in cur.fetchall()], dtype=np.int64)
    # SQLite: AUTOINCREMENT-less rowids continue from the largest id, so max + 1 is the
    # sequence; the write transaction holds SQLite's single writer lock.
    start = (Resident.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
    return np.arange(start, start + k, dtype=np.int64)


def _save_residents(records: pd.DataFrame, forms: pd.DataFrame, labels: np.ndarray,
                    previous: np.ndarray, run: LinkageRun, everything: bool) -> int:
    """Write residents and record links; only what changed unless ``everything``.

    A resident's golden fields depend only on its records (immutable versions), so an
    incremental run rewrites just the residents that gained or lost a record.
    """
    ids = clustering.assign_ids(labels, previous, _allocate_resident_ids)
    moved = ids != previous
    if everything:
        scope = np.ones(len(ids), dtype=bool)
    else:
        touched = np.union1d(ids[moved], previous[moved & (previous > 0)])
        scope = np.isin(ids, touched)
    idx = np.flatnonzero(scope)
    gold = clustering.golden(records.iloc[idx].reset_index(drop=True),
                             forms.iloc[idx].reset_index(drop=True), ids[idx])
    now = timezone.now()
    centres = pd.Series(dict(CommunityCentre.objects.values_list("code", "pk")), dtype=object)
    b = gold["birth"].to_numpy()
    birth = pd.to_datetime(pd.DataFrame({"year": b // 10000, "month": b // 100 % 100,
                                         "day": b % 100}), errors="coerce")
    frame = pd.DataFrame({
        "id": gold.index.to_numpy(np.int64),
        "name": gold["name"].astype(str).str.slice(0, 100).to_numpy(),
        "birth_date": birth.dt.date.astype(object).where(birth.notna(), None).to_numpy(),
        "sex": pd.Series(gold["sex"].to_numpy()).map({1: "M", 2: "F"}).fillna("").to_numpy(),
        "phone": gold["phone"].astype(str).str.slice(0, 20).to_numpy(),
        "rrn_enc": gold["rrn_enc"].to_numpy() if "rrn_enc" in gold else "",
        "rrn_index": gold["rrn_index"].to_numpy(),
        "rrn_masked": gold["rrn_masked"].to_numpy(),
        "address": gold["address"].astype(str).str.slice(0, 200).to_numpy(),
        "dong_code": gold["dong"].to_numpy(),
        "home_centre_id": gold["dong"].map(centres).astype("Int64").array,
        "name_key": pd.Series(text(name_forms(gold["name"]), "rom")).str.slice(0, 100).to_numpy(),
        "active": True, "created_at": now, "updated_at": now,
    })
    # created_at is only written for new residents: the upsert leaves it alone on a conflict.
    upsert(Resident._meta.db_table, frame[RESIDENT_COLUMNS], "id",
           update=[c for c in RESIDENT_COLUMNS if c not in ("id", "created_at")])
    link_frame_ = pd.DataFrame({"record_id": records["rid"].to_numpy(np.int64)[moved],
                                "resident_id": ids[moved], "run_id": run.pk,
                                "linked_at": now})
    upsert(RecordLink._meta.db_table, link_frame_, "record_id")
    # Residents left without a current record (merged away, all records retracted) go inactive.
    current = RecordLink.objects.filter(record__status="current").values("resident_id")
    stale = Resident.objects.filter(active=True).exclude(pk__in=current)
    if not everything:
        stale = stale.filter(pk__in=np.setdiff1d(previous[moved & (previous > 0)],
                                                 ids).tolist())
    stale.update(active=False, updated_at=now)
    return int(len(np.unique(ids)))


def forms_name_key(name: str) -> str:
    return str(text(name_forms(pd.Series([name])), "rom")[0])[:100]


def decide_review_item(item: ReviewItem, user, same: bool) -> LinkDecision:
    """Record a person's decision on a review item and apply it at once."""
    with transaction.atomic():
        item = ReviewItem.objects.select_for_update().get(pk=item.pk)
        decision = LinkDecision.objects.create(record_a_id=item.record_a_id,
                                               record_b_id=item.record_b_id, same=same,
                                               decided_by=user)
        item.status, item.decided_by, item.decided_at = ReviewItem.Status.DECIDED, user, \
            timezone.now()
        item.decision = "same" if same else "different"
        item.save(update_fields=["status", "decided_by", "decided_at", "decision"])
        a = RecordLink.objects.get(record_id=item.record_a_id).resident_id
        b = RecordLink.objects.get(record_id=item.record_b_id).resident_id
        if same and a != b:
            merge_residents(Resident.objects.get(pk=a), Resident.objects.get(pk=b), user,
                            decision=decision)
        elif not same and a == b:
            split_resident(Resident.objects.get(pk=a), [item.record_b_id], user,
                           decision=decision)
    return decision


class LinkConflict(ValueError):
    """Two full RRNs differ: no person may put these records in one resident."""


def merge_residents(keep: Resident, other: Resident, user, decision: LinkDecision | None = None,
                    reason: str = "") -> ResidentChange:
    """Move every record of ``other`` to ``keep``; recorded and reversible."""
    with transaction.atomic():
        rrns = set(RecordLink.objects.filter(resident__in=[keep, other]).exclude(
            record__rrn_index="").values_list("record__rrn_index", flat=True))
        if len(rrns) > 1:
            raise LinkConflict("the two residents hold different resident registration numbers")
        moved = list(RecordLink.objects.filter(resident=other).values_list("record_id", flat=True))
        if decision is None:
            first_keep = RecordLink.objects.filter(resident=keep).values_list(
                "record_id", flat=True).first()
            decision = LinkDecision.objects.create(record_a_id=first_keep,
                                                   record_b_id=moved[0], same=True,
                                                   decided_by=user, reason=reason)
        RecordLink.objects.filter(resident=other).update(resident=keep)
        Resident.objects.filter(pk=other.pk).update(active=False)
        change = ResidentChange.objects.create(
            kind=ResidentChange.Kind.MERGE, user=user, reason=reason,
            moves={str(r): [other.pk, keep.pk] for r in moved})
        change.decisions.add(decision)
    return change


def split_resident(resident: Resident, record_ids: list[int], user,
                   decision: LinkDecision | None = None, reason: str = "") -> ResidentChange:
    """Move ``record_ids`` out of ``resident`` into a new resident; recorded and reversible.

    Each moved record is declared different from each kept one, so later runs keep them apart.
    """
    with transaction.atomic():
        kept = list(RecordLink.objects.filter(resident=resident).exclude(
            record_id__in=record_ids).values_list("record_id", flat=True))
        new = Resident.objects.create(name=resident.name, birth_date=resident.birth_date,
                                      sex=resident.sex, home_centre=resident.home_centre,
                                      dong_code=resident.dong_code)
        RecordLink.objects.filter(resident=resident, record_id__in=record_ids).update(
            resident=new)
        made = [LinkDecision(record_a_id=a, record_b_id=b, same=False, decided_by=user,
                             reason=reason) for a in kept for b in record_ids
                if decision is None or {a, b} != {decision.record_a_id, decision.record_b_id}]
        made = LinkDecision.objects.bulk_create(made)
        change = ResidentChange.objects.create(
            kind=ResidentChange.Kind.SPLIT, user=user, reason=reason,
            moves={str(r): [resident.pk, new.pk] for r in record_ids})
        change.decisions.add(*made, *([decision] if decision else []))
    return change


def undo_change(change: ResidentChange, user) -> ResidentChange:
    """Reverse a merge or split: records go back, its decisions stop binding later runs."""
    with transaction.atomic():
        for record, (before, _after) in change.moves.items():
            RecordLink.objects.filter(record_id=int(record)).update(resident_id=before)
        befores = {b for b, _ in change.moves.values()}
        Resident.objects.filter(pk__in=befores).update(active=True)
        change.decisions.update(active=False)
        change.undone = True
        change.save(update_fields=["undone"])
        return ResidentChange.objects.create(
            kind=ResidentChange.Kind.UNDO, user=user, reason=f"undo #{change.pk}",
            moves={r: [a, b] for r, (b, a) in change.moves.items()})
