"""A part of a file on its way to the tables: validated, hashed, diffed and encrypted.

Staging is column work that needs nothing of the import's transaction, so it runs beside the
load: in worker processes (``INTAKE_WORKERS``, one per core by default), or in one thread of
the importing process. Processes are what let a million-row import use both cores: in one
process the validating thread and the COPY thread took turns on one interpreter lock, and the
client's ~14 CPU-seconds were the import's critical path. On PostgreSQL a part leaves staging
as binary COPY data, so the importer's thread only streams bytes to the server.

Workers start from a fork server that has imported the pipeline once; they get everything
they need as arguments (the mapping, the code lists, the current versions' hashes, the keys
of the RRN's ciphertext and blind index, where to draw record ids), never from settings. A
script that imports must guard its top level with ``if __name__ == "__main__"``, as for any
multiprocessing: each worker imports the main module.
"""

from __future__ import annotations

import itertools
import multiprocessing
import multiprocessing.forkserver
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from bigcare.crypto import blind_index_many, encrypt_many
from bigcare.pgbinary import Layout
from intake import normalize as nz
from intake import pipeline
from intake.mapping import Mapping
from intake.readers import Chunk

_KEY_SETTINGS = ("BIGCARE_FIELD_KEYS", "BIGCARE_FIELD_KEY_ID", "BIGCARE_INDEX_KEY")


@dataclass
class Staged:
    """A part's new versions, diffed and encrypted, ready to write.

    On PostgreSQL they leave staging as COPY data (``copies``: records, then items) with
    their ids (``ids``), so the importer's thread only streams bytes to the server; elsewhere
    as the frame ``new``. ``prepared.records`` is emptied: nothing downstream reads it.
    """

    prepared: pipeline.Prepared
    new: pd.DataFrame | None
    seconds: dict[str, float]
    records_added: int = 0
    # The ids of the current versions that the new ones replace (marked superseded at the end).
    superseded: np.ndarray = field(default_factory=lambda: np.array([], dtype=np.int64))
    copies: list[tuple[Layout, list[bytes]]] | None = None
    ids: np.ndarray | None = None
    # Every key the part holds (changed or not, and its rejected rows'): what a full extract
    # lists, so that the keys absent from it can be retired.
    keys: np.ndarray = field(default_factory=lambda: np.array([], dtype=object))


@dataclass
class CopyTarget:
    """PostgreSQL: where a part's rows go, and how they are written there."""

    database: dict[str, Any]  # psycopg2.connect arguments: record ids come from the sequence
    sequence: str  # the records' id sequence
    records: Layout
    items: Layout | None
    constants: dict[str, Any]  # the run's columns: source_id, run_id, status, created_at


