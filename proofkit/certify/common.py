"""Shared pieces of the certifiers: building certificates, precision ladders."""

from __future__ import annotations

import base64
import functools
import hashlib
import os
import time
from collections.abc import Callable
from typing import Any, TypeVar

import flint
import numpy as np

from proofkit.certificate import Certificate, input_hash
from proofkit.certify.matrices import STORE_LIMIT, CertMatrix
from proofkit.convert import precision_bits
from proofkit.errors import CertificateRejected, KernelDisagreement
from proofkit.kernel import check_certificate
from proofkit.printing.statements import reason_for
from proofkit.progress import steps

__all__ = ["PRECISIONS", "precision_ladder", "make_certificate", "Timer", "check_max_prec", "preconditioner",
           "kernel_checked", "kernel_decides", "kernel_report", "returns_kernel_checked", "STRICT_ENV"]

#: Set this environment variable to ``1`` to make a kernel rejection of a certifier's own certificate raise
#: :class:`~proofkit.errors.KernelDisagreement` instead of turning the verdict into ``inconclusive``
#: (the test suite sets it: such a rejection is a bug in the certifier).
STRICT_ENV = "PROOFKIT_STRICT_CERTIFIERS"

#: The default escalation of Arb precision (bits).
PRECISIONS = (64, 128, 256, 512, 1024)


def check_max_prec(max_prec: int, argument: str = "max_prec") -> int:
    """A highest working precision: an integer number of bits in 53..65536 (as a Python int)."""
    return precision_bits(max_prec, argument)


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

    A certified or refuted certificate carries no words of its own: its ``reason`` (for display, not
    written to the JSON) is printing's sentence for its claim (:func:`~proofkit.printing.statements.reason_for`),
    and what the kernel measured is in its report (``check_certificate(cert).measures``).
    """
    if verdict != "inconclusive":
        reason, margin = reason_for(claim, verdict) or reason, None
    inputs: dict[str, Any] = dict(extra_inputs or {})
    if matrix is not None:
        rec = matrix.record() if matrix.shape[0] * matrix.shape[1] <= STORE_LIMIT else None  # else: hash only
        inputs["A"] = rec
        inputs["A_hash"] = matrix.hash
    hashed = {k: v for k, v in inputs.items() if k != "A"}
    cert = Certificate(claim=claim, verdict=verdict, method=method, backend=backend, precision=precision,
                       input_hash=input_hash(hashed), inputs=inputs, evidence=evidence, margin=margin, reason=reason,
                       time_seconds=seconds)
    if matrix is not None and inputs["A"] is None:
        cert._matrix_source = matrix  # a matrix too large to store: the kernel re-reads it from its record
    return cert


def _round_trip(cert: Certificate, budget: float | None = None) -> tuple[bool, str]:
    """``(True, how the kernel re-checked it)`` when the kernel accepts the certificate's own JSON (within
    ``budget`` estimated seconds; None: the kernel's default), else ``(False, the kernel's reason)``."""
    text = cert.to_json()
    digest = hashlib.sha256(text.encode()).digest()  # (what was accepted is remembered by its hash only)
    accepted = getattr(cert, "_kernel_accepted", None)
    if accepted is not None and accepted[0] == digest:
        return True, accepted[1]
    source = getattr(cert, "_matrix_source", None)
    matrix = source.record() if source is not None and (cert.inputs or {}).get("A") is None else None
    try:
        report = check_certificate(text, matrix=matrix, budget=budget)
    except CertificateRejected as exc:
        return False, str(exc).replace("certificate rejected: ", "", 1)
    cert._kernel_accepted = (digest, report.how)
    cert._kernel_report = report
    return True, report.how


def kernel_report(cert: Certificate) -> Any:
    """The kernel's report on the certificate's JSON (:class:`~proofkit.kernel.KernelReport`: rule, trust tier,
    measures such as a spurious minimum's ``gap``), from its round trip when it was accepted unchanged; None when
    the kernel rejects it."""
    ok, _ = _round_trip(cert)
    return getattr(cert, "_kernel_report", None) if ok else None


def kernel_decides(cert: Certificate, budget: float | None = None) -> tuple[bool, str]:
    """Let the kernel decide a candidate certificate from its own JSON: ``(True, how it re-checked it)``
    or ``(False, why it rejected it)``; ``budget``: the kernel's work budget in estimated seconds (None: its
    default). An accepted certificate is remembered as such (until it is changed), so that
    :func:`kernel_checked` does not check it a second time."""
    return _round_trip(cert, budget)


def kernel_checked(cert: Certificate, where: str = "a certifier") -> Certificate:
    """The one exit of every public certifier: ``cert`` once the kernel has accepted its own JSON.

    ``check_certificate(cert.to_json())`` is run (once: a certificate the kernel already accepted
    unchanged is not re-checked). When the kernel rejects a ``certified`` or ``refuted``
    certificate, the same data come back ``inconclusive`` with the kernel's reason (or, when the
    environment variable :data:`STRICT_ENV` is ``1``, :class:`~proofkit.errors.KernelDisagreement`
    is raised); the inconclusive certificate is itself round-tripped.

    Raises
    ------
    KernelDisagreement
        The kernel rejects even the inconclusive form (a malformed certificate: a bug), or strict mode.

    Guarantee
    ---------
    The returned certificate's JSON (``to_json()``) is accepted by ``check_certificate``; its verdict
    is ``certified``/``refuted`` only if the kernel re-proved it from that JSON.

    Examples
    --------
    >>> from proofkit.certify.linear import certify_nonsingular
    >>> kernel_checked(certify_nonsingular([[1, 2], [3, 4]])).verdict
    'certified'
    """
    ok, why = _round_trip(cert)
    if ok:
        return cert
    if cert.verdict == "inconclusive" or os.environ.get(STRICT_ENV) == "1":
        raise KernelDisagreement(where, cert.verdict, why)
    honest = Certificate(claim=cert.claim, verdict="inconclusive", method=cert.method, backend=cert.backend,
                         precision=cert.precision, input_hash=cert.input_hash, inputs=cert.inputs,
                         evidence=cert.evidence, reason=f"the kernel did not accept the {cert.verdict} certificate "
                         f"re-read from its JSON, so nothing is claimed: {why}", time_seconds=cert.time_seconds,
                         binding=cert.binding)
    if hasattr(cert, "_matrix_source"):
        honest._matrix_source = cert._matrix_source
    ok, why_again = _round_trip(honest)
    if not ok:
        raise KernelDisagreement(where, "inconclusive", why_again)
    return honest


_F = TypeVar("_F", bound=Callable[..., Any])


def returns_kernel_checked(certifier: _F) -> _F:
    """Decorate a public certifier so that every certificate it returns goes through :func:`kernel_checked`.

    The undecorated function stays reachable as ``certifier.__wrapped__`` (for certifiers that call
    another one and check only their own result)."""

    @functools.wraps(certifier)
    def checked(*args: Any, **kwargs: Any) -> Any:
        return kernel_checked(certifier(*args, **kwargs), certifier.__name__)

    checked.kernel_checked = True  # type: ignore[attr-defined]
    return checked  # type: ignore[return-value]


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

