"""Run one task in this process: decode, certify, re-check every certificate with the kernel.

This is what a worker's task process does for each task (see :mod:`proofkit.sweep.runner`).
Input and output are JSON text only.
"""

from __future__ import annotations

import json
import math
import os
import socket
import time
import traceback
from collections.abc import Mapping
from typing import Any

from proofkit.errors import CertificateRejected, ProofkitError
from proofkit.sweep.binding import derive
from proofkit.sweep.kinds import TaskOutput, decode_inputs, get_kind

__all__ = ["execute", "execute_json", "reset_precision", "kernel_check"]


def reset_precision() -> None:
    """Every task starts from the default working precision (53 bits in flint and mpmath)."""
    import flint
    import mpmath

    flint.ctx.prec = 53
    mpmath.mp.prec = 53


def _clean_values(values: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in values.items():
        if isinstance(v, bool) or v is None or isinstance(v, str):
            out[str(k)] = v
        elif isinstance(v, (int, float)):
            out[str(k)] = v if math.isfinite(v) else None
        elif isinstance(v, (list, tuple)):
            out[str(k)] = [float(x) for x in v if isinstance(x, (int, float)) and math.isfinite(x)]
        else:
            out[str(k)] = str(v)
    return out


def kernel_check(text: str, claim_types: tuple[str, ...] = ()) -> dict[str, Any]:
    """Re-check one certificate's JSON with the trusted kernel; a record ``{"ok": ..., ...}``."""
    from proofkit.kernel import check_certificate

    try:
        rep = check_certificate(text)
    except CertificateRejected as exc:
        return {"ok": False, "reason": str(exc)}
    verdict = json.loads(text).get("verdict")
    if rep.verdict != verdict:
        return {"ok": False, "reason": f"the kernel found {rep.verdict!r}, the certificate says {verdict!r}"}
    if claim_types and rep.claim_type not in claim_types:
        return {"ok": False, "reason": f"claim type {rep.claim_type!r} is not one of {list(claim_types)}"}
    return {"ok": bool(rep.ok), "claim": rep.claim_type, "verdict": rep.verdict, "how": rep.how}


def execute(task: Mapping[str, Any]) -> dict[str, Any]:
    """Run ``{"kind": ..., "inputs": ...}``; the result record (plain JSON data).

    The record holds ``outcome`` (``error`` on bad input; else the outcome that the certificates imply
    for this task by the kind's derivation (:mod:`proofkit.sweep.binding`), or ``rejected`` when the
    kernel refuses a certificate or a certificate is not about this task's inputs), the certificates
    as JSON text, the kernel's re-check of each, display ``values``, a ``note`` or ``message``,
    ``seconds``, and where it ran.

    Examples
    --------
    >>> r = execute({"kind": "nonsingular", "inputs": {"matrix": [[1, 2], [3, 4]]}})
    >>> r["outcome"], r["kernel"][0]["ok"]
    ('certified', True)
    """
    from proofkit.sweep.tasks import proofkit_version

    reset_precision()
    record: dict[str, Any] = {"pid": os.getpid(), "host": socket.gethostname(), "proofkit": proofkit_version(),
                              "certificates": [], "kernel": [], "values": {}, "note": "", "message": ""}
    t0 = time.perf_counter()
    try:
        kind = get_kind(task.get("kind"))
        _, args = decode_inputs(kind.name, task.get("inputs"))
        out = kind.certify(args)
        if not isinstance(out, TaskOutput):
            raise TypeError(f"the adapter of {kind.name!r} returned {type(out).__name__}, not TaskOutput")
        texts = [c.to_json(timing=True) for c in out.certificates]
    except ProofkitError as exc:
        record.update(outcome="error", message=f"{type(exc).__name__}: {exc}", seconds=time.perf_counter() - t0)
        return record
    except Exception as exc:  # a bug or an unexpected failure inside a certifier: recorded, never a verdict
        tb = traceback.format_exc(limit=6)
        record.update(outcome="error", message=f"unexpected {type(exc).__name__}: {exc}",
                      traceback=tb[-3000:], seconds=time.perf_counter() - t0)
        return record
    seconds = time.perf_counter() - t0
    checks = [kernel_check(t, kind.claim_types) for t in texts]
    derived = derive(kind, args, texts, checks)  # the outcome `proofkit verify DIR` re-derives from this record
    note = "; ".join([*derived.notes, out.note] if derived.notes else [out.note])
    record.update(outcome=derived.outcome, certificates=texts, kernel=checks, values=_clean_values(out.values),
                  note=note, seconds=seconds, kernel_seconds=time.perf_counter() - t0 - seconds)
    if derived.problems:
        record["message"] = "; ".join(derived.problems)
    return record


def execute_json(text: str) -> str:
    """:func:`execute` from JSON text to JSON text (non-integer numbers kept as their literal text)."""
    from proofkit.sweep.exact import loads

    try:
        task = loads(text)
    except json.JSONDecodeError as exc:
        return json.dumps({"outcome": "error", "message": f"the task is not JSON: {exc}", "certificates": [],
                           "kernel": [], "values": {}})
    if not isinstance(task, Mapping):
        return json.dumps({"outcome": "error", "message": "the task is not a JSON object", "certificates": [],
                           "kernel": [], "values": {}})
    return json.dumps(execute(task), allow_nan=False)
