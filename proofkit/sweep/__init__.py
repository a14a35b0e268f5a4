"""Sweeps: many certification tasks on Dask, locally by default, on a cluster by address.

The module is callable: ``proofkit.sweep(...)`` is :func:`proofkit.sweep.run.sweep`.

>>> import proofkit
>>> rep = proofkit.sweep("tasks.jsonl", workers=2, out="results", timeout=60)  # doctest: +SKIP

Modules: :mod:`~proofkit.sweep.exact` (exact decoding of plain JSON),
:mod:`~proofkit.sweep.kinds` (the registry of task kinds) and
:mod:`~proofkit.sweep.adapters` (the built-in kinds), :mod:`~proofkit.sweep.tasks`
(task files and keys), :mod:`~proofkit.sweep.runner` and :mod:`~proofkit.sweep.child`
(task processes with a hard time limit on the workers), :mod:`~proofkit.sweep.store`
(atomic records, ``proofkit verify DIR``), :mod:`~proofkit.sweep.summary` (tables and plots),
:mod:`~proofkit.sweep.run` (the Dask driver).
"""

import sys
import types
from typing import Any

from proofkit.sweep import adapters  # noqa: F401  (registers the built-in kinds)
from proofkit.sweep.kinds import KINDS, TaskKind, TaskOutput, register_kind, run_kind, unregister_kind
from proofkit.sweep.run import DEFAULT_OUT, SchedulerUnavailable, SweepReport, sweep
from proofkit.sweep.store import ResultStore, VerifyReport, verify_path
from proofkit.sweep.tasks import MalformedTask, Task, TaskList, load_tasks, task_key

__all__ = ["DEFAULT_OUT", "KINDS", "MalformedTask", "ResultStore", "SchedulerUnavailable", "SweepReport", "Task",
           "TaskKind", "TaskList", "TaskOutput", "VerifyReport", "load_tasks", "register_kind", "run_kind", "sweep",
           "task_key", "unregister_kind", "verify_path"]


class _CallableModule(types.ModuleType):
    """``proofkit.sweep`` is both this package and the function :func:`~proofkit.sweep.run.sweep`."""

    def __call__(self, *args: Any, **kwargs: Any) -> SweepReport:
        return sweep(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
