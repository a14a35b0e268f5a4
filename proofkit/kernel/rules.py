"""The trusted rules: the only computations a verdict in a certificate rests on when re-checked.

Each rule takes exact data (rationals, dyadic balls, expression strings) and
answers True only when the stated fact is proven. Nothing here searches.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import flint
import symengine as se

from proofkit.certificate import arb_from_data, fmpq_from_str
from proofkit.numeric.contexts import ArbContext, NotAnalyticHere, arb_precision
from proofkit.numeric.floatverify import U, check_float_environment, verify_positive_definite_float
from proofkit.numeric.program import Program

__all__ = [
    "parse_expressions",
    "box_balls",
    "krawczyk_inclusion",
    "is_gradient_field",
    "resolve_branches",
    "spurious_minimum_test",
    "exact_pivots_positive",
    "ball_matrix_pd",
    "matrix_from_record",
]


def parse_expressions(texts: Sequence[str], n: int) -> tuple[list[Any], list[Any]]:
    """Parse expression strings in the variables x0..x{n-1} with symengine's parser (no Python eval)."""
    variables = [se.Symbol(f"x{i}") for i in range(n)]
    exprs = [se.sympify(t) for t in texts]
    allowed = set(variables)
    for e in exprs:
        extra = set(e.free_symbols) - allowed
        if extra:
            raise ValueError(f"expression uses unknown variables {sorted(map(str, extra))}")
    return exprs, variables


def box_balls(centers: Sequence[str], radii: Sequence[str], prec: int) -> list[flint.arb]:
    """The box [c - r, c + r] as balls (exact rationals, radius rounded outward)."""
    with arb_precision(prec):
        out = []
        for c, r in zip(centers, radii):
            cq, rq = fmpq_from_str(c), fmpq_from_str(r)
            if rq <= 0:
                raise ValueError("box radii must be positive")
            lo, hi = flint.arb(cq - rq), flint.arb(cq + rq)
            out.append(lo.union(hi))
    return out


_BRANCHING = ("Abs", "Max", "Min", "sign", "Piecewise")


def _walk(e: Any) -> Any:
    yield e
    for a in e.args:
        yield from _walk(a)


def resolve_branches(exprs: list[Any], variables: list[Any], box: list[flint.arb], prec: int) -> list[Any]:
    """Replace every ``Abs``/``Max``/``Min``/``sign``/``Piecewise`` by the branch it takes on the whole box.

    Each switching quantity is enclosed over the box in Arb; if its sign is
    decided the node is replaced by the smooth branch (so the expressions can
    be differentiated), otherwise :class:`NotAnalyticHere` is raised: the box
    meets a point where the expression is not analytic.
    """
    ctx = ArbContext(prec)
    out = []
    for e in exprs:
        while True:
            nodes = [n for n in _walk(e) if type(n).__name__ in _BRANCHING
                     and not any(type(m).__name__ in _BRANCHING for a in n.args for m in _walk(a))]
            if not nodes:
                break
            node = nodes[0]
            kind = type(node).__name__
            if kind == "Piecewise":
                raise NotAnalyticHere("Piecewise expressions are not resolved on boxes")
            if kind in ("Abs", "sign"):
                (arg,) = node.args
                (v,) = Program(variables, [arg]).run(ctx, box)
                if not (v > 0 or v < 0):
                    raise NotAnalyticHere(f"{kind}({arg}) switches inside the box")
                s = 1 if v > 0 else -1
                repl = s * arg if kind == "Abs" else se.Integer(s)
            else:
                vals = Program(variables, list(node.args)).run(ctx, box)
                best = 0
                for i in range(1, len(vals)):
                    d = vals[i] - vals[best]
                    if (kind == "Max" and d > 0) or (kind == "Min" and d < 0):
                        best = i
                    elif not ((kind == "Max" and d < 0) or (kind == "Min" and d > 0)):
                        raise NotAnalyticHere(f"{kind}{tuple(node.args)} switches inside the box")
                repl = node.args[best]
            e = e.subs({node: repl})
        out.append(e)
    return out


def _strictly_inside(k: flint.arb, c: flint.fmpq, r: flint.fmpq) -> bool:
    return bool((k - flint.arb(c - r)) > 0 and (flint.arb(c + r) - k) > 0)


