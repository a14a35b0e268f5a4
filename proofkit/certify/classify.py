"""Classify a critical point: strict minimum, strict maximum, saddle, non-strict minimum, or why not.

:func:`classify_critical_point` looks at the Hessian at the point and hands the case to the
certifier that can prove it (Krawczyk with a definite or indefinite interval Hessian, exact
curves for degenerate saddles, the manifold argument for non-strict minima). The result is a
``classification`` certificate that nests the decisive certificate; when nothing is proved it
is ``inconclusive`` with a precise reason: a singular Hessian explained by a *verified*
symmetry, by a non-isolated set of critical points (a line of critical points checked exactly),
by over-parameterisation (the Hessian's rank at a zero of a sum of squares is at most the number
of residuals), or a degenerate point whose curves did not decide.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import flint
import numpy as np
import sympy

from proofkit.certificate import Certificate
from proofkit.certify.common import returns_kernel_checked
from proofkit.certify.landscape_common import (
    LossSpec,
    approx_hessian,
    assemble,
    exact_point,
    finish,
    loss_spec,
    not_analytic_reason,
    q2s,
    refine_flag,
    refined_point,
)
from proofkit.certify.local_min import certify_local_min
from proofkit.certify.saddle import certify_not_local_min, certify_saddle
from proofkit.certify.slices import parse_action, verify_symmetry
from proofkit.convert import integer_in
from proofkit.errors import NotAnalyticAtPoint

__all__ = ["classify_critical_point", "KINDS"]

#: The kinds a classification can certify (the last when a decrease, but no increase, was proved).
KINDS = ("strict local minimum", "strict local maximum", "saddle", "non-strict local minimum",
         "not a local minimum")


def _wrap(spec: LossSpec, x0: list[flint.fmpq], kind: str | None, sub: Certificate | None, reason: str,
          code: str, t0: float) -> Certificate:
    claim = {"type": "classification", "kind": kind, "dimension": spec.n, "reason_code": code}
    inputs = {**spec.inputs(), "point": [q2s(x) for x in x0]}
    ev = {"certificate": sub.to_dict()} if sub is not None else {}
    cert = assemble(claim, inputs, ev, f"classification via {sub.claim['type'] if sub else 'none'}",
                    sub.precision if sub else None)
    if kind is not None and sub is not None and sub.certified:
        # the nested certificate holds; the kernel may still refuse to read it as a classification of this point
        cert = finish(cert, f"the nested {sub.claim['type']} certificate holds, but it does not classify this point")
    else:
        cert.verdict, cert.reason = "inconclusive", reason
    cert.time_seconds = time.perf_counter() - t0
    return cert


def _exact_hessian(spec: LossSpec, x0: list[flint.fmpq]) -> sympy.Matrix | None:
    """The Hessian at the point when sympy evaluates it to rationals exactly (no numerical guessing), else None."""
    at = {p: sympy.Rational(int(q.p), int(q.q)) for p, q in zip(spec.params, x0)}
    try:
        H = sympy.hessian(spec.expr, spec.params).xreplace(at)
    except (ValueError, TypeError, NotImplementedError):  # e.g. Derivative(sign(-3), 0) from Abs
        return None
    return H if all(e.is_Rational for e in H) else None


def _why_singular(spec: LossSpec, x0: list[flint.fmpq], H: np.ndarray, symmetry: Any, residuals: int | None
                  ) -> tuple[str, str]:
    """The most precise reason for a singular Hessian that can be verified here."""
    n = spec.n
    at = {p: sympy.Rational(int(q.p), int(q.q)) for p, q in zip(spec.params, x0)}
    Hx = _exact_hessian(spec, x0)
    rank = Hx.rank() if Hx is not None else int(np.sum(np.abs(np.linalg.eigvalsh((H + H.T) / 2)) >
                                                       1e-9 * (np.max(np.abs(H)) + 1e-300)))
    kernel = Hx.nullspace() if Hx is not None else []
    rank_text = f"rank {rank}" if Hx is not None else f"numerical rank about {rank}"
    if symmetry is not None:
        t, maps = parse_action(spec, symmetry)
        problem = verify_symmetry(spec, t, maps)
        try:
            orbit = [sympy.diff(m, t).subs(t, 0).xreplace(at) for m in maps]
        except (ValueError, TypeError, NotImplementedError):
            orbit = []
        if problem is None and Hx is not None and any(e != 0 for e in orbit) and \
                all(sympy.simplify(e) == 0 for e in Hx * sympy.Matrix(orbit)):
            return "symmetry", (f"singular Hessian ({rank_text} < {n}) due to a verified symmetry: the loss is invariant "
                                f"under the given one-parameter family (identity proved) and its orbit direction "
                                f"{list(orbit)} is in the Hessian's kernel; certify on a transversal slice and lift it "
                                "(proofkit.certify.slices.certify_lifted_minimum)")
        if problem is not None:
            return "unverified symmetry", f"singular Hessian ({rank_text} < {n}); the given map is not a verified " \
                                          f"symmetry ({problem})"
    grad = [sympy.diff(spec.expr, p) for p in spec.params]
    tt = sympy.Symbol("t_line")
    for v in kernel:
        line = {p: at[p] + tt * c for p, c in zip(spec.params, v)}
        if all(sympy.simplify(g.xreplace(line)) == 0 for g in grad):
            return "non-isolated critical set", (f"non-isolated critical set: the gradient vanishes identically on the "
                                                 f"line point + t {list(v)} (proved exactly), so the Hessian is "
                                                 "singular; give manifold= to certify a non-strict minimum")
    value = spec.expr.xreplace(at)
    if residuals is not None and value.is_zero is True and rank <= residuals < n:
        return "over-parameterisation", (f"over-parameterisation: at a zero of a sum of {residuals} squared residuals "
                                        f"the Hessian 2 J^T J has rank at most {residuals} < {n} parameters "
                                        f"({rank_text}); the zero-loss set is not isolated")
    curves = ("give curve=[theta_1(t), ..., theta_n(t)], rational functions of t with theta(0) = point, along which "
              "the loss decreases" if spec.is_rational() else
              "this loss is not rational: along a curve its Taylor coefficients are enclosed in Arb, which needs the "
              "gradient to vanish exactly at the point and every coefficient below the leading one to be an exact "
              "zero; give curve= to try another curve")
    return "degenerate", (f"degenerate critical point: the Hessian is singular ({rank_text} < {n}) and no curve with a "
                          "decisive leading term was found; it may be a non-strict minimum (give manifold=) or a "
                          f"higher-order saddle ({curves})")


@returns_kernel_checked
def classify_critical_point(loss: Any, params: Any, point: Any, *, manifold: Mapping[Any, Any] | None = None,
                            radius: Any = None, symmetry: Any = None, residuals: int | None = None,
                            curve: Any = None, refine: bool = False) -> Certificate:
    """Classify a critical point with a certificate, or say precisely why it cannot be classified.

    Parameters
    ----------
    loss : sympy expression, Objective or ``proofkit.dag/1`` dict
        A graph (one output; its inputs are the parameters) is used as stored; the symbolic steps for a
        singular Hessian rebuild a sympy expression from it.
    params : sequence of symbols or names, or None
    point : sequence or dict
        Rationals, integers or floats (taken as the exact binary numbers they are).
    manifold : dict, optional
        A manifold of critical points through ``point`` (see :func:`~proofkit.certify_local_min`).
    radius : optional
        Box half-width for the Krawczyk-based cases.
    symmetry : (t, maps), optional
        A one-parameter family of parameter maps (see :func:`~proofkit.certify.slices.parse_action`),
        used to explain a singular Hessian.
    residuals : int, optional
        The number of squared residuals of a sum-of-squares loss (``N d_y`` of an Objective is
        used by default).
    curve : sequence of expressions in one symbol, optional
        A curve ``theta(t)`` with ``theta(0) = point`` (rational functions of t) for a degenerate
        point: used instead of the automatic search of curves (see
        :func:`~proofkit.certify_saddle`); a decrease along it proves "saddle" (with an increase
        along another automatic direction or an odd order) or "not a local minimum".
    refine : bool
        When the Hessian is non-singular, move ``point`` by Newton steps to (near) the critical point first; the
        classification is then of the refined point (recorded in the certificate). Never with a manifold, and
        never when the Hessian is singular (an exact point stays exact).

    Returns
    -------
    Certificate
        Claim type ``classification``; ``claim["kind"]`` is one of :data:`KINDS` when certified,
        and ``claim["reason_code"]`` names the case when inconclusive.

    Guarantee
    ---------
    ``certified`` proves the kind: the nested certificate (re-checked by the kernel, for the same
    loss and a box or exact point containing ``point``) is a strict local minimum / maximum
    (Krawczyk, definite interval Hessian), a saddle (strict or degenerate) or a non-strict
    minimum on a manifold.

    Examples
    --------
    >>> x, y = sympy.symbols("x y")
    >>> classify_critical_point(x**2 - y**2, [x, y], [0, 0]).claim["kind"]
    'saddle'
    >>> classify_critical_point(-x**2 - y**4 - y**2, [x, y], [0, 0]).claim["kind"]
    'strict local maximum'
    """
    t0 = time.perf_counter()
    spec = loss_spec(loss, params)
    x0 = exact_point(point, spec.params, "point")
    refine = refine_flag(refine)
    if residuals is None and spec.objective is not None:
        residuals = spec.objective.N * spec.objective.network.widths[-1]
    if residuals is not None:
        residuals = integer_in(residuals, "residuals", 1)
    if symmetry is not None:
        parse_action(spec, symmetry)  # checked now, used only if the Hessian is singular
    if manifold is not None:
        sub = certify_local_min.__wrapped__(spec, spec.params, point, manifold=manifold, radius=radius)
        return _wrap(spec, x0, "non-strict local minimum", sub, sub.reason, "manifold", t0)
    try:
        H = approx_hessian(spec, x0)
    except NotAnalyticAtPoint as exc:
        return _wrap(spec, x0, None, None, not_analytic_reason(exc), "not analytic", t0)
    if not np.all(np.isfinite(H)):
        return _wrap(spec, x0, None, None, "the Hessian is not finite at the point", "not finite", t0)
    w = np.linalg.eigvalsh((H + H.T) / 2)
    scale = float(np.max(np.abs(w))) if len(w) else 0.0
    regular = scale > 0 and float(np.min(np.abs(w))) > 1e-8 * scale
    if regular and refine:
        moved = refined_point(spec, x0, True)
        try:
            H2 = approx_hessian(spec, moved)
        except NotAnalyticAtPoint:
            H2 = None
        if H2 is not None and np.all(np.isfinite(H2)):
            x0, H, point = moved, H2, moved
            w = np.linalg.eigvalsh((H + H.T) / 2)
    if regular and w[0] > 0:
        sub = certify_local_min.__wrapped__(spec, spec.params, point, radius=radius)
        return _wrap(spec, x0, "strict local minimum", sub, sub.reason, "definite", t0)
    if regular and w[-1] < 0:
        claim = {"type": "local_max", "strict": True, "dimension": spec.n}
        sub = _strict_max(spec, x0, H, radius, claim)
        return _wrap(spec, x0, "strict local maximum", sub, sub.reason, "definite", t0)
    sub = certify_saddle.__wrapped__(spec, spec.params, point, radius=radius, curve=curve)
    if sub.certified:
        # an order-2 decrease along a curve is a negative Hessian eigenvalue: a strict saddle, even with a singular Hessian
        code = "strict" if sub.claim.get("order") == 2 else sub.claim["kind"]
        return _wrap(spec, x0, "saddle", sub, sub.reason, code, t0)
    if regular:
        return _wrap(spec, x0, None, None, f"indefinite Hessian but the saddle was not certified: {sub.reason}",
                     "not certified", t0)
    weaker = certify_not_local_min.__wrapped__(spec, spec.params, point, curve=curve)
    if weaker.certified and weaker.claim["how"] in ("curve", "second order"):  # a decrease, no increase was found
        return _wrap(spec, x0, "not a local minimum", weaker,
                     weaker.reason, "curve", t0)
    code, why = _why_singular(spec, x0, H, symmetry, residuals)
    return _wrap(spec, x0, None, None, f"{why} [{sub.reason}]", code, t0)


def _strict_max(spec: LossSpec, x0: list[flint.fmpq], H: np.ndarray, radius: Any, claim: dict[str, Any]) -> Certificate:
    from proofkit.certify.landscape_common import check_radius, radius_ladder, rational_matrix

    C = rational_matrix(np.linalg.inv(H))
    cert = None
    for r in radius_ladder(radius, x0, (1e-3, 1e-6, 1e-10)):
        radii = check_radius(r, spec.n)
        inputs = {**spec.inputs(), "centers": [q2s(x) for x in x0],
                  "radii": [q2s(x) for x in radii]}
        cert = finish(assemble(claim, inputs, {"C": C}, "Krawczyk operator and interval Hessian", 256),
                      "not certified")
        if cert.certified:
            break
    return cert

