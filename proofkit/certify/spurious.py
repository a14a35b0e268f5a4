"""Certified spurious local minima: counterexamples to "every local minimum is global".

A certificate proves, with enclosures only:

1. exactly one critical point in an explicit box B (Krawczyk, interval Hessian over B);
2. the Hessian is positive definite on all of B (so it is a strict local minimum);
3. a lower bound of the loss over B (mean-value form) that exceeds an upper bound of the
   loss at a better point (or a stated global value);
4. B avoids every point where the loss is not analytic (else the certificate is refused).

The loss is stored as a ``proofkit.dag/1`` graph (``inputs["loss"]``); the decisive computation is the
kernel's (:func:`~proofkit.kernel.krawczyk`, :func:`~proofkit.kernel.definite`,
:func:`~proofkit.kernel.lower_bound`): the gradient and Hessian come from the loss itself by automatic
differentiation over the box. The better point needs only a value enclosure. The certificate is a
``local_min`` claim (``strict``, ``via: krawczyk``) with a comparison; on a slice the box holds the fixed
parameters at radius 0.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import flint
import numpy as np
import symengine as se
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
from proofkit.certify.critical import SYMMETRY_NOTE, _box
from proofkit.convert import exact_expr, exact_point, exact_scalar, mapping_of, sequence_of
from proofkit.errors import CertificateRejected, InvalidInput, NonSmoothInBox
from proofkit.kernel import (
    Tape,
    decode_dag,
    definite,
    dense_gradient,
    enclose,
    evaluate,
    krawczyk,
    lower_bound,
    tape_of,
)
from proofkit.numeric.contexts import to_fmpq

__all__ = ["certify_spurious_minimum", "newton_refine", "fix_inputs"]


def _values(point: Any, names: list[str], argument: str) -> list[Any]:
    if isinstance(point, Mapping):
        by_name = {(k.name if isinstance(k, (sympy.Symbol, se.Symbol)) else str(k)): v for k, v in point.items()}
        missing = [p for p in names if p not in by_name]
        if missing:
            raise InvalidInput(argument, f"a value for each of the {len(names)} parameters", f"missing {missing[:4]}")
        seq = [by_name[p] for p in names]
    else:
        seq = sequence_of(point, argument, f"a sequence of {len(names)} numbers or a dict by parameter")
        if len(seq) != len(names):
            raise InvalidInput(argument, f"{len(names)} coordinates (one per parameter)", f"{len(seq)} coordinates")
    return exact_point(seq, len(names), argument)


def fix_inputs(dag: dict[str, Any], fixed: Mapping[str, Any]) -> dict[str, Any]:
    """The DAG with the named inputs replaced by exact constants (a slice); the other inputs keep their order."""
    names = list(dag["inputs"])
    keep = [nm for nm in names if nm not in fixed]
    new_index = {nm: i for i, nm in enumerate(keep)}
    nodes = []
    for node in dag["nodes"]:
        if node[0] == "var" and names[node[1]] in fixed:
            nodes.append(["const", fmpq_to_str(fixed[names[node[1]]])])
        elif node[0] == "var":
            nodes.append(["var", new_index[names[node[1]]]])
        else:
            nodes.append(list(node))
    return {"format": dag["format"], "inputs": keep, "nodes": nodes, "outputs": list(dag["outputs"])}


def slice_inputs_last(dag: dict[str, Any], fixed: Mapping[str, Any]) -> dict[str, Any]:
    """The DAG with its inputs reordered: the free ones in their order, then the fixed ones by name.

    This is how a slice certificate stores its loss: the kernel substitutes the recorded values of the
    fixed parameters itself, so that they are bound to the expression and not a label."""
    names = list(dag["inputs"])
    order = [nm for nm in names if nm not in fixed] + sorted(fixed)
    new_index = {nm: i for i, nm in enumerate(order)}
    nodes = [["var", new_index[names[node[1]]]] if node[0] == "var" else list(node) for node in dag["nodes"]]
    return {"format": dag["format"], "inputs": order, "nodes": nodes, "outputs": list(dag["outputs"])}


def _mid(x: Any) -> float:
    return float(x.mid())


def newton_refine(tape: Tape, x: Sequence[Any], *, float_steps: int = 12, high_steps: int = 3,
                  high_prec: int = 256) -> list[Any]:
    """Sharpen a critical point: Newton in float64 (engine gradient and Hessian), then a few steps with the
    gradient at ``high_prec`` bits and the last float Hessian (a search step; returns exact rationals)."""
    from proofkit.numeric.float_engine import FloatTape

    n = tape.n_inputs
    ft = FloatTape(tape)
    cur = [flint.fmpq(v) for v in x]
    xf = np.array([float(c) for c in cur])
    H = None
    with np.errstate(all="ignore"):
        for _ in range(float_steps):
            _, g = ft.value_and_grad(xf[None])
            H = ft.hessian(xf)
            if not (np.all(np.isfinite(g)) and np.all(np.isfinite(H))):
                raise ArithmeticError("non-finite gradient or Hessian during refinement")
            step = np.linalg.solve(H, g[0])
            xf = xf - step
            if np.linalg.norm(step) <= 1e-15 * (1 + np.abs(xf).max()):
                break
    if not np.all(np.isfinite(xf)):
        raise ArithmeticError("the refinement diverged")
    cur = [to_fmpq(float(v)) for v in xf]
    if H is None:
        return cur
    for _ in range(high_steps):
        (j,) = evaluate(tape, [flint.arb(c) for c in cur], order=1, prec=high_prec)
        g = dense_gradient(j, n)
        gm = np.array([_mid(v) for v in g])
        if not np.any(gm):
            break
        # the step is small: its float64 value carries ~16 correct digits relative to itself
        scale = max(float(abs(v.mid())) for v in g)
        step = np.linalg.solve(H, gm / scale) * scale
        cur = [c - to_fmpq(float(s)) for c, s in zip(cur, step)]
    return cur


def _inverse_of_mid(tape: Tape, centre: Sequence[Any]) -> tuple[np.ndarray | None, str | None]:
    """Float64 inverse of the Hessian at the centre by the float engine (any matrix is sound here); a negative
    eigenvalue there refuses early (a saddle)."""
    from proofkit.numeric.float_engine import FloatTape

    try:
        evaluate(tape, [flint.arb(c) for c in centre], order=1, prec=53)
    except CertificateRejected as exc:  # a kink (NonSmoothInBox) or a domain boundary at the centre
        return None, f"refused: the centre is a point where the loss is not analytic ({exc})"
    with np.errstate(all="ignore"):
        try:
            H = np.asarray(FloatTape(tape).hessian(np.array([float(c) for c in centre])), dtype=float)
        except (ArithmeticError, ValueError) as exc:
            return None, f"the Hessian could not be evaluated at the centre ({exc})"
    if not np.all(np.isfinite(H)):
        return None, "the Hessian is not finite at the centre"
    try:
        C = np.linalg.inv(H)
    except np.linalg.LinAlgError:
        return None, f"Krawczyk cannot apply: {SYMMETRY_NOTE} (singular Hessian)"
    cond = float(np.abs(H).sum(axis=0).max() * np.abs(C).sum(axis=0).max())
    if not np.isfinite(cond) or cond > 1e14:
        return None, f"Krawczyk cannot apply: {SYMMETRY_NOTE} (condition number {cond:.2e})"
    ev = np.linalg.eigvalsh((H + H.T) / 2)
    if ev[0] < -1e-8 * max(abs(ev[-1]), 1e-300):
        return None, (f"not a minimum: the Hessian at the centre has a negative eigenvalue (about {ev[0]:.3g}); "
                      "a saddle point")
    return C, None


def _loss_dag(loss: Any, params: Sequence[Any] | None) -> tuple[dict[str, Any], list[str]]:
    """The loss as a DAG dict (exact numerals) and the parameter names."""
    if isinstance(loss, Mapping) and loss.get("format") == "proofkit.dag/1":
        dag = dict(loss)
        try:
            decoded = decode_dag(dag, n_outputs=1)
        except CertificateRejected as exc:
            raise InvalidInput("loss", "a valid proofkit.dag/1 graph with one output",
                               str(exc).replace("certificate rejected: ", "", 1)[:120]) from None
        names = list(decoded.inputs)
        if params is not None and [p if isinstance(p, str) else getattr(p, "name", None)
                                   for p in sequence_of(params, "params", "a sequence of parameters")] != names:
            raise InvalidInput("params", f"the DAG's inputs {names[:4]}...", "other names")
        return dag, names
    from proofkit.symbolic.dag import to_dag

    if hasattr(type(loss), "expr") and hasattr(loss, "params"):  # (type: without building the sympy form)
        params = sequence_of(params, "params", "a sequence of parameters") if params is not None else list(loss.params)
        expr = loss.expr_symengine if hasattr(type(loss), "expr_symengine") else loss.expr
    else:
        expr = exact_expr(loss, "loss")
        params = sequence_of(params, "params", "a sequence of parameters") if params is not None else \
            sorted(expr.free_symbols, key=lambda s: s.name)
    params = [sympy.Symbol(p) if isinstance(p, str) else p for p in params]
    if not all(isinstance(p, (sympy.Symbol, se.Symbol)) for p in params) or \
            len({p.name for p in params}) != len(params):
        raise InvalidInput("params", "distinct sympy Symbols or names", repr(params)[:80])
    names = [p.name for p in params]
    return to_dag(expr, params), names


@returns_kernel_checked
def certify_spurious_minimum(loss: Any, params: Sequence[Any] | None, point: Any, better_point: Any = None,
                             global_value: Any = None, *, radius: Any = None, fixed: Mapping[Any, Any] | None = None,
                             symmetry: Any = "", refine: bool = True, max_prec: int = 512,
                             manifold: Mapping[Any, Any] | None = None) -> Certificate:
    """Certify that ``point`` is (near) a strict local minimum whose value exceeds a better value.

    Parameters
    ----------
    loss : sympy/symengine expression, Objective, or ``proofkit.dag/1`` dict
        The loss in its parameters (a DAG dict is used as stored; its inputs are the parameters).
    params : sequence of symbols, optional
        The parameter order (default: ``loss.params`` for an Objective, the DAG's inputs, else sorted free
        symbols).
    point, better_point : sequence or dict
        The candidate minimum and a point with smaller loss (floats are taken exactly). The loss at the
        better point is enclosed by continuity: it may be a kink (a teacher network, acos at 1).
    global_value : number, optional
        A stated global minimum value to compare with instead of ``better_point`` (recorded as
        stated, e.g. 0 for an interpolating architecture with the squared loss).
    radius : positive number, optional
        The half-width of the box; by default ``1e-10 (1 + max |point|)`` is tried, then smaller.
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
        Sharpen ``point`` by Newton steps (float64, then a few at 256 bits) before certifying; the box is
        centred at the refined point.

    Guarantee
    ---------
    ``certified`` proves: the loss (restricted to the slice when ``fixed`` is given) has exactly
    one critical point in the box B, its Hessian is positive definite on all of B, the loss is analytic on
    B (every non-smooth node takes one branch on all of B), and ``min_B loss > loss(better_point)``
    (resp. ``> global_value``, which is then an assumption recorded in the certificate). Hence B contains a
    strict local minimum that is not a global minimum.

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
            return certify_local_min.__wrapped__(loss, params, point, manifold=manifold, radius=radius,
                                     better_point=better_point, global_value=global_value)
        full = point if not isinstance(point, Mapping) else {**point, **fixed}
        return certify_lifted_minimum.__wrapped__(loss, params, full, list(fixed), symmetry, radius=radius,
                                      better_point=better_point, global_value=global_value)
    if better_point is None and global_value is None:
        raise InvalidInput("better_point", "a better point or a global_value to compare with", "neither")
    max_prec = check_max_prec(max_prec)
    if not isinstance(refine, (bool, np.bool_)):
        raise InvalidInput("refine", "True or False", repr(refine)[:40])
    symmetry = "" if symmetry is None else symmetry
    if not isinstance(symmetry, str):
        raise InvalidInput("symmetry", "a text note (a verified symmetry (t, maps) needs fixed= to lift a slice)",
                           type(symmetry).__name__)
    dag, names = _loss_dag(loss, params)
    x0 = _values(point, names, "point")
    fixed_map: dict[str, Any] = {}
    for k, v in mapping_of(fixed, "fixed", "a dict {parameter: value}").items():
        name = k if isinstance(k, str) else getattr(k, "name", repr(k))
        if name not in names:
            raise InvalidInput("fixed", "parameters of the loss", f"unknown parameter {name!r}")
        fixed_map[name] = exact_scalar(v, "fixed")
    free = [nm for nm in names if nm not in fixed_map]
    centre = [x0[names.index(nm)] for nm in free]
    fixed_q = [fixed_map[nm] for nm in sorted(fixed_map)]
    stored_dag = slice_inputs_last(dag, fixed_map) if fixed_map else dag
    search_dag = fix_inputs(dag, fixed_map) if fixed_map else dag
    with Timer() as t:
        stored = decode_dag(stored_dag, n_outputs=1)
        # the search side (Newton, approximate inverse) runs on the slice with the values substituted
        tape = Tape(decode_dag(search_dag, n_outputs=1)) if fixed_map else tape_of(stored)  # (the kernel's, reused)
        inputs: dict[str, Any] = {"loss": stored_dag}
        better = None
        if better_point is not None:
            bp = _values(better_point, names, "better_point")
            if any(bp[names.index(nm)] != v for nm, v in fixed_map.items()):
                raise InvalidInput("better_point", "the fixed parameters' values on the slice", "other values")
            better = [bp[names.index(nm)] for nm in free] + fixed_q  # (in the stored loss's input order)
            inputs["better"] = [fmpq_to_str(v) for v in better]
            inputs["compare"] = "better_point"
        else:
            inputs["global_value"] = fmpq_to_str(exact_scalar(global_value, "global_value"))
            inputs["compare"] = "stated global value"
        if refine:
            try:
                centre = newton_refine(tape, centre)
            except (ArithmeticError, ValueError, np.linalg.LinAlgError, CertificateRejected):
                pass  # keep the given centre (a refinement step met a kink, a pole or diverged); the test below decides
        verdict, reason, prec, evidence = "inconclusive", "", None, {}
        global_q = None if better is not None else exact_scalar(global_value, "global_value")
        C, problem = _inverse_of_mid(tape, centre)
        if C is None:
            reason = problem or "no approximate inverse"
        else:
            Cq, evidence["C"] = preconditioner(C)
            scale = max((abs(float(c)) for c in centre), default=0.0) + 1
            radii_to_try = [radius] if radius is not None else [1e-10 * scale, 1e-12 * scale, 1e-16 * scale,
                                                                 1e-20 * scale, 1e-30 * scale]
            for r in radii_to_try:
                _, rads = _box(centre, r, len(free))
                cs, rs = [*centre, *fixed_q], [*rads, *[flint.fmpq(0)] * len(fixed_q)]
                inputs["centers"] = [fmpq_to_str(c) for c in cs]
                inputs["radii"] = [fmpq_to_str(q) for q in rs]
                stop = False
                for prec in precision_ladder(max_prec):
                    try:
                        k = krawczyk(stored, cs, rs, Cq, prec)
                        definite(1, given=k, prec=prec)  # Krawczyk succeeded: every member of k.J is nonsingular
                        lower = lower_bound(stored, cs, rs, prec, given=k).value
                        with flint.ctx.workprec(prec):
                            bval = enclose(stored, [flint.arb(v) for v in better], 0, prec)[0].value \
                                if better is not None else flint.arb(global_q)
                            gap = lower - bval
                    except NonSmoothInBox as exc:
                        reason, stop = f"refused: the box meets a point where the loss is not analytic ({exc})", True
                        break
                    except CertificateRejected as exc:
                        step = getattr(exc, "primitive", None)
                        if step == "krawczyk":
                            reason = "Krawczyk's operator does not map the box into its interior"
                            continue
                        if step == "definite":
                            reason = "unique critical point in the box, but the Hessian is not proven positive " \
                                     "definite on it"
                            continue
                        reason, stop = f"the loss could not be enclosed ({exc})", True
                        break
                    if gap > 0:
                        verdict = "certified"
                        break
                    reason = "the loss bound over the box does not exceed the better value"
                    if gap < 0:
                        reason += " (the better point is not better)"
                        stop = True
                        break  # more precision will not help
                if verdict == "certified" or stop:
                    break
    claim = {"type": "local_min", "strict": True, "via": "krawczyk", "dimension": len(names), "slice": bool(fixed_map),
             "fixed": sorted(fixed_map), "compare": inputs["compare"]}
    method = "Krawczyk + interval Hessian + mean-value loss bound" + \
        (f" (the user's note on lifting the slice, not verified: {symmetry})" if isinstance(symmetry, str) and symmetry
         else "")
    return make_certificate(claim, verdict, method, "arb", prec, None, evidence, reason, seconds=t.seconds,
                            extra_inputs=inputs)