def krawczyk_inclusion(grad_texts: Sequence[str], centers: Sequence[str], radii: Sequence[str],
                       C_rows: Sequence[Sequence[str]], prec: int) -> tuple[bool, list[flint.arb], flint.arb_mat]:
    """Krawczyk's test for the gradient ``g`` (strings in x0..x{n-1}) on the box.

    Non-smooth nodes (``Abs``, ``Max``, ``Min``, ``sign``) are first resolved to
    the branch they take on the whole box (:func:`resolve_branches`).

    ``K(X) = y - C g(y) + (I - C J(X)) (X - y)`` with ``y`` the exact centre,
    ``J`` the Jacobian of ``g`` (computed here by symbolic differentiation) in
    interval arithmetic over the whole box, and ``C`` any exact matrix. If
    ``K(X)`` lies in the interior of ``X``, then ``g`` has exactly one zero in
    ``X`` (Krawczyk 1969; Moore 1977; Rump 1983).

    Returns
    -------
    (inside, K, JX) : the verdict, the enclosure K(X) and the interval Jacobian J(X).
    """
    n = len(centers)
    grad, variables = parse_expressions(grad_texts, n)
    if len(grad) != n or len(C_rows) != n or any(len(r) != n for r in C_rows):
        raise ValueError("gradient, box and C must have matching dimensions")
    X = box_balls(centers, radii, prec)
    grad = resolve_branches(grad, variables, X, prec)  # raises NotAnalyticHere at kinks
    jac = [[g.diff(v) for v in variables] for g in grad]
    prog_g = Program(variables, grad)
    prog_j = Program(variables, [e for row in jac for e in row])
    ys = [fmpq_from_str(c) for c in centers]
    rs = [fmpq_from_str(r) for r in radii]
    ctx = ArbContext(prec)
    gy = prog_g.run(ctx, ys)
    flat = prog_j.run(ctx, X)  # may raise NotAnalyticHere: the box meets a non-analytic point
    with arb_precision(prec):
        JX = flint.arb_mat([flat[i * n:(i + 1) * n] for i in range(n)])
        C = flint.arb_mat([[flint.arb(fmpq_from_str(x)) for x in row] for row in C_rows])
        I = flint.arb_mat(n, n, [1 if i == j else 0 for i in range(n) for j in range(n)])
        d = flint.arb_mat([[X[i] - flint.arb(ys[i])] for i in range(n)])
        K = flint.arb_mat([[flint.arb(y)] for y in ys]) - C * flint.arb_mat([[v] for v in gy]) + (I - C * JX) * d
        Ks = [K[i, 0] for i in range(n)]
        inside = all(k.is_finite() and _strictly_inside(k, ys[i], rs[i]) for i, k in enumerate(Ks))
    return inside, Ks, JX


def is_gradient_field(grad_texts: Sequence[str]) -> bool:
    """True when the Jacobian of ``grad`` is symmetric (by expansion), i.e. it is the gradient of a function."""
    grad, xs = parse_expressions(grad_texts, len(grad_texts))
    return all(se.expand(grad[i].diff(xs[j]) - grad[j].diff(xs[i])) == 0
               for i in range(len(xs)) for j in range(i + 1, len(xs)))


def exact_pivots_positive(Q: flint.fmpq_mat) -> bool:
    """True iff every pivot of symmetric elimination without pivoting is positive (positive definite)."""
    n = Q.nrows()
    a = [[Q[i, j] for j in range(n)] for i in range(n)]
    for k in range(n):
        p = a[k][k]
        if p <= 0:
            return False
        for i in range(k + 1, n):
            f = a[i][k] / p
            for j in range(k + 1, n):
                a[i][j] -= f * a[k][j]
    return True


def ball_matrix_pd(B: flint.arb_mat, prec: int) -> bool:
    """True only if every symmetric matrix in the ball matrix is positive definite.

    Two independent sufficient tests: (1) the midpoint, rounded to float64 and
    symmetrised, passes the shifted float Cholesky test with a shift that
    absorbs the radii, the rounding and the asymmetry (a Weyl bound with the
    infinity norm); (2) for n <= 60, symmetric elimination without pivoting in
    ball arithmetic has only positive pivot balls.
    """
    n = B.nrows()
    if _float_pd(B, n):
        return True
    if n > 60:
        return False
    with arb_precision(prec):
        a = [[B[i, j].union(B[j, i]) for j in range(n)] for i in range(n)]
        for k in range(n):
            p = a[k][k]
            if not p > 0:
                return False
            for i in range(k + 1, n):
                f = a[i][k] / p
                for j in range(k + 1, n):
                    a[i][j] = a[i][j] - f * a[k][j]
    return True


