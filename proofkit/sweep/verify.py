"""``proofkit verify DIR --workers N``: the files of a folder re-checked on Dask workers, the report merged here.

This process lists and reads the folder's files (:func:`proofkit.sweep.store.files_to_verify`) and sends their
text to the workers in batches, so the workers need not see the folder. A worker re-checks each file on its own
with :func:`proofkit.sweep.store.check_file_text`, the function :func:`~proofkit.sweep.store.verify_path` runs in
one process (the kernel's re-checks, the binding of a record to its task line by
:mod:`proofkit.sweep.binding`, a claim graph by :mod:`proofkit.claims.verify`). The checks are merged in the
order of the files by :func:`~proofkit.sweep.store.merge_checks`, which also runs here the checks that span
files (``summary.json`` against the records, a report folder's certificate files against its claim graph).
So the report -- counts, problems in their order, notes -- and the exit status of ``proofkit verify`` are the
ones the single process gives.

**What is trusted.** Re-checking on workers means trusting them to run the kernel. A local cluster
(``--workers N``) runs this process's proofkit. On a running cluster (``--scheduler``), every batch's answer
carries the fingerprint of the proofkit code that computed it (:func:`code_fingerprint`, a SHA-256 of its
Python source files); an answer from other code is refused (:class:`WorkersDiffer`). A worker controlled by
someone else can still lie: verify on a cluster you control, or in one process.

Examples
--------
>>> rep = verify_on_dask("proofkit-sweep", workers=2)          # doctest: +SKIP
>>> rep.ok, rep.accepted, rep.certificates                      # doctest: +SKIP
(True, 78, 78)
"""

from __future__ import annotations

import functools
import hashlib
import os
import socket
import threading
import uuid
from collections.abc import Callable
from typing import Any

from proofkit.errors import ProofkitError
from proofkit.sweep.store import (
    FileCheck,
    VerifyReport,
    check_file_text,
    files_to_verify,
    merge_checks,
    read_for_check,
    relative_name,
    unreadable,
)

__all__ = ["verify_on_dask", "verify_batch", "plan_batches", "code_fingerprint", "WorkersDiffer",
           "VerificationIncomplete", "BATCHES_PER_THREAD", "FILE_COST"]

#: The smallest batch is about 1 / (threads * BATCHES_PER_THREAD) of the folder's estimated cost.
BATCHES_PER_THREAD = 16
#: Estimated cost of a file: its size in bytes plus this (decoding, the task's inputs rebuilt for its binding).
FILE_COST = 8192
_KEY_PREFIX = "proofkit-verify-"
#: A worker runs one batch at a time, whatever its threads (flint's and mpmath's precisions are process-wide).
_LOCK = threading.Lock()


class WorkersDiffer(ProofkitError, RuntimeError):
    """A worker runs other proofkit code than this process: its re-checks are not this kernel's."""


class VerificationIncomplete(ProofkitError, RuntimeError):
    """Some files could not be re-checked (workers died repeatedly, the scheduler was lost): no verdict."""


@functools.lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """A SHA-256 of proofkit's version and Python source files (names relative to the package, and contents).

    Two processes with the same fingerprint run the same kernel and binding code.

    Examples
    --------
    >>> len(code_fingerprint())
    64
    """
    import proofkit

    root = os.path.dirname(os.path.abspath(proofkit.__file__))
    h = hashlib.sha256(proofkit.__version__.encode())
    names = sorted(os.path.relpath(os.path.join(d, f), root) for d, _, fs in os.walk(root) for f in fs
                   if f.endswith(".py"))
    for name in names:
        with open(os.path.join(root, name), "rb") as fh:
            data = fh.read()
        h.update(f"\0{name}\0{len(data)}\0".encode())
        h.update(data)
    return h.hexdigest()


def verify_batch(items: list[tuple[int, str, str]]) -> dict[str, Any]:
    """Worker side: re-check files given as ``(index, name relative to the folder, text)``.

    Returns ``{"checks": [(index, FileCheck), ...], "fingerprint": ..., "version": ..., "pid": ..., "host": ...,
    "worker": address}``.
    """
    from proofkit import __version__
    from proofkit.sweep.execute import reset_precision

    with _LOCK:
        checks = []
        for index, rel, text in items:
            reset_precision()
            checks.append((index, check_file_text(rel, text)))
    where: dict[str, Any] = {"pid": os.getpid(), "host": socket.gethostname()}
    try:
        from distributed import get_worker

        where["worker"] = get_worker().address
    except (ImportError, ValueError):
        pass
    return {"checks": checks, "fingerprint": code_fingerprint(), "version": __version__, **where}


def plan_batches(sizes: list[int], threads: int, per_thread: int = BATCHES_PER_THREAD) -> list[list[int]]:
    """Group file indices into batches, costliest files first, batches shrinking towards the end.

    A file's estimated cost is its size plus :data:`FILE_COST`. Each batch takes about 1 / (4 ``threads``) of the
    cost not yet planned, and at least 1 / (``threads`` ``per_thread``) of the whole (guided self-scheduling):
    the first batches are large (few round trips to the workers), the last ones small, so that the workers
    finish at about the same time although the estimate is rough. A file costlier than a batch is one alone.

    Examples
    --------
    >>> plan_batches([100_000, 10, 10, 10], threads=1, per_thread=2)
    [[0], [1, 2, 3]]
    """
    cost = [max(0, s) + FILE_COST for s in sizes]
    order = sorted(range(len(sizes)), key=lambda i: (-cost[i], i))
    remaining = sum(cost)
    floor = remaining / max(1, threads * per_thread)
    batches: list[list[int]] = []
    current: list[int] = []
    filled = 0
    target = max(floor, remaining / (4 * max(1, threads)))
    for i in order:
        current.append(i)
        filled += cost[i]
        if filled >= target:
            batches.append(sorted(current))
            remaining -= filled
            current, filled = [], 0
            target = max(floor, remaining / (4 * max(1, threads)))
    if current:
        batches.append(sorted(current))
    return batches


