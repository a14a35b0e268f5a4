"""Certified spurious local minima: counterexamples to "every local minimum is global".

A certificate proves, with enclosures only:

1. exactly one critical point in an explicit box B (Krawczyk, interval Hessian over B);
2. the Hessian is positive definite on all of B (so it is a strict local minimum);
3. a lower bound of the loss over B (mean-value form) that exceeds an upper bound of the
   loss at a better point (or a stated global value);
4. B avoids every point where the loss is not analytic (else the certificate is refused).

The kernel re-derives the gradient from the loss expression itself.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import flint
import symengine as se
import sympy

from proofkit.certificate import Certificate, arb_to_data, fmpq_from_str, fmpq_to_str
from proofkit.certify.common import Timer, make_certificate, precision_ladder
from proofkit.certify.critical import SYMMETRY_NOTE, _approx_inverse, _box
from proofkit.convert import exact_expr, exact_point, exact_scalar
from proofkit.errors import CertificateRejected, InvalidInput, NonSmoothInBox
from proofkit.kernel.dag import decode_dag
from proofkit.kernel.linalg import ball_matrix_pd
from proofkit.kernel.rules import loss_gap, loss_krawczyk
from proofkit.numeric.contexts import to_fmpq
from proofkit.symbolic.dag import to_dag

__all__ = ["certify_spurious_minimum"]


def _values(point: Any, params: list[sympy.Symbol], argument: str) -> list[Any]:
    if isinstance(point, Mapping):
        by_name = {(k.name if isinstance(k, sympy.Symbol) else str(k)): v for k, v in point.items()}
        missing = [p.name for p in params if p.name not in by_name]
        if missing:
            raise InvalidInput(argument, f"a value for each of the {len(params)} parameters", f"missing {missing[:4]}")
        seq = [by_name[p.name] for p in params]
    else:
        seq = list(point)
        if len(seq) != len(params):
            raise InvalidInput(argument, f"{len(params)} coordinates (one per parameter)", f"{len(seq)} coordinates")
    return exact_point(seq, len(params), argument)


def newton_refine(grad: list[Any], variables: list[Any], x: list[Any], dps: int = 60, steps: int = 30) -> list[Any]:
    """Newton's method on the gradient in mpmath at ``dps`` digits; returns exact rationals (a search step)."""
    import mpmath

    from proofkit.numeric.contexts import MpmathContext
    from proofkit.numeric.program import Program

    n = len(variables)
    g_prog = Program(variables, grad)
    h_prog = Program(variables, [g.diff(v) for g in grad for v in variables])
    ctx = MpmathContext(dps)
    with mpmath.workdps(dps):
        cur = [mpmath.mpf(int(q.p)) / int(q.q) for q in x]
        for _ in range(steps):
            try:
                g = mpmath.matrix(g_prog.run(ctx, cur))
                H = mpmath.matrix(n, n)
                vals = h_prog.run(ctx, cur)
                for i in range(n):
                    for j in range(n):
                        H[i, j] = vals[i * n + j]
                step = mpmath.lu_solve(H, g)
            except (ZeroDivisionError, ValueError, ArithmeticError):
                break
            new = [c - s for c, s in zip(cur, step)]
            if not all(mpmath.isfinite(c) for c in new):
                break  # a (nearly) singular Hessian sent the step to infinity: keep the last finite iterate
            cur = new
            if mpmath.norm(step) < mpmath.mpf(10) ** (-(dps - 10)):
                break
        if not all(mpmath.isfinite(c) for c in cur):
            return list(x)
        return [_mpf_to_fmpq(c) for c in cur]


def _mpf_to_fmpq(c: Any) -> flint.fmpq:
    """The exact binary value of an mpmath number (no decimal string in between)."""
    sign, man, exp, _bc = c._mpf_
    man = -int(man) if sign else int(man)
    return flint.fmpq(man * 2 ** int(exp)) if exp >= 0 else flint.fmpq(man, 2 ** int(-exp))


