"""Identities and ReLU linear regions as kernel-checkable certificates."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sympy

from proofkit.certificate import Certificate, fmpq_to_str
from proofkit.certify.common import Timer, check_max_prec, kernel_decides, make_certificate, returns_kernel_checked
from proofkit.convert import exact_point
from proofkit.errors import InvalidInput
from proofkit.numeric.contexts import to_fmpq
from proofkit.symbolic.dag import to_dag
from proofkit.symbolic.identities import check_identity, identity_sides
from proofkit.symbolic.linalg import rank_over_q

__all__ = ["certify_identity", "identity_certificate", "certify_relu_linear_region"]


_ASSUMPTIONS = ("positive", "negative", "nonnegative", "nonpositive", "nonzero", "integer")


def _assumptions(v: sympy.Symbol) -> list[str]:
    """The assumptions on a variable that a witness must respect (as the kernel checks them)."""
    return [a for a in _ASSUMPTIONS if getattr(v, f"is_{a}", None) is True]


_METHOD = "exact engine of the kernel / witness point"
#: Inverse hyperbolic functions (accepted in expressions) written as the logarithms they equal for every real x,
#: so that the stored expressions use only the kernel's operations.
_AS_LOGARITHM = {sympy.asinh: lambda a: sympy.log(a + sympy.sqrt(a**2 + 1))}


def _stored(entries: Any, variables: list[sympy.Symbol]) -> dict[str, Any]:
    exprs = [e.replace(lambda n: type(n) in _AS_LOGARITHM, lambda n: _AS_LOGARITHM[type(n)](n.args[0]))
             if isinstance(e, sympy.Basic) and e.has(*_AS_LOGARITHM) else e for e in entries]
    return to_dag(exprs, variables)


def _identity_inputs(L: sympy.Matrix, R: sympy.Matrix, variables: list[sympy.Symbol]) -> dict[str, Any]:
    return {"variables": [v.name for v in variables], "assumptions": [_assumptions(v) for v in variables],
            "lhs": _stored(list(L), variables), "rhs": _stored(list(R), variables)}


def identity_certificate(lhs: Any, rhs: Any, variables: Sequence[sympy.Symbol], budget: float | None = None
                         ) -> tuple[Certificate | None, str]:
    """A ``certified`` identity certificate that the kernel re-proved from its JSON, or ``(None, why not)``.

    ``lhs`` and ``rhs`` are checked sympy expressions or matrices of one shape in the ``variables``
    (:func:`~proofkit.symbolic.identities.check_identity` calls this after its refutation search found no witness);
    ``budget`` is the kernel's work budget in estimated seconds (None: its default, 1 s plus 1 s per KB).
    The reason is the kernel's (e.g. "not reduced to 0 by the exact engine (undecided)"), or how it proved
    the identity.

    Guarantee
    ---------
    A returned certificate is accepted by ``check_certificate(cert.to_json())``: the kernel's exact engine
    reduced every entry of ``lhs - rhs`` to 0 (in every sign region of the piecewise nodes), so the identity
    holds wherever both sides are defined, for the values the variables' assumptions allow.

    Examples
    --------
    >>> x = sympy.Symbol("x")
    >>> cert, how = identity_certificate(sympy.exp(x / 2) * sympy.exp(x / 3), sympy.exp(5 * x / 6), [x])
    >>> cert.verdict
    'certified'
    """
    L = lhs if isinstance(lhs, sympy.MatrixBase) else sympy.Matrix([[lhs]])
    R = rhs if isinstance(rhs, sympy.MatrixBase) else sympy.Matrix([[rhs]])
    variables = list(variables)
    try:
        inputs = _identity_inputs(L, R, variables)
    except InvalidInput as exc:  # a node the stored format does not have
        return None, f"the kernel cannot be asked: {exc}"
    with Timer() as t:
        cert = make_certificate({"type": "identity", "entries": len(L)}, "certified", _METHOD, "exact", None, None, {},
                                "", extra_inputs=inputs)
        ok, why = kernel_decides(cert, budget)
    cert.time_seconds = t.seconds
    why = why.removeprefix("certificate rejected: ")
    return (cert, why or "kernel re-check") if ok else (None, f"the kernel's exact engine: {why}")


@returns_kernel_checked
def certify_identity(lhs: Any, rhs: Any, variables: Sequence[sympy.Symbol] | None = None,
                     *, prec: int = 256, budget: float | None = None) -> Certificate:
    """Certify ``lhs == rhs`` entrywise (the kernel's exact engine) or refute it at a witness point.

    The sides are read as by :func:`~proofkit.symbolic.identities.check_identity` (sums, indexed and matrix symbols of
    concrete sizes written out), which also finds the witness of a refutation.

    Guarantee
    ---------
    ``certified``: the kernel's exact engine reduces every entry of ``lhs - rhs`` to 0 (rational functions
    over Q in the variables and transcendental atoms, exponentials and logarithms normalised, piecewise nodes
    by sign regions), so the identity holds wherever both sides are defined, for the values the variables'
    assumptions allow. ``refuted``: at the recorded rational point (respecting the assumptions) some entry of
    ``lhs - rhs`` is certified non-zero (an Arb enclosure the kernel recomputes).

    ``budget`` is the kernel's work budget in estimated seconds (default: 1 s plus 1 s per KB of the
    certificate); re-check a certificate that needed more with ``check_certificate(text, budget=...)``.

    Examples
    --------
    >>> x = sympy.Symbol("x")
    >>> certify_identity([(x + 1)**2], [x**2 + 2*x + 1], [x]).verdict
    'certified'
    >>> certify_identity(sympy.Max(x, 0), (x + sympy.Abs(x)) / 2, [x]).verdict
    'certified'
    """
    prec = check_max_prec(prec, "prec")
    res = check_identity(lhs, rhs, variables, prec=prec, budget=budget)
    if res.certificate is not None:
        return res.certificate
    L, R, var_list = identity_sides(lhs, rhs, variables)[:3]
    L = L if isinstance(L, sympy.MatrixBase) else sympy.Matrix([[L]])
    R = R if isinstance(R, sympy.MatrixBase) else sympy.Matrix([[R]])
    inputs = _identity_inputs(L, R, var_list)
    claim = {"type": "identity", "entries": len(L)}
    with Timer() as t:
        if res.verdict == "refuted":
            i, j = res.entry or (0, 0)
            ev = {"entry": i * L.cols + j, "witness": [fmpq_to_str(to_fmpq(res.witness[v])) for v in var_list]}
            cert = make_certificate(claim, "refuted", _METHOD, "exact", prec, None, ev, "", extra_inputs=inputs)
            # the witness must respect the variables' assumptions and separate the sides
            confirmed, why = kernel_decides(cert, budget)
            reason = f"the witness point was not confirmed ({why})"
        else:
            confirmed, reason = False, res.detail
        if not confirmed:
            cert = make_certificate(claim, "inconclusive", _METHOD, "exact", None, None, {}, reason, extra_inputs=inputs)
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
