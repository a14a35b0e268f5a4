"""Task files: JSON lines, validated before anything runs; content-addressed keys.

One task per line::

    {"kind": "nonsingular", "inputs": {"matrix": [[1, 2], [3, 4]]}, "id": "m1", "group": "matrices"}

``kind`` and ``inputs`` are required; ``id`` and ``group`` label the task in the summary;
``timeout`` (seconds) overrides the sweep's timeout for this task. Blank lines and
lines starting with ``#`` are skipped. A malformed line gives a :class:`MalformedTask`
naming the line, and the other lines still run.

The key of a task is the SHA-256 of the canonical JSON of its kind, its inputs and
proofkit's version: the same computation has the same key, so a finished task is
found again when a sweep resumes, and a new proofkit version recomputes everything.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from proofkit.certificate import canonical_json
from proofkit.errors import InvalidInput, ProofkitError
from proofkit.results import ResultDisplay
from proofkit.sweep import exact
from proofkit.sweep.kinds import decode_inputs

__all__ = ["Task", "MalformedTask", "TaskList", "load_tasks", "task_key", "task_payload", "proofkit_version"]

_TOP_LEVEL = ("kind", "inputs", "id", "group", "timeout")


def proofkit_version() -> str:
    from proofkit import __version__

    return __version__


class MalformedTask(InvalidInput):
    """A task line that cannot run; the message names the source, the line and the field.

    Attributes
    ----------
    line : int
        1-based line number (position in the list for tasks given in Python).
    """

    def __init__(self, source: str, line: int, argument: str, expected: str, got: str) -> None:
        super().__init__(argument, expected, got)
        self.source = source
        self.line = line
        self.args = (f"{source} line {line}: {self.args[0]}",)

    def __str__(self) -> str:
        return self.args[0]


@dataclass(frozen=True)
class Task:
    """A validated task."""

    line: int
    kind: str
    inputs: dict[str, Any]
    key: str
    id: str
    group: str
    timeout: float | None = None

    def payload(self) -> str:
        """The canonical JSON sent to a worker."""
        return task_payload(self.kind, self.inputs)


@dataclass(repr=False)  # a summarised repr and Jupyter display: ResultDisplay
class TaskList(ResultDisplay):
    """The tasks of a file, the malformed lines, and the duplicates (line -> line of the first copy)."""

    tasks: list[Task]
    malformed: list[MalformedTask]
    duplicates: dict[int, int]
    source: str


def task_payload(kind: str, inputs: Mapping[str, Any]) -> str:
    """Canonical JSON of a task's computation (non-integer JSON numbers travel as their literal text)."""
    return canonical_json({"kind": kind, "inputs": inputs})


def task_key(kind: str, inputs: Mapping[str, Any], version: str | None = None) -> str:
    """SHA-256 of the task's kind and inputs and proofkit's version.

    Examples
    --------
    >>> task_key("nonsingular", {"matrix": [[1]]}, "0") == task_key("nonsingular", {"matrix": [[1]]}, "0")
    True
    """
    text = canonical_json({"task": {"kind": kind, "inputs": inputs},
                           "proofkit": version if version is not None else proofkit_version()})
    return hashlib.sha256(text.encode()).hexdigest()


def _label(value: Any, source: str, line: int, name: str, default: str) -> str:
    if value is None:
        return default
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        raise MalformedTask(source, line, name, "a string", json.dumps(value)[:40])
    return str(value)


