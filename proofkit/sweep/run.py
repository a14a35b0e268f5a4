"""Run a sweep on Dask: a local cluster of worker processes by default, or an existing one by address."""

from __future__ import annotations

import json
import os
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from proofkit.errors import InvalidInput
from proofkit.progress import bar as progress_bar
from proofkit.results import ResultDisplay
from proofkit.sweep.cluster import SchedulerUnavailable, connect
from proofkit.sweep.store import ResultStore
from proofkit.sweep.summary import summarize, write_summary
from proofkit.sweep.tasks import MalformedTask, Task, load_tasks, proofkit_version

__all__ = ["sweep", "SweepReport", "SchedulerUnavailable", "DEFAULT_OUT", "report_dict"]

DEFAULT_OUT = "proofkit-sweep"
_KEY_PREFIX = "proofkit-sweep-"


@dataclass(repr=False)  # a summarised repr and Jupyter display: ResultDisplay
class SweepReport(ResultDisplay):
    """The result of :func:`sweep`.

    Attributes
    ----------
    out : str
        The results folder.
    tasks : list of Task
    records : dict
        Key -> result record, for every task (None if a task has no record), without the certificate
        texts (``certificate_count`` says how many; ``ResultStore(out).read(key)`` has them).
    malformed : list of MalformedTask
    duplicates : dict
        Line -> line of the first copy (run once).
    ran, skipped : list of str
        Keys run by this call, and keys found finished in ``out`` (a resumed sweep).
    summary : dict
        The summary document (also in ``out/summary.json``).
    written : dict
        Files written (summary.md, summary.json, plots).
    seconds : float
        Wall time of the call.
    """

    out: str
    tasks: list[Task]
    records: dict[str, dict[str, Any] | None]
    malformed: list[MalformedTask]
    duplicates: dict[int, int]
    ran: list[str]
    skipped: list[str]
    summary: dict[str, Any]
    written: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def outcomes(self) -> Counter[str]:
        """Outcome -> number of tasks."""
        return Counter((r or {}).get("outcome", "pending") for r in self.records.values())

    @property
    def ok(self) -> bool:
        """No malformed line, and every task ended with a verdict whose certificates the kernel accepted."""
        return not self.malformed and all(
            r is not None and r.get("outcome") in ("certified", "refuted", "inconclusive")
            and all(k.get("ok") for k in r.get("kernel", [])) for r in self.records.values())

    def record(self, task_id: str) -> dict[str, Any] | None:
        """The record of the task with this id."""
        for t in self.tasks:
            if t.id == task_id:
                return self.records.get(t.key)
        raise InvalidInput("task_id", f"one of {[t.id for t in self.tasks][:6]}", repr(task_id))


def _light(rec: dict[str, Any] | None) -> dict[str, Any] | None:
    """A record without its certificate texts (they stay in the file), so large sweeps fit in memory."""
    if rec is None:
        return None
    out = {k: v for k, v in rec.items() if k != "certificates"}
    out["certificate_count"] = len(rec.get("certificates", []))
    return out


def _check_args(scheduler: Any, workers: Any, timeout: Any) -> float | None:
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        raise InvalidInput("workers", "a positive number of worker processes", repr(workers))
    if scheduler is not None and not isinstance(scheduler, str) and not hasattr(scheduler, "submit"):
        raise InvalidInput("scheduler", "a scheduler address such as 'tcp://host:8786' or a distributed.Client",
                           type(scheduler).__name__)
    if timeout is None:
        return None
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0:
        raise InvalidInput("timeout", "a positive number of seconds", repr(timeout))
    return float(timeout)


def _client(scheduler: Any, workers: int | None, n_tasks: int, log: str) -> tuple[Any, Any]:
    """A Dask client and the cluster proofkit started (None when attached to an existing one)."""
    return connect(scheduler, workers, min(os.cpu_count() or 1, n_tasks), log)