def _size(file: str) -> int:
    try:
        return os.path.getsize(file)
    except OSError:
        return 0


def verify_on_dask(path: str | os.PathLike[str], scheduler: Any = None, workers: int | None = None, *,
                   on_batch: Callable[[list[str], dict[str, Any]], None] | None = None,
                   log: str | None = None) -> VerifyReport:
    """:func:`proofkit.sweep.store.verify_path` with the files re-checked on Dask workers.

    Parameters
    ----------
    path : path
        A folder (sweep results, report folder, certificates), or one file.
    scheduler : str or distributed.Client, optional
        A running scheduler's address (``tcp://host:8786``) or a client. Default: a local cluster of
        ``workers`` processes (:class:`~proofkit.sweep.cluster.LocalProcessCluster`), started and stopped here.
    workers : int, optional
        Local worker processes (default: the number of CPUs, at most one per batch); with ``scheduler``, wait
        until the cluster has this many workers.
    on_batch : callable, optional
        Called as ``on_batch(names, where)`` when a batch's checks arrive: the files' names relative to
        ``path`` and where they ran (``worker``, ``pid``, ``host``).
    log : path, optional
        Log file of the local cluster.

    Returns
    -------
    VerifyReport
        The report :func:`~proofkit.sweep.store.verify_path` gives for ``path``.

    Raises
    ------
    WorkersDiffer
        A worker runs other proofkit code than this process (:func:`code_fingerprint`).
    VerificationIncomplete
        A batch was lost (its workers died ``distributed.scheduler.allowed-failures`` + 1 times, or the
        scheduler went away): no report is given.
    SchedulerUnavailable, ClusterStartFailed
        No cluster to run on.

    Guarantee
    ---------
    The report is the one :func:`~proofkit.sweep.store.verify_path` gives: every file is re-checked by the same
    function (on a worker running this process's proofkit code), the checks are merged in file order by the same
    function, and a file whose check is lost makes the call raise instead of reporting.
    """
    from concurrent.futures import CancelledError

    from distributed import KilledWorker, as_completed

    from proofkit.progress import bar
    from proofkit.sweep.cluster import connect, total_threads

    files = files_to_verify(path)
    rels = [relative_name(path, f) for f in files]
    checks: list[FileCheck | None] = [None] * len(files)
    if not files:
        return merge_checks([], [])
    sizes = [_size(f) for f in files]
    run = uuid.uuid4().hex[:12]
    mine = code_fingerprint()
    futures: dict[Any, list[int]] = {}
    client = cluster = None
    progress = bar(len(files), "verifying certificates", unit="file")  # proofkit.progress: on a terminal only
    try:
        client, cluster = connect(scheduler, workers, min(os.cpu_count() or 1, len(files)), log)
        batches = iter(plan_batches(sizes, max(total_threads(client), workers or 0)))
        window = as_completed()

        def submit_next() -> bool:
            """Read the next batch's files and submit it; False when there is no batch left."""
            for batch in batches:
                items = []
                for i in batch:
                    try:
                        items.append((i, rels[i], read_for_check(files[i])))
                    except (OSError, ValueError) as exc:
                        checks[i] = unreadable(rels[i], exc)
                        progress.update(1)
                if items:
                    fut = client.submit(verify_batch, items, key=f"{_KEY_PREFIX}{run}-{items[0][0]}", pure=False)
                    futures[fut] = [i for i, _, _ in items]
                    window.add(fut)
                    return True
            return False

        def fill() -> None:
            """Keep two batches per worker thread in flight (the cluster may grow): the other texts wait here."""
            while len(futures) < 2 * total_threads(client) and submit_next():
                pass

        fill()
        for fut in window:
            try:
                answer = fut.result()
            except (KilledWorker, CancelledError, TimeoutError, OSError) as exc:
                names = [rels[i] for i in futures[fut]]
                shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
                raise VerificationIncomplete(f"{len(names)} files could not be re-checked on the Dask cluster "
                                             f"({type(exc).__name__}: {exc}): {shown}; nothing is reported") from None
            if answer["fingerprint"] != mine:
                raise WorkersDiffer(f"the Dask worker {answer.get('worker', answer['host'])} runs proofkit "
                                    f"{answer['version']} with other code than this process (proofkit "
                                    f"{_version()}): install the same proofkit on the workers")
            for i, check in answer["checks"]:
                checks[i] = check
            progress.update(len(answer["checks"]))
            fut.release()
            if on_batch is not None:
                on_batch([rels[i] for i in futures[fut]], {k: v for k, v in answer.items() if k != "checks"})
            del futures[fut]
            fill()
    finally:
        progress.close()
        for fut in futures:
            fut.cancel()
        if cluster is not None:
            cluster.close()
        elif client is not None and client is not scheduler:
            client.close()
    missing = [rels[i] for i, c in enumerate(checks) if c is None]
    if missing:  # cannot happen unless Dask lost a future silently: never report on fewer files
        raise VerificationIncomplete(f"{len(missing)} files were not re-checked: {', '.join(missing[:5])}")
    return merge_checks(files, checks)  # type: ignore[arg-type]


def _version() -> str:
    from proofkit import __version__

    return __version__
