"""Shared pieces of the certifiers: building certificates, precision ladders."""

from __future__ import annotations

import base64
import time
from typing import Any

import flint
import numpy as np

from proofkit.certificate import Certificate, input_hash, reason_for
from proofkit.certify.matrices import STORE_LIMIT, CertMatrix
from proofkit.errors import InvalidInput
from proofkit.progress import steps

__all__ = ["PRECISIONS", "precision_ladder", "make_certificate", "Timer", "check_max_prec", "preconditioner"]

#: The default escalation of Arb precision (bits).
PRECISIONS = (64, 128, 256, 512, 1024)


def check_max_prec(max_prec: int) -> int:
    if not isinstance(max_prec, int) or max_prec < 53:
        raise InvalidInput("max_prec", "an integer number of bits >= 53", repr(max_prec))
    return max_prec


def precision_ladder(max_prec: int) -> list[int]:
    """64, 128, 256, ... up to ``max_prec`` bits."""
    check_max_prec(max_prec)
    ladder = [p for p in PRECISIONS if p <= max_prec]
    p = PRECISIONS[-1]
    while p * 2 <= max_prec:
        p *= 2
        ladder.append(p)
    return steps(ladder or [max_prec], "precision ladder", unit="bits")  # a list; a bar while iterated


class Timer:
    def __enter__(self) -> Timer:
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.seconds = time.perf_counter() - self.start


def make_certificate(claim: dict[str, Any], verdict: str, method: str, backend: str, precision: int | None,
                     matrix: CertMatrix | None, evidence: dict[str, Any], reason: str, margin: str | None = None,
                     seconds: float | None = None, extra_inputs: dict[str, Any] | None = None) -> Certificate:
    """Assemble a certificate; the matrix is stored when it has at most STORE_LIMIT entries.

    A certified or refuted certificate shows the kernel's sentence for its claim
    (:func:`~proofkit.certificate.reason_for`) and no margin of its own: the margin is what the
    kernel measures when it re-checks the certificate (``check_certificate(cert).margin``).
    """
    if verdict != "inconclusive":
        reason, margin = reason_for(claim, verdict) or reason, None
    inputs: dict[str, Any] = dict(extra_inputs or {})
    if matrix is not None:
        rec = matrix.record() if matrix.shape[0] * matrix.shape[1] <= STORE_LIMIT else None  # else: hash only
        inputs["A"] = rec
        inputs["A_hash"] = matrix.hash
    hashed = {k: v for k, v in inputs.items() if k != "A"}
    stored = all(v is not None for v in inputs.values())
    return Certificate(claim=claim, verdict=verdict, method=method, backend=backend, precision=precision,
                       input_hash=input_hash(hashed), inputs=inputs if stored else {**inputs, "A": None},
                       evidence=evidence, margin=margin, reason=reason, time_seconds=seconds)


def preconditioner(C: Any) -> tuple[flint.fmpq_mat, dict[str, Any]]:
    """An approximate inverse as the exact matrix of its float64 entries and its certificate record
    (``kind: float64``, base64; a third of the size of rational text and decoded in C by the kernel).

    Raises ``ArithmeticError`` when an entry is not finite.

    Examples
    --------
    >>> exact, record = preconditioner([[0.5, 0.0], [0.0, 0.25]])
    >>> exact[1, 1], record["kind"], record["shape"]
    (1/4, 'float64', [2, 2])
    """
    A = np.ascontiguousarray(np.asarray(C, dtype=float), dtype="<f8")
    if A.ndim != 2 or not np.all(np.isfinite(A)):
        raise ArithmeticError("the approximate inverse is not a finite matrix")
    m, n = A.shape
    exact = flint.fmpq_mat(m, n, [flint.fmpq(*v.as_integer_ratio()) for v in A.ravel().tolist()])
    return exact, {"kind": "float64", "shape": [m, n], "entries": base64.b64encode(A.tobytes()).decode()}