def _complete(task: Task, raw: dict[str, Any], timeout: float | None) -> dict[str, Any]:
    rec = dict(raw)
    rec.update(key=task.key, task={"kind": task.kind, "inputs": task.inputs}, id=task.id, group=task.group,
               line=task.line, finished=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
    rec.setdefault("timeout", timeout)
    version = proofkit_version()
    if rec.get("outcome") in ("certified", "refuted", "inconclusive", "error", "rejected") \
            and rec.get("proofkit") != version:
        rec.update(outcome="error", message=f"the worker runs proofkit {rec.get('proofkit')}, this sweep {version}")
    rec["proofkit"] = version
    return rec


def _lost(task: Task, exc: BaseException, timeout: float | None) -> dict[str, Any]:
    return _complete(task, {"outcome": "lost", "certificates": [], "kernel": [], "values": {}, "note": "",
                            "message": f"{type(exc).__name__}: {exc}", "proofkit": proofkit_version()}, timeout)


def _run(todo: list[Task], client: Any, timeout: float | None, store: ResultStore,
         done: Callable[[Task, dict[str, Any]], None]) -> None:
    from distributed import as_completed

    from proofkit.sweep.runner import run_task

    by_key: dict[str, Task] = {}
    futures = []
    for t in todo:
        limit = t.timeout if t.timeout is not None else timeout
        fut = client.submit(run_task, t.payload(), limit, key=_KEY_PREFIX + t.key, pure=False)
        by_key[fut.key] = t
        futures.append(fut)
    try:
        for fut in as_completed(futures):
            task = by_key[fut.key]
            limit = task.timeout if task.timeout is not None else timeout
            try:
                rec = _complete(task, json.loads(fut.result()), limit)
            except Exception as exc:  # KilledWorker after repeated worker deaths, a lost scheduler, ...
                rec = _lost(task, exc, limit)
            store.write(rec)
            fut.release()
            done(task, rec)
    finally:
        for fut in futures:
            fut.cancel()


def sweep(tasks: Any, scheduler: Any = None, workers: int | None = None, out: str | os.PathLike[str] = DEFAULT_OUT,
          timeout: float | None = None, *, progress: bool | None = None, plots: bool = True,
          on_result: Callable[[Task, dict[str, Any]], None] | None = None) -> SweepReport:
    """Run many certification tasks on Dask and keep one content-addressed record per task.

    Parameters
    ----------
    tasks : path or iterable
        A JSON-lines task file, or task dicts / JSON strings (see :mod:`proofkit.sweep.tasks`).
    scheduler : str or distributed.Client, optional
        Address of an existing Dask scheduler (``tcp://host:8786``). Default: proofkit starts a
        local cluster of worker processes and stops it at the end.
    workers : int, optional
        Local worker processes (default: the number of CPUs, at most one per task). With
        ``scheduler``, wait until the cluster has at least this many workers.
    out : path
        The results folder: ``results/<key>.json``, ``summary.md``, ``summary.json``, ``plots/``.
    timeout : float, optional
        Seconds per task (a task line's ``timeout`` overrides it). The task process is killed
        when it passes and the outcome is ``timeout``.
    progress : bool, optional
        Draw a progress bar on standard error (default: :func:`proofkit.progress.enabled`, i.e. when
        it is a terminal and bars are not switched off).
    plots : bool
        Write the plots.
    on_result : callable, optional
        Called as ``on_result(task, record)`` after each record is written.

    Returns
    -------
    SweepReport

    Raises
    ------
    InvalidInput
        Bad arguments or an unreadable task file (malformed *lines* do not raise: they are
        reported in ``SweepReport.malformed`` and the other tasks run).
    SchedulerUnavailable
        The scheduler address cannot be reached.

    Guarantee
    ---------
    Every certificate in a record was re-checked by the trusted kernel on the worker (the record
    keeps the kernel's answer; a refusal makes the outcome ``rejected``, never a verdict). Records
    are written atomically and named by the key of their task, so a killed worker or an
    interrupted sweep never leaves a partial record, and running the sweep again runs only the
    tasks without a finished record.

    Examples
    --------
    >>> import tempfile
    >>> rep = sweep(['{"kind": "nonsingular", "inputs": {"matrix": [[1, 2], [3, 4]]}}'], workers=1,
    ...             out=tempfile.mkdtemp(), plots=False)  # doctest: +SKIP
    >>> rep.outcomes  # doctest: +SKIP
    Counter({'certified': 1})
    """
    t0 = time.perf_counter()
    timeout = _check_args(scheduler, workers, timeout)
    tl = load_tasks(tasks)
    store = ResultStore(out)
    store.remove_stale_temporaries()
    records: dict[str, dict[str, Any] | None] = {}
    todo = []
    for t in tl.tasks:
        rec = store.finished(t.key, t.timeout if t.timeout is not None else timeout)
        records[t.key] = _light(rec)
        if rec is None:
            todo.append(t)
    skipped = [t.key for t in tl.tasks if records[t.key] is not None]
    ran: list[str] = []
    if todo:
        bar = progress_bar(len(todo), "sweep", unit="task", show=progress)
        outcomes: Counter[str] = Counter()

        def done(task: Task, rec: dict[str, Any]) -> None:
            records[task.key] = _light(rec)
            ran.append(task.key)
            outcomes[rec["outcome"]] += 1
            bar.set_postfix_str(" ".join(f"{n} {o}" for o, n in outcomes.most_common()), refresh=False)
            bar.update(1)
            if on_result is not None:
                on_result(task, rec)

        client, cluster = _client(scheduler, workers, len(todo), os.path.join(store.out, "cluster.log"))
        try:
            _run(todo, client, timeout, store, done)
        finally:
            bar.close()
            if cluster is not None:
                cluster.close()
            elif client is not scheduler:
                client.close()
    summary = summarize(tl.tasks, records, tl.malformed, tl.duplicates, ran)
    written = write_summary(summary, store.out, plots=plots)
    return SweepReport(store.out, tl.tasks, records, tl.malformed, tl.duplicates, ran, skipped, summary, written,
                       time.perf_counter() - t0)


def report_dict(rep: SweepReport) -> dict[str, Any]:
    """A JSON-ready view of a report (for ``proofkit sweep --json``)."""
    return {"ok": rep.ok, "out": rep.out, "tasks": len(rep.tasks), "outcomes": dict(rep.outcomes),
            "ran": len(rep.ran), "skipped": len(rep.skipped), "malformed": [str(e) for e in rep.malformed],
            "duplicates": {str(k): v for k, v in rep.duplicates.items()}, "seconds": round(rep.seconds, 3),
            "written": rep.written, "groups": rep.summary["groups"]}
