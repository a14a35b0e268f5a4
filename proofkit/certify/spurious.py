"""Certified spurious local minima: counterexamples to "every local minimum is global".

A certificate proves, with enclosures only:

1. exactly one critical point in an explicit box B (Krawczyk, interval Hessian over B);
2. the Hessian is positive definite on all of B (so it is a strict local minimum);
3. a lower bound of the loss over B (mean-value form) that exceeds an upper bound of the
   loss at a better point (or a stated global value);
4. B avoids every point where the loss is not analytic (else the certificate is refused).

The loss is stored as a ``proofkit.dag/1`` graph (``inputs["loss_dag"]``); the decisive computation is
:func:`proofkit.numeric.arb_checks.spurious_minimum_check`, run by the differentiation engine
(:mod:`proofkit.numeric.arb_engine`): the gradient and Hessian come from the loss itself by automatic
differentiation over the box. The better point needs only a value enclosure (continuity suffices there).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import flint
import numpy as np
import symengine as se
import sympy

from proofkit.certificate import Certificate, arb_to_data, fmpq_to_str
from proofkit.certify.common import Timer, make_certificate, precision_ladder
from proofkit.certify.critical import SYMMETRY_NOTE, _box
from proofkit.errors import InvalidInput
from proofkit.kernel.dag import decode_dag
from proofkit.numeric.arb_checks import decode_matrix, float64_record, spurious_minimum_check
from proofkit.numeric.arb_engine import NotAnalyticOnBox, Tape, dense_gradient, dense_hessian, evaluate
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
        seq = list(np.asarray(point).reshape(-1)) if isinstance(point, np.ndarray) else list(point)
        if len(seq) != len(names):
            raise InvalidInput(argument, f"{len(names)} coordinates (one per parameter)", f"{len(seq)} coordinates")
    out = []
    for i, v in enumerate(seq):
        try:
            out.append(to_fmpq(v if not isinstance(v, sympy.Basic) or v.is_Rational or v.is_Float
                               else sympy.nsimplify(v)))
        except (ValueError, TypeError):
            raise InvalidInput(argument, "finite numbers", f"{v!r} at position {i}") from None
    return out


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


def _jets(tape: Tape, centre: Sequence[Any], rads: Sequence[Any], prec: int) -> tuple[Any, Any]:
    from proofkit.numeric.arb_checks import box_balls
    from proofkit.numeric.arb_engine import arb_precision

    with arb_precision(prec):
        jy = evaluate(tape, [flint.arb(c) for c in centre], order=1)[0]
        jX = evaluate(tape, box_balls(centre, rads), order=2)[0]
    return jy, jX


def _inverse_of_mid(jet: Any, n: int) -> tuple[np.ndarray | None, str | None]:
    H = np.array([_mid(v) for v in dense_hessian(jet, n).entries()]).reshape(n, n)
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


def _loss_dag(loss: Any, params: Sequence[Any] | None) -> tuple[dict[str, Any], list[str], str | None]:
    """The loss as a DAG dict, the parameter names and (for expressions) the legacy text form."""
    if isinstance(loss, Mapping) and loss.get("format") == "proofkit.dag/1":
        dag = dict(loss)
        decoded = decode_dag(dag, n_outputs=1)
        names = list(decoded.inputs)
        if params is not None and [p if isinstance(p, str) else p.name for p in params] != names:
            raise InvalidInput("params", f"the DAG's inputs {names[:4]}...", "other names")
        return dag, names, None
    from proofkit.symbolic.dag import to_dag

    if hasattr(type(loss), "expr") and hasattr(loss, "params"):  # (type: without building the sympy form)
        params = list(params) if params is not None else list(loss.params)
        expr = loss.expr_symengine if hasattr(type(loss), "expr_symengine") else loss.expr
    else:
        expr = sympy.sympify(loss)
        params = list(params) if params is not None else sorted(expr.free_symbols, key=lambda s: s.name)
    params = [sympy.Symbol(p) if isinstance(p, str) else p for p in params]
    names = [p.name for p in params]
    mapping = {se.Symbol(nm): se.Symbol(f"x{i}") for i, nm in enumerate(names)}
    text = str(se.sympify(expr).subs(mapping))  # the legacy text form, until the kernel reads loss_dag
    return to_dag(expr, params), names, text


def certify_spurious_minimum(loss: Any, params: Sequence[Any] | None, point: Any, better_point: Any = None,
                             global_value: Any = None, *, radius: Any = None, fixed: Mapping[Any, Any] | None = None,
                             symmetry: str = "", refine: bool = True, max_prec: int = 512) -> Certificate:
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
        Parameters held fixed (a slice transversal to a continuous symmetry); ``symmetry``
        records the argument that lifts the slice statement to the full parameter space.
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
    if better_point is None and global_value is None:
        raise InvalidInput("better_point", "a better point or a global_value to compare with", "neither")
    dag, names, text = _loss_dag(loss, params)
    x0 = _values(point, names, "point")
    fixed_map: dict[str, Any] = {}
    for k, v in (fixed or {}).items():
        name = k if isinstance(k, str) else k.name
        if name not in names:
            raise InvalidInput("fixed", "parameters of the loss", f"unknown parameter {name!r}")
        fixed_map[name] = to_fmpq(v)
    free = [nm for nm in names if nm not in fixed_map]
    centre = [x0[names.index(nm)] for nm in free]
    if fixed_map:
        dag = fix_inputs(dag, fixed_map)
        text = None
    with Timer() as t:
        tape = Tape(decode_dag(dag, n_outputs=1))
        inputs: dict[str, Any] = {"variables": free, "loss_dag": dag,
                                  "fixed": {nm: fmpq_to_str(v) for nm, v in fixed_map.items()},
                                  "symmetry": symmetry}
        if text is not None:
            inputs["loss"] = text
        better = None
        if better_point is not None:
            bp = _values(better_point, names, "better_point")
            if any(bp[names.index(nm)] != v for nm, v in fixed_map.items()):
                raise InvalidInput("better_point", "the fixed parameters' values on the slice", "other values")
            better = [bp[names.index(nm)] for nm in free]
            inputs["better"] = [fmpq_to_str(v) for v in better]
            inputs["compare"] = "better_point"
        else:
            inputs["global_value"] = fmpq_to_str(to_fmpq(global_value))
            inputs["compare"] = "stated global value"
        if refine:
            try:
                centre = newton_refine(tape, centre)
            except (ArithmeticError, ValueError, np.linalg.LinAlgError):
                pass  # keep the given centre; the test below decides
        verdict, reason, prec, evidence = "inconclusive", "", None, {}
        n = len(free)
        gv = None if better is not None else to_fmpq(global_value)
        scale = max((abs(float(c)) for c in centre), default=0.0) + 1
        radii_to_try = [radius] if radius is not None else [1e-10 * scale, 1e-12 * scale, 1e-16 * scale,
                                                             1e-20 * scale, 1e-30 * scale]
        Carb = None
        res: dict[str, Any] = {}
        for r in radii_to_try:
            _, rads = _box(centre, r, n)
            inputs["centers"] = [fmpq_to_str(c) for c in centre]
            inputs["radii"] = [fmpq_to_str(q) for q in rads]
            for prec in precision_ladder(max_prec):
                try:
                    jets = _jets(tape, centre, rads, prec)
                except NotAnalyticOnBox as exc:
                    res = {"ok": False, "refused": True, "stage": "analytic",
                           "reason": f"refused: the box meets a point where the loss is not analytic ({exc})"}
                    break
                if Carb is None:
                    C, problem = _inverse_of_mid(jets[1], n)
                    if C is None:
                        res = {"ok": False, "refused": True, "stage": "inverse", "reason": problem}
                        break
                    evidence["C"] = [[fmpq_to_str(to_fmpq(float(v))) for v in row] for row in C] \
                        if (n <= 60 or text is not None) else float64_record(C)  # rows: legacy kernel
                    Carb = decode_matrix(evidence["C"], n)
                res = spurious_minimum_check(tape, centre, rads, Carb, prec, better=better, global_value=gv,
                                             jets=jets)
                if res["ok"]:
                    verdict = "certified"
                    evidence.update({k: arb_to_data(v) for k, v in res.items() if isinstance(v, flint.arb)})
                    break
                if res["stage"] == "gap" and res.get("gap_negative"):
                    break  # the better point is not better: more precision will not help
            reason = res.get("reason", reason)
            if verdict == "certified" or res.get("refused") or res.get("gap_negative"):
                break
            if verdict == "certified" and fixed_map:
                reason += "; on the slice fixing " + ", ".join(fixed_map) + (f" ({symmetry})" if symmetry else "")
    claim = {"type": "spurious_local_min", "dimension": len(free), "slice": bool(fixed_map),
             "compare": inputs["compare"]}
    margin = f"loss gap in {evidence['gap']['text']}" if "gap" in evidence else None
    return make_certificate(claim, verdict, "Krawczyk + interval Hessian + mean-value loss bound (AD engine)", "arb",
                            prec, None, evidence, reason, margin=margin, seconds=t.seconds, extra_inputs=inputs)
