"""The results folder: one content-addressed record per task, written atomically; re-checking.

``OUT/results/<key>.json`` holds the task, its outcome, its certificates (the
exact JSON text the kernel re-checked on the worker), the kernel's findings and
the timings. A record is written to a temporary file in the same folder,
flushed and fsync'ed, then renamed over the final name, so a reader sees either
no record or a complete one, whatever is killed when.

:func:`verify_path` re-checks a results folder (or any folder of certificates or claim graphs): the
kernel re-checks every certificate and each record's outcome is re-derived from its own task line
(:mod:`proofkit.sweep.binding`): this is ``proofkit verify DIR``.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from proofkit.progress import track
from proofkit.results import ResultDisplay

__all__ = ["RESULT_SCHEMA", "FINAL", "NO_VERDICT", "ResultStore", "VerifyReport", "verify_path", "is_result_record",
           "FileCheck", "files_to_verify", "relative_name", "read_for_check", "unreadable", "check_file_text",
           "check_file", "merge_checks"]

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


@dataclass(repr=False)  # a summarised repr and Jupyter display: ResultDisplay
class VerifyReport(ResultDisplay):
    """What :func:`verify_path` found: counts and one line per problem.

    ``unverified`` counts the records without a verdict (error, timeout, crashed, lost): they claim
    nothing, so there is nothing to re-check (they may hide a result, never forge one). ``graphs``
    counts the saved claim graphs re-checked (:func:`proofkit.claims.verify.verify_graph_text`).
    """

    files: int = 0
    records: int = 0
    certificates: int = 0
    accepted: int = 0
    skipped: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    unverified: dict[str, int] = field(default_factory=dict)
    graphs: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and self.records + self.certificates + self.graphs > 0

    @property
    def empty(self) -> bool:
        """Nothing to verify was found (no record, certificate or graph): not a rejection, a usage error."""
        return self.records + self.certificates + self.graphs == 0

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "files": self.files, "records": self.records, "certificates": self.certificates,
                "accepted": self.accepted, "graphs": self.graphs, "unverified": self.unverified,
                "skipped": self.skipped, "problems": self.problems, "notes": self.notes}


#: Record outcomes without a verdict: they must carry no certificate.
NO_VERDICT = ("error", "timeout", "crashed", "lost")


def _verify_record(rec: dict[str, Any], name: str, rep: VerifyReport) -> None:
    """Re-derive a record's outcome from its task line and the kernel's verdicts on its certificates."""
    from proofkit.sweep.binding import derive, derive_record
    from proofkit.sweep.execute import kernel_check
    from proofkit.sweep.kinds import KINDS
    from proofkit.sweep.tasks import task_key

    rep.records += 1
    file = name
    if isinstance(rec.get("id"), str):  # the task's id from its line, so that a reader finds the task
        name = f"{name} (task {rec['id']!r})"
    task = rec.get("task") if isinstance(rec.get("task"), dict) else {}
    try:
        key = task_key(task.get("kind"), task.get("inputs"), rec.get("proofkit"))
    except (TypeError, ValueError):
        key = None
    if key is None or key != rec.get("key") or file != f"{key}.json":
        rep.problems.append(f"{name}: the file name and key do not match the task it records")
    certs = rec.get("certificates")
    if not isinstance(certs, list) or not all(isinstance(c, str) for c in certs):
        rep.problems.append(f"{name}: certificates are not a list of JSON texts")
        return
    outcome = rec.get("outcome")
    if outcome in NO_VERDICT:
        if certs:
            rep.problems.append(f"{name}: the record says {outcome!r} (no verdict) but holds {len(certs)} "
                                "certificates")
        else:
            rep.unverified[outcome] = rep.unverified.get(outcome, 0) + 1
        return
    kind = KINDS.get(task.get("kind")) if isinstance(task.get("kind"), str) else None
    checks = [kernel_check(t, kind.claim_types if kind is not None else ()) for t in certs]
    rep.certificates += len(certs)
    rep.accepted += sum(1 for c in checks if c["ok"])
    if kind is None:
        derived = derive_record(task, certs)
    else:
        from proofkit.errors import ProofkitError
        from proofkit.sweep.kinds import decode_inputs

        try:
            _, args = decode_inputs(kind.name, task.get("inputs"))
        except ProofkitError as exc:
            rep.problems.append(f"{name}: the recorded task does not decode ({exc})")
            return
        derived = derive(kind, args, certs, checks)
    for problem in derived.problems:
        rep.problems.append(f"{name}: {problem}")
    if not derived.problems and derived.outcome != outcome:
        rep.problems.append(f"{name}: the record says {outcome!r}, its certificates imply {derived.outcome!r} for "
                            "its task")


def _verify_summary(path: str, found: dict[str, str], rep: VerifyReport) -> None:
    """The rows of a sweep's summary.json against the records: a finished row needs its record, same outcome."""
    try:
        with open(path, encoding="utf-8") as fh:
            summary = json.load(fh)
        rows = summary["rows"]
        pairs = [(str(r["key"]), str(r["outcome"]), r.get("id")) for r in rows]
    except (OSError, ValueError, KeyError, TypeError):
        rep.problems.append(f"{os.path.basename(path)}: not a readable sweep summary")
        return
    for key, outcome, task_id in pairs:
        if outcome not in FINAL:
            continue
        have = found.get(key)
        if have is None:
            rep.problems.append(f"summary.json: task {task_id!r} is {outcome!r} but its record {key}.json is missing")
        elif have != outcome:
            rep.problems.append(f"summary.json: task {task_id!r} is {outcome!r}, its record {key}.json says {have!r}")


