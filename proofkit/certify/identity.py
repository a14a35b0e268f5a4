"""Identities and ReLU linear regions as kernel-checkable certificates."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sympy

from proofkit.certificate import Certificate, fmpq_to_str
from proofkit.certify.common import Timer, check_max_prec, kernel_decides, make_certificate, returns_kernel_checked
from proofkit.convert import exact_point, expr_matrix, sequence_of
from proofkit.errors import InvalidInput, ShapeMismatch
from proofkit.numeric.contexts import to_fmpq
from proofkit.symbolic.dag import to_dag
from proofkit.symbolic.identities import check_identity, require_distinct_names
from proofkit.symbolic.linalg import rank_over_q

__all__ = ["certify_identity", "certify_relu_linear_region"]


_ASSUMPTIONS = ("positive", "negative", "nonnegative", "nonpositive", "nonzero", "integer")


def _assumptions(v: sympy.Symbol) -> list[str]:
    """The assumptions on a variable that a witness must respect (as the kernel checks them)."""
    return [a for a in _ASSUMPTIONS if getattr(v, f"is_{a}", None) is True]


@returns_kernel_checked
def certify_identity(lhs: Any, rhs: Any, variables: Sequence[sympy.Symbol] | None = None,
                     *, prec: int = 256) -> Certificate:
    """Certify ``lhs == rhs`` entrywise (proof by expansion) or refute it at a witness point.

    Guarantee
    ---------
    ``certified``: ``expand(lhs - rhs)`` is 0 for every entry (symengine), so the
    identity holds wherever both sides are defined. ``refuted``: at the recorded
    rational point some entry of ``lhs - rhs`` is certified non-zero (exactly or
    by an Arb enclosure). Identities that need more than expansion (e.g. the
    generic-form proofs of :func:`~proofkit.symbolic.check_identity`) are
    ``inconclusive`` here, because the kernel re-checks only expansions.

    Examples
    --------
    >>> x = sympy.Symbol("x")
    >>> certify_identity([(x + 1)**2], [x**2 + 2*x + 1], [x]).verdict
    'certified'
    """
    L, R = expr_matrix(lhs, "lhs"), expr_matrix(rhs, "rhs")
    if L.shape != R.shape:
        raise ShapeMismatch("rhs", f"shape {L.shape} like lhs", f"shape {R.shape}")
    require_distinct_names(L.free_symbols | R.free_symbols, "lhs")
    if variables is None:
        variables = sorted(L.free_symbols | R.free_symbols, key=lambda s: s.name)
    variables = sequence_of(variables, "variables", "a sequence of sympy Symbols")
    prec = check_max_prec(prec, "prec")
    if not all(isinstance(v, sympy.Symbol) for v in variables):
        raise InvalidInput("variables", "sympy Symbols", repr(variables)[:80])
    missing = (L.free_symbols | R.free_symbols) - set(variables)
    if missing:
        raise InvalidInput("variables", "every free symbol of lhs and rhs", f"missing {sorted(map(str, missing))}")
    claim = {"type": "identity", "entries": len(L)}
    method = "symbolic expansion / witness point"
    with Timer() as t:
        inputs = {"variables": [v.name for v in variables], "assumptions": [_assumptions(v) for v in variables],
                  "lhs": to_dag(list(L), variables), "rhs": to_dag(list(R), variables)}
        # the proof by expansion is the kernel's: the candidate is certified only if it accepts it
        cert = make_certificate(claim, "certified", method, "exact", None, None, {}, "", extra_inputs=inputs)
        expanded, _ = kernel_decides(cert)
        if not expanded:
            res = check_identity(L, R, variables, prec=prec)
            if res.verdict == "refuted":
                i, j = res.entry or (0, 0)
                ev = {"entry": i * L.cols + j, "witness": [fmpq_to_str(to_fmpq(res.witness[v])) for v in variables]}
                cert = make_certificate(claim, "refuted", method, "exact", prec, None, ev, "", extra_inputs=inputs)
                # the witness must respect the variables' assumptions and separate the sides
                confirmed, why = kernel_decides(cert)
                reason = f"the witness point was not confirmed ({why})"
            else:
                confirmed, reason = False, f"no expansion proof ({res.verdict}: {res.detail})"
            if not confirmed:
                cert = make_certificate(claim, "inconclusive", method, "exact", None, None, {}, reason,
                                        extra_inputs=inputs)
    cert.time_seconds = t.seconds
    return cert

@returns_kernel_checked
def certify_relu_linear_region(X: Any, centers: Sequence[Any], radii: Sequence[Any], width: int) -> Certificate:
    """Certify ``rank([F_1, 1_N]) <= d + 1 < N`` on a whole box of first-layer ReLU parameters.

    The box is ``W_1 in centers[:d*width] +- radii``, ``b_1`` in the rest (row-major
    ``W_1`` of shape d x width, then ``b_1``). If every pre-activation is positive
    on the whole box, ReLU acts as the identity there, ``[F_1, 1] = [X, 1] [[W_1], [b_1^T]]``
    augmented, and its rank is at most ``rank([X, 1]) <= d + 1``.

    Guarantee
    ---------
    ``certified``: exact rational interval bounds show every pre-activation is
    positive on the box and ``rank([X, 1_N]) < N`` exactly; so ``rank([F_1, 1_N]) < N``
    on a set of positive measure (the box), refuting the ReLU version of
    Nguyen & Hein's Lemma 4.4.
    """
    from proofkit.symbolic.data import as_exact_matrix

    rows = as_exact_matrix(X, "X")
    N, d = len(rows), len(rows[0])
    if not isinstance(width, int) or isinstance(width, bool) or width < 1:
        raise InvalidInput("width", "a positive integer", repr(width))
    c = exact_point(centers, d * width + width, "centers")
    r = exact_point(radii, d * width + width, "radii")
    with Timer() as t:
        if any(v <= 0 for v in r):
            raise InvalidInput("radii", "positive numbers", "a non-positive radius")
        lowest = None
        for x in rows:
            for j in range(width):
                mid = sum((to_fmpq(x[a]) * c[a * width + j] for a in range(d)), c[d * width + j])
                spread = sum((abs(to_fmpq(x[a])) * r[a * width + j] for a in range(d)), r[d * width + j])
                low = mid - spread
                lowest = low if lowest is None else min(lowest, low)
        rank = rank_over_q([list(x) + [1] for x in rows])
        ok = lowest > 0 and rank < N
    inputs = {"X": [[fmpq_to_str(to_fmpq(v)) for v in x] for x in rows], "width": width,
              "centers": [fmpq_to_str(v) for v in c], "radii": [fmpq_to_str(v) for v in r]}
    reason = (f"every pre-activation is >= {lowest} > 0 on the box, so rank([F_1, 1]) <= rank([X, 1]) = {rank} < N = {N}"
              if ok else "the box is not a linear region or rank([X, 1]) = N")
    return make_certificate({"type": "relu_linear_region", "N": N, "rank_bound": rank},
                            "certified" if ok else "inconclusive", "exact interval bounds on a ReLU activation pattern",
                            "exact", None, None, {"min_preactivation": fmpq_to_str(lowest)}, reason,
                            seconds=t.seconds, extra_inputs=inputs)
