"""Writes of matching: linkage runs, review decisions, merges and splits (each records itself).

The load/save boundary of the column core: frames in with ``values_list``, bulk writes out.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import NamedTuple

import numpy as np
import pandas as pd
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, Max, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from matching import blocking, drift, em, places
from matching import cluster as clustering
from matching.address import address_keys
from matching.compare import FIELDS, RRN_SAME, compare, registers, with_combo, with_derived
from matching.em import Model
from matching.frames import id_batches, read_frame, records_from_db, upsert
from matching.households import regroup_households
from matching.incremental import Pairs, link_delta
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
from matching.pipeline import link_frame, train
from matching.signals import merge_undone, residents_merged

BATCH = 5000
# Key of the advisory lock every linkage run takes on PostgreSQL: one linkage at a time.
LINKAGE_LOCK = 0x4C494E4B  # "LINK"
RESIDENT_COLUMNS = [
    "id",
    "name",
    "birth_date",
    "sex",
    "phone",
    "rrn_enc",
    "rrn_index",
    "rrn_masked",
    "address",
    "building_key",
    "unit_key",
    "dong_code",
    "home_centre_id",
    "name_key",
    "active",
    "created_at",
    "updated_at",
]


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
    parts = [
        read_frame(
            RecordForm.objects.filter(record_id__in=batch).values_list(
                "record_id", *RecordForm.FORM_FIELDS
            ),
            cols,
        )
        for batch in id_batches(rids)
    ]
    forms = (
        pd.concat(parts, ignore_index=True)
        if parts
        else pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    )
    forms["rid"] = forms["rid"].astype(np.int64)
    forms = forms.set_index("rid").reindex(rids).reset_index()
    for c in RecordForm.FORM_FIELDS:
        if c not in ("is_hangul", "birth", "sex"):
            forms[c] = forms[c].fillna("").astype(str)
    b = pd.to_numeric(forms["birth"], errors="coerce").fillna(0).astype(np.int32).to_numpy()
    forms["birth"] = b
    forms["by"], forms["bm"], forms["bd"] = (
        (b // 10000).astype(np.int16),
        (b // 100 % 100).astype(np.int8),
        (b % 100).astype(np.int8),
    )
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
    d = pd.DataFrame.from_records(
        list(
            LinkDecision.objects.filter(active=True).values_list(
                "record_a_id", "record_b_id", "same"
            )
        ),
        columns=["a", "b", "same"],
    )
    d["pa"], d["pb"] = d["a"].map(pos), d["b"].map(pos)
    d = d.dropna(subset=["pa", "pb"])
    out = []
    for same in (True, False):
        s = d[d["same"] == same]
        out.append((s["pa"].to_numpy(np.int64), s["pb"].to_numpy(np.int64)))
    return tuple(out)


def run_linkage(
    full: bool = True,
    retrain: bool = True,
    progress: Callable[[str], None] | None = None,
    auto_retrain: bool | None = None,
) -> LinkageRun:
    """Link current source records into residents. ``full`` relinks everything (training a new
    model version unless ``retrain`` is False); otherwise records without a link are linked in
    incrementally with the current model, and the run measures how far the data has drifted
    from that model (matching.drift). When the drift crosses a threshold a retraining run
    follows (:func:`retrain_linkage`), unless ``auto_retrain`` is False (default: the
    LINKAGE_AUTO_RETRAIN setting); the last run is returned.

    One run at a time (an advisory lock on PostgreSQL); all writes in one transaction; a run that
    raises is left ``failed`` with its error, never ``running``.
    """
    run = _run(full, retrain, progress, None)
    if auto_retrain is None:
        auto_retrain = getattr(settings, "LINKAGE_AUTO_RETRAIN", True)
    if auto_retrain and not run.full and run.drift.get("crossed"):
        return _run(False, True, progress, LinkageModel.Reason.DRIFT)
    return run


def retrain_linkage(
    reason: str = LinkageModel.Reason.MANUAL, progress: Callable[[str], None] | None = None
) -> LinkageRun:
    """Train a new model version on every current record and relink only what it changes: the
    residents holding a pair whose link decision differs under the new weights (and records not
    linked yet). The review queue is rebuilt from every pair under the new weights."""
    return _run(False, True, progress, reason)


def _run(
    full: bool, retrain: bool, progress: Callable[[str], None] | None, retrain_reason: str | None
) -> LinkageRun:
    run = LinkageRun.objects.create(full=full, stage="waiting")
    with _linkage_lock() as locked:
        if locked:
            # We hold the lock, so any other run still marked running lost its worker.
            LinkageRun.objects.filter(status=LinkageRun.Status.RUNNING).exclude(pk=run.pk).update(
                status=LinkageRun.Status.FAILED,
                error="interrupted (worker lost)",
                finished_at=timezone.now(),
            )
        try:
            _link(run, full, retrain, progress, retrain_reason)
        except Exception as exc:
            LinkageRun.objects.filter(pk=run.pk).update(
                status=LinkageRun.Status.FAILED,
                error=f"{type(exc).__name__}: {exc}"[:2000],
                finished_at=timezone.now(),
            )
            run.status = LinkageRun.Status.FAILED
            raise
    return run


def rrn_digits_of(tokens: pd.Series, index: pd.Series | None = None) -> np.ndarray:
    """Encrypted RRNs as 13-digit int64s (0 where none or unreadable), for one run's memory.

    With the blind ``index`` of each record, one token per distinct number is decrypted (a
    person's number recurs across sources; ~14 µs per decryption)."""
    from cryptography.exceptions import InvalidTag

    from bigcare.crypto import decrypt

    values = tokens.fillna("").astype(str).to_numpy()
    key = values if index is None else index.fillna("").astype(str).to_numpy()
    present = (values != "") & (key != "")
    group, uniq = pd.factorize(pd.Series(key[present]))
    first = np.flatnonzero(present)[
        np.unique(group, return_index=True)[1] if len(group) else np.empty(0, dtype=np.int64)
    ]
    per_group = np.zeros(len(uniq), dtype=np.int64)
    for g, k in enumerate(first):
        try:
            digits = decrypt(values[k]).replace("-", "")
        except (InvalidTag, KeyError, ValueError):
            digits = ""  # sealed by a key no longer configured: no slip test for it
        if len(digits) == 13 and digits.isdigit():
            per_group[g] = int(digits)
    out = np.zeros(len(values), dtype=np.int64)
    out[present] = per_group[group]
    return out


def _link(
    run: LinkageRun,
    full: bool,
    retrain: bool,
    progress: Callable[[str], None] | None,
    retrain_reason: str | None = None,
) -> None:
    stored = LinkageModel.current()
    if not full and stored is None:
        full = True
    if not full and retrain_reason is None and drift.levels_changed(stored.params):
        # The comparison fields changed since the model was trained (a new comparator): the
        # stored model cannot score them, so this run retrains before it links.
        retrain_reason = LinkageModel.Reason.DRIFT
    retraining = not full and retrain_reason is not None
    _stage(run, "load", progress)
    records = records_from_db()
    if records.empty:
        # Nothing imported yet: a finished run that found nothing, not an error.
        run.full, run.model, run.status = full, stored, LinkageRun.Status.DONE
        run.finished_at = timezone.now()
        run.save(update_fields=["full", "model", "status", "finished_at"])
        return
    # The slip comparator (compare.rrn_slip) reads the digits: decrypted here, in memory for
    # this run only; forms, logs and the database never hold them.
    records["rrn_digits"] = rrn_digits_of(records["rrn_enc"], records["rrn_index"])
    rids = records["rid"].to_numpy(np.int64)
    links = read_frame(
        RecordLink.objects.values_list("record_id", "resident_id", "current", "record__status"),
        ["rid", "resident", "flag", "status"],
        dtype={"rid": np.int64, "resident": np.int64, "flag": bool},
    )
    is_current = (links["status"] == "current").to_numpy()
    previous = (
        pd.Series(
            links["resident"].to_numpy()[is_current], index=links["rid"].to_numpy()[is_current]
        )
        .reindex(rids)
        .fillna(0)
        .to_numpy(np.int64)
    )
    # Records retracted or superseded since linkage placed them, or made current again by a
    # rollback: their residents must be re-linked, since a retracted record may have been the
    # only bridge between two halves, and golden fields may have come from it.
    stale = links["flag"].to_numpy() != is_current
    dirty_links = links["rid"].to_numpy()[stale]
    dirty = np.unique(links["resident"].to_numpy()[stale])
    trains = (full and (retrain or stored is None)) or retraining
    model = None if full and trains else Model.from_params(stored.params)
    must, cannot = _decisions(rids)
    stage = functools.partial(_stage, run, progress=progress)
    run_drift: dict = {}
    review_share = None
    if retraining:
        stage("retrain")
        old_model = model
        model, everything, changed = _retrain(records, rids, previous, stored.params, old_model)
        # Residents holding a pair whose decision the new weights change are relinked like
        # dirty ones; every other resident keeps its records as they are.
        dirty = np.union1d(dirty, changed[changed > 0])
        review_share = drift.review_share(everything.total, model)
        run_drift = {
            "retrained": str(retrain_reason),
            "previous_model": stored.pk,
            "changed_pairs": int(everything.changed),
            "relinked_residents": int(len(np.unique(changed[changed > 0]))),
        }
    if full:
        result = link_frame(records, model=model, must=must, cannot=cannot, progress=stage)
        labels, forms = result.labels, result.forms
        pairs, per_rule, seconds = len(result.left), result.per_rule, result.seconds
        scored = Pairs(result.left, result.right, result.total, result.levels)
        n_links = int(result.links.sum())
        write_forms = forms
        model = result.model
        review_share = drift.review_share(result.total, model)
    else:
        # The records of dirty residents are linked again like new ones (their previous
        # resident ids still guide assign_ids), so incremental gives what a full run gives.
        known = previous > 0
        known_forms = _stored_forms(rids[known])
        # A record that left also changes how many records share its (name, birth date):
        # the residents holding that combination are re-linked as well.
        left_rids = links["rid"].to_numpy()[stale & ~is_current]
        if len(left_rids):
            gone = _stored_forms(left_rids)
            held = pd.MultiIndex.from_arrays([known_forms["rom"], known_forms["birth"]])
            hit = (
                held.isin(pd.MultiIndex.from_arrays([gone["rom"], gone["birth"]]))
                & (known_forms["rom"].to_numpy() != "")
                & (known_forms["birth"].to_numpy() > 0)
            )
            dirty = np.union1d(dirty, previous[known][hit])
        old = known & ~np.isin(previous, dirty)
        old_forms = known_forms[~np.isin(previous[known], dirty)].reset_index(drop=True)
        new_records = records[~old].reset_index(drop=True)
        order = np.r_[np.flatnonzero(old), np.flatnonzero(~old)]
        old_labels = pd.factorize(previous[old])[0].astype(np.int64)
        inv = np.empty_like(order)
        inv[order] = np.arange(len(order))
        stage("normalise")
        write_forms = new_forms = normalize(new_records)
        stage("link delta")
        lab, stats, delta, both = link_delta(
            records[old].reset_index(drop=True),
            old_forms,
            old_labels,
            new_records,
            model,
            new_forms=new_forms,
            must=(inv[must[0]], inv[must[1]]),
            cannot=(inv[cannot[0]], inv[cannot[1]]),
            measure=None
            if retraining
            else functools.partial(
                _drift, model=model, params=stored.params, records=len(records), stored=stored
            ),
        )
        labels = lab[inv]
        forms = both.iloc[inv].reset_index(drop=True)
        # Review pairs come back as positions into old + new; map them to record order.
        scored = Pairs(order[delta.left], order[delta.right], delta.total, delta.levels)
        pairs, per_rule, seconds, n_links = stats["delta_pairs"], {}, {}, 0
        if retraining:
            # The queue is rebuilt from every pair under the new weights, as a full run does.
            scored = Pairs(everything.left, everything.right, everything.total, everything.levels)
            run_drift["relinked_records"] = stats["relinked_records"]
        else:
            run_drift = stats["drift"]
    band = (scored.total >= model.review_threshold) & (scored.total < model.link_threshold)
    review = _review_pairs(
        Pairs(
            scored.left[band],
            scored.right[band],
            scored.total[band],
            scored.levels[band].reset_index(drop=True),
        ),
        model,
        forms,
        labels,
        rids,
    )
    stage("save")
    with transaction.atomic():
        if trains:
            LinkageModel.objects.filter(active=True).update(active=False)
            stored = LinkageModel.objects.create(
                params={
                    **model.params(),
                    "levels": drift.level_labels(),
                    "review_share": review_share,
                },
                link_threshold=model.link_threshold,
                review_threshold=model.review_threshold,
                trained_on=len(records),
                sources={
                    str(k): int(v) for k, v in records["source"].value_counts().sort_index().items()
                },
                reason=retrain_reason or LinkageModel.Reason.FULL,
                previous=stored,
            )
        _save_forms(write_forms, replace_all=full)
        # Votes from every current record, before residents are placed with them.
        stage("gazetteer votes")
        places.recompute_votes(records)
        # Sub-stages of the write, for the progress callback (the rows stay invisible to other
        # sessions until the transaction commits).
        stage("save residents")
        n_residents = _save_residents(
            records, forms, labels, previous, run, everything=full, dirty=dirty, progress=stage
        )
        # The links of retracted, superseded and revived records now agree with their status
        # (by the ids read above: a record an import changes meanwhile stays dirty).
        if not full:
            # New votes may place residents this run did not touch.
            places.place_residents(only_unplaced=True)
        for batch in id_batches(dirty_links):
            flagged = RecordLink.objects.filter(record_id__in=batch)
            flagged.filter(record__status="current").update(current=True)
            flagged.exclude(record__status="current").update(current=False)
        stage("save households")
        regroup_households()
        stage("save review items")
        n_review = _save_review_items(review, run, replace_all=full or retraining)
        stage("save (commit)")
        run.model, run.full, run.stage = stored, full, "done"
        run.status, run.finished_at = LinkageRun.Status.DONE, timezone.now()
        run.records, run.pairs, run.links, run.review_items = len(records), pairs, n_links, n_review
        run.residents, run.per_rule, run.seconds = n_residents, per_rule, seconds
        run.drift = run_drift
        run.save()


def _drift(
    levels: pd.DataFrame,
    total: np.ndarray,
    *,
    model: Model,
    params: dict,
    records: int,
    stored: LinkageModel,
) -> dict:
    return drift.measure(model, params, levels, total, records, stored.trained_on)


class _Scored(NamedTuple):
    left: np.ndarray
    right: np.ndarray
    total: np.ndarray
    levels: pd.DataFrame
    changed: int  # pairs whose link decision the new weights change


def _retrain(
    records: pd.DataFrame,
    rids: np.ndarray,
    previous: np.ndarray,
    params: dict,
    old: Model,
) -> tuple[Model, _Scored, np.ndarray]:
    """A new model trained on every current record; every candidate pair scored under it; and
    the previous resident of each record in a pair whose decision (link or not) changes.

    Forms of linked records are read back (RecordForm), not recomputed; records not linked yet
    are normalised. When the old model cannot score today's fields, every pair counts as
    changed: the retraining is then a relink of everything."""
    known = previous > 0
    order = np.r_[np.flatnonzero(known), np.flatnonzero(~known)]
    inv = np.empty_like(order)
    inv[order] = np.arange(len(order))
    parts = [_stored_forms(rids[known])]
    if (~known).any():
        parts.append(normalize(records[~known].reset_index(drop=True)))
    forms = concat_forms(parts).iloc[inv].reset_index(drop=True)
    # Prepared as link_delta prepares old + new (population counts, RRN digits, derived forms).
    forms = with_combo(forms, records["source"], registers(records))
    if "rrn_digits" in records:
        forms["rrn_digits"] = records["rrn_digits"].fillna(0).to_numpy(np.int64)
    forms = with_derived(forms)
    cands = blocking.block(forms)
    levels = compare(forms, cands.left, cands.right)
    new = train(forms, levels)
    # Thresholds are posterior probabilities someone chose: they carry over to the new version.
    new.link_threshold, new.review_threshold = old.link_threshold, old.review_threshold
    total = em.score(levels, new, forms, cands.left, cands.right)
    if drift.levels_changed(params):
        changed = np.ones(len(total), dtype=bool)
    else:
        before = em.score(levels, old, forms, cands.left, cands.right)
        # A shared full RRN links whatever the weights say: never a changed decision.
        changed = (before >= old.link_threshold) != (total >= new.link_threshold)
        changed &= levels["rrn"].to_numpy() != RRN_SAME
    residents = np.unique(np.r_[previous[cands.left[changed]], previous[cands.right[changed]]])
    scored = _Scored(cands.left, cands.right, total, levels, int(changed.sum()))
    return new, scored, residents


def _review_pairs(
    band: Pairs, model: Model, forms: pd.DataFrame, labels: np.ndarray, rids: np.ndarray
) -> list[dict]:
    """Review-band pairs whose records ended in different residents, one per pair of clusters,
    strongest first; pairs a person already decided are left out."""
    lab = labels
    apart = np.flatnonzero(lab[band.left] != lab[band.right])
    apart = apart[np.argsort(-band.total[apart], kind="stable")]
    la, lb = lab[band.left[apart]], lab[band.right[apart]]
    frame = pd.DataFrame(
        {
            "k": apart,
            "a": rids[band.left[apart]],
            "b": rids[band.right[apart]],
            "ca": np.minimum(la, lb),
            "cb": np.maximum(la, lb),
        }
    )
    frame = frame.drop_duplicates(["ca", "cb"])
    decided = read_frame(
        LinkDecision.objects.filter(active=True).values_list("record_a_id", "record_b_id"),
        ["a", "b"],
        dtype={"a": np.int64, "b": np.int64},
    )
    if len(decided):
        lo = np.minimum(decided["a"], decided["b"]).astype(np.int64)
        hi = np.maximum(decided["a"], decided["b"]).astype(np.int64)
        done = pd.MultiIndex.from_arrays([lo, hi])
        key = pd.MultiIndex.from_arrays(
            [np.minimum(frame["a"], frame["b"]), np.maximum(frame["a"], frame["b"])]
        )
        frame = frame[~key.isin(done)]
    k = frame["k"].to_numpy()
    levels = band.levels.iloc[k].reset_index(drop=True)
    # Every part of the total, the prior included, so that the screen can add them up to it.
    weights = em.explain(levels, model, forms, band.left[k], band.right[k]).astype(float)
    weights["prior"] = em.prior_bits(model)
    labels_ = {f: np.array([*FIELDS[f], "missing"], dtype=object) for f in FIELDS}
    # Per review item (a few thousand at most), not per record: dicts for the JSON columns.
    level_text = pd.DataFrame({f: labels_[f][levels[f].to_numpy()] for f in FIELDS})
    return [
        {"a": int(a), "b": int(b), "total": float(t), "weights": w, "levels": lv}
        for a, b, t, w, lv in zip(
            frame["a"],
            frame["b"],
            band.total[k],
            weights[[*FIELDS, "prior"]].round(4).to_dict("records"),
            level_text.to_dict("records"),
            strict=True,
        )
    ]


def _save_review_items(items: list[dict], run: LinkageRun, replace_all: bool) -> int:
    """Open the new items. A full run replaces every open item; an incremental run keeps the
    open items that still hold (both records current, in two residents) and adds only items for
    pairs of residents not already in the queue."""
    open_items = ReviewItem.objects.filter(status=ReviewItem.Status.OPEN)
    if replace_all:
        open_items.update(status=ReviewItem.Status.OBSOLETE)
        keep = []
    else:
        rows = read_frame(
            open_items.values_list(
                "pk",
                "record_a__status",
                "record_b__status",
                "record_a__link__resident_id",
                "record_b__link__resident_id",
            ),
            ["pk", "sa", "sb", "ra", "rb"],
            dtype={"pk": np.int64, "ra": np.int64, "rb": np.int64},
        )
        holds = (rows["sa"] == "current") & (rows["sb"] == "current") & (rows["ra"] != rows["rb"])
        gone = rows.loc[~holds, "pk"].tolist()
        for start in range(0, len(gone), BATCH):
            ReviewItem.objects.filter(pk__in=gone[start : start + BATCH]).update(
                status=ReviewItem.Status.OBSOLETE
            )
        keep = {frozenset(p) for p in rows.loc[holds, ["ra", "rb"]].to_numpy().tolist()}
    if keep and items:
        owner = dict(
            RecordLink.objects.filter(
                record_id__in=[r for i in items for r in (i["a"], i["b"])]
            ).values_list("record_id", "resident_id")
        )
        items = [i for i in items if frozenset((owner[i["a"]], owner[i["b"]])) not in keep]
    ReviewItem.objects.bulk_create(
        [
            ReviewItem(
                record_a_id=i["a"],
                record_b_id=i["b"],
                total=i["total"],
                weights=i["weights"],
                levels=i["levels"],
                run=run,
            )
            for i in items
        ],
        batch_size=BATCH,
    )
    return len(items)


def _allocate_resident_ids(k: int) -> np.ndarray:
    """``k`` new resident ids. On PostgreSQL from the table's own sequence, so a concurrent
    ``Resident.objects.create()`` (a split, a caseworker screen) never takes the same id."""
    if _on_postgres():
        with connection.cursor() as cur:
            cur.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [Resident._meta.db_table, k],
            )
            return np.array([r[0] for r in cur.fetchall()], dtype=np.int64)
    # SQLite: AUTOINCREMENT-less rowids continue from the largest id, so max + 1 is the
    # sequence; the write transaction holds SQLite's single writer lock.
    start = (Resident.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
    return np.arange(start, start + k, dtype=np.int64)


def _resident_frame(
    records: pd.DataFrame, forms: pd.DataFrame, resident: np.ndarray, now
) -> pd.DataFrame:
    """Resident rows (RESIDENT_COLUMNS) with golden fields from ``records`` and their ``forms``,
    ``resident`` giving each record's resident id: the rules of ``cluster.golden``."""
    gold = clustering.golden(records, forms, resident)
    b = gold["birth"].to_numpy()
    birth = pd.to_datetime(
        pd.DataFrame({"year": b // 10000, "month": b // 100 % 100, "day": b % 100}), errors="coerce"
    )
    address = gold["address"].astype(str).str.slice(0, 200)
    keys = address_keys(address)
    # The home centre: the resolved dong of the current address (docs/matching.md).
    dong, _how = places.home(
        keys["building_key"].to_numpy(), gold["own_dong"].to_numpy(), gold["other_dong"].to_numpy()
    )
    frame = pd.DataFrame(
        {
            "id": gold.index.to_numpy(np.int64),
            "name": gold["name"].astype(str).str.slice(0, 100).to_numpy(),
            "birth_date": birth.dt.date.astype(object).where(birth.notna(), None).to_numpy(),
            "sex": pd.Series(gold["sex"].to_numpy()).map({1: "M", 2: "F"}).fillna("").to_numpy(),
            "phone": gold["phone"].astype(str).str.slice(0, 20).to_numpy(),
            "rrn_enc": gold["rrn_enc"].to_numpy() if "rrn_enc" in gold else "",
            "rrn_index": gold["rrn_index"].to_numpy(),
            "rrn_masked": gold["rrn_masked"].to_numpy(),
            "address": address.to_numpy(),
            "building_key": keys["building_key"].to_numpy(),
            "unit_key": keys["unit_key"].to_numpy(),
            "dong_code": dong,
            "home_centre_id": places.centre_ids(dong),
            "name_key": pd.Series(text(name_forms(gold["name"]), "rom"))
            .str.slice(0, 100)
            .to_numpy(),
            "active": True,
            "created_at": now,
            "updated_at": now,
        }
    )
    return frame


def _save_residents(
    records: pd.DataFrame,
    forms: pd.DataFrame,
    labels: np.ndarray,
    previous: np.ndarray,
    run: LinkageRun,
    everything: bool,
    dirty: np.ndarray | None = None,
    progress: Callable[[str], None] | None = None,
) -> int:
    """Write residents and record links; only what changed unless ``everything``.

    A resident's golden fields depend only on its records (immutable versions), so an
    incremental run rewrites just the residents that gained or lost a record, and the ``dirty``
    ones (holding a record retracted or superseded since).
    """
    dirty = np.zeros(0, dtype=np.int64) if dirty is None else dirty
    ids = clustering.assign_ids(labels, previous, _allocate_resident_ids)
    moved = ids != previous
    if everything:
        scope = np.ones(len(ids), dtype=bool)
    else:
        touched = np.union1d(np.union1d(ids[moved], previous[moved & (previous > 0)]), dirty)
        scope = np.isin(ids, touched)
    idx = np.flatnonzero(scope)
    now = timezone.now()
    frame = _resident_frame(
        records.iloc[idx].reset_index(drop=True),
        forms.iloc[idx].reset_index(drop=True),
        ids[idx],
        now,
    )
    if progress:
        progress("save residents (upsert)")
    # created_at is only written for new residents: the upsert leaves it alone on a conflict.
    upsert(
        Resident._meta.db_table,
        frame[RESIDENT_COLUMNS],
        "id",
        update=[c for c in RESIDENT_COLUMNS if c not in ("id", "created_at")],
        unless_same=[c for c in RESIDENT_COLUMNS if c not in ("id", "created_at", "updated_at")],
    )
    link_frame_ = pd.DataFrame(
        {
            "record_id": records["rid"].to_numpy(np.int64)[moved],
            "resident_id": ids[moved],
            "run_id": run.pk,
            "linked_at": now,
            "current": True,
        }
    )
    if progress:
        progress("save links")
    upsert(RecordLink._meta.db_table, link_frame_, "record_id")
    if progress:
        progress("retire residents")
    # Residents left without a current record (merged away, all records retracted) go inactive.
    # NOT EXISTS, an anti-join: PostgreSQL cannot hash a NOT IN (subquery) over a million
    # links and ran it as a nested loop (11 minutes and counting at 1 M records).
    holds = RecordLink.objects.filter(resident=OuterRef("pk"), record__status="current")
    stale = Resident.objects.filter(active=True).exclude(Exists(holds))
    if everything:
        stale.update(active=False, updated_at=now)
    else:
        for batch in id_batches(
            np.setdiff1d(np.union1d(previous[moved & (previous > 0)], dirty), ids)
        ):
            stale.filter(pk__in=batch).update(active=False, updated_at=now)
    return int(len(np.unique(ids)))


def forms_name_key(name: str) -> str:
    return str(text(name_forms(pd.Series([name])), "rom")[0])[:100]


def refresh_golden(resident_ids) -> None:
    """Recompute the golden fields of these residents from their current records, by the rules
    linkage uses (``cluster.golden`` through ``_resident_frame``); after a manual merge, split
    or undo. A resident whose records name no known dong keeps its home centre (it must not
    fall out of every centre's scope); residents with no current record are left alone."""
    ids = sorted({int(i) for i in resident_ids})
    links = list(
        RecordLink.objects.filter(
            resident_id__in=ids,
            resident__active=True,
            record__status="current",
        ).values_list("record_id", "resident_id", "resident__home_centre_id")
    )
    if not links:
        return
    owner = {record: resident for record, resident, _c in links}
    held = {resident: centre for _r, resident, centre in links}
    records = records_from_db(sorted(owner))
    frame = _resident_frame(
        records, normalize(records), records["rid"].map(owner).to_numpy(np.int64), timezone.now()
    )
    frame["home_centre_id"] = pd.array(
        [
            held.get(int(r)) if pd.isna(c) else int(c)
            for r, c in zip(frame["id"], frame["home_centre_id"], strict=True)
        ],
        dtype="Int64",
    )
    upsert(
        Resident._meta.db_table,
        frame[RESIDENT_COLUMNS],
        "id",
        update=[c for c in RESIDENT_COLUMNS if c not in ("id", "created_at", "active")],
    )


class LinkConflict(ValueError):
    """Two full RRNs differ: no person may put these records in one resident."""


class ChangedMeanwhile(RuntimeError):
    """Someone changed these residents (or decided this item) first: nothing was done."""

    def __init__(self, why: str | None = None) -> None:
        super().__init__(
            why
            or _("someone changed these residents meanwhile: look at them again before you retry")
        )


def _hold_linkage() -> None:
    """The linkage lock in shared mode, until the transaction ends: no linkage starts while a
    person's change runs, and a change refuses to start while a linkage runs (it holds the lock
    exclusively, for minutes at a million records: a screen must not hang that long). People's
    changes do not wait for each other here. Taken first, before any row lock."""
    if _on_postgres():
        with connection.cursor() as cur:
            cur.execute("SELECT pg_try_advisory_xact_lock_shared(%s)", [LINKAGE_LOCK])
            if not cur.fetchone()[0]:
                raise ChangedMeanwhile(_("a linkage run is under way: try again in a few minutes"))


def _lock_residents(resident_ids, acting_user) -> dict[int, Resident]:
    """Lock these residents (SELECT … FOR UPDATE, in id order, so two changes touching the same
    residents never wait for each other crosswise) and check scope under the lock: every one
    must still exist and sit in a centre the acting user supervises."""
    from bigcare.access import centre_ids

    _hold_linkage()
    ids = sorted({int(i) for i in resident_ids})
    locked = {
        r.pk: r for r in Resident.objects.select_for_update().filter(pk__in=ids).order_by("pk")
    }
    supervised = centre_ids(acting_user, "supervise")
    if len(locked) != len(ids) or any(r.home_centre_id not in supervised for r in locked.values()):
        raise ChangedMeanwhile()
    return locked


def decide_review_item(item: ReviewItem, *, acting_user, same: bool) -> LinkDecision:
    """Record a person's decision on a review item and apply it at once (merge or split).

    Locks the item, then the two residents; an item decided meanwhile, or residents changed
    meanwhile, raise ChangedMeanwhile and nothing is written."""
    with transaction.atomic():
        _hold_linkage()
        item = ReviewItem.objects.select_for_update().get(pk=item.pk)
        if item.status != ReviewItem.Status.OPEN:
            raise ChangedMeanwhile(_("this item was decided meanwhile"))
        owner = dict(
            RecordLink.objects.filter(
                record_id__in=[item.record_a_id, item.record_b_id]
            ).values_list("record_id", "resident_id")
        )
        a, b = owner.get(item.record_a_id), owner.get(item.record_b_id)
        if a is None or b is None:
            raise ChangedMeanwhile()
        residents = _lock_residents([a, b], acting_user)
        decision = LinkDecision.objects.create(
            record_a_id=item.record_a_id,
            record_b_id=item.record_b_id,
            same=same,
            decided_by=acting_user,
        )
        item.status, item.decided_by, item.decided_at = (
            ReviewItem.Status.DECIDED,
            acting_user,
            timezone.now(),
        )
        item.decision = "same" if same else "different"
        item.save(update_fields=["status", "decided_by", "decided_at", "decision"])
        if same and a != b:
            merge_residents(residents[a], residents[b], acting_user=acting_user, decision=decision)
        elif not same and a == b:
            split_resident(
                residents[a], [item.record_b_id], acting_user=acting_user, decision=decision
            )
    return decision


def merge_residents(
    keep: Resident,
    other: Resident,
    *,
    acting_user,
    decision: LinkDecision | None = None,
    reason: str = "",
) -> ResidentChange:
    """Move every record of ``other`` to ``keep``; recorded and reversible.

    Both residents are locked and must still be active; what cases keeps on ``other`` (cases,
    visits, …) follows to ``keep`` (``signals.residents_merged``) and the change remembers it;
    ``keep``'s golden fields are recomputed. A bounded number of queries whatever the number of
    records (the screens assert it).
    """
    if keep.pk == other.pk:
        raise LinkConflict(_("a resident cannot be merged with itself"))
    with transaction.atomic():
        locked = _lock_residents([keep.pk, other.pk], acting_user)
        if not all(r.active for r in locked.values()):
            raise ChangedMeanwhile(_("one of the two residents was merged or retired meanwhile"))
        links = list(
            RecordLink.objects.filter(resident__in=[keep.pk, other.pk])
            .values_list("record_id", "resident_id", "record__rrn_index")
            .order_by("record_id")
        )
        if len({i for _, _, i in links if i}) > 1:
            raise LinkConflict(_("the two residents hold different resident registration numbers"))
        moved = [r for r, owner, _i in links if owner == other.pk]
        if not moved:
            # Nothing to move, and no record pair to keep as a decision for later runs.
            raise LinkConflict(_("the other resident holds no source records"))
        if decision is None:
            first_keep = next((r for r, owner, _i in links if owner == keep.pk), None)
            if first_keep is None:
                raise LinkConflict(_("the resident to keep holds no source records"))
            decision = LinkDecision.objects.create(
                record_a_id=first_keep,
                record_b_id=moved[0],
                same=True,
                decided_by=acting_user,
                reason=reason,
            )
        RecordLink.objects.filter(resident=other.pk).update(resident=keep.pk)
        Resident.objects.filter(pk=other.pk).update(active=False, updated_at=timezone.now())
        change = ResidentChange.objects.create(
            kind=ResidentChange.Kind.MERGE,
            user=acting_user,
            reason=reason,
            moves={str(r): [other.pk, keep.pk] for r in moved},
            carried=_carry(survivor=keep.pk, merged=other.pk),
        )
        change.decisions.add(decision)
        change.residents.add(keep.pk, other.pk)
        refresh_golden([keep.pk])
    return change


def _carry(survivor: int, merged: int) -> dict[str, list[int]]:
    """Ask the apps that keep things on residents to move them from ``merged`` to
    ``survivor``; what they moved, by model label."""
    carried: dict[str, list[int]] = {}
    for _receiver, moved in residents_merged.send(
        sender=Resident, survivor=survivor, merged=merged
    ):
        for label, ids in (moved or {}).items():
            carried.setdefault(label, []).extend(ids)
    return carried


def split_resident(
    resident: Resident,
    record_ids: list[int],
    *,
    acting_user,
    decision: LinkDecision | None = None,
    reason: str = "",
) -> ResidentChange:
    """Move ``record_ids`` out of ``resident`` into a new resident; recorded and reversible.

    Each moved record is declared different from each kept one, so later runs keep them apart.
    Under the lock the resident must still be active and hold every record named and more;
    golden fields of both residents are recomputed. Cases and visits stay with ``resident``.
    """
    with transaction.atomic():
        locked = _lock_residents([resident.pk], acting_user)[resident.pk]
        held = set(
            RecordLink.objects.filter(resident=resident.pk).values_list("record_id", flat=True)
        )
        chosen = {int(r) for r in record_ids}
        if not locked.active or not chosen or not chosen < held:
            raise ChangedMeanwhile()
        kept = sorted(held - chosen)
        new = Resident.objects.create(
            name=locked.name,
            birth_date=locked.birth_date,
            sex=locked.sex,
            home_centre_id=locked.home_centre_id,
            dong_code=locked.dong_code,
        )
        RecordLink.objects.filter(resident=resident.pk, record_id__in=chosen).update(resident=new)
        made = [
            LinkDecision(
                record_a_id=a, record_b_id=b, same=False, decided_by=acting_user, reason=reason
            )
            for a in kept
            for b in sorted(chosen)
            if decision is None or {a, b} != {decision.record_a_id, decision.record_b_id}
        ]
        made = LinkDecision.objects.bulk_create(made)
        change = ResidentChange.objects.create(
            kind=ResidentChange.Kind.SPLIT,
            user=acting_user,
            reason=reason,
            moves={str(r): [resident.pk, new.pk] for r in sorted(chosen)},
        )
        change.decisions.add(*made, *([decision] if decision else []))
        change.residents.add(resident.pk, new.pk)
        refresh_golden([resident.pk, new.pk])
    return change


def undo_change(change: ResidentChange, *, acting_user) -> ResidentChange:
    """Reverse a merge or split: records go back, its decisions stop binding later runs, and
    what a merge carried (cases, visits, …) goes back with them.

    Locks the change, then every resident it touched; a change already undone, or whose records
    have moved on since, raises ChangedMeanwhile. One UPDATE per resident the records return to
    (one or two), not one per record.
    """
    with transaction.atomic():
        _hold_linkage()
        change = ResidentChange.objects.select_for_update().get(pk=change.pk)
        if change.undone or change.kind == ResidentChange.Kind.UNDO:
            raise ChangedMeanwhile(_("this change was already undone"))
        back: dict[int, list[int]] = {}
        touched: set[int] = set()
        for record, (before, after) in change.moves.items():
            back.setdefault(before, []).append(int(record))
            touched |= {before, after}
        # The residents a change touched are those of its moves (a change without moves
        # names them only in ``residents``).
        touched = touched or set(change.residents.values_list("pk", flat=True))
        _lock_residents(touched, acting_user)
        now_at = dict(
            RecordLink.objects.filter(record_id__in=[int(r) for r in change.moves]).values_list(
                "record_id", "resident_id"
            )
        )
        if any(now_at.get(int(r)) != after for r, (_b, after) in change.moves.items()):
            raise ChangedMeanwhile(_("these records have moved since this change"))
        for before, records in back.items():
            RecordLink.objects.filter(record_id__in=records).update(resident_id=before)
        Resident.objects.filter(pk__in=list(back)).update(active=True, updated_at=timezone.now())
        afters = {a for _b, a in change.moves.values()} - set(back)
        if change.kind == ResidentChange.Kind.MERGE and len(back) == 1 and len(afters) == 1:
            merge_undone.send(
                sender=Resident,
                carried=change.carried,
                back_to=next(iter(back)),
                survivor=next(iter(afters)),
            )
        # A resident the change created or filled and that the undo leaves empty goes inactive;
        # what was recorded on it meanwhile (a case opened after a split) goes with its records.
        # (A merge's survivor keeps its own records: only a split's new resident can empty.)
        emptied = (
            set(
                Resident.objects.filter(pk__in=afters)
                .exclude(
                    pk__in=RecordLink.objects.filter(resident_id__in=afters).values("resident_id")
                )
                .values_list("pk", flat=True)
            )
            if change.kind == ResidentChange.Kind.SPLIT
            else set()
        )
        carried: dict[str, list[int]] = {}
        if emptied:
            Resident.objects.filter(pk__in=emptied).update(active=False, updated_at=timezone.now())
            if len(back) == 1:
                for gone in sorted(emptied):
                    for label, ids in _carry(survivor=next(iter(back)), merged=gone).items():
                        carried.setdefault(label, []).extend(ids)
        change.decisions.update(active=False)
        change.undone = True
        change.save(update_fields=["undone"])
        undo = ResidentChange.objects.create(
            kind=ResidentChange.Kind.UNDO,
            user=acting_user,
            reason=f"undo #{change.pk}",
            moves={r: [a, b] for r, (b, a) in change.moves.items()},
            carried=carried,
        )
        undo.residents.add(*touched)
        refresh_golden(touched - emptied)
        return undo
