"""An Arb-only evaluator of stored expression DAGs with second-order forward-mode differentiation.

:func:`evaluate` encloses the value (``order=0``), the gradient (``order=1``) and
the Hessian (``order=2``) of every output of a :class:`~proofkit.kernel.dag.Dag`
over a box of balls (Arb's inclusion principle: for every point of the box,
the true value lies in the computed ball). Non-smooth nodes (``abs``, ``sign``,
``max``, ``min``, ``heaviside``, ``piecewise``) are resolved only when their
branch is the same on the whole box; otherwise values are enclosed (``order=0``
for ``abs``/``max``/``min``/``sign``/``heaviside``) or :class:`NonSmoothInBox`
names the kink. Every computed ball is checked finite; a node outside its
domain (``log`` of a ball that is not positive, ...) makes its value undefined,
which is an error only if the value is used.
"""

from __future__ import annotations

from collections.abc import Sequence

import flint

from proofkit.errors import CertificateRejected, NonSmoothInBox
from proofkit.kernel.dag import Dag

__all__ = ["evaluate", "Jet"]

Jet = tuple  # (value: arb, gradient: list[arb] | None, Hessian: list[list[arb]] | None); None means zero


class _Undefined:
    def __init__(self, why: str) -> None:
        self.why = why


def _finite(j: Jet) -> bool:
    v, g, h = j
    return v.is_finite() and (g is None or all(x.is_finite() for x in g)) and \
        (h is None or all(x.is_finite() for row in h for x in row))


def _add(a: Jet, b: Jet) -> Jet:
    g = a[1] if b[1] is None else b[1] if a[1] is None else [x + y for x, y in zip(a[1], b[1])]
    h = a[2] if b[2] is None else b[2] if a[2] is None else \
        [[x + y for x, y in zip(r, s)] for r, s in zip(a[2], b[2])]
    return a[0] + b[0], g, h


def _scale(c: flint.arb, a: Jet) -> Jet:
    return (c * a[0], None if a[1] is None else [c * x for x in a[1]],
            None if a[2] is None else [[c * x for x in r] for r in a[2]])


def _mul(a: Jet, b: Jet, order: int) -> Jet:
    v = a[0] * b[0]
    if order == 0 or (a[1] is None and b[1] is None):
        return v, None, None
    if a[1] is None:
        return _scale(a[0], b)
    if b[1] is None:
        return _scale(b[0], a)
    g = [a[0] * y + b[0] * x for x, y in zip(a[1], b[1])]
    if order == 1:
        return v, g, None
    n = len(g)
    h = [[a[1][i] * b[1][j] + b[1][i] * a[1][j] for j in range(n)] for i in range(n)]
    for src, c in ((a[2], b[0]), (b[2], a[0])):
        if src is not None:
            h = [[x + c * y for x, y in zip(r, s)] for r, s in zip(h, src)]
    return v, g, h


def _chain(u: Jet, f0: flint.arb, f1: flint.arb | None, f2: flint.arb | None, order: int) -> Jet:
    """The jet of f(u) from f(u), f'(u), f''(u) (Faà di Bruno to second order)."""
    if order == 0 or u[1] is None:
        return f0, None, None
    g = [f1 * x for x in u[1]]
    if order == 1:
        return f0, g, None
    n = len(g)
    h = [[f2 * u[1][i] * u[1][j] for j in range(n)] for i in range(n)]
    if u[2] is not None:
        h = [[x + f1 * y for x, y in zip(r, s)] for r, s in zip(h, u[2])]
    return f0, g, h


def _smooth(op: str, x: flint.arb) -> tuple[flint.arb, flint.arb, flint.arb]:
    """f(x), f'(x), f''(x) for the smooth unary functions."""
    one = flint.arb(1)
    if op == "exp":
        e = x.exp()
        return e, e, e
    if op == "log":
        if not x > 0:
            raise ValueError("log of a ball that is not positive")
        return x.log(), 1 / x, -1 / (x * x)
    if op in ("sin", "cos"):
        s, c = x.sin(), x.cos()
        return (s, c, -s) if op == "sin" else (c, -s, -c)
    if op == "tan":
        t = x.tan()
        return t, 1 + t * t, 2 * t * (1 + t * t)
    if op == "tanh":
        t = x.tanh()
        return t, 1 - t * t, -2 * t * (1 - t * t)
    if op in ("sinh", "cosh"):
        s, c = x.sinh(), x.cosh()
        return (s, c, s) if op == "sinh" else (c, s, c)
    if op == "atan":
        d = 1 + x * x
        return x.atan(), 1 / d, -2 * x / (d * d)
    if op in ("asin", "acos"):
        d = one - x * x
        if not d > 0:
            raise ValueError(f"{op} of a ball that is not inside (-1, 1)")
        r = 1 / d.sqrt()
        s = 1 if op == "asin" else -1
        return (x.asin() if op == "asin" else x.acos()), s * r, s * x * r / d
    if op == "erf":
        k = 2 / flint.arb.pi().sqrt() * (-(x * x)).exp()
        return x.erf(), k, -2 * x * k
    raise ValueError(op)  # pragma: no cover - the decoder admits no other op


