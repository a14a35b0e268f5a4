"""Honest slices: a statement on a slice lifts to the full space only through a verified symmetry.

Fixing parameters (``fixed=``) proves a statement about the restriction of the loss to a slice;
such certificates carry claim types ending in ``_on_slice``. :func:`certify_lifted_minimum` lifts
a strict minimum on the slice to a (non-strict) local minimum of the full loss when the user gives,
for each fixed parameter, a one-parameter family of maps ``g_t`` with

* ``g_0 = id`` and ``L(g_t(theta)) = L(theta)`` identically (exact identities, re-proved by the kernel), and
* transversality: the orbit directions ``d/dt g_t(theta)|_{t=0}`` restricted to the fixed coordinates
  form a non-singular matrix at every point of the box (Arb).

Then ``Psi(s, t) = g_t(s)`` is a local diffeomorphism from slice x parameters onto a neighbourhood of the
minimum, and ``L(Psi(s, t)) = L(s) >= L(theta*)``: the minimum on the slice is a local minimum of ``L``.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
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
    loss_spec,
    not_analytic_reason,
    q2s,
    radius_ladder,
    rational_matrix,
)
from proofkit.certify.local_min import comparison_inputs
from proofkit.convert import sequence_of
from proofkit.errors import InvalidInput, NotAnalyticAtPoint
from proofkit.symbolic.dag import to_dag
from proofkit.symbolic.identities import check_identity

__all__ = ["parse_action", "certify_lifted_minimum", "verify_symmetry"]

PREC = 256


def parse_action(spec: LossSpec, action: Any) -> tuple[sympy.Symbol, list[sympy.Expr]]:
    """Read a one-parameter family of maps: ``(t, maps)`` with ``maps`` a dict ``{param: expr}`` (others fixed)
    or a sequence of one expression per parameter, in the parameters and the symbol ``t``."""
    if not (isinstance(action, (tuple, list)) and len(action) == 2 and isinstance(action[0], sympy.Symbol)):
        raise InvalidInput("symmetry", "a pair (t, maps) with a sympy Symbol t", repr(action)[:60])
    t, maps = action
    if t in spec.params:
        raise InvalidInput("symmetry", "a group parameter t that is not a parameter of the loss", t.name)
    if isinstance(maps, Mapping):
        names = [p.name for p in spec.params]
        out = list(spec.params)
        for k, v in maps.items():
            name = k.name if isinstance(k, sympy.Symbol) else str(k)
            if name not in names:
                raise InvalidInput("symmetry", "maps of parameters of the loss", f"unknown parameter {name!r}")
            out[names.index(name)] = v
        maps = out
    try:
        exprs = [sympy.sympify(e, strict=True) for e in maps]
    except (sympy.SympifyError, TypeError):
        raise InvalidInput("symmetry", "sympy expressions", repr(maps)[:60]) from None
    if len(exprs) != spec.n:
        raise InvalidInput("symmetry", f"{spec.n} expressions (one per parameter)", f"{len(exprs)}")
    allowed = set(spec.params) | {t}
    for e in exprs:
        if e.free_symbols - allowed:
            raise InvalidInput("symmetry", "expressions in the parameters and t",
                               f"symbols {sorted(map(str, e.free_symbols - allowed))}")
    return t, exprs


def verify_symmetry(spec: LossSpec, t: sympy.Symbol, maps: list[sympy.Expr]) -> str | None:
    """None when ``g_0 = id`` and ``L(g_t theta) = L(theta)`` are proved (sympy), else the reason."""
    at0 = [sympy.simplify(m.subs(t, 0) - p) for m, p in zip(maps, spec.params)]
    if any(e != 0 for e in at0):
        return "the family is not the identity at t = 0"
    moved = spec.expr.xreplace(dict(zip(spec.params, maps)))
    res = check_identity(sympy.Matrix([moved]), sympy.Matrix([spec.expr]), [*spec.params, t])
    if res.verdict == "proved":
        return None
    if res.verdict == "inconclusive" and sympy.simplify(sympy.expand_trig(moved - spec.expr)) == 0:
        return None  # proved by sympy's simplification (e.g. with cos(t)^2 + sin(t)^2 = 1)
    return f"L(g_t theta) = L(theta) is {res.verdict} ({res.detail})"


@returns_kernel_checked
def certify_lifted_minimum(loss: Any, params: Any, point: Any, fixed: Sequence[Any], symmetry: Any, *,
                           radius: Any = None, better_point: Any = None, global_value: Any = None,
                           t_radius: Any = 2.0**-10) -> Certificate:
    """Certify a local minimum of the full loss from a strict minimum on a slice and verified symmetries.

    Parameters
    ----------
    loss, params, point
        As for :func:`~proofkit.certify_local_min`; ``point`` lies on the slice.
    fixed : sequence of parameters
        The coordinates held at their values in ``point`` (the slice).
    symmetry : (t, maps) or list of them
        One one-parameter family of maps per fixed parameter (:func:`parse_action`).
    radius : optional
        Half-width of the box in the free coordinates.
    better_point, global_value : optional
        A comparison (the minimum is then spurious).
    t_radius : number
        The group parameters range over ``[-t_radius, t_radius]`` for the smoothness check.

    Returns
    -------
    Certificate
        Claim type ``local_min`` with ``strict: false`` and ``via: "symmetry"``.

    Guarantee
    ---------
    ``certified``: on the slice, the box contains exactly one critical point and the Hessian of the
    restriction is positive definite on it (Krawczyk); every family satisfies ``g_0 = id`` and
    ``L(g_t theta) = L(theta)`` exactly (kernel: exact rational-function arithmetic), is C^1 near the
    box, and the orbit directions are transversal to the slice on the whole box. Hence the minimum
    on the slice is a local minimum of the full loss (not strict along the orbits).

    Examples
    --------
    >>> x, y, t = sympy.symbols("x y t")
    >>> L = (x**2 + y**2 - 1)**2
    >>> rot = (t, [x*sympy.cos(t) - y*sympy.sin(t), x*sympy.sin(t) + y*sympy.cos(t)])
    >>> certify_lifted_minimum(L, [x, y], [1, 0], [y], rot).verdict
    'certified'
    """
    t0 = time.perf_counter()
    spec = loss_spec(loss, params)
    x0 = exact_point(point, spec.params, "point")
    names = [p.name for p in spec.params]
    fixed_idx = []
    for f in sequence_of(fixed, "fixed", "a sequence of parameters (symbols or names)"):
        name = f.name if isinstance(f, sympy.Symbol) else str(f)
        if name not in names:
            raise InvalidInput("fixed", "parameters of the loss", f"unknown parameter {name!r}")
        fixed_idx.append(names.index(name))
    if not fixed_idx or len(set(fixed_idx)) != len(fixed_idx) or len(fixed_idx) >= spec.n:
        raise InvalidInput("fixed", "distinct parameters, at least one, not all", repr(fixed))
    actions = [symmetry] if isinstance(symmetry, tuple) else \
        sequence_of(symmetry, "symmetry", "a pair (t, maps) or a list of such pairs")
    parsed = [parse_action(spec, a) for a in actions]
    if len(parsed) != len(fixed_idx):
        raise InvalidInput("symmetry", f"one family per fixed parameter ({len(fixed_idx)})", f"{len(parsed)}")
    cmp = comparison_inputs(spec, better_point, global_value)
    free = [i for i in range(spec.n) if i not in fixed_idx]
    claim = {"type": "local_min", "strict": False, "via": "symmetry", "dimension": spec.n, "slice": False,
             "fixed": [names[i] for i in sorted(fixed_idx)], "compare": cmp["compare"]}
    tq = check_radius(t_radius, 1)[0]
    tname = "t" if "t" not in names else "t_group"
    acts, orbit = [], []
    for t, maps in parsed:
        acts.append(to_dag(maps, [*spec.params, t]).copy())
        acts[-1]["inputs"] = names + [tname]
        orbit += [sympy.diff(m, t).subs(t, 0) for m in maps]
    base = {**spec.inputs(), **cmp, "actions": acts, "orbits": to_dag(orbit, spec.params),
            "t_radius": q2s(tq)}
    problems = [p for p in (verify_symmetry(spec, t, m) for t, m in parsed) if p]
    try:
        H, analytic = approx_hessian(spec, x0)[np.ix_(free, free)], None
    except NotAnalyticAtPoint as exc:
        H, analytic = None, not_analytic_reason(exc)
    cert = None
    if problems or H is None or not np.all(np.isfinite(H)) or np.linalg.cond(H) > 1e14:
        cert = assemble(claim, {**base, "centers": [q2s(x) for x in x0], "radii": ["0"] * spec.n}, {},
                        "slice + verified symmetry", PREC)
        cert.verdict = "inconclusive"
        cert.reason = ("the map is not a verified symmetry: " + "; ".join(problems)) if problems else \
            analytic or "the Hessian on the slice is singular at the point"
    else:
        C = rational_matrix(np.linalg.inv(H))
        for r in radius_ladder(radius, [x0[i] for i in free], (1e-3, 1e-6, 1e-10)):
            rq = check_radius(r, len(free))
            radii = [flint.fmpq(0)] * spec.n
            for k, i in enumerate(free):
                radii[i] = rq[k]
            inputs = {**base, "centers": [q2s(x) for x in x0], "radii": [q2s(x) for x in radii]}
            cert = finish(assemble(claim, inputs, {"C": C}, "slice + verified symmetry", PREC), "not certified")
            if cert.certified:
                break
    cert.time_seconds = time.perf_counter() - t0
    return cert
