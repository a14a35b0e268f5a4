"""The kernel's work budget: every costly step is charged, before it runs, against one global budget; and the
trust tiers the check rests on.

Costs are *estimated seconds* on a reference machine (the cost model of each library: an Arb
evaluation costs its nodes' derivative blocks times the price of one operation at its precision,
an exact elimination its operations times the size of its numbers, ...). :func:`~proofkit.kernel.door.check_certificate`
opens a :class:`Budget` (by default ``1 s`` plus ``1 s`` per KB of certificate) for the whole
check, nested certificates included; a step that would exceed it is refused before it starts:
:class:`~proofkit.errors.CertificateRejected` ("over budget"). Outside a check (a certifier calling
a primitive) nothing is charged.
"""

from __future__ import annotations

from contextvars import ContextVar

from proofkit.errors import CertificateRejected

__all__ = ["Budget", "charge", "arb_op", "arb_function", "arb_cubic", "spent", "note_tier"]

_ACTIVE: ContextVar[Budget | None] = ContextVar("proofkit_kernel_budget", default=None)


class Budget:
    """``limit`` estimated seconds of work; :meth:`charge` refuses a step that would go beyond it."""

    def __init__(self, limit: float) -> None:
        if not limit > 0:
            raise CertificateRejected(f"certificate rejected: the budget must be positive, got {limit!r}")
        self.limit, self.used = float(limit), 0.0
        self.tiers: set[str] = set()  # the trust tiers of every step of the check (see proofkit.kernel.facts)

    def __enter__(self) -> Budget:
        self._token = _ACTIVE.set(self)
        return self

    def __exit__(self, *exc: object) -> None:
        _ACTIVE.reset(self._token)


def charge(seconds: float, what: str) -> None:
    """Charge the estimated cost of a step to the active budget (none outside a check)."""
    b = _ACTIVE.get()
    if b is None:
        return
    if not seconds < b.limit - b.used:  # (also refuses NaN)
        raise CertificateRejected(f"certificate rejected: over budget: {what} would cost about {seconds:.3g} s of "
                                  f"the {b.limit - b.used:.3g} s left of {b.limit:.3g} s (pass budget= to allow more)")
    b.used += seconds


def note_tier(tier: str) -> None:
    """Record that the active check rests on ``tier`` (a fact was proved, or a value enclosed, in it)."""
    b = _ACTIVE.get()
    if b is not None:
        b.tiers.add(tier)


def spent() -> float:
    """Estimated seconds charged so far in the active check (0 outside one)."""
    b = _ACTIVE.get()
    return 0.0 if b is None else b.used


def _scale(prec: int) -> float:
    return (max(prec, 64) / 64) ** 1.1


def arb_op(prec: int) -> float:
    """Estimated seconds of one step of the evaluator (an Arb operation and its Python overhead) at ``prec`` bits."""
    return 3e-6 + 2e-7 * _scale(prec)


def arb_function(prec: int) -> float:
    """Estimated seconds of one elementary function (exp, log, sin, atan, erf, a root, ...) at ``prec`` bits (measured
    with Arb: about 1 us up to 256 bits, 4 us at 1024, 30 us at 4096, 0.6 ms at 16384, 5-25 ms at 65536)."""
    return 2e-6 * max(1.0, prec / 256) ** 1.8


def arb_cubic(n: int, prec: int, factor: float = 1.0) -> float:
    """Estimated seconds of an ``n x n`` Arb matrix solve, product, determinant or elimination at ``prec`` bits
    (``factor`` times as much for eigenvalues; measured: 1-2e-8 n^3 s at 64 bits, about 4e-9 n^3 (p/64)^1.1 s
    beyond)."""
    return 1e-6 * n * n + factor * 3e-8 * n**3 * _scale(prec)