def _float_pd(B: flint.arb_mat, n: int) -> bool:
    import numpy as np

    if not all(B[i, j].is_finite() for i in range(n) for j in range(n)):
        return False
    mid = np.array([[float(B[i, j].mid()) for j in range(n)] for i in range(n)])
    rad = np.array([[float(B[i, j].rad()) for j in range(n)] for i in range(n)]) * (1 + 4 * U)
    sym = (mid + mid.T) / 2
    err = rad + np.abs(mid) * U + np.abs(mid - sym) * (1 + 4 * U) + np.abs(sym) * U + 2.0**-1074
    err = np.maximum(err, err.T)
    extra = float(err.sum(axis=1).max()) * (1 + (n + 2) * 2 * U)
    return check_float_environment() and verify_positive_definite_float(sym, extra).proved


def matrix_from_record(rec: dict[str, Any], prec: int) -> tuple[flint.fmpq_mat | None, flint.arb_mat]:
    """Rebuild a stored matrix: ``(exact or None, Arb enclosure at prec)``."""
    kind, entries = rec["kind"], rec["entries"]
    with arb_precision(prec):
        if kind == "float64":
            import base64

            import numpy as np

            m, n = rec["shape"]
            arr = np.frombuffer(base64.b64decode(entries), dtype="<f8")
            if arr.size != m * n or not np.all(np.isfinite(arr)):
                raise ValueError("malformed float64 matrix record")
            vals = arr.reshape(m, n).tolist()
            Q = flint.fmpq_mat([[flint.fmpq(*v.as_integer_ratio()) for v in row] for row in vals])
            return Q, flint.arb_mat(vals)
        if kind == "rational":
            Q = flint.fmpq_mat([[fmpq_from_str(x) for x in row] for row in entries])
            return Q, flint.arb_mat([[flint.arb(Q[i, j]) for j in range(Q.ncols())] for i in range(Q.nrows())])
        if kind == "balls":
            return None, flint.arb_mat([[arb_from_data(x) for x in row] for row in entries])
        if kind == "expressions":
            flat = [e for row in entries for e in row]
            exprs = [se.sympify(t) for t in flat]
            if any(e.free_symbols for e in exprs):
                raise ValueError("stored matrix entries must be constants")
            vals = Program([], exprs).run(ArbContext(prec), [])
            c = len(entries[0])
            return None, flint.arb_mat([vals[i * c:(i + 1) * c] for i in range(len(entries))])
    raise ValueError(f"unknown matrix kind {kind!r}")



def spurious_minimum_test(inputs: dict[str, Any], C_rows: Sequence[Sequence[str]], prec: int) -> dict[str, Any]:
    """The decisive test of a spurious local minimum, from data alone.

    The gradient is derived here from the loss string; Krawczyk's test gives exactly one critical
    point in the box, the interval Hessian over the box must be positive definite, and the
    mean-value lower bound ``L(c) + sum_i g_i(B) [-r_i, r_i]`` of the loss over the box must exceed
    the upper bound of the loss at the better point (or the stated global value).
    """
    n = len(inputs["centers"])
    (loss,), xs = parse_expressions([inputs["loss"]], n)
    box = box_balls(inputs["centers"], inputs["radii"], prec)
    (loss_r,) = resolve_branches([loss], xs, box, prec)
    grad_texts = [str(loss_r.diff(v)) for v in xs]
    inside, _, JX = krawczyk_inclusion(grad_texts, inputs["centers"], inputs["radii"], C_rows, prec)
    if not inside:
        return {"ok": False, "stage": "krawczyk", "reason": "Krawczyk's operator does not map the box into its interior"}
    if not ball_matrix_pd(JX, prec):
        return {"ok": False, "stage": "hessian",
                "reason": "unique critical point in the box, but the Hessian is not proven positive definite on it"}
    ctx = ArbContext(prec)
    centre = [fmpq_from_str(c) for c in inputs["centers"]]
    (lc,) = Program(xs, [loss_r]).run(ctx, centre)
    grads = Program(xs, [loss_r.diff(v) for v in xs]).run(ctx, box)
    with arb_precision(prec):
        lower = lc
        for g, r in zip(grads, inputs["radii"]):
            rq = fmpq_from_str(r)
            lower = lower + g * flint.arb(0, flint.arb(rq))
        if inputs.get("compare") == "better_point":
            (better,) = Program(xs, [loss]).run(ctx, [fmpq_from_str(v) for v in inputs["better"]])
        else:
            better = flint.arb(fmpq_from_str(inputs["global_value"]))
        gap = lower - better
    if gap > 0:
        return {"ok": True, "stage": "done", "lower": lower, "better": better, "gap": gap,
                "reason": "a strict local minimum in the box whose loss exceeds the better value"}
    return {"ok": False, "stage": "gap", "gap_negative": bool(gap < 0), "lower": lower, "better": better,
            "reason": "the loss bound over the box does not exceed the better value"
                      + (" (the better point is not better)" if gap < 0 else "")}