def _ipow(x: flint.arb, k: int) -> flint.arb:
    """x^k for an integer k >= 0 by repeated squaring (Arb's own power is NaN on balls that contain 0)."""
    out, base = flint.arb(1), x
    while k:
        if k & 1:
            out = out * base
        base = base * base
        k >>= 1
    return out


def _pow(u: Jet, p: flint.fmpq, order: int) -> Jet:
    x = u[0]
    if abs(p.p) > 4096 or p.q > 4096:
        raise ValueError(f"exponent {p} too large")
    if p.q == 1:
        k = int(p.p)
        if k < 0 and not (x > 0 or x < 0):
            raise ValueError("negative power of a ball that contains 0")
        f0 = _ipow(x, k) if k >= 0 else 1 / _ipow(x, -k)
        f1 = k * _ipow(x, k - 1) if k >= 1 else (k / _ipow(x, 1 - k) if k < 0 else flint.arb(0))
        f2 = k * (k - 1) * _ipow(x, k - 2) if k >= 2 else (k * (k - 1) / _ipow(x, 2 - k) if k < 0 else flint.arb(0))
        return _chain(u, f0, f1, f2, order)
    if order == 0 and p == flint.fmpq(1, 2) and x >= 0:
        return x.sqrt(), None, None
    if not x > 0:
        raise ValueError(f"power {p} of a ball that is not positive")
    f0 = (flint.arb(p) * x.log()).exp()
    return _chain(u, f0, flint.arb(p) * f0 / x, flint.arb(p * (p - 1)) * f0 / (x * x), order)


def _sign(x: flint.arb) -> int | None:
    """1, -1 or 0 when the sign is the same on the whole ball (0 only for the exact zero), else None."""
    if x > 0:
        return 1
    if x < 0:
        return -1
    return 0 if x == 0 else None


def _kink(op: str, i: int) -> NonSmoothInBox:
    return NonSmoothInBox(f"certificate rejected: {op} (node {i}) switches branch inside the box")


def _nonsmooth(op: str, i: int, node: tuple, vals: list, order: int) -> Jet:
    if op in ("abs", "sign", "heaviside"):
        u = vals[node[1]]
        s = _sign(u[0])
        if s is None or (s == 0 and order > 0 and u[1] is not None):
            if order > 0:
                raise _kink(op, i)
            if op == "abs":
                return abs(u[0]), None, None
            lo = flint.arb(-1) if op == "sign" else flint.arb(min(0, node[2]))
            return lo.union(flint.arb(1 if op == "sign" else max(1, node[2]))), None, None
        if op == "abs":
            return u if s >= 0 else _scale(flint.arb(-1), u)
        val = s if op == "sign" else (node[2] if s == 0 else (1 if s > 0 else 0))
        return flint.arb(val), None, None
    args = [vals[a] for a in node[1:]]  # max / min
    for k, a in enumerate(args):
        if all((a[0] > b[0]) if op == "max" else (a[0] < b[0]) for m, b in enumerate(args) if m != k):
            return a
    if order > 0:
        raise _kink(op, i)
    v = args[0][0]
    for a in args[1:]:
        v = v.max(a[0]) if op == "max" else v.min(a[0])
    return v, None, None


def _truth(op: str, node: tuple, vals: list, order: int = 0) -> bool | None:
    """Three-valued truth on the whole box: True, False, or None (undecided).

    When derivatives are wanted (``order > 0``) a comparison of non-constant sides is decided only
    when it holds strictly on the box, so that the chosen branch is the function on a neighbourhood
    of every point of the box (at the boundary of a branch its derivatives are not the function's).
    """
    if op in ("true", "false"):
        return op == "true"
    if op in ("lt", "le", "gt", "ge"):
        a, b = vals[node[1]], vals[node[2]]
        d = a[0] - b[0]
        if order > 0 and (a[1] is not None or b[1] is not None):
            return True if (d < 0 if op in ("lt", "le") else d > 0) else \
                (False if (d > 0 if op in ("lt", "le") else d < 0) else None)
        yes = {"lt": d < 0, "le": d <= 0, "gt": d > 0, "ge": d >= 0}[op]
        no = {"lt": d >= 0, "le": d > 0, "gt": d <= 0, "ge": d < 0}[op]
        return True if yes else (False if no else None)
    args = [vals[a] for a in node[1:]]
    if op == "not":
        return None if args[0] is None else not args[0]
    if op == "and":
        return False if False in args else (None if None in args else True)
    return True if True in args else (None if None in args else False)  # or