@dataclass
class Context:
    """What staging a part needs besides the part."""

    mapping: Mapping
    ref: pipeline.Reference
    existing: pd.DataFrame  # intake.load.existing_versions, read under the source's lock
    copy: CopyTarget | None = None
    _connection: Any = field(default=None, repr=False, compare=False)

    def reserve_ids(self, count: int) -> np.ndarray:
        """``count`` ids from the records' sequence, on a connection of the stager's own:
        ``nextval`` is outside every transaction, so the importer's need not be shared (a
        rolled-back import leaves a gap in the ids, as any rolled-back insert does)."""
        if count == 0:
            return np.array([], dtype=np.int64)
        if self._connection is None:
            import psycopg2

            self._connection = psycopg2.connect(**self.copy.database)
            self._connection.autocommit = True
        with self._connection.cursor() as cursor:
            # One text for all of them: a row per id costs more.
            cursor.execute(
                "SELECT string_agg(nextval(%s)::text, ',') FROM generate_series(1, %s)",
                [self.copy.sequence, count],
            )
            text = cursor.fetchone()[0]
        return np.array(text.split(","), dtype=np.int64)

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def stage(prepared: pipeline.Prepared, context: Context) -> Staged:
    """Hash, diff against the current versions and encrypt the RRNs: column work.

    With a CopyTarget (PostgreSQL) the new versions are also given ids and encoded as COPY
    data with their items."""
    seconds: dict[str, float] = {}
    t0 = time.perf_counter()
    records = prepared.records
    digits = records["rrn_digits"].to_numpy(dtype=object)
    present = digits != ""
    index = np.full(len(records), "", dtype=object)
    index[present] = blind_index_many([str(d) for d in digits[present]])
    records["rrn_index"] = index
    records["content_hash"] = pipeline.content_hashes(
        records, prepared.items, pipeline.ITEM_COLUMNS[prepared.item_kind]
    )
    seconds["hash"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    merged = records.merge(context.existing, on="source_key", how="left")
    changed = merged["current_hash"].isna() | (merged["current_hash"] != merged["content_hash"])
    new = merged.loc[changed].copy()
    new["version"] = new["max_version"].fillna(0).astype("int64") + 1
    superseded = new["current_id"].dropna().to_numpy(dtype=np.int64)
    seconds["diff"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    digits = new["rrn_digits"].to_numpy(dtype=object)
    present = digits != ""
    enc = np.full(len(new), "", dtype=object)
    enc[present] = encrypt_many([str(d) for d in digits[present]])
    new["rrn_enc"] = enc
    # The clear digits go no further than this frame: they are not written anywhere.
    new = new.drop(columns=["rrn_digits"])
    del digits
    seconds["encrypt"] = time.perf_counter() - t0
    prepared.records = records.iloc[:0]
    keys = np.union1d(
        records["source_key"].to_numpy(dtype=object),
        prepared.rejects["source_key"].to_numpy(dtype=object),
    )
    if context.copy is None:
        return Staged(prepared, new, seconds, len(new), superseded, keys=keys)
    staged = _encoded(prepared, new, context, seconds, superseded)
    staged.keys = keys
    return staged


def _encoded(
    prepared: pipeline.Prepared,
    new: pd.DataFrame,
    context: Context,
    seconds: dict[str, float],
    superseded: np.ndarray,
) -> Staged:
    target = context.copy
    t0 = time.perf_counter()
    ids = context.reserve_ids(len(new))
    new = new.assign(**target.constants, id=ids)
    copies = [(target.records, target.records.encode(new))]
    seconds["encode records"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    items = prepared.items
    if target.items is not None and len(items):
        found = pc.index_in(
            nz.arrow_text(items["source_key"]), value_set=nz.arrow_text(new["source_key"])
        )
        # Items of a person whose version is unchanged already hang off that version.
        keep = pc.is_valid(found).to_numpy(zero_copy_only=False)
        record_id = ids[found.filter(pc.is_valid(found)).to_numpy()]
        items = items.loc[keep].assign(record_id=record_id)
        copies.append((target.items, target.items.encode(items)))
    prepared.items = prepared.items.iloc[:0]
    seconds["encode items"] = time.perf_counter() - t0
    return Staged(prepared, None, seconds, len(new), superseded, copies, ids)


def stage_part(part: Chunk, context: Context | None = None) -> Staged:
    """One part from its rows to its staged versions (``context`` None: the worker's own)."""
    context = context or _WORKER_CONTEXT
    cpu = time.process_time()
    prepared = pipeline.prepare_part(part, context.mapping, context.ref)
    staged = stage(prepared, context)
    if context is _WORKER_CONTEXT:  # a process of its own: its CPU is not the importer's
        prepared.seconds["cpu (workers)"] = time.process_time() - cpu
    return staged


_WORKER_CONTEXT: Any = None


def _start_worker(context: Context, keys: dict[str, Any]) -> None:
    global _WORKER_CONTEXT
    from django.conf import settings

    # Only the keys: a worker never loads the project's settings (nor opens a database).
    if not settings.configured:
        settings.configure(**keys)
    _WORKER_CONTEXT = context


_fork_server_lock = threading.Lock()


def _process_context() -> multiprocessing.context.BaseContext:
    """A fork server that has imported the pipeline once: workers start from it in
    milliseconds. Not plain fork: a child of an importer in mid-transaction would inherit its
    database connection and could close it on exit."""
    context = multiprocessing.get_context("forkserver")
    with _fork_server_lock:
        context.set_forkserver_preload(["intake.staging"])
    return context


def start_fork_server(workers: int) -> None:
    """Start the fork server now (once per process), so that its imports overlap the reading
    of the file instead of delaying the first part."""
    if workers > 0:
        _process_context()
        multiprocessing.forkserver.ensure_running()


def executor(context: Context, workers: int) -> Executor:
    """Where parts are staged: ``workers`` processes, or one thread when ``workers`` is 0."""
    if workers <= 0:
        return ThreadPoolExecutor(1, thread_name_prefix="intake-stage")
    from django.conf import settings

    keys = {name: getattr(settings, name) for name in _KEY_SETTINGS}
    return ProcessPoolExecutor(
        workers, mp_context=_process_context(), initializer=_start_worker, initargs=(context, keys)
    )


def staged_parts(parts: Iterable[Chunk], context: Context, workers: int) -> Iterator[Staged]:
    """The parts staged, in file order, at most ``workers + 1`` ahead of the one handed out.

    The parts themselves are cut in the calling thread (between its COPYs). A file of one part
    (a small upload) is staged right here: nothing would overlap it. A failure in a worker is
    raised here; leaving early (the load failed) cancels what has not started.
    """
    source = iter(parts)
    first, second = next(source, None), next(source, None)
    try:
        if second is None:
            if first is not None:
                yield stage_part(first, context)
            return
        yield from _pooled(itertools.chain([first, second], source), context, workers)
    finally:
        context.close()  # a worker process's own closes as the process ends


def _pooled(parts: Iterator[Chunk], context: Context, workers: int) -> Iterator[Staged]:
    pool = executor(context, workers)
    remote = workers > 0
    ahead = max(1, workers) + 1
    pending: deque[Future[Staged]] = deque()
    try:
        while True:
            while len(pending) < ahead:
                part = next(parts, None)
                if part is None:
                    break
                pending.append(pool.submit(stage_part, part, None if remote else context))
            if not pending:
                return
            yield pending.popleft().result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
