"""The results folder: one content-addressed record per task, written atomically; re-checking.

``OUT/results/<key>.json`` holds the task, its outcome, its certificates (the
exact JSON text the kernel re-checked on the worker), the kernel's findings and
the timings. A record is written to a temporary file in the same folder,
flushed and fsync'ed, then renamed over the final name, so a reader sees either
no record or a complete one, whatever is killed when.

:func:`verify_path` re-checks a results folder (or any folder of certificates)
with the kernel: this is ``proofkit verify DIR``.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

__all__ = ["RESULT_SCHEMA", "FINAL", "ResultStore", "VerifyReport", "verify_path", "is_result_record"]

RESULT_SCHEMA = "proofkit.sweep-result/1"
#: Outcomes that a resumed sweep does not run again (``timeout`` is re-run only with a longer time limit).
FINAL = ("certified", "refuted", "inconclusive", "error", "rejected")


def is_result_record(obj: Any) -> bool:
    """Whether a parsed JSON object is a sweep result record."""
    return isinstance(obj, dict) and obj.get("schema") == RESULT_SCHEMA


class ResultStore:
    """The records of a sweep under ``out/results``."""

    def __init__(self, out: str | os.PathLike[str]) -> None:
        self.out = os.fspath(out)
        self.dir = os.path.join(self.out, "results")
        os.makedirs(self.dir, exist_ok=True)

    def path(self, key: str) -> str:
        return os.path.join(self.dir, f"{key}.json")

    def read(self, key: str) -> dict[str, Any] | None:
        """The record of ``key``, or None if absent or unreadable (then the task runs again)."""
        try:
            with open(self.path(key), encoding="utf-8") as fh:
                rec = json.load(fh)
        except (OSError, ValueError):
            return None
        if not is_result_record(rec) or rec.get("key") != key or "outcome" not in rec:
            return None
        return rec

    def finished(self, key: str, timeout: float | None) -> dict[str, Any] | None:
        """The record if the task needs no new run under this time limit, else None."""
        rec = self.read(key)
        if rec is None:
            return None
        if rec["outcome"] in FINAL:
            return rec
        if rec["outcome"] == "timeout" and timeout is not None and isinstance(rec.get("timeout"), (int, float)) \
                and rec["timeout"] >= timeout:
            return rec
        return None

    def write(self, record: dict[str, Any]) -> str:
        """Write a record atomically (temporary file, fsync, rename, fsync of the folder)."""
        path = self.path(record["key"])
        text = json.dumps({**record, "schema": RESULT_SCHEMA}, sort_keys=True, indent=1, allow_nan=False)
        tmp = os.path.join(self.dir, f".{record['key']}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
        try:
            with open(tmp, "w", encoding="utf-8") as fh:
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        try:
            fd = os.open(self.dir, os.O_RDONLY)
        except OSError:
            return path
        try:
            os.fsync(fd)
        except OSError:
            pass
        finally:
            os.close(fd)
        return path

    def remove_stale_temporaries(self) -> int:
        """Delete temporary files left by a killed writer; their number."""
        n = 0
        for name in os.listdir(self.dir):
            if name.startswith(".") and name.endswith(".tmp"):
                try:
                    os.unlink(os.path.join(self.dir, name))
                    n += 1
                except OSError:
                    pass
        return n

    def records(self) -> Iterator[dict[str, Any]]:
        """Every readable record (any order)."""
        for name in sorted(os.listdir(self.dir)):
            if name.endswith(".json") and not name.startswith("."):
                rec = self.read(name[:-5])
                if rec is not None:
                    yield rec


@dataclass
class VerifyReport:
    """What :func:`verify_path` found: counts and one line per problem."""

    files: int = 0
    records: int = 0
    certificates: int = 0
    accepted: int = 0
    skipped: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and self.records + self.certificates > 0

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "files": self.files, "records": self.records, "certificates": self.certificates,
                "accepted": self.accepted, "skipped": self.skipped, "problems": self.problems}


def _check_text(text: str, claim_types: tuple[str, ...]) -> str | None:
    from proofkit.sweep.execute import kernel_check

    res = kernel_check(text, claim_types)
    return None if res["ok"] else res["reason"]


def _verify_record(rec: dict[str, Any], name: str, rep: VerifyReport) -> None:
    from proofkit.errors import ProofkitError
    from proofkit.sweep.kinds import KINDS, decode_inputs
    from proofkit.sweep.tasks import task_key

    rep.records += 1
    task = rec.get("task") if isinstance(rec.get("task"), dict) else {}
    try:
        key = task_key(task.get("kind"), task.get("inputs"), rec.get("proofkit"))
    except (TypeError, ValueError):
        key = None
    if key != rec.get("key") or name != f"{key}.json":
        rep.problems.append(f"{name}: the file name and key do not match the task it records")
    certs = rec.get("certificates")
    if not isinstance(certs, list) or not all(isinstance(c, str) for c in certs):
        rep.problems.append(f"{name}: certificates are not a list of JSON texts")
        return
    kind = KINDS.get(task.get("kind", ""))
    claim_types = kind.claim_types if kind is not None else ()
    args = None
    if kind is not None and kind.bind is not None:
        try:
            _, args = decode_inputs(kind.name, task.get("inputs"))
        except ProofkitError as exc:
            rep.problems.append(f"{name}: the recorded task does not decode ({exc})")
    for i, text in enumerate(certs):
        rep.certificates += 1
        why = _check_text(text, claim_types)
        if not why and args is not None and kind is not None and kind.bind is not None:
            why = kind.bind(args, json.loads(text))
        if why:
            rep.problems.append(f"{name}: certificate {i + 1}: {why}")
            continue
        rep.accepted += 1
        verdict = json.loads(text).get("verdict")
        if rec.get("outcome") in ("certified", "refuted") and len(certs) == 1 and verdict != rec["outcome"]:
            rep.problems.append(f"{name}: the record says {rec['outcome']!r}, its certificate says {verdict!r}")
    if rec.get("outcome") == "certified" and not any(json.loads(t).get("verdict") == "certified" for t in certs
                                                     if not _check_text(t, claim_types)):
        rep.problems.append(f"{name}: outcome 'certified' without an accepted certified certificate")


def verify_path(path: str | os.PathLike[str]) -> VerifyReport:
    """Re-check every certificate under ``path`` (a folder, a record file or a certificate file).

    Sweep records are checked for consistency (the file name is the key of the task it records;
    the outcome agrees with the certificates) and every certificate in them is re-checked by the
    kernel; bare certificate files are re-checked; other JSON files (summaries, graphs) are skipped.

    Examples
    --------
    >>> import tempfile
    >>> verify_path(tempfile.mkdtemp()).ok
    False
    """
    path = os.fspath(path)
    files = [path] if os.path.isfile(path) else sorted(
        os.path.join(d, f) for d, _, fs in os.walk(path) for f in fs if f.endswith(".json") and not f.startswith("."))
    rep = VerifyReport()
    for file in files:
        rep.files += 1
        rel = os.path.relpath(file, path) if file != path else os.path.basename(file)
        try:
            with open(file, encoding="utf-8") as fh:
                text = fh.read()
            obj = json.loads(text)
        except (OSError, ValueError) as exc:
            rep.problems.append(f"{rel}: unreadable ({exc})")
            continue
        if is_result_record(obj):
            _verify_record(obj, os.path.basename(file), rep)
        elif isinstance(obj, dict) and str(obj.get("schema", "")).startswith("proofkit.certificate/"):
            rep.certificates += 1
            why = _check_text(text, ())
            if why:
                rep.problems.append(f"{rel}: {why}")
            else:
                rep.accepted += 1
        else:
            rep.skipped.append(rel)
    if not files:
        rep.problems.append(f"{path}: no JSON files")
    return rep