def evaluate(dag: Dag, point: Sequence[flint.arb], order: int = 0, prec: int = 128,
             outputs: Sequence[int] | None = None) -> list[Jet]:
    """Enclose value, gradient (order >= 1) and Hessian (order 2) of every output over the box ``point``.

    Parameters
    ----------
    dag : Dag
        A decoded DAG (:func:`~proofkit.kernel.dag.decode_dag`).
    point : sequence of arb
        One ball per input (a box).
    order : {0, 1, 2}
    prec : int
        Arb working precision in bits.
    outputs : sequence of int, optional
        Positions (in ``dag.outputs``) of the outputs wanted (default: all).

    Returns
    -------
    list of (value, gradient or None, Hessian or None); None stands for zero.

    Raises
    ------
    NonSmoothInBox
        A non-smooth node switches branch inside the box (derivatives requested).
    CertificateRejected
        An output is undefined or not finite on the box.

    Guarantee
    ---------
    For every point of the box, each true value and derivative lies in the returned balls.

    Examples
    --------
    >>> from proofkit.kernel.dag import decode_dag
    >>> d = decode_dag({"format": "proofkit.dag/1", "inputs": ["x"],
    ...                 "nodes": [["var", 0], ["pow", 0, "3"]], "outputs": [1]})
    >>> v, g, h = evaluate(d, [flint.arb(2)], order=2)[0]
    >>> v, g[0], h[0][0]
    (8.00000000000000, 12.0000000000000, 12.0000000000000)
    """
    if len(point) != len(dag.inputs):
        raise CertificateRejected(f"certificate rejected: {len(dag.inputs)} variables, {len(point)} values")
    n = len(point)
    vals: list = []
    with flint.ctx.workprec(prec):
        for i, node in enumerate(dag.nodes):
            op = node[0]
            try:
                vals.append(_node(op, i, node, vals, n, point, order))
            except ValueError as exc:
                vals.append(_Undefined(f"node {i} ({op}): {exc}"))
            except _UsesUndefined as exc:
                vals.append(exc.args[0])
            except ZeroDivisionError:
                vals.append(_Undefined(f"node {i} ({op}): division by zero"))
    out = []
    for o in (dag.outputs if outputs is None else [dag.outputs[k] for k in outputs]):
        j = vals[o]
        if isinstance(j, _Undefined):
            raise CertificateRejected(f"certificate rejected: an expression is undefined on the box ({j.why})")
        if not _finite(j):
            raise CertificateRejected(f"certificate rejected: an expression is not finite on the box (node {o})")
        out.append(j)
    return out


class _UsesUndefined(Exception):
    pass


def _get(vals: list, a: int) -> object:
    v = vals[a]
    if isinstance(v, _Undefined):
        raise _UsesUndefined(v)
    return v


def _node(op: str, i: int, node: tuple, vals: list, n: int, point: Sequence[flint.arb], order: int) -> object:
    if op == "var":
        k = node[1]
        g = [flint.arb(1 if m == k else 0) for m in range(n)] if order > 0 else None
        return +point[k], g, None
    if op == "const":
        return flint.arb(node[1]), None, None
    if op in ("pi", "E"):
        return (flint.arb.pi() if op == "pi" else flint.arb(1).exp()), None, None
    if op == "piecewise":
        for k in range(1, len(node), 2):
            t = _get(vals, node[k + 1])
            if t is None:
                raise _kink(op, i)
            if t:
                return _checked(_get(vals, node[k]), i)
        raise ValueError("no condition of the piecewise holds")
    args = [_get(vals, a) for a in node[1:] if type(a) is int]
    if op in ("lt", "le", "gt", "ge", "and", "or", "not", "true", "false"):
        return _truth(op, node, vals, order)
    if op == "add":
        acc = args[0]
        for a in args[1:]:
            acc = _add(acc, a)
        return _checked(acc, i)
    if op == "mul":
        acc = args[0]
        for a in args[1:]:
            acc = _mul(acc, a, order)
        return _checked(acc, i)
    if op == "pow":
        return _checked(_pow(args[0], node[2], order), i)
    if op in ("abs", "sign", "heaviside", "max", "min"):
        return _checked(_nonsmooth(op, i, node, vals, order), i)
    u = args[0]
    f0, f1, f2 = _smooth(op, u[0])
    return _checked(_chain(u, f0, f1, f2, order), i)


def _checked(j: Jet, i: int) -> Jet:
    if not _finite(j):
        raise ValueError("not finite on the box")
    return j