def _bare_certificate(text: str, rel: str, rep: VerifyReport) -> bool:
    from proofkit.sweep.execute import kernel_check

    rep.certificates += 1
    res = kernel_check(text, ())
    if res["ok"]:
        rep.accepted += 1
    else:
        rep.problems.append(f"{rel}: {res['reason']}")
    return bool(res["ok"])


@dataclass
class FileCheck:
    """One file of a folder re-checked on its own: its part of the report, and what the folder-wide checks need.

    :func:`check_file_text` makes one (in this process, or on a Dask worker for ``proofkit verify DIR
    --workers N``); :func:`merge_checks` adds them up in file order and runs the checks that span files
    (``summary.json`` against the records, a report folder's certificate files against its claim graph).

    Attributes
    ----------
    rel : str
        The file's name relative to the folder verified (how problems name it).
    part : VerifyReport
        The counts, problems and notes of this file alone.
    other : bool
        Not a record, certificate or graph: a sweep's ``summary.json`` or a skipped file.
    key, outcome : str or None
        A sweep record's key and outcome (for ``summary.json``).
    bound : tuple or None
        A bare certificate accepted by the kernel and bound to a claim: ``(label, canonical text)``.
    held : dict
        A claim graph's accepted certificates: label -> canonical texts.
    """

    rel: str
    part: VerifyReport = field(default_factory=VerifyReport)
    other: bool = False
    key: str | None = None
    outcome: str | None = None
    bound: tuple[str, str] | None = None
    held: dict[str, set[str]] = field(default_factory=dict)


def files_to_verify(path: str | os.PathLike[str]) -> list[str]:
    """The files :func:`verify_path` re-checks: ``path`` itself, or every ``*.json`` under it (not hidden), sorted."""
    path = os.fspath(path)
    return [path] if os.path.isfile(path) else sorted(
        os.path.join(d, f) for d, _, fs in os.walk(path) for f in fs if f.endswith(".json") and not f.startswith("."))


def relative_name(path: str | os.PathLike[str], file: str) -> str:
    """How problems name ``file``: relative to the folder ``path`` (its base name when ``path`` is the file)."""
    path = os.fspath(path)
    return os.path.relpath(file, path) if file != path else os.path.basename(file)


def read_for_check(file: str) -> str:
    """The text of a file to re-check (UTF-8); raises OSError or ValueError (then it is unreadable)."""
    with open(file, encoding="utf-8") as fh:
        return fh.read()


def unreadable(rel: str, exc: BaseException) -> FileCheck:
    """The check of a file that cannot be read or is not JSON."""
    out = FileCheck(rel)
    out.part.problems.append(f"{rel}: unreadable ({exc})")
    return out


def check_file_text(rel: str, text: str) -> FileCheck:
    """Re-check one file's text on its own: a sweep record (kernel and binding), a bare certificate (kernel) or a
    saved claim graph (:func:`proofkit.claims.verify.verify_graph_text`); anything else is ``other``.

    Examples
    --------
    >>> check_file_text("x.json", '{"a": 1}').other
    True
    """
    try:
        obj = json.loads(text)
    except ValueError as exc:
        return unreadable(rel, exc)
    out = FileCheck(rel)
    rep = out.part
    if is_result_record(obj):
        _verify_record(obj, os.path.basename(rel), rep)
        if isinstance(obj.get("key"), str):
            out.key, out.outcome = obj["key"], str(obj.get("outcome"))
    elif isinstance(obj, dict) and str(obj.get("schema", "")).startswith("proofkit.certificate/"):
        if _bare_certificate(text, rel, rep) and isinstance(obj.get("binding"), dict):
            from proofkit.claims.verify import certificate_text

            out.bound = (str(obj["binding"].get("label")), certificate_text(obj))
    elif isinstance(obj, dict) and str(obj.get("schema", "")).startswith("proofkit.graph/"):
        from proofkit.claims.verify import verify_graph_text

        rep.graphs += 1
        graph = verify_graph_text(text)
        rep.problems.extend(f"{rel}: {p}" for p in graph.problems)
        rep.certificates += graph.stored
        rep.accepted += graph.accepted
        out.held = graph.held
        if graph.unbound:
            rep.notes.append(f"{rel}: {len(graph.unbound)} claims hold certificates tied to them by their binding "
                             f"only, a hash anyone can recompute (no checker declaration here): "
                             f"{', '.join(graph.unbound)}")
    else:
        out.other = True
    return out