def certify_spurious_minimum(loss: Any, params: Sequence[Any] | None, point: Any, better_point: Any = None,
                             global_value: Any = None, *, radius: Any = None, fixed: Mapping[Any, Any] | None = None,
                             symmetry: Any = "", refine: bool = True, max_prec: int = 512,
                             manifold: Mapping[Any, Any] | None = None) -> Certificate:
    """Certify that ``point`` is (near) a strict local minimum whose value exceeds a better value.

    Parameters
    ----------
    loss : sympy expression or Objective
        The loss in its parameters (a network's :class:`~proofkit.Objective`, or any expression).
    params : sequence of symbols, optional
        The parameter order (default: ``loss.params`` for an Objective, else sorted free symbols).
    point, better_point : sequence or dict
        The candidate minimum and a point with smaller loss (floats are taken exactly).
    global_value : number, optional
        A stated global minimum value to compare with instead of ``better_point`` (recorded as
        stated, e.g. 0 for an interpolating architecture with the squared loss).
    radius : positive number, optional
        The half-width of the box; by default ``1e-12 (1 + max |point|)`` is tried, then smaller.
    fixed : dict, optional
        Parameters held fixed: the claim is then about the slice only (type
        ``spurious_local_min_on_slice``), unless ``symmetry`` is a one-parameter family of maps
        ``(t, maps)`` (one per fixed parameter) whose invariance and transversality are verified; then
        the lifted full-space claim is certified (:func:`~proofkit.certify.slices.certify_lifted_minimum`).
        A text ``symmetry`` is recorded as an unverified note and lifts nothing.
    manifold : dict, optional
        ``{normal parameter: expression in the others}``: a manifold of minima through ``point``;
        the non-strict minimum is certified by :func:`~proofkit.certify_local_min`.
    refine : bool
        Sharpen ``point`` by Newton steps at 60 digits (mpmath) before certifying; the box is
        centred at the refined point.

    Guarantee
    ---------
    ``certified`` proves: the loss (restricted to the slice when ``fixed`` is given) has exactly
    one critical point in the box B, its Hessian is positive definite on all of B, the box meets
    no non-analytic point, and ``min_B loss > loss(better_point)`` (resp. ``> global_value``, which is
    then an assumption recorded in the certificate). Hence B contains a strict local minimum that
    is not a global minimum.

    Examples
    --------
    >>> x = sympy.Symbol("x")
    >>> f = (x**2 - 1)**2 + x / 4          # a tilted double well
    >>> c = certify_spurious_minimum(f, [x], [0.97], better_point=[-1.03])
    >>> c.verdict
    'certified'
    """
    if manifold is not None or (fixed and symmetry and not isinstance(symmetry, str)):
        if better_point is None and global_value is None:
            raise InvalidInput("better_point", "a better point or a global_value to compare with", "neither")
        from proofkit.certify.local_min import certify_local_min
        from proofkit.certify.slices import certify_lifted_minimum

        if manifold is not None:
            return certify_local_min(loss, params, point, manifold=manifold, radius=radius,
                                     better_point=better_point, global_value=global_value)
        full = point if not isinstance(point, Mapping) else {**point, **fixed}
        return certify_lifted_minimum(loss, params, full, list(fixed), symmetry, radius=radius,
                                      better_point=better_point, global_value=global_value)
    if hasattr(loss, "expr") and hasattr(loss, "params"):
        params = list(params) if params is not None else list(loss.params)
        expr = loss.expr_symengine if hasattr(loss, "expr_symengine") else loss.expr
    else:
        expr = exact_expr(loss, "loss")
        params = list(params) if params is not None else sorted(expr.free_symbols, key=lambda s: s.name)
    params = [sympy.Symbol(p) if isinstance(p, str) else p for p in params]
    if not all(isinstance(p, sympy.Symbol) for p in params) or len({p.name for p in params}) != len(params):
        raise InvalidInput("params", "distinct sympy Symbols or names", repr(params)[:80])
    if better_point is None and global_value is None:
        raise InvalidInput("better_point", "a better point or a global_value to compare with", "neither")
    x0 = _values(point, params, "point")
    fixed_map: dict[sympy.Symbol, Any] = {}
    for k, v in (fixed or {}).items():
        name = k if isinstance(k, str) else k.name
        sym = next((p for p in params if p.name == name), None)
        if sym is None:
            raise InvalidInput("fixed", "parameters of the loss", f"unknown parameter {name!r}")
        fixed_map[sym] = exact_scalar(v, "fixed")
    free = [p for p in params if p not in fixed_map]
    sub = {se.Symbol(p.name): se.Rational(int(q.p), int(q.q)) for p, q in fixed_map.items()}
    loss_free = se.sympify(expr).subs(sub) if sub else se.sympify(expr)
    centre = [x0[params.index(p)] for p in free]
    with Timer() as t:
        inputs: dict[str, Any] = {"variables": [p.name for p in free],
                                  "fixed": {p.name: fmpq_to_str(v) for p, v in fixed_map.items()},
                                  "symmetry": symmetry}
        if better_point is not None:
            better = _values(better_point, params, "better_point")
            inputs["better"] = [fmpq_to_str(better[params.index(p)]) for p in free]
            inputs["compare"] = "better_point"
            if any(better[params.index(p)] != v for p, v in fixed_map.items()):
                raise InvalidInput("better_point", "the fixed parameters' values on the slice", "other values")
        else:
            inputs["global_value"] = fmpq_to_str(exact_scalar(global_value, "global_value"))
            inputs["compare"] = "stated global value"
        grad = [loss_free.diff(se.Symbol(p.name)) for p in free]
        if refine:
            try:
                centre = newton_refine(grad, [se.Symbol(p.name) for p in free], centre)
            except (ValueError, ArithmeticError):
                pass  # keep the given centre; the test below decides
        inputs["loss"] = to_dag([loss_free], free)
        stored = decode_dag(inputs["loss"])
        better_q = [fmpq_from_str(v) for v in inputs["better"]] if "better" in inputs else None
        global_q = fmpq_from_str(inputs["global_value"]) if "global_value" in inputs else None
        C, _cond, problem = _approx_inverse(stored, centre, 2)
        verdict, reason, prec, evidence = "inconclusive", problem or "", None, {}
        if C is not None:
            Cq = [[to_fmpq(float(v)) for v in row] for row in C]
            evidence["C"] = [[fmpq_to_str(v) for v in row] for row in Cq]
            scale = max((abs(float(c)) for c in centre), default=0.0) + 1
            radii_to_try = [radius] if radius is not None else [1e-12 * scale, 1e-20 * scale, 1e-30 * scale]
            for r in radii_to_try:
                _, rads = _box(centre, r, len(free))
                inputs["centers"] = [fmpq_to_str(c) for c in centre]
                inputs["radii"] = [fmpq_to_str(q) for q in rads]
                stop = False
                for prec in precision_ladder(max_prec):
                    try:
                        inside, _, H, g, lc = loss_krawczyk(stored, centre, rads, Cq, prec)
                        if not inside:
                            reason = "Krawczyk's operator does not map the box into its interior"
                            continue
                        if not ball_matrix_pd(H, prec):
                            reason = "unique critical point in the box, but the Hessian is not proven positive " \
                                     "definite on it"
                            continue
                        lower, better, gap = loss_gap(stored, rads, g, lc, better_q, global_q, prec)
                    except NonSmoothInBox as exc:
                        verdict, reason, stop = "inconclusive", f"refused: the box meets a non-analytic point ({exc})", True
                        break
                    except CertificateRejected as exc:
                        verdict, reason, stop = "inconclusive", f"the loss could not be enclosed ({exc})", True
                        break
                    if gap > 0:
                        verdict = "certified"
                        evidence.update({"lower": arb_to_data(lower), "better": arb_to_data(better),
                                         "gap": arb_to_data(gap)})
                        break
                    reason = "the loss bound over the box does not exceed the better value"
                    if gap < 0:
                        reason += " (the better point is not better)"
                        break  # more precision will not help
                if verdict == "certified" or stop:
                    break
        elif "singular" in (problem or ""):
            reason = problem or SYMMETRY_NOTE
    claim = {"type": "spurious_local_min" + ("_on_slice" if fixed_map else ""), "dimension": len(free),
             "slice": bool(fixed_map),
             "compare": inputs["compare"]}
    margin = None
    return make_certificate(claim, verdict, "Krawczyk + interval Hessian + mean-value loss bound", "arb", prec, None,
                            evidence, reason, margin=margin, seconds=t.seconds, extra_inputs=inputs)
