"""Certified saddles and "not a local minimum" (the argument and what the kernel re-checks: docs/certificates.md,
"Landscape claims").

(a) **Strict saddle**: Krawczyk's test isolates a unique critical point in a box, and exact
directions ``d``, ``e`` have ``d^T H(x) d < 0 < e^T H(x) e`` for every ``x`` in the box; the directions
are found from eigenvectors of the Hessian at the centre.

(b) **Degenerate saddle** (e.g. the origin of a deep linear or tanh network, where the Hessian is zero):
the point is exact and its gradient vanishes exactly, and along a curve ``theta(t)`` (by default a straight
line) ``L(theta(t)) - L(theta(0)) = c t^m + O(t^(m+1))`` with ``c < 0`` — exact for a rational loss; for
another analytic loss an Arb enclosure of ``c`` of proven sign, every lower Taylor coefficient an exact zero;
a second curve with ``c > 0`` (or the same one when ``m`` is odd) shows it is not a maximum either.
Directions are searched automatically: the Hessian's null directions, coordinate axes, ``e_i +- e_j`` and
sign patterns.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Sequence
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
    check_radius,
    exact_point,
    finish,
    is_rational_function,
    jet_at,
    loss_spec,
    not_analytic_reason,
    q2s,
    radius_ladder,
    rational_matrix,
    rational_vector,
    refine_flag,
    refined_point,
)
from proofkit.convert import exact_expr, exact_scalar, positive_radii, rational, sequence_of
from proofkit.errors import CertificateRejected, InvalidInput, NotAnalyticAtPoint
from proofkit.kernel import decode_dag, series_coefficients
from proofkit.symbolic.dag import to_dag

__all__ = ["certify_saddle", "certify_not_local_min", "leading_term_along", "candidate_directions"]

PREC = 256
_T = sympy.Symbol("t")


def _vector(v: Any, n: int, argument: str) -> list[flint.fmpq]:

    items = sequence_of(v, argument, f"a sequence of {n} numbers")
    if len(items) != n:
        raise InvalidInput(argument, f"{n} numbers (one per parameter)", f"{len(items)} numbers")
    out = [exact_scalar(x, argument, f"position {i}") for i, x in enumerate(items)]
    if all(x == 0 for x in out):
        raise InvalidInput(argument, "a non-zero vector", "the zero vector")
    return out


def _curve_exprs(spec: LossSpec, x0: Sequence[flint.fmpq], curve: Any, t: sympy.Symbol = _T) -> list[sympy.Expr]:
    exprs = [exact_expr(e, f"curve[{i}]") if isinstance(e, sympy.Basic) else rational(e, f"curve[{i}]")
             for i, e in enumerate(sequence_of(curve, "curve", "a sequence of sympy expressions in one symbol t"))]
    if len(exprs) != spec.n:
        raise InvalidInput("curve", f"{spec.n} expressions (one per parameter)", f"{len(exprs)}")
    bad = next((e for e in exprs if not is_rational_function(e)), None)
    if bad is not None:
        raise InvalidInput("curve", "rational functions of t (built from t and rational numbers by +, *, / and integer "
                           "powers: the expansion along the curve is exact)", str(bad)[:80])
    syms = set().union(*(e.free_symbols for e in exprs))
    if len(syms) > 1:
        raise InvalidInput("curve", "expressions in a single curve parameter", f"symbols {sorted(map(str, syms))}")
    s = next(iter(syms), t)
    exprs = [e.xreplace({s: t}) for e in exprs]
    if any(e.subs(t, 0) != sympy.Rational(int(q.p), int(q.q)) for e, q in zip(exprs, x0)):
        raise InvalidInput("curve", "a curve through the point at t = 0", "theta(0) != point")
    return exprs


def _line(x0: Sequence[flint.fmpq], d: Sequence[flint.fmpq]) -> list[sympy.Expr]:
    R = sympy.Rational
    return [R(int(p.p), int(p.q)) + R(int(q.p), int(q.q)) * _T for p, q in zip(x0, d)]


def leading_term_along(spec: LossSpec, curve: list[sympy.Expr], max_order: int = 12,
                       critical: bool = False) -> tuple[int, Any] | None:
    """``(m, c)`` with ``L(theta(t)) - L(theta(0)) = c t^m + O(t^(m+1))``, or None when it vanishes to ``max_order``.

    For a rational loss ``c`` is exact (a sympy Rational); otherwise it is an Arb ball of proven sign from the
    kernel's Taylor series (every lower coefficient an exact zero in Arb; with ``critical`` — the gradient vanishes
    exactly at the point — the first one may be any ball). Raises ``ArithmeticError`` when the loss has no Taylor
    expansion along the curve at t = 0 (a pole, a kink) or a lower coefficient is neither zero nor signed."""
    if not spec.is_rational():
        return _arb_leading_term(spec, curve, max_order, critical)
    f = spec.expr.xreplace(dict(zip(spec.params, curve)))
    f0 = f.subs(_T, 0)
    if not f0.is_finite:
        raise ArithmeticError(f"the loss is not finite at the point ({f0})")
    try:
        ser = sympy.series(f - f0, _T, 0, max_order + 1).removeO()
        poly = sympy.Poly(sympy.expand(ser), _T)
    except (NotImplementedError, sympy.PolynomialError, sympy.PoleError, ValueError, TypeError) as exc:
        raise ArithmeticError(f"no Taylor expansion along the curve ({type(exc).__name__})") from None
    for (m,), c in sorted(poly.terms()):
        if m >= 1 and c != 0:
            return m, sympy.Rational(c)
    return None


def _arb_leading_term(spec: LossSpec, curve: list[sympy.Expr], max_order: int, critical: bool
                      ) -> tuple[int, Any] | None:
    """The search's reading of the kernel's Arb Taylor coefficients (the kernel re-derives the leading term)."""
    try:
        cs = series_coefficients(spec.loss_dag, decode_dag(to_dag(curve, [_T])), max_order, PREC)
    except CertificateRejected as exc:
        raise ArithmeticError(str(exc).removeprefix("certificate rejected: ")) from None
    for m in range(1, max_order + 1):
        if cs[m] > 0 or cs[m] < 0:
            return m, cs[m]
        if not (cs[m].is_exact() and cs[m] == 0) and not (m == 1 and critical):
            raise ArithmeticError(f"the coefficient of t^{m} is {cs[m]}: neither an exact zero nor of proven sign")
    return None


def candidate_directions(spec: LossSpec, x0: Sequence[flint.fmpq], limit: int = 400) -> list[list[flint.fmpq]]:
    """Directions to try: null vectors of the exact Hessian, axes, ``e_i +- e_j``, sign patterns (small n)."""
    n = spec.n
    R = sympy.Rational
    at = {p: R(int(q.p), int(q.q)) for p, q in zip(spec.params, x0)}
    out: list[list[flint.fmpq]] = []
    H = sympy.hessian(spec.expr, spec.params).xreplace(at) if spec.is_rational() else sympy.zeros(0, 0)
    for v in H.nullspace():  # (a non-rational loss: null directions come from the float Hessian, see eigen=)
        v = v * sympy.ilcm(*[sympy.Rational(x).q for x in v])
        out.append([flint.fmpq(int(sympy.Rational(x).p), int(sympy.Rational(x).q)) for x in v])
    for i in range(n):
        out.append([flint.fmpq(int(i == k)) for k in range(n)])
    for i, j in itertools.combinations(range(n), 2):
        for s in (1, -1):
            out.append([flint.fmpq(1 if k == i else (s if k == j else 0)) for k in range(n)])
    out.append([flint.fmpq(1)] * n)
    if n <= 8:
        for signs in itertools.product((1, -1), repeat=n - 1):
            out.append([flint.fmpq(1)] + [flint.fmpq(s) for s in signs])
    else:  # seeded random sign patterns (reproducible)
        import random

        rng = random.Random(n)
        for _ in range(128):
            out.append([flint.fmpq(rng.choice((1, -1))) for _ in range(n)])
    seen, uniq = set(), []
    for d in out:
        key = tuple(d)
        if key not in seen and any(x != 0 for x in d):
            seen.add(key)
            uniq.append(d)
    return uniq[:limit]


def _curve_record(curve: list[sympy.Expr], m: int, c: Any) -> dict[str, Any]:
    if isinstance(c, flint.arb):  # a leading term enclosed in Arb: the kernel re-derives it and checks its sign
        return {"curve": to_dag(curve, [_T]), "order": m, "coefficient": "negative" if c < 0 else "positive"}
    return {"curve": to_dag(curve, [_T]), "order": m, "coefficient": q2s(c)}


def _degenerate(spec: LossSpec, x0: list[flint.fmpq], direction: Any, curve: Any, want_max_too: bool,
                eigen: Sequence[list[flint.fmpq]] = (), critical: bool = False
                ) -> tuple[dict[str, Any] | None, dict[str, Any] | None, str]:
    """Search curves with negative (and positive) leading terms; returns records and a reason. ``eigen``: lines
    tried first (the Hessian's eigenvectors: a negative eigenvalue gives an order-2 decrease, a strict saddle)."""
    curves: list[list[sympy.Expr]] = []
    if curve is not None:
        curves.append(_curve_exprs(spec, x0, curve))
    if direction is not None:
        curves.append(_line(x0, _vector(direction, spec.n, "direction")))
    if (curve is None and direction is None) or want_max_too:  # (an increase is searched for automatically too)
        limit = 400 if spec.is_rational() else 100  # (a series in Arb per line: the cheaper search for big graphs)
        curves += [_line(x0, d) for d in eigen] + [_line(x0, d) for d in candidate_directions(spec, x0, limit)]
    neg = pos = None
    zero_count = 0
    failed = []
    for cv in curves:
        try:
            lt = leading_term_along(spec, cv, critical=critical)
        except ArithmeticError as exc:
            failed.append(str(exc))
            continue
        if lt is None:
            zero_count += 1
            continue
        m, c = lt
        if c > 0 and m % 2 == 1:  # t -> -t flips the sign of an odd leading term
            cv, c = [e.xreplace({_T: -_T}) for e in cv], -c
        if c < 0 and (neg is None or m < neg[1]):
            neg = (cv, m, c)
        elif c > 0 and (pos is None or m < pos[1]):
            pos = (cv, m, c)
        if neg is not None and (not want_max_too or neg[1] % 2 == 1 or pos is not None):
            break
    if neg is None:
        return None, None, (f"no curve with a negative leading term among {len(curves)} candidates "
                            f"({zero_count} with L(theta(t)) constant up to order 12"
                            + (f"; {len(failed)} without an expansion: {failed[0]}" if failed else "") + ")")
    nrec = _curve_record(*neg)
    if not want_max_too:
        return nrec, None, ""
    if neg[1] % 2 == 1:
        return nrec, "same", ""
    if pos is None:
        return nrec, None, "a decrease was found, but no curve with a positive leading term (it may be a maximum)"
    return nrec, _curve_record(*pos), ""


def _expansion(records: Sequence[Any], along: str) -> tuple[str, int | None]:
    """The method and precision of a certificate of curves: exact, or Taylor series in Arb at ``PREC`` bits."""
    if any(isinstance(r, dict) and r["coefficient"] in ("negative", "positive") for r in records):
        return f"Taylor series in Arb along {along}", PREC
    return f"exact expansion along {along}", None


def _krawczyk_inputs(spec: LossSpec, x0: list[flint.fmpq], H: np.ndarray) -> dict[str, Any]:
    return {"C": rational_matrix(np.linalg.inv(H))}


def _strict(spec: LossSpec, x0: list[flint.fmpq], H: np.ndarray, direction: Any, radius: Any,
            claim: dict[str, Any], keys: Sequence[str]) -> Certificate:
    w, Vecs = np.linalg.eigh((H + H.T) / 2)
    dirs = {"negative": _vector(direction, spec.n, "direction") if direction is not None else rational_vector(Vecs[:, 0]),
            "positive": rational_vector(Vecs[:, -1])}
    ev = _krawczyk_inputs(spec, x0, H)
    cert = None
    for r in radius_ladder(radius, x0, (1e-3, 1e-6, 1e-10)):
        radii = check_radius(r, spec.n)
        inputs = {**spec.inputs(), "centers": [q2s(x) for x in x0], "radii": [q2s(x) for x in radii],
                  **{k: [q2s(x) for x in dirs[k]] for k in keys}}
        cert = finish(assemble(claim, inputs, ev, "Krawczyk operator and interval curvature over the box", PREC),
                      "not certified")
        if cert.certified:
            break
    return cert


def _eigen(H: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Eigenvalues and eigenvectors of the (symmetrised) float Hessian, or None when it is not finite."""
    if not np.all(np.isfinite(H)):
        return None, None
    return np.linalg.eigh((H + H.T) / 2)


def _regular(w: np.ndarray | None) -> bool:
    """Whether the eigenvalues ``w`` are clearly non-zero (a non-singular Hessian: Krawczyk can isolate the point)."""
    scale = float(np.max(np.abs(w))) if w is not None and len(w) else 0.0
    return bool(scale > 0 and np.min(np.abs(w)) > 1e-8 * scale)


def _maybe_critical(spec: LossSpec, x0: list[flint.fmpq]) -> bool:
    """False when Arb proves some gradient entry non-zero at the point (or the loss is not analytic there); else
    True: the kernel's exact engine decides whether the gradient vanishes exactly (a search step)."""
    try:
        _, g, _ = jet_at(spec, x0, 1, PREC)
    except NotAnalyticAtPoint:
        return False
    return not any(gi > 0 or gi < 0 for gi in (g or []))


def _is_exact_critical(spec: LossSpec, x0: list[flint.fmpq]) -> bool:
    """Whether sympy finds the gradient exactly zero at the point (a search step: the kernel proves it again)."""
    at = {p: sympy.Rational(int(q.p), int(q.q)) for p, q in zip(spec.params, x0)}
    try:
        return all(sympy.simplify(sympy.diff(spec.expr, p).xreplace(at)) == 0 for p in spec.params)
    except (ValueError, TypeError, NotImplementedError, ArithmeticError):  # e.g. a derivative of Abs at 0
        return False


def _inconclusive(claim: dict[str, Any], spec: LossSpec, x0: list[flint.fmpq], reason: str) -> Certificate:
    cert = assemble(claim, {**spec.inputs(), "point": [q2s(x) for x in x0]}, {}, "none", None)
    cert.verdict, cert.reason = "inconclusive", reason
    return cert


@returns_kernel_checked
def certify_saddle(loss: Any, params: Any, point: Any, *, direction: Any = None, curve: Any = None,
                   radius: Any = None, refine: bool = False) -> Certificate:
    """Certify that a critical point is a saddle: neither a local minimum nor a local maximum.

    Parameters
    ----------
    loss : sympy expression, Objective or ``proofkit.dag/1`` dict
        A graph (one output; its inputs are the parameters) is used as stored: the Krawczyk test needs no
        symbolic form; the exact curves of a singular Hessian rebuild one from it.
    params : sequence of symbols or names, or None
    point : sequence or dict
        The (approximate, or for degenerate saddles exact) critical point: rationals, integers or floats
        (taken as the exact binary numbers they are).
    direction : sequence of numbers, optional
        A direction of decrease to use instead of the automatic one.
    curve : sequence of sympy expressions in one symbol, optional
        A curve ``theta(t)`` with ``theta(0) = point``: rational functions of ``t`` (degenerate saddles).
    radius : positive number or sequence, optional
        Half-width of the Krawczyk box (strict saddles).
    refine : bool
        When the Hessian is non-singular, sharpen ``point`` by Newton steps first (float64, then a few with a
        256-bit gradient); the box is centred at the refined point. An exact point with a singular Hessian is
        never moved.

    Returns
    -------
    Certificate
        Claim type ``saddle`` with ``kind`` ``"strict"`` (Krawczyk: an isolated critical point) or
        ``"degenerate"`` (curves at an exact point with a singular Hessian). The latter with ``order`` 2
        means a decrease of order 2: the Hessian has a negative eigenvalue, and the saddle is *strict* in the
        usual sense (printed so); ``order`` > 2: a degenerate saddle, decided at higher order.

    Guarantee
    ---------
    ``certified`` with ``kind: "strict"``: the box contains exactly one critical point, and the
    recorded exact directions have negative and positive curvature at every point of the box;
    so that critical point is neither a local minimum nor a local maximum. With
    ``kind: "degenerate"``: the gradient vanishes exactly at the exact point, and ``L(theta(t)) -
    L(theta(0))`` has leading terms ``c t^m`` with ``c < 0`` along one recorded curve and ``c > 0`` along
    another (or ``m`` odd along the same one): ``c`` exact for a rational loss; for another analytic loss
    an Arb ball of proven sign, with every lower Taylor coefficient an exact zero in Arb. Both are
    re-proved by the kernel.

    Examples
    --------
    >>> x, y = sympy.symbols("x y")
    >>> certify_saddle(x**2 - y**2, [x, y], [0, 0]).claim["kind"]
    'strict'
    >>> c = certify_saddle(x**3 + y**2, [x, y], [0, 0])
    >>> c.verdict, c.claim["kind"], c.claim["order"]
    ('certified', 'degenerate', 3)
    >>> certify_saddle(x**2 + sympy.sin(y)**3, [x, y], [0, 0]).inputs["negative"]["coefficient"]
    'negative'
    """
    t0 = time.perf_counter()
    spec = loss_spec(loss, params)
    x0 = exact_point(point, spec.params, "point")
    refine = refine_flag(refine)
    try:
        H = approx_hessian(spec, x0)
        w, vecs = _eigen(H)
        if refine and curve is None and _regular(w):
            x0 = refined_point(spec, x0, refine)
            H = approx_hessian(spec, x0)
            w, vecs = _eigen(H)
    except NotAnalyticAtPoint as exc:
        claim = {"type": "saddle", "kind": "degenerate" if curve is not None else "strict", "dimension": spec.n}
        cert = _inconclusive(claim, spec, x0, not_analytic_reason(exc))
        cert.time_seconds = time.perf_counter() - t0
        return cert
    if curve is None and _regular(w) and w[0] < 0 < w[-1]:
        claim = {"type": "saddle", "kind": "strict", "dimension": spec.n}
        cert = _strict(spec, x0, H, direction, radius, claim, ("negative", "positive"))
    else:
        claim = {"type": "saddle", "kind": "degenerate", "dimension": spec.n, "order": None}
        scale = 0.0 if w is None else float(np.max(np.abs(w)))
        eigen = [] if w is None else [rational_vector(vecs[:, k]) for k in (0, len(w) - 1) if abs(w[k]) > 1e-8 * scale]
        if w is not None and not spec.is_rational():  # (a rational loss gets the exact null space instead)
            eigen += [rational_vector(vecs[:, k]) for k in range(len(w)) if abs(w[k]) <= 1e-8 * scale]
        if not (_is_exact_critical(spec, x0) if spec.is_rational() else _maybe_critical(spec, x0)):
            cert = _inconclusive(claim, spec, x0, "the gradient does not vanish exactly at the (exact) point")
        else:
            neg, pos, why = _degenerate(spec, x0, direction, curve, want_max_too=True, eigen=eigen, critical=True)
            if neg is None or pos is None:
                cert = _inconclusive(claim, spec, x0, why)
            else:
                claim["order"] = neg["order"]
                inputs = {**spec.inputs(), "point": [q2s(x) for x in x0], "negative": neg, "positive": pos}
                cert = finish(assemble(claim, inputs, {}, *_expansion([neg, pos], "curves")), "not certified")
    cert.time_seconds = time.perf_counter() - t0
    return cert


@returns_kernel_checked
def certify_not_local_min(loss: Any, params: Any, point: Any, *, direction: Any = None, curve: Any = None,
                          radius: Any = None) -> Certificate:
    """Certify that a point (or every point of a box) is not a local minimum.

    With ``radius`` (a number or one per coordinate; 0 keeps a coordinate fixed) and a
    ``direction``, every point of the box ``point +- radius`` has a negative slope along the
    direction (first order). Without a radius: a non-critical point gives the same first-order
    test at the point; an exact critical point is handled by a curve (exact, or Taylor series in Arb)
    (automatic search, or ``curve``/``direction``).

    Guarantee
    ---------
    ``certified``: at every point of the recorded box the directional derivative is certified
    negative (Arb), or along the recorded curve ``L(theta(t)) - L(theta(0)) = c t^m + O(t^(m+1))``
    with ``c < 0`` (exact, or an Arb ball of proven sign with every lower Taylor coefficient an exact zero);
    in both cases no such point is a local minimum.

    Examples
    --------
    >>> x, y = sympy.symbols("x y")
    >>> certify_not_local_min(x**2 * y - y**4, [x, y], [0, 0]).verdict
    'certified'
    """
    t0 = time.perf_counter()
    spec = loss_spec(loss, params)
    x0 = exact_point(point, spec.params, "point")
    rational = spec.is_rational()
    critical = rational and _is_exact_critical(spec, x0)
    first_order = radius is not None or (curve is None and not critical)
    g = None
    if (radius is None and curve is None and not critical) or (first_order and direction is None):
        try:
            _, g, _ = jet_at(spec, x0, 1, PREC)
        except NotAnalyticAtPoint as exc:
            claim = {"type": "not_local_min", "how": "first order", "dimension": spec.n}
            cert = _inconclusive(claim, spec, x0, not_analytic_reason(exc))
            cert.time_seconds = time.perf_counter() - t0
            return cert
    if radius is None and curve is None and not critical:
        if g is None or all(not (gi > 0 or gi < 0) for gi in g):  # (nearly) critical: second-order tests
            cert = _second_order(spec, x0, direction)
            if not cert.certified and not rational:  # perhaps exactly critical: Taylor series in Arb along curves
                neg, _, _ = _degenerate(spec, x0, direction, None, want_max_too=False)
                if neg is not None:
                    claim = {"type": "not_local_min", "how": "curve", "dimension": spec.n}
                    inputs = {**spec.inputs(), "point": [q2s(x) for x in x0], "negative": neg}
                    cert = finish(assemble(claim, inputs, {}, *_expansion([neg], "a curve")), "not certified")
            cert.time_seconds = time.perf_counter() - t0
            return cert
    if first_order:
        radii = [flint.fmpq(0)] * spec.n
        if radius is not None:  # a zero radius keeps that coordinate fixed
            radii = positive_radii(radius, spec.n, allow_zero=True)
        if direction is None:
            d = rational_vector([-float(x.mid()) for x in (g or [])] or [0.0] * spec.n)
        else:
            d = _vector(direction, spec.n, "direction")
        claim = {"type": "not_local_min", "how": "first order", "dimension": spec.n}
        inputs = {**spec.inputs(), "centers": [q2s(x) for x in x0], "radii": [q2s(x) for x in radii],
                  "direction": [q2s(x) for x in d]}
        if all(x == 0 for x in d):
            cert = _inconclusive(claim, spec, x0, "the gradient is zero at the point: give no radius to use curves")
        else:
            cert = finish(assemble(claim, inputs, {}, "interval gradient over the box", PREC), "not certified")
    else:
        claim = {"type": "not_local_min", "how": "curve", "dimension": spec.n}
        neg, _, why = _degenerate(spec, x0, direction, curve, want_max_too=False)
        if neg is None:
            cert = _inconclusive(claim, spec, x0, why)
        else:
            inputs = {**spec.inputs(), "point": [q2s(x) for x in x0], "negative": neg}
            cert = finish(assemble(claim, inputs, {}, *_expansion([neg], "a curve")), "not certified")
    cert.time_seconds = time.perf_counter() - t0
    return cert


def _second_order(spec: LossSpec, x0: list[flint.fmpq], direction: Any) -> Certificate:
    """At a (nearly) critical point: Krawczyk and negative curvature on a box, or, along a given direction with
    an exactly zero slope, negative curvature on a segment (the Taylor remainder)."""
    try:
        H = approx_hessian(spec, x0)
    except NotAnalyticAtPoint as exc:
        return _inconclusive({"type": "not_local_min", "how": "second order", "dimension": spec.n}, spec, x0,
                             not_analytic_reason(exc))
    w, vecs = np.linalg.eigh((H + H.T) / 2)
    scale = float(np.max(np.abs(w))) if len(w) else 0.0
    if direction is None and scale > 0 and float(np.min(np.abs(w))) > 1e-8 * scale and w[0] < 0:
        claim = {"type": "not_local_min", "how": "box", "dimension": spec.n}
        return _strict(spec, x0, H, None, None, claim, ("negative",))
    claim = {"type": "not_local_min", "how": "second order", "dimension": spec.n}
    if direction is None and w[0] < 0:
        direction = rational_vector(vecs[:, 0])
    if direction is None:
        return _inconclusive(claim, spec, x0, "no direction of negative curvature at the point")
    d = _vector(direction, spec.n, "direction")
    cert = None
    for tau in ("1/1024", "1/1048576", "1/1099511627776"):
        inputs = {**spec.inputs(), "point": [q2s(x) for x in x0], "direction": [q2s(x) for x in d], "t_radius": tau}
        cert = finish(assemble(claim, inputs, {}, "exact slope and interval curvature on a segment", PREC),
                      "not certified")
        if cert.certified:
            break
    return cert