def _parse(obj: Any, source: str, line: int) -> Task:
    if not isinstance(obj, Mapping):
        raise MalformedTask(source, line, "task", "a JSON object", type(obj).__name__)
    unknown = [k for k in obj if k not in _TOP_LEVEL]
    if unknown:
        raise MalformedTask(source, line, "task", f"fields among {list(_TOP_LEVEL)}", f"unknown {unknown}")
    if "kind" not in obj or "inputs" not in obj:
        raise MalformedTask(source, line, "task", "the fields kind and inputs",
                            f"missing {[k for k in ('kind', 'inputs') if k not in obj]}")
    timeout = obj.get("timeout")
    if timeout is not None:
        try:
            timeout = float(exact.exact_number(timeout, "timeout"))
        except InvalidInput:
            timeout = -1.0
        if not timeout > 0:
            raise MalformedTask(source, line, "timeout", "a positive number of seconds", json.dumps(obj["timeout"]))
    try:
        decode_inputs(obj["kind"], obj["inputs"])
    except InvalidInput as exc:
        arg = exc.argument if exc.argument in ("kind", "inputs") else f"inputs.{exc.argument}"
        raise MalformedTask(source, line, arg, exc.expected, exc.got) from None
    except ProofkitError as exc:
        raise MalformedTask(source, line, "inputs", "valid inputs", f"{type(exc).__name__}: {exc}") from None
    except Exception as exc:  # an adapter's decoder should only raise InvalidInput; never let a line stop the sweep
        raise MalformedTask(source, line, "inputs", "inputs the decoder accepts",
                            f"{type(exc).__name__}: {exc}") from None
    kind = obj["kind"]
    inputs = json.loads(canonical_json(obj["inputs"]))
    key = task_key(kind, inputs)
    return Task(line, kind, inputs, key, _label(obj.get("id"), source, line, "id", f"{kind}-{line}"),
                _label(obj.get("group"), source, line, "group", kind), timeout)


def load_tasks(tasks: Any) -> TaskList:
    """Read and validate tasks from a JSON-lines file, or from a list of dicts or JSON strings.

    Parameters
    ----------
    tasks : path or iterable
        A ``.jsonl`` file name, or an iterable whose items are task dicts or JSON lines.

    Returns
    -------
    TaskList
        Valid tasks (in order, first copy of each duplicate), malformed lines as
        :class:`MalformedTask` errors, and the duplicates.

    Raises
    ------
    InvalidInput
        ``tasks`` is neither a readable file nor an iterable.

    Examples
    --------
    >>> tl = load_tasks(['{"kind": "nonsingular", "inputs": {"matrix": [[1, 2], [3, 4]]}}',
    ...                  '{"kind": "nonsingular", "inputs": {"matrix": [[1, 0.5]]}}', '{"kind": "magic"}'])
    >>> len(tl.tasks), [str(e) for e in tl.malformed]
    (2, ["tasks line 3: argument 'task': expected the fields kind and inputs, got missing ['inputs']"])
    """
    if isinstance(tasks, (str, os.PathLike)):
        source = os.fspath(tasks)
        try:
            with open(source, encoding="utf-8") as fh:
                items: list[Any] = fh.read().splitlines()
        except OSError as exc:
            raise InvalidInput("tasks", "a readable task file", f"{source!r} ({exc.strerror})") from None
        except UnicodeDecodeError:
            raise InvalidInput("tasks", "a UTF-8 text file of JSON lines", repr(source)) from None
    elif isinstance(tasks, Iterable) and not isinstance(tasks, (bytes, Mapping)):
        source, items = "tasks", list(tasks)
    else:
        raise InvalidInput("tasks", "a task file name or an iterable of tasks", type(tasks).__name__)
    good: list[Task] = []
    bad: list[MalformedTask] = []
    seen: dict[str, int] = {}
    dups: dict[int, int] = {}
    for n, item in enumerate(items, 1):
        if isinstance(item, str):
            if not item.strip() or item.lstrip().startswith("#"):
                continue
            try:
                item = exact.loads(item)
            except json.JSONDecodeError as exc:
                bad.append(MalformedTask(source, n, "task", "one JSON object per line", f"invalid JSON ({exc.msg} "
                                         f"at column {exc.colno})"))
                continue
        try:
            task = _parse(item, source, n)
        except MalformedTask as exc:
            bad.append(exc)
            continue
        if task.key in seen:
            dups[n] = seen[task.key]
            continue
        seen[task.key] = n
        good.append(task)
    return TaskList(good, bad, dups, source)
