"""Certified critical points (Krawczyk) and strict local minima.

A critical point of a non-polynomial loss is never known exactly: the
certificate says "there is exactly one critical point in this box", and, for a
strict local minimum, "the Hessian is positive definite on the whole box".
The decisive computation is the kernel's (:func:`~proofkit.kernel.krawczyk` and
:func:`~proofkit.kernel.definite`) on the stored expression; this module only
prepares the data (the box, an approximate inverse C).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import flint
import numpy as np
import sympy

from proofkit.certificate import Certificate, fmpq_to_str
from proofkit.certify.common import (
    Timer,
    check_max_prec,
    make_certificate,
    precision_ladder,
    preconditioner,
    returns_kernel_checked,
)
from proofkit.convert import exact_expr, exact_exprs, exact_point, mapping_of, positive_radii, rational, sequence_of
from proofkit.errors import CertificateRejected, InvalidInput, NonSmoothInBox
from proofkit.kernel import decode_dag, definite, enclose, krawczyk
from proofkit.numeric.contexts import to_fmpq
from proofkit.symbolic.dag import to_dag

__all__ = ["certify_critical_point", "certify_strict_local_min", "prepare_gradient", "SYMMETRY_NOTE"]

SYMMETRY_NOTE = ("the Hessian is (nearly) singular at the centre, so Krawczyk's test cannot isolate the point: "
                 "critical points come in manifolds (a verified symmetry, collinear data, a switched-off unit, "
                 "the zero-loss set of an over-parameterised network) or the point is a degenerate saddle. "
                 "classify_critical_point says which case applies; certify_local_min(..., manifold=...) certifies "
                 "a non-strict minimum; certify_saddle finds degenerate saddles; fixed={...} certifies only a "
                 "slice statement unless a verified symmetry lifts it")


def _entries(obj: Any) -> list[Any]:
    # checked node by node, floats exact; Heaviside (from differentiating Max/Abs) is written with sign
    return exact_exprs(obj, "grad")


def prepare_gradient(grad: Any, variables: Sequence[Any] | None, fixed: dict[Any, Any] | None, *,
                     substitute: bool = True) -> tuple[list[Any], list[sympy.Symbol], dict[sympy.Symbol, Any]]:
    """Gradient components of the free variables, with fixed variables substituted (a slice).

    With ``substitute=False`` the components keep the fixed variables as symbols (certificates store
    them as further inputs of the expression, bound to their recorded values)."""
    if variables is None:
        variables = getattr(grad, "symbols", None)
    entries = _entries(grad)
    if variables is None:
        variables = sorted(set().union(*(e.free_symbols for e in entries)), key=lambda s: s.name)
    variables = [sympy.Symbol(v) if isinstance(v, str) else v
                 for v in sequence_of(variables, "variables", "a sequence of sympy Symbols or names")]
    if not all(isinstance(v, sympy.Symbol) for v in variables):
        raise InvalidInput("variables", "sympy Symbols or names", repr(variables)[:80])
    if len({v.name for v in variables}) != len(variables):
        raise InvalidInput("variables", "distinct variable names", repr([v.name for v in variables])[:80])
    if len(entries) != len(variables):
        raise InvalidInput("grad", f"{len(variables)} components (one per variable)", f"{len(entries)}")
    fixed_map: dict[sympy.Symbol, Any] = {}
    for k, val in mapping_of(fixed, "fixed", "a dict {variable: value}").items():
        sym = next((v for v in variables if v.name == (k if isinstance(k, str) else getattr(k, "name", None))), None)
        if sym is None:
            raise InvalidInput("fixed", "variables of the gradient", f"unknown variable {k!r}")
        fixed_map[sym] = rational(val, "fixed") if not isinstance(val, sympy.Basic) or val.is_Number \
            else exact_expr(val, "fixed")
        if fixed_map[sym].free_symbols:
            raise InvalidInput("fixed", "numeric values", f"{val} for {sym.name}")
    free = [v for v in variables if v not in fixed_map]
    grad_free = [e.xreplace(fixed_map) if substitute else e for e, v in zip(entries, variables) if v not in fixed_map]
    return grad_free, free, fixed_map


def _box(x0: Sequence[Any], radius: Any, n: int) -> tuple[list[Any], list[Any]]:
    return exact_point(x0, n, "x0"), positive_radii(radius, n)


def _approx_inverse(dag: Any, centers: list[Any], order: int, fixed: Sequence[Any] = ()
                    ) -> tuple[np.ndarray | None, float, str | None]:
    """Float approximation of J(x0)^{-1}, J the Jacobian of the stored gradient (``order=1``) or the
    Hessian of the stored loss (``order=2``) in the first ``len(centers)`` inputs (the others are the
    fixed values of a slice); any matrix is sound here, a good one makes the test pass."""
    try:
        jets = enclose(dag, [flint.arb(c) for c in [*centers, *fixed]], order, 128)
    except NonSmoothInBox as exc:
        return None, float("inf"), f"refused: the centre is a point where the loss is not analytic ({exc})"
    except CertificateRejected as exc:
        return None, float("inf"), f"the Hessian could not be evaluated at the centre ({exc})"
    n = len(centers)
    if order == 2:
        H = jets[0].hess
        J = np.array([[float(H[i, j].mid()) if H is not None else 0.0 for j in range(n)] for i in range(n)])
    else:
        J = np.array([[float(x.mid()) for x in j.grad[:n]] if j.grad is not None else [0.0] * n for j in jets])
    if not np.all(np.isfinite(J)):
        return None, float("inf"), "the Hessian is not finite at the centre"
    with np.errstate(all="ignore"):
        try:
            cond = float(np.linalg.cond(J))
            C = np.linalg.inv(J) if cond <= 1e14 else None
        except np.linalg.LinAlgError:
            cond, C = float("inf"), None
    if C is None or not np.all(np.isfinite(C)):
        return None, cond, f"Krawczyk cannot apply: {SYMMETRY_NOTE} (condition number {cond:.2e})"
    return C, cond, None


def _exact_values(fixed_map: dict[sympy.Symbol, Any]) -> dict[str, str]:
    out = {}
    for s, v in fixed_map.items():
        try:
            out[s.name] = fmpq_to_str(to_fmpq(v))
        except (ValueError, TypeError):
            raise InvalidInput("fixed", "exact rational values", f"{v!r} for {s.name}") from None
    return out


def _critical(grad: Any, hess: Any, x0: Sequence[Any], radius: Any, variables: Any, fixed: Any,
              max_prec: int, want_min: bool, loss: Any = None) -> Certificate:
    claim_type = "strict_local_min" if want_min else "critical_point"
    max_prec = check_max_prec(max_prec)
    with Timer() as t:
        grad_free, free, fixed_map = prepare_gradient(grad, variables, fixed, substitute=False)
        centers, radii = _box(x0, radius, len(free))
        # a slice: the fixed parameters are further inputs of the stored expression (after the variables,
        # by name), so that the kernel substitutes their recorded values itself
        fixed_syms = sorted(fixed_map, key=lambda s: s.name)
        fixed_q = [to_fmpq(fixed_map[s]) for s in fixed_syms] if fixed_map else []
        # a slice: the box gives the fixed parameters radius 0 at their recorded values
        full_c, full_r = [*centers, *fixed_q], [*radii, *[flint.fmpq(0)] * len(fixed_q)]
        _exact_values(fixed_map)  # (named errors for values that are not exact rationals)
        inputs: dict[str, Any] = {"centers": [fmpq_to_str(c) for c in full_c], "radii": [fmpq_to_str(r) for r in full_r]}
        if want_min and loss is not None:
            expr = loss.expr if hasattr(loss, "expr") and hasattr(loss, "params") else exact_expr(loss, "loss")
            if not isinstance(expr, sympy.Expr) or expr.free_symbols - set(free + fixed_syms):
                raise InvalidInput("loss", "an expression in the gradient's variables",
                                   f"{type(expr).__name__} {str(expr)[:60]!r}")
            inputs["loss"] = to_dag([expr], free + fixed_syms)
            inputs["compare"] = "none"
        else:
            inputs["gradient"] = to_dag(grad_free, free + fixed_syms)
        stored = decode_dag(inputs.get("loss") or inputs["gradient"])
        order = 2 if "loss" in inputs else 1
        C, _cond, problem = _approx_inverse(stored, centers, order, fixed_q)
        verdict, reason, prec, evidence = "inconclusive", "", None, {}
        if want_min and loss is None:
            C, problem = None, ("refused: a strict local minimum is certified from the function itself (the kernel "
                                "derives its gradient and Hessian): pass loss=")
        if C is None:
            reason = problem or "no approximate inverse"
        else:
            Cq, evidence["C"] = preconditioner(C)
            for prec in precision_ladder(max_prec):
                try:
                    k = krawczyk(stored, full_c, full_r, Cq, prec, of="loss" if order == 2 else "map")
                    if want_min:
                        definite(1, given=k, prec=prec)  # every member of k.J is nonsingular (Krawczyk)
                    verdict = "certified"
                    break
                except NonSmoothInBox as exc:
                    reason = f"refused: the box meets a point where the loss is not analytic ({exc})"
                    break
                except CertificateRejected as exc:
                    step = getattr(exc, "primitive", None)
                    if step not in ("krawczyk", "definite"):
                        reason = f"the expression could not be enclosed on the box ({exc})"
                        break
                    reason = ("Krawczyk's operator does not map the box into its interior: the box may contain "
                              "no critical point, several, or be too large for this precision") if step == "krawczyk" \
                        else "exactly one critical point in the box, but the Hessian is not proven positive definite on it"
    fixed_names = [s.name for s in fixed_syms]
    dim = len(free) + len(fixed_syms)
    claim = {"type": "critical_point", "dimension": dim, "slice": bool(fixed_map), "fixed": fixed_names} \
        if claim_type == "critical_point" else \
        {"type": "local_min", "strict": True, "via": "krawczyk", "dimension": dim, "slice": bool(fixed_map),
         "fixed": fixed_names, "compare": "none"}
    return make_certificate(claim, verdict, "Krawczyk operator with interval Jacobian over the box", "arb",
                            prec, None, evidence, reason, seconds=t.seconds, extra_inputs=inputs)


@returns_kernel_checked
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


@returns_kernel_checked
def certify_strict_local_min(grad: Any, hess: Any, x0: Sequence[Any], radius: Any, *,
                             variables: Sequence[Any] | None = None, fixed: dict[Any, Any] | None = None,
                             max_prec: int = 512, loss: Any = None) -> Certificate:
    """Certify a strict local minimum: one critical point in the box and a positive definite Hessian on all of it.

    ``loss`` (the function itself, or an Objective) is required for a ``certified`` verdict: the
    certificate stores it and the kernel derives its gradient and Hessian by differentiation
    (``grad`` only fixes the variables; without ``loss`` the verdict is ``inconclusive``).

    Guarantee
    ---------
    ``certified`` proves that ``loss`` (restricted to the slice when ``fixed`` is given) has
    exactly one critical point in the box and that its Hessian, enclosed over the whole box,
    is positive definite everywhere in the box; hence that point is a strict local minimum.

    Examples
    --------
    >>> x, y = sympy.symbols("x y")
    >>> f = (x**2 - 2)**2 + (y - 1)**2
    >>> c = certify_strict_local_min([f.diff(x), f.diff(y)], None, [1.4142135623730951, 1], 1e-6, variables=[x, y],
    ...                              loss=f)
    >>> c.verdict
    'certified'
    >>> certify_strict_local_min([f.diff(x), f.diff(y)], None, [0, 1], 1e-6, variables=[x, y], loss=f).verdict
    'inconclusive'
    """
    return _critical(grad, hess, x0, radius, variables, fixed, max_prec, want_min=True, loss=loss)
