"""Certified critical points (Krawczyk) and strict local minima.

A critical point of a non-polynomial loss is never known exactly: the
certificate says "there is exactly one critical point in this box", and, for a
strict local minimum, "the Hessian is positive definite on the whole box".
The decisive computation is the kernel's :func:`~proofkit.kernel.rules.krawczyk_inclusion`;
this module only prepares the data (the box, an approximate inverse C).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import flint
import numpy as np
import symengine as se
import sympy

from proofkit.certificate import Certificate, arb_to_data, fmpq_to_str
from proofkit.certify.common import Timer, make_certificate, precision_ladder
from proofkit.errors import InvalidInput
from proofkit.kernel.dag import decode_dag
from proofkit.kernel.rules import is_gradient_field, resolve_branches
from proofkit.numeric.arb_checks import critical_point_check, decode_matrix
from proofkit.numeric.arb_engine import NotAnalyticOnBox, Tape, dense_gradient, evaluate
from proofkit.numeric.contexts import FloatContext, NotAnalyticHere, to_fmpq
from proofkit.numeric.program import Program

__all__ = ["certify_critical_point", "certify_strict_local_min", "prepare_gradient", "SYMMETRY_NOTE"]

SYMMETRY_NOTE = ("the Hessian is (nearly) singular at the centre: critical points of networks are often not "
                 "isolated because of weight-space symmetries (rescaling of positively homogeneous units, "
                 "permutations, sign flips), and Krawczyk's test needs an isolated zero. Remedies: certify on a "
                 "slice that fixes the symmetry (pass fixed={parameter: value}), or add a small weight decay "
                 "to the loss")


def _entries(obj: Any) -> list[Any]:
    if hasattr(obj, "to_sympy"):
        obj = obj.to_sympy()
    items = list(obj) if isinstance(obj, sympy.MatrixBase) else [sympy.sympify(e) for e in obj]
    # sympy differentiates Max/Abs into Heaviside/sign; write Heaviside with sign so branches can be resolved
    return [e.replace(sympy.Heaviside, lambda *a: (1 + sympy.sign(a[0])) / 2) for e in items]


def prepare_gradient(grad: Any, variables: Sequence[Any] | None, fixed: dict[Any, Any] | None
                     ) -> tuple[list[Any], list[sympy.Symbol], dict[sympy.Symbol, Any]]:
    """Gradient components of the free variables, with fixed variables substituted (a slice)."""
    if variables is None:
        variables = getattr(grad, "symbols", None)
    entries = _entries(grad)
    if variables is None:
        variables = sorted(set().union(*(e.free_symbols for e in entries)), key=lambda s: s.name)
    variables = [sympy.Symbol(v) if isinstance(v, str) else v for v in variables]
    if len(entries) != len(variables):
        raise InvalidInput("grad", f"{len(variables)} components (one per variable)", f"{len(entries)}")
    fixed_map: dict[sympy.Symbol, Any] = {}
    for k, val in (fixed or {}).items():
        sym = next((v for v in variables if v.name == (k if isinstance(k, str) else k.name)), None)
        if sym is None:
            raise InvalidInput("fixed", "variables of the gradient", f"unknown variable {k!r}")
        fixed_map[sym] = sympy.Rational(to_fmpq(val).p, to_fmpq(val).q) if not isinstance(val, sympy.Basic) else val
    free = [v for v in variables if v not in fixed_map]
    grad_free = [e.xreplace(fixed_map) for e, v in zip(entries, variables) if v not in fixed_map]
    return grad_free, free, fixed_map


def _box(x0: Sequence[Any], radius: Any, n: int) -> tuple[list[Any], list[Any]]:
    if len(x0) != n:
        raise InvalidInput("x0", f"{n} coordinates (one per free variable)", f"{len(x0)} coordinates")
    centers = []
    for i, v in enumerate(x0):
        try:
            centers.append(to_fmpq(v))
        except (ValueError, TypeError):
            raise InvalidInput("x0", "finite numbers", f"{v!r} at position {i}") from None
    radii_in = list(radius) if isinstance(radius, (list, tuple, np.ndarray)) else [radius] * n
    if len(radii_in) != n:
        raise InvalidInput("radius", f"a number or {n} numbers", f"{len(radii_in)} numbers")
    radii = []
    for r in radii_in:
        try:
            q = to_fmpq(r)
        except (ValueError, TypeError):
            raise InvalidInput("radius", "positive finite numbers", repr(r)) from None
        if q <= 0:
            raise InvalidInput("radius", "positive numbers", repr(r))
        radii.append(q)
    return centers, radii


def _approx_inverse(grad_free: list[Any], free: list[sympy.Symbol], centers: list[Any],
                    hess: Any) -> tuple[np.ndarray | None, float, str | None]:
    """Float approximation of J(x0)^{-1} (any matrix is sound here; a good one makes the test pass)."""
    n = len(free)
    x = [float(int(c.p)) / float(int(c.q)) for c in centers]
    J = None
    if hess is not None and hasattr(hess, "evaluate") and len(getattr(hess, "symbols", [])) == n:
        try:
            J = np.array(hess.evaluate(x, FloatContext()), dtype=float)
        except (ValueError, ArithmeticError):
            J = None
    if J is None:
        sv = [se.Symbol(s.name) for s in free]
        try:
            ses = resolve_branches([se.sympify(g) for g in grad_free], sv, [flint.arb(c) for c in centers], 128)
        except NotAnalyticHere as exc:
            return None, float("inf"), f"refused: the centre is a point where the loss is not analytic ({exc})"
        try:
            jac = Program(sv, [g.diff(v) for g in ses for v in sv])
            J = np.array(jac.run(FloatContext(), x), dtype=float).reshape(n, n)
        except (ValueError, ArithmeticError) as exc:
            return None, float("inf"), f"the Hessian could not be evaluated at the centre ({exc})"
    if not np.all(np.isfinite(J)):
        return None, float("inf"), "the Hessian is not finite at the centre"
    cond = float(np.linalg.cond(J))
    if cond > 1e14:
        return None, cond, f"Krawczyk cannot apply: {SYMMETRY_NOTE} (condition number {cond:.2e})"
    return np.linalg.inv(J), cond, None


def _texts(grad_free: list[Any], free: list[sympy.Symbol]) -> list[str]:
    rename = {se.Symbol(s.name): se.Symbol(f"x{i}") for i, s in enumerate(free)}
    return [str(se.sympify(g).xreplace(rename)) if hasattr(se.sympify(g), "xreplace")
            else str(se.sympify(g).subs(rename)) for g in grad_free]


def _engine_inverse(tape: Any, centers: list[Any], n: int) -> tuple[np.ndarray | None, str | None]:
    """Float64 inverse of the Jacobian at the centre, from the engine (any matrix is sound here)."""
    try:
        jets = evaluate(tape, [flint.arb(c) for c in centers], order=1, prec=53)
    except NotAnalyticOnBox as exc:
        return None, f"refused: the centre is a point where the loss is not analytic ({exc})"
    J = np.array([[float(v.mid()) for v in dense_gradient(j, n)] for j in jets])
    if not np.all(np.isfinite(J)):
        return None, "the Hessian is not finite at the centre"
    cond = float(np.linalg.cond(J)) if n <= 400 else 0.0
    if not np.isfinite(cond) or cond > 1e14:
        return None, f"Krawczyk cannot apply: {SYMMETRY_NOTE} (condition number {cond:.2e})"
    return np.linalg.inv(J), None


def _critical(grad: Any, hess: Any, x0: Sequence[Any], radius: Any, variables: Any, fixed: Any,
              max_prec: int, want_min: bool) -> Certificate:
    from proofkit.symbolic.dag import to_dag

    claim_type = "strict_local_min" if want_min else "critical_point"
    with Timer() as t:
        grad_free, free, fixed_map = prepare_gradient(grad, variables, fixed)
        centers, radii = _box(x0, radius, len(free))
        n = len(free)
        texts = _texts(grad_free, free)
        dag = to_dag(grad_free, free)
        inputs = {"variables": [s.name for s in free], "gradient": texts, "gradient_dag": dag,
                  "centers": [fmpq_to_str(c) for c in centers], "radii": [fmpq_to_str(r) for r in radii],
                  "fixed": {s.name: str(v) for s, v in fixed_map.items()}}
        tape = Tape(decode_dag(dag, n_inputs=n, n_outputs=n))
        verdict, reason, prec, evidence = "inconclusive", "", None, {}
        C, problem = _engine_inverse(tape, centers, n)
        if want_min and not is_gradient_field(texts):
            C, problem = None, "refused: grad is not a gradient field (its Jacobian is not symmetric)"
        if C is None:
            reason = problem or "no approximate inverse"
        else:
            evidence["C"] = [[fmpq_to_str(to_fmpq(float(v))) for v in row] for row in C]
            Carb = decode_matrix(evidence["C"], n)
            for prec in precision_ladder(max_prec):
                res = critical_point_check(tape, centers, radii, Carb, prec, want_min=want_min)
                reason = res["reason"].replace("gradient is not analytic", "loss is not analytic")
                if "K" in res:
                    evidence["K"] = [arb_to_data(k) for k in res["K"]]
                if res["ok"]:
                    verdict = "certified"
                    if want_min:
                        reason = ("exactly one critical point in the box and the Hessian is positive definite on "
                                  "the whole box: it is a strict local minimum")
                    break
                if res.get("refused") or res["stage"] == "hessian":
                    break
            if fixed_map:
                reason += ("; on the slice fixing " + ", ".join(f"{s.name} = {v}" for s, v in fixed_map.items())
                           + " (a statement about the restriction to this slice)")
    claim = {"type": claim_type, "dimension": len(free), "slice": bool(fixed_map)}
    return make_certificate(claim, verdict, "Krawczyk operator with interval Jacobian over the box (AD engine)",
                            "arb", prec, None, evidence, reason, seconds=t.seconds, extra_inputs=inputs)


def certify_critical_point(grad: Any, hess: Any, x0: Sequence[Any], radius: Any, *,
                           variables: Sequence[Any] | None = None, fixed: dict[Any, Any] | None = None,
                           max_prec: int = 512) -> Certificate:
    """Certify that the gradient has exactly one zero in the box ``x0 +- radius``.

    Parameters
    ----------
    grad : LazyMatrix, sympy Matrix or sequence of expressions
        The gradient components, one per variable.
    hess : LazyMatrix, sympy Matrix or None
        The Hessian, used only to compute the approximate inverse C (a wrong
        or missing Hessian can make the test fail, never make it wrong: the
        interval Jacobian is derived from ``grad`` itself).
    x0 : sequence of numbers
        The centre (floats are taken exactly).
    radius : positive number or sequence of positive numbers
    variables : sequence of symbols, optional
        The order of the coordinates (default: ``grad.symbols``).
    fixed : dict, optional
        Variables held fixed (a slice transversal to a symmetry orbit).
    max_prec : int
        Highest Arb precision tried.

    Guarantee
    ---------
    ``certified`` proves that the gradient (restricted to the slice, if
    ``fixed`` is given) has exactly one zero in the box: Krawczyk's operator,
    evaluated in Arb with the Jacobian enclosed over the whole box, maps the
    box into its interior. The box avoids every non-analytic point of the
    gradient, or the certifier refuses.

    Examples
    --------
    >>> x, y = sympy.symbols("x y")
    >>> f = (x**2 - 2)**2 + (y - 1)**2
    >>> grad = [f.diff(x), f.diff(y)]
    >>> certify_critical_point(grad, None, [1.4142135623730951, 1], 1e-6, variables=[x, y]).verdict
    'certified'
    """
    return _critical(grad, hess, x0, radius, variables, fixed, max_prec, want_min=False)


def certify_strict_local_min(grad: Any, hess: Any, x0: Sequence[Any], radius: Any, *,
                             variables: Sequence[Any] | None = None, fixed: dict[Any, Any] | None = None,
                             max_prec: int = 512) -> Certificate:
    """Certify a strict local minimum: one critical point in the box and a positive definite Hessian on all of it.

    Guarantee
    ---------
    ``certified`` proves that the function whose gradient is ``grad`` has
    exactly one critical point in the box and that its Hessian (the Jacobian
    of ``grad``, enclosed over the whole box) is positive definite everywhere
    in the box; hence that point is a strict local minimum (a strict local
    minimum of the restriction when ``fixed`` is given).

    Examples
    --------
    >>> x, y = sympy.symbols("x y")
    >>> f = (x**2 - 2)**2 + (y - 1)**2
    >>> c = certify_strict_local_min([f.diff(x), f.diff(y)], None, [1.4142135623730951, 1], 1e-6, variables=[x, y])
    >>> c.verdict
    'certified'
    >>> certify_strict_local_min([f.diff(x), f.diff(y)], None, [0, 1], 1e-6, variables=[x, y]).verdict
    'inconclusive'
    """
    return _critical(grad, hess, x0, radius, variables, fixed, max_prec, want_min=True)
