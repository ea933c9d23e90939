"""Writes of matching: linkage runs, review decisions, merges and splits (each records itself).

The load/save boundary of the column core: frames in with ``values_list``, bulk writes out.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from bigcare.models import CommunityCentre
from matching import cluster as clustering
from matching.compare import FIELDS
from matching.em import Model
from matching.frames import records_from_db
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
from matching.normalize import normalize
from matching.pipeline import link_frame

BATCH = 5000


def _stored_forms(rids: np.ndarray) -> pd.DataFrame:
    rows = RecordForm.objects.filter(record_id__in=rids.tolist()).values_list(
        "record_id", *RecordForm.FORM_FIELDS)
    forms = pd.DataFrame.from_records(list(rows), columns=["rid", *RecordForm.FORM_FIELDS])
    forms = forms.set_index("rid").reindex(rids).reset_index()
    b = forms["birth"].fillna(0).astype(np.int32).to_numpy()
    forms["birth"] = b
    forms["by"], forms["bm"], forms["bd"] = (b // 10000).astype(np.int16), (
        b // 100 % 100).astype(np.int8), (b % 100).astype(np.int8)
    forms["sex"] = forms["sex"].astype(np.int8)
    forms["is_hangul"] = forms["is_hangul"].astype(bool)
    return forms


def _save_forms(forms: pd.DataFrame) -> None:
    cols = RecordForm.FORM_FIELDS
    objs = [RecordForm(record_id=int(r[0]), **dict(zip(cols, r[1:], strict=True)))
            for r in forms[["rid", *cols]].itertuples(index=False, name=None)]
    RecordForm.objects.filter(record_id__in=forms["rid"].tolist()).delete()
    RecordForm.objects.bulk_create(objs, batch_size=BATCH)


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
    incrementally with the current model."""
    stored = LinkageModel.current()
    if not full and stored is None:
        full = True
    run = LinkageRun.objects.create(full=full, model=stored)
    records = records_from_db()
    if records.empty:
        # Nothing imported yet: a finished run that found nothing, not an error.
        run.status, run.finished_at = LinkageRun.Status.DONE, timezone.now()
        run.save(update_fields=["status", "finished_at"])
        return run
    rids = records["rid"].to_numpy(np.int64)
    links = dict(RecordLink.objects.values_list("record_id", "resident_id"))
    previous = np.array([links.get(int(r), 0) for r in rids], dtype=np.int64)
    model = Model.from_params(stored.params) if stored and not (full and retrain) else None
    must, cannot = _decisions(rids)
    if full:
        result = link_frame(records, model=model, must=must, cannot=cannot, progress=progress)
        labels, forms = result.labels, result.forms
        _save_forms(forms)
        if model is None:
            model = result.model
            LinkageModel.objects.filter(active=True).update(active=False)
            stored = LinkageModel.objects.create(
                params=model.params(), link_threshold=model.link_threshold,
                review_threshold=model.review_threshold, trained_on=len(records))
        run.model = stored
        pairs, per_rule, seconds = len(result.left), result.per_rule, result.seconds
        review = _review_pairs(result, rids)
        n_links = int(result.links.sum())
    else:
        old = previous > 0
        old_forms = _stored_forms(rids[old])
        new_records = records[~old].reset_index(drop=True)
        order = np.r_[np.flatnonzero(old), np.flatnonzero(~old)]
        old_labels = pd.factorize(previous[old])[0].astype(np.int64)
        inv = np.empty_like(order)
        inv[order] = np.arange(len(order))
        new_forms = normalize(new_records)
        _save_forms(new_forms)
        lab, stats = link_delta(records[old].reset_index(drop=True), old_forms, old_labels,
                                new_records, model, new_forms=new_forms,
                                must=(inv[must[0]], inv[must[1]]),
                                cannot=(inv[cannot[0]], inv[cannot[1]]))
        labels = lab[inv]
        forms = pd.concat([old_forms, new_forms], ignore_index=True).iloc[inv].reset_index(
            drop=True)
        pairs, per_rule, seconds, review, n_links = stats["delta_pairs"], {}, {}, [], 0
    n_residents = _save_residents(records, forms, labels, previous, run)
    n_review = _save_review_items(review, run) if full else 0
    run.status, run.finished_at = LinkageRun.Status.DONE, timezone.now()
    run.records, run.pairs, run.links, run.review_items = len(records), pairs, n_links, n_review
    run.residents, run.per_rule, run.seconds = n_residents, per_rule, seconds
    run.save()
    return run