def check_file(path: str | os.PathLike[str], file: str) -> FileCheck:
    """:func:`check_file_text` of a file of the folder ``path``, read here."""
    rel = relative_name(path, file)
    try:
        text = read_for_check(file)
    except (OSError, ValueError) as exc:
        return unreadable(rel, exc)
    return check_file_text(rel, text)


def merge_checks(files: list[str], checks: list[FileCheck]) -> VerifyReport:
    """The report of a folder from the checks of its files (same order as ``files``), with the checks that span
    files: every finished row of a sweep's ``summary.json`` has its record with the same outcome, and in a
    report folder every certificate file bound to a claim is one the claim graph holds for that claim."""
    rep = VerifyReport()
    found: dict[str, str] = {}  # record key -> outcome
    summaries = []
    bound: list[tuple[str, str, str]] = []  # bare certificates bound to a claim: (file, label, canonical text)
    held: dict[str, set[str]] = {}  # label -> the certificates the folder's graphs hold for it
    for file, check in zip(files, checks, strict=True):
        part = check.part
        rep.files += 1
        rep.records += part.records
        rep.certificates += part.certificates
        rep.accepted += part.accepted
        rep.graphs += part.graphs
        rep.problems.extend(part.problems)
        rep.notes.extend(part.notes)
        for outcome, n in part.unverified.items():
            rep.unverified[outcome] = rep.unverified.get(outcome, 0) + n
        if check.key is not None:
            found[check.key] = str(check.outcome)
        if check.bound is not None:
            bound.append((check.rel, *check.bound))
        for label, texts in check.held.items():
            held.setdefault(label, set()).update(texts)
        if check.other:
            if os.path.basename(file) == "summary.json" and os.path.isdir(os.path.join(os.path.dirname(file),
                                                                                         "results")):
                summaries.append(file)
            else:
                rep.skipped.append(check.rel)
    for file in summaries:
        _verify_summary(file, found, rep)
    if rep.graphs:  # a report folder: each certificate file bound to a claim is one of that claim's in the graph
        for rel, label, text in bound:
            if text not in held.get(label, set()):
                rep.problems.append(f"{rel}: bound to {label!r}, but not among the certificates the claim graph "
                                    "holds for it (the graph is authoritative)")
    return rep


def verify_path(path: str | os.PathLike[str]) -> VerifyReport:
    """Re-check everything under ``path`` (a folder, a record, a certificate or a saved claim graph).

    * Sweep records: the file name is the key of the task it records; every certificate is re-checked
      by the kernel; the record's outcome is re-derived from its task line and the kernel's verdicts by
      the kind's derivation (:mod:`proofkit.sweep.binding`): a certificate about other inputs, a missing
      certificate or an outcome its certificates do not imply is reported. A record without a verdict
      (error, timeout, ...) must hold no certificate.
    * ``summary.json`` next to ``results/``: every finished row has its record, with the same outcome.
    * Bare certificate files are re-checked by the kernel.
    * Saved claim graphs (``proofkit.graph/...``, e.g. a report folder's ``graph.json``) are re-checked by
      :func:`proofkit.claims.verify.verify_graph_text`: certificates, bindings, the certificates each
      seed-library checker declares, stale claims and the claims' expected outcomes.

    Other JSON files are skipped. Each file is checked on its own (:func:`check_file`), then the checks
    are merged (:func:`merge_checks`); :func:`proofkit.sweep.verify.verify_on_dask` runs the same file
    checks on Dask workers.

    Examples
    --------
    >>> import tempfile
    >>> verify_path(tempfile.mkdtemp()).empty
    True
    """
    files = files_to_verify(path)
    return merge_checks(files, [check_file(path, file) for file in track(files, "verifying certificates", unit="file")])