def _review_pairs(result, rids: np.ndarray) -> list[dict]:
    """Review-band pairs whose records ended in different residents, one per pair of clusters."""
    lab = result.labels
    band = np.flatnonzero(result.reviews & (lab[result.left] != lab[result.right]))
    decided = {tuple(sorted(p)) for p in LinkDecision.objects.filter(active=True).values_list(
        "record_a_id", "record_b_id")}
    seen, out = set(), []
    labels_of = FIELDS
    for k in band[np.argsort(-result.total[band])]:
        a, b = int(rids[result.left[k]]), int(rids[result.right[k]])
        key = tuple(sorted((int(lab[result.left[k]]), int(lab[result.right[k]]))))
        if key in seen or tuple(sorted((a, b))) in decided:
            continue
        seen.add(key)
        lv = result.levels.iloc[k]
        out.append({
            "a": a, "b": b, "total": float(result.total[k]),
            "weights": {f: round(float(result.weights[f].iloc[k]), 2) for f in FIELDS},
            "levels": {f: (labels_of[f][int(lv[f])] if lv[f] >= 0 else "missing")
                       for f in FIELDS},
        })
    return out


def _save_review_items(items: list[dict], run: LinkageRun) -> int:
    ReviewItem.objects.filter(status=ReviewItem.Status.OPEN).update(
        status=ReviewItem.Status.OBSOLETE)
    ReviewItem.objects.bulk_create([
        ReviewItem(record_a_id=i["a"], record_b_id=i["b"], total=i["total"],
                   weights=i["weights"], levels=i["levels"], run=run) for i in items
    ], batch_size=BATCH)
    return len(items)


def _save_residents(records: pd.DataFrame, forms: pd.DataFrame, labels: np.ndarray,
                    previous: np.ndarray, run: LinkageRun) -> int:
    next_id = (Resident.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
    ids = clustering.assign_ids(labels, previous, next_id)
    gold = clustering.golden(records, forms, ids)
    centres = dict(CommunityCentre.objects.values_list("code", "pk"))
    existing = set(Resident.objects.filter(pk__in=gold.index.tolist()).values_list("pk",
                                                                                   flat=True))
    now = timezone.now()
    objs = []
    for rid, g in gold.iterrows():
        b = int(g["birth"])
        objs.append(Resident(
            pk=int(rid), name=g["name"], sex={1: "M", 2: "F"}.get(int(g["sex"]), ""),
            birth_date=(pd.Timestamp(year=b // 10000, month=b // 100 % 100, day=b % 100).date()
                        if b else None),
            phone=g["phone"], rrn_index=g["rrn_index"], rrn_masked=g["rrn_masked"],
            address=g["address"][:200], dong_code=g["dong"], home_centre_id=centres.get(g["dong"]),
            name_key=forms_name_key(g["name"]), active=True, updated_at=now))
    fields = ["name", "sex", "birth_date", "phone", "rrn_index", "rrn_masked", "address",
              "dong_code", "home_centre", "name_key", "active", "updated_at"]
    with transaction.atomic():
        Resident.objects.bulk_create([o for o in objs if o.pk not in existing], batch_size=BATCH)
        Resident.objects.bulk_update([o for o in objs if o.pk in existing], fields,
                                     batch_size=BATCH)
        Resident.objects.exclude(pk__in=gold.index.tolist()).filter(
            links__isnull=True).update(active=False)
        rid_list = records["rid"].tolist()
        RecordLink.objects.filter(record_id__in=rid_list).delete()
        RecordLink.objects.bulk_create([
            RecordLink(record_id=int(r), resident_id=int(p), run=run, linked_at=now)
            for r, p in zip(rid_list, ids, strict=True)], batch_size=BATCH)
        Resident.objects.filter(links__isnull=True, active=True).update(active=False)
    return len(gold)


def forms_name_key(name: str) -> str:
    from matching.normalize import name_forms

    return str(name_forms(pd.Series([name]))["rom"].iloc[0])[:100]


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
