"""Arb-ball evaluation of stored expression DAGs: values, gradients and Hessians over boxes.

A :class:`Tape` is compiled once from a decoded ``proofkit.dag/1`` DAG (see
:mod:`proofkit.kernel.dag`): n-ary products become binary ones and every node
learns its *support* (the inputs it depends on). :func:`evaluate` then runs
second-order forward automatic differentiation in ball arithmetic: each node
carries its value, its gradient and its Hessian *over its own support only*, as
``flint.arb_mat`` objects, so the inner loops run in C and a sum of terms that
each depend on few variables (partial separability) costs the sum of the small
Hessians. Intermediate results are freed as soon as their last user ran.

Non-smooth nodes (``abs``, ``sign``, ``max``, ``min``, ``heaviside``,
``piecewise``) are resolved on the box: when every switching quantity has a
decided sign on the whole box, the branch taken is differentiated; otherwise
:class:`NotAnalyticOnBox` names the kink. With ``value_only=True`` only a value
enclosure is computed: every kink is enclosed (the union of the possible branch
values), and ``acos``/``asin`` and ``pow`` with a positive non-integer exponent
accept balls that touch the boundary of their domain *from inside* (a ball in
``[-1, 1]``, resp. in ``[0, inf)``: e.g. ``acos(1)`` at a point where the argument
is exactly 1). A ball that reaches outside the domain is refused, never clamped:
the enclosure then holds for every point of the box without any assumption
(see docs/certificates.md, "value-only enclosures").

This is the trusted kernel's evaluator; it imports only the standard library,
python-flint and :mod:`proofkit.errors`.

Examples
--------
>>> from types import SimpleNamespace
>>> dag = SimpleNamespace(inputs=("x",), nodes=(("var", 0), ("const", flint.fmpq(3)), ("mul", 0, 0, 1)),
...                       outputs=(2,))
>>> (jet,) = evaluate(Tape(dag), [flint.arb(2)], order=2)
>>> jet.value, jet.grad[0, 0], jet.hess[0, 0]
(12.0000000000000, 12.0000000000000, 6.00000000000000)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import flint

from proofkit.errors import CertificateRejected, NonSmoothInBox

__all__ = ["NotAnalyticOnBox", "KinkInBox", "Tape", "Jet", "evaluate", "dense_gradient", "dense_hessian", "arb_precision",
           "SMOOTH_UNARY", "NONSMOOTH", "branches", "MAX_BRANCHES"]

SMOOTH_UNARY = frozenset({"exp", "log", "sin", "cos", "tan", "tanh", "sinh", "cosh", "atan", "asin", "acos", "erf"})
NONSMOOTH = frozenset({"abs", "sign", "max", "min", "heaviside", "piecewise"})
_CONDITIONS = frozenset({"lt", "le", "gt", "ge", "and", "or", "not", "true", "false"})
_LEAVES = frozenset({"var", "const", "pi", "E", "true", "false"})
_ZERO = flint.arb(0)


class NotAnalyticOnBox(CertificateRejected):
    """A node is not enclosed on the box: outside (or on the boundary of) its domain, or not finite."""


class KinkInBox(NonSmoothInBox, NotAnalyticOnBox):
    """A non-smooth node (abs, max, piecewise, ...) switches branch inside the box."""


def arb_precision(bits: int) -> Any:
    """Context manager setting python-flint's working precision (bits): ``flint.ctx.workprec``, the one manager."""
    return flint.ctx.workprec(int(bits))


class Jet(NamedTuple):
    """Value, gradient (``m x 1``) and Hessian (``m x m`` or None for zero) of one output over its support."""

    value: Any
    support: tuple[int, ...]
    grad: Any
    hess: Any


class _Fail:
    __slots__ = ("reason", "kind")

    def __init__(self, reason: str, kind: type = NotAnalyticOnBox) -> None:
        self.reason = reason
        self.kind = kind


def _int_args(node: tuple) -> tuple[int, ...]:
    op = node[0]
    if op in _LEAVES:
        return ()
    if op in ("pow", "heaviside"):
        return (node[1],)
    return tuple(node[1:])


class Tape:
    """A DAG compiled for repeated evaluation: binary products, supports, last uses.

    Parameters
    ----------
    dag : object with ``inputs``, ``nodes`` and ``outputs``
        A decoded ``proofkit.dag/1`` DAG (:class:`proofkit.kernel.dag.Dag`): nodes are tuples
        ``(op, *args)`` with integer argument indices, ``const`` carrying a ``flint.fmpq`` and ``pow`` /
        ``heaviside`` a ``flint.fmpq`` second argument.
    """

    def __init__(self, dag: Any) -> None:
        self.inputs = tuple(dag.inputs)
        nodes: list[tuple] = []
        remap: list[int] = []
        for node in dag.nodes:
            node = tuple(node)
            op = node[0]
            if op not in _LEAVES:
                node = (op,) + tuple(remap[a] if isinstance(a, int) else a for a in node[1:]) \
                    if op not in ("pow", "heaviside") else (op, remap[node[1]], node[2])
            if op == "mul" and len(node) > 3:
                cur = node[1]
                for b in node[2:]:
                    nodes.append(("mul", cur, b))
                    cur = len(nodes) - 1
                remap.append(cur)
                continue
            nodes.append(node)
            remap.append(len(nodes) - 1)
        self.nodes, self.remap = tuple(nodes), remap
        self.outputs = tuple(remap[o] for o in dag.outputs)
        self.args = [_int_args(nd) for nd in self.nodes]
        sup: list[tuple[int, ...]] = []
        for nd, args in zip(self.nodes, self.args):
            op = nd[0]
            if op == "var":
                sup.append((nd[1],))
            elif op in ("sign", "heaviside") or op in _CONDITIONS or op in _LEAVES:
                sup.append(())
            elif op == "piecewise":
                sup.append(tuple(sorted(set().union(*(sup[a] for a in args[0::2])))))
            else:
                sup.append(tuple(sorted(set().union(*(sup[a] for a in args)))) if args else ())
        self.support = sup
        self.positions: list[tuple[tuple[int, ...] | None, ...]] = []
        for args, s in zip(self.args, sup):
            where = {v: p for p, v in enumerate(s)}
            # children outside the derivative support (conditions, arguments of sign/heaviside) get None
            self.positions.append(tuple(None if sup[a] == s or any(v not in where for v in sup[a])
                                        else tuple(where[v] for v in sup[a]) for a in args))
        last = [-1] * len(self.nodes)
        for i, args in enumerate(self.args):
            for a in args:
                last[a] = i
        for o in self.outputs:
            last[o] = len(self.nodes)
        self.frees: list[list[int]] = [[] for _ in self.nodes]
        for a, i in enumerate(last):
            if 0 <= i < len(self.nodes):
                self.frees[i].append(a)
        self.n_inputs = len(self.inputs)

    def describe(self, i: int, depth: int = 3) -> str:
        """A short text of node ``i`` (for messages naming a kink)."""
        nd = self.nodes[i]
        op = nd[0]
        if op == "var":
            return str(self.inputs[nd[1]])
        if op == "const":
            return str(nd[1])
        if op in ("pi", "E", "true", "false"):
            return op
        if depth <= 0:
            return "..."
        inner = [self.describe(a, depth - 1) for a in self.args[i]]
        if op in ("pow", "heaviside"):
            inner.append(str(nd[2]))
        return f"{op}({', '.join(inner)})"


# -- embedding of small derivative blocks into a larger support -------------------------------------------
def _embed_vec(g: Any, pos: tuple[int, ...], m: int) -> Any:
    out = [_ZERO] * m
    for p, x in zip(pos, g.entries()):
        out[p] = x
    return flint.arb_mat(m, 1, out)


def _embed_mat(h: Any, pos: tuple[int, ...], m: int) -> Any:
    out = [_ZERO] * (m * m)
    e = h.entries()
    k = 0
    for p in pos:
        base = p * m
        for q in pos:
            out[base + q] = e[k]
            k += 1
    return flint.arb_mat(m, m, out)


def _scatter_add(acc: list, h: Any, pos: tuple[int, ...], m: int) -> None:
    e = h.entries()
    k = 0
    for p in pos:
        base = p * m
        for q in pos:
            acc[base + q] += e[k]
            k += 1


# -- values of the smooth unary functions and their first two derivatives ---------------------------------
def _unary(op: str, a: Any, order: int) -> tuple[Any, Any, Any]:
    one = flint.arb(1)
    if op == "exp":
        v = a.exp()
        return v, v, v
    if op == "log":
        if not a > 0:
            raise NotAnalyticOnBox("log of a ball that is not positive")
        inv = one / a
        return a.log(), inv, -inv * inv
    if op in ("sin", "cos"):
        s, c = a.sin(), a.cos()
        return (s, c, -s) if op == "sin" else (c, -s, -c)
    if op == "tan":
        t = a.tan()
        d = one + t * t
        return t, d, 2 * t * d
    if op == "tanh":
        t = a.tanh()
        d = one - t * t
        return t, d, -2 * t * d
    if op in ("sinh", "cosh"):
        sh, ch = a.sinh(), a.cosh()
        return (sh, ch, sh) if op == "sinh" else (ch, sh, ch)
    if op == "atan":
        d = one / (one + a * a)
        return a.atan(), d, -2 * a * d * d
    if op in ("asin", "acos"):
        if not (a > -1 and a < 1):
            raise NotAnalyticOnBox(f"{op} of a ball that is not inside (-1, 1)")
        w = one - a * a
        d = w.rsqrt()
        d2 = a * d / w
        return (a.asin(), d, d2) if op == "asin" else (a.acos(), -d, -d2)
    if op == "erf":
        d = 2 * (-a * a).exp() / flint.arb.pi().sqrt()
        return a.erf(), d, -2 * a * d
    raise NotAnalyticOnBox(f"unknown function {op}")


def _unary_value_only(op: str, a: Any) -> Any:
    """Value enclosure of acos/asin on a ball inside the closed domain [-1, 1] (never clamped)."""
    if op in ("asin", "acos") and not (a > -1 and a < 1):
        if not (a >= -1 and a <= 1):
            raise NotAnalyticOnBox(f"{op} of a ball not contained in [-1, 1]")
        lo, hi = a.lower(), a.upper()  # monotone and continuous on [-1, 1]
        return lo.asin().union(hi.asin()) if op == "asin" else lo.acos().union(hi.acos())
    return _unary(op, a, 0)[0]


def _ipow(a: Any, p: int) -> Any:
    """``a**p`` for an integer ``p`` by repeated multiplication (python-flint's ``**`` is NaN on balls
    containing 0)."""
    if p < 0:
        return flint.arb(1) / _ipow(a, -p)
    result, base = flint.arb(1), a
    while p:
        if p & 1:
            result = result * base
        p >>= 1
        if p:
            base = base * base
    return result


def _pow(a: Any, q: Any, order: int, value_only: bool) -> tuple[Any, Any, Any]:
    p, r = int(q.p), int(q.q)
    if r == 1:
        if p < 0 and a.contains(0):
            raise NotAnalyticOnBox(f"a negative power {p} of a ball containing 0")
        v = _ipow(a, p)
        d1 = p * _ipow(a, p - 1) if p != 0 else _ZERO
        d2 = p * (p - 1) * _ipow(a, p - 2) if p not in (0, 1) else _ZERO
        return v, d1, d2
    if not a > 0:
        if value_only and p > 0 and a >= 0:  # the ball lies in [0, inf): x^(p/r) is continuous, increasing
            hi = a.upper()
            return flint.arb(0).union(_ipow(hi.root(r), p)), None, None
        raise NotAnalyticOnBox(f"the power {p}/{r} of a ball that is not positive")
    v = _ipow(a.sqrt() if r == 2 else a.root(r), p)
    inv = flint.arb(1) / a
    d1 = v * inv * flint.arb(q)
    return v, d1, d1 * inv * flint.arb(q - 1)


def _compare(op: str, a: Any, b: Any, strict: bool = False) -> bool | None:
    """Three-valued truth of ``a op b`` on the whole box.

    With ``strict`` (derivatives wanted) the answer is decided only when the comparison holds
    strictly one way on the box: at a branch boundary the derivatives of the chosen branch are not
    those of the function, so a box touching the boundary is undecided.
    """
    if strict:
        below = True if a < b else None
        above = True if a > b else None
        if op in ("lt", "le"):
            return True if below else (False if above else None)
        return True if above else (False if below else None)
    if op == "lt":
        return True if a < b else (False if a >= b else None)
    if op == "le":
        return True if a <= b else (False if a > b else None)
    if op == "gt":
        return True if a > b else (False if a <= b else None)
    return True if a >= b else (False if a < b else None)


def _logic(op: str, vals: list) -> bool | None:
    if op == "not":
        return None if vals[0] is None else not vals[0]
    if op == "and":
        return False if any(v is False for v in vals) else (True if all(v is True for v in vals) else None)
    return True if any(v is True for v in vals) else (False if all(v is False for v in vals) else None)


def evaluate(tape: Tape, box: Sequence[Any], *, order: int = 2, value_only: bool = False,
             prec: int | None = None) -> list[Jet]:
    """Enclose the outputs of ``tape`` over ``box`` (one ``flint.arb`` ball per input).

    Parameters
    ----------
    order : 0, 1 or 2
        Derivatives wanted (gradients with 1, gradients and Hessians with 2).
    value_only : bool
        Value enclosures by continuity (only with ``order=0``): kinks and the domain boundaries of
        acos/asin and of positive fractional powers are enclosed instead of refused.
    prec : int, optional
        Working precision in bits (default: the current one).

    Guarantee
    ---------
    Every returned ball contains the exact value (gradient entry, Hessian entry) of the output at every
    point of the box; derivatives are returned only when every node is analytic on the whole box (the
    branch of every non-smooth node is decided on it), else :class:`NotAnalyticOnBox` names the node.
    """
    if order not in (0, 1, 2):
        raise ValueError("order must be 0, 1 or 2")
    if value_only and order:
        raise ValueError("value_only enclosures have no derivatives (order=0)")
    if len(box) != tape.n_inputs:
        raise ValueError(f"expected {tape.n_inputs} input balls, got {len(box)}")
    if prec is None:
        return _evaluate(tape, list(box), order, value_only)
    with arb_precision(prec):
        return _evaluate(tape, [flint.arb(b) for b in box], order, value_only)


def _evaluate(tape: Tape, box: list, order: int, value_only: bool) -> list[Jet]:
    n = len(tape.nodes)
    V: list[Any] = [None] * n
    G: list[Any] = [None] * n
    H: list[Any] = [None] * n
    one = flint.arb_mat(1, 1, [1])
    for i, nd in enumerate(tape.nodes):
        args = tape.args[i]
        op = nd[0]
        failed = next((V[a] for a in args if isinstance(V[a], _Fail)), None)
        if failed is not None and op != "piecewise":
            V[i] = failed
        else:
            try:
                _step(tape, i, nd, op, args, V, G, H, order, value_only, box, one)
            except NotAnalyticOnBox as exc:
                V[i], G[i], H[i] = _Fail(f"{exc} at {tape.describe(i)}", type(exc)), None, None
            except (ZeroDivisionError, ValueError) as exc:
                V[i], G[i], H[i] = _Fail(f"{exc} at {tape.describe(i)}"), None, None
            if not isinstance(V[i], (_Fail, bool)) and V[i] is not None and not V[i].is_finite():
                V[i], G[i], H[i] = _Fail(f"a non-finite enclosure at {tape.describe(i)}"), None, None
        for a in tape.frees[i]:
            V[a] = G[a] = H[a] = None
    out = []
    for o in tape.outputs:
        if isinstance(V[o], _Fail):
            raise V[o].kind(V[o].reason)
        if isinstance(V[o], bool) or V[o] is None:
            raise ValueError("an output of the DAG is a condition, not a number")
        if order >= 1 and G[o] is not None and not all(x.is_finite() for x in G[o].entries()):
            raise NotAnalyticOnBox("a non-finite gradient enclosure")
        if order >= 2 and H[o] is not None and not all(x.is_finite() for x in H[o].entries()):
            raise NotAnalyticOnBox("a non-finite Hessian enclosure")
        out.append(Jet(V[o], tuple(tape.support[o]), G[o], H[o]))
    return out


def _lift(tape: Tape, i: int, k: int, a: int, G: list, H: list, m: int, order: int) -> tuple[Any, Any]:
    pos = tape.positions[i][k]
    g, h = G[a], H[a]
    if pos is None or g is None:
        return g, h
    return _embed_vec(g, pos, m), (_embed_mat(h, pos, m) if (order >= 2 and h is not None) else None)


def _step(tape: Tape, i: int, nd: tuple, op: str, args: tuple, V: list, G: list, H: list, order: int,
          value_only: bool, box: list, one: Any) -> None:
    m = len(tape.support[i])
    if op == "var":
        V[i] = box[nd[1]]
        G[i] = one if order else None
        return
    if op in ("const", "pi", "E"):
        V[i] = flint.arb(nd[1]) if op == "const" else (flint.arb.pi() if op == "pi" else flint.arb(1).exp())
        return
    if op in ("true", "false"):
        V[i] = op == "true"
        return
    if op in ("lt", "le", "gt", "ge"):
        V[i] = _compare(op, V[args[0]], V[args[1]], strict=bool(order) and not value_only)
        return
    if op in ("and", "or", "not"):
        V[i] = _logic(op, [V[a] for a in args])
        return
    if op == "add":
        V[i] = sum((V[a] for a in args[1:]), V[args[0]])
        if order and m:
            _add_derivatives(tape, i, args, G, H, m, order)
        return
    if op == "mul":
        _mul(tape, i, args, V, G, H, m, order)
        return
    if op == "pow" or op in SMOOTH_UNARY:
        a = args[0]
        if value_only:
            V[i] = _pow(V[a], nd[2], 0, True)[0] if op == "pow" else _unary_value_only(op, V[a])
            return
        v, d1, d2 = _pow(V[a], nd[2], order, False) if op == "pow" else _unary(op, V[a], order)
        V[i] = v
        if order and m and G[a] is not None:
            G[i] = G[a] * d1
            if order >= 2:
                h = (G[a] * G[a].transpose()) * d2 if d2 is not _ZERO else None
                if H[a] is not None and d1 is not _ZERO:
                    h = H[a] * d1 if h is None else h + H[a] * d1
                H[i] = h
        return
    _nonsmooth(tape, i, nd, op, args, V, G, H, order, value_only, m)


def _add_derivatives(tape: Tape, i: int, args: tuple, G: list, H: list, m: int, order: int) -> None:
    gsum = hsum = None
    gacc: list | None = None
    hacc: list | None = None
    for k, a in enumerate(args):
        if G[a] is None:
            continue
        pos = tape.positions[i][k]
        if pos is None:
            gsum = G[a] if gsum is None else gsum + G[a]
            if order >= 2 and H[a] is not None:
                hsum = H[a] if hsum is None else hsum + H[a]
            continue
        if gacc is None:
            gacc = [_ZERO] * m
        for p, x in zip(pos, G[a].entries()):
            gacc[p] += x
        if order >= 2 and H[a] is not None:
            if len(pos) * len(pos) * 8 < m * m:
                if hacc is None:
                    hacc = [_ZERO] * (m * m)
                _scatter_add(hacc, H[a], pos, m)
            else:
                e = _embed_mat(H[a], pos, m)
                hsum = e if hsum is None else hsum + e
    if gacc is not None:
        e = flint.arb_mat(m, 1, gacc)
        gsum = e if gsum is None else gsum + e
    if hacc is not None:
        e = flint.arb_mat(m, m, hacc)
        hsum = e if hsum is None else hsum + e
    G[i], H[i] = gsum, hsum


def _mul(tape: Tape, i: int, args: tuple, V: list, G: list, H: list, m: int, order: int) -> None:
    a, b = args
    va, vb = V[a], V[b]
    V[i] = va * vb
    if not order or not m:
        return
    if G[a] is None or G[b] is None:  # a constant factor (or two: a product of branch constants)
        if G[a] is None and G[b] is None:
            return
        # the other factor's blocks live on its own support, which may be smaller than the product's
        # (a constant branch of max/min/piecewise keeps the support of the node): lift them first
        k, c, d = (0, a, vb) if G[b] is None else (1, b, va)
        g, h = _lift(tape, i, k, c, G, H, m, order)
        G[i] = g * d
        if order >= 2 and h is not None:
            H[i] = h * d
        return
    ga, ha = _lift(tape, i, 0, a, G, H, m, order)
    gb, hb = _lift(tape, i, 1, b, G, H, m, order)
    G[i] = ga * vb + gb * va
    if order >= 2:
        cross = ga * gb.transpose()
        h = cross + cross.transpose()
        if ha is not None:
            h = h + ha * vb
        if hb is not None:
            h = h + hb * va
        H[i] = h


def _pick(tape: Tape, i: int, k: int, a: int, V: list, G: list, H: list, m: int, order: int) -> None:
    V[i] = V[a]
    if order and m:
        G[i], H[i] = _lift(tape, i, k, a, G, H, m, order)


def _nonsmooth(tape: Tape, i: int, nd: tuple, op: str, args: tuple, V: list, G: list, H: list, order: int,
               value_only: bool, m: int) -> None:
    if op == "abs":
        a = args[0]
        x = V[a]
        if x > 0 or x < 0:
            s = 1 if x > 0 else -1
            V[i] = x if s > 0 else -x
            if order and G[a] is not None:
                G[i] = G[a] if s > 0 else -G[a]
                H[i] = None if H[a] is None else (H[a] if s > 0 else -H[a])
            return
        if value_only:
            V[i] = abs(x)
            return
        raise KinkInBox("abs switches inside the box")
    if op in ("sign", "heaviside"):
        x = V[args[0]]
        if x > 0:
            V[i] = flint.arb(1)
        elif x < 0:
            V[i] = flint.arb(0) if op == "heaviside" else flint.arb(-1)
        elif x.is_zero() and (value_only or order == 0):
            V[i] = flint.arb(nd[2]) if op == "heaviside" else flint.arb(0)
        elif value_only:
            V[i] = flint.arb(0).union(flint.arb(1)).union(flint.arb(nd[2])) if op == "heaviside" \
                else flint.arb(-1).union(flint.arb(1))
        else:
            raise KinkInBox(f"{op} switches inside the box")
        return
    if op in ("max", "min"):
        vals = [V[a] for a in args]
        win = None
        for k, v in enumerate(vals):
            if all((v > w if op == "max" else v < w) for j, w in enumerate(vals) if j != k):
                win = k
                break
        if win is not None:
            _pick(tape, i, win, args[win], V, G, H, m, order)
            return
        if value_only:
            lo = [v.lower() for v in vals]
            hi = [v.upper() for v in vals]
            pick = max if op == "max" else min
            V[i] = _extreme(lo, pick).union(_extreme(hi, pick))
            return
        raise KinkInBox(f"{op} switches inside the box (its arguments are not strictly ordered on it)")
    if op == "piecewise":
        candidates = []
        for k in range(0, len(args), 2):
            c = V[args[k + 1]]
            if isinstance(c, _Fail):
                V[i] = c
                return
            if c is False:
                continue
            candidates.append(k)
            if c is True:
                break
            if not value_only:
                raise KinkInBox("a piecewise condition is undecided on the box (a branch boundary)")
        else:
            if not candidates:
                raise NotAnalyticOnBox("no piecewise branch applies on the box")
            if not value_only:
                raise KinkInBox("no piecewise branch is known to apply on the box")
            raise NotAnalyticOnBox("the box may leave every piecewise branch")
        for k in candidates:
            if isinstance(V[args[k]], _Fail):
                V[i] = V[args[k]]
                return
        if len(candidates) == 1:
            _pick(tape, i, candidates[0], args[candidates[0]], V, G, H, m, order)
            return
        v = V[args[candidates[0]]]
        for k in candidates[1:]:
            v = v.union(V[args[k]])
        V[i] = v
        return
    raise NotAnalyticOnBox(f"unknown operation {op}")


def _extreme(xs: list, pick: Any) -> Any:
    best = xs[0]
    for x in xs[1:]:
        if (pick is max and x > best) or (pick is min and x < best):
            best = x
    return best


def dense_gradient(jet: Jet, n: int) -> list[Any]:
    """The gradient of ``jet`` as ``n`` balls (zeros off its support)."""
    out = [_ZERO] * n
    if jet.grad is not None:
        for p, x in zip(jet.support, jet.grad.entries()):
            out[p] = x
    return out


def dense_hessian(jet: Jet, n: int) -> Any:
    """The Hessian of ``jet`` as an ``n x n`` ``arb_mat`` (zeros off its support)."""
    if jet.hess is None:
        return flint.arb_mat(n, n)
    if jet.support == tuple(range(n)):
        return jet.hess
    return _embed_mat(jet.hess, jet.support, n)


# -- the smooth expressions a piecewise expression is on a box ---------------------------------------------
#: At most this many branch combinations (regions) are formed for the kinks that switch inside a box.
MAX_BRANCHES = 16


def _probe(nodes: list, probes: dict, a: int, b: int | None) -> None:
    """Append the node ``a - b`` (or refer to ``a`` itself) whose sign on the box decides a kink."""
    if (a, b) in probes:
        return
    if b is None:
        probes[(a, b)] = a
        return
    nodes += [("const", flint.fmpq(-1)), ("mul", len(nodes), b), ("add", a, len(nodes) + 1)]
    probes[(a, b)] = len(nodes) - 1


def _choices(dag: Any, i: int, sign: Any, truth: list) -> list[Any]:
    """The possible values of the non-smooth node ``i`` on the box: ``("node", j)`` (node ``j``'s value), ``("neg",
    j)`` or ``("const", q)``; every point of the box takes one of them (one: the node is decided on the box)."""
    op, args = dag.nodes[i][0], dag.nodes[i][1:]
    if op in ("max", "min"):
        s = 1 if op == "max" else -1  # a candidate is never strictly beaten by another argument
        win = [a for a in args if all(set(sign(a, b)) <= {0, s} for b in args if b != a)]
        return [("node", win[0])] if win else \
            [("node", a) for a in args if not any(sign(b, a) == (s,) for b in args if b != a)]
    if op == "piecewise":
        out = []
        for v, c in zip(args[0::2], args[1::2]):
            if truth[c] is not False:
                out.append(("node", v))
            if truth[c] is True:
                return out
        raise NotAnalyticOnBox("no piecewise branch is known to apply on the whole box")
    s = sign(args[0], None)
    if op == "abs":
        return [("node", args[0])] * (1 in s or s == (0,)) + [("neg", args[0])] * (-1 in s)
    at = {1: flint.fmpq(1), 0: args[1] if op == "heaviside" else flint.fmpq(0),
          -1: flint.fmpq(0 if op == "heaviside" else -1)}
    return [("const", at[k]) for k in s]


def branches(dag: Any, box: Sequence[Any], prec: int) -> list[tuple[str, Any]]:
    """The smooth expressions that ``dag`` (a :class:`~proofkit.kernel.dag.Dag`) is on ``box``, one per region of the
    kinks that switch inside it (each of the same class, named by the branches taken).

    Every non-smooth node (``abs``, ``sign``, ``max``, ``min``, ``heaviside``, ``piecewise``) is decided by the signs
    of its switching quantities, enclosed over the whole box in Arb: a node whose value equals one branch at every
    point of the box becomes that branch. The nodes that stay undecided give regions: one expression per
    combination of their possible branches, named by the branches taken (``""`` when everything is decided).

    Guarantee
    ---------
    At every point of the box, the value of ``dag`` equals the value of at least one of the returned expressions
    (of the only one when every node is decided); the returned expressions contain no non-smooth node and no
    condition. :class:`~proofkit.kernel.engine.NotAnalyticOnBox` when a piecewise node may have no branch, more
    than :data:`~proofkit.kernel.engine.MAX_BRANCHES` regions, or a switching quantity is not enclosed on the box.

    Examples
    --------
    >>> from proofkit.kernel.dag import Dag
    >>> relu = Dag(("x",), (("const", flint.fmpq(0)), ("var", 0), ("max", 0, 1)), (2,))
    >>> [(name, b.nodes) for name, b in branches(relu, [flint.arb(-2, 1)], 64)]   # dead on the box: 0
    [('', (('const', 0),))]
    >>> [name for name, _ in branches(relu, [flint.arb(0, 1)], 64)]              # the kink inside: two regions
    ['max(0, x) = 0', 'max(0, x) = x']
    """
    nodes, probes = list(dag.nodes), {}
    for nd in dag.nodes:
        op, args = nd[0], nd[1:]
        if op in ("max", "min"):
            for a in args:
                for b in args:
                    if a != b:
                        _probe(nodes, probes, a, b)
        elif op in ("abs", "sign", "heaviside"):
            _probe(nodes, probes, args[0], None)
        elif op in ("lt", "le", "gt", "ge"):
            _probe(nodes, probes, args[0], args[1])
    if not probes:
        return [("", dag)]
    keys = list(probes)
    aux = type(dag)(tuple(dag.inputs), tuple(nodes), tuple(probes[k] for k in keys))
    vals = dict(zip(keys, (j.value for j in evaluate(Tape(aux), box, order=0, value_only=True, prec=prec))))

    def sign(a: int, b: int | None) -> tuple[int, ...]:
        v = vals[(a, b)]
        return (0,) if v.is_zero() else (1,) if v > 0 else (-1,) if v < 0 else (0, 1) if v >= 0 else \
            (-1, 0) if v <= 0 else (-1, 0, 1)

    truth: list[Any] = [None] * len(dag.nodes)
    options: dict[int, list] = {}
    for i, nd in enumerate(dag.nodes):
        op, args = nd[0], nd[1:]
        if op in ("lt", "le", "gt", "ge"):
            s = sign(args[0], args[1])
            holds = {"lt": {-1}, "le": {-1, 0}, "gt": {1}, "ge": {0, 1}}[op]
            truth[i] = True if set(s) <= holds else False if not set(s) & holds else None
        elif op in ("and", "or", "not", "true", "false"):
            truth[i] = op == "true" if op in ("true", "false") else _logic(op, [truth[a] for a in args])
        elif op in NONSMOOTH:
            options[i] = _choices(dag, i, sign, truth)
    split = [i for i, o in options.items() if len(o) > 1]
    count = 1
    for i in split:
        count *= len(options[i])
    if count > MAX_BRANCHES:
        raise KinkInBox(f"more than {MAX_BRANCHES} regions of the kinks that switch inside the box")
    tape = Tape(dag)
    out = []
    for k in range(count):
        pick, rest = {i: o[0] for i, o in options.items()}, k
        for i in split:
            rest, r = divmod(rest, len(options[i]))
            pick[i] = options[i][r]
        name = "; ".join(f"{tape.describe(tape.remap[i])} = " + _choice_text(tape, pick[i]) for i in split)
        out.append((name, _smooth_dag(dag, pick)))
    return out


def _choice_text(tape: Tape, c: tuple) -> str:
    if c[0] == "const":
        return str(c[1])
    return ("-" if c[0] == "neg" else "") + tape.describe(tape.remap[c[1]])


def _smooth_dag(dag: Any, pick: dict[int, tuple]) -> Any:
    """``dag`` with every non-smooth node replaced by the value ``pick`` gives it (only the nodes the outputs use)."""
    need = [False] * len(dag.nodes)
    stack = list(dag.outputs)
    while stack:
        i = stack.pop()
        if need[i]:
            continue
        need[i] = True
        c = pick.get(i)
        stack += [] if c is not None and c[0] == "const" else [c[1]] if c is not None else list(_int_args(dag.nodes[i]))
    new: list[tuple] = []
    where: dict[int, int] = {}
    for i, nd in enumerate(dag.nodes):
        if not need[i]:
            continue
        c, op = pick.get(i), nd[0]
        if c is not None and c[0] == "node":
            where[i] = where[c[1]]
            continue
        if c is not None and c[0] == "neg":
            new += [("const", flint.fmpq(-1)), ("mul", len(new), where[c[1]])]
        elif c is not None:
            new.append(("const", c[1]))
        elif op in _LEAVES:
            new.append(nd)
        elif op == "pow":
            new.append(("pow", where[nd[1]], nd[2]))
        else:
            new.append((op, *(where[a] for a in nd[1:])))
        where[i] = len(new) - 1
    return type(dag)(tuple(dag.inputs), tuple(new), tuple(where[o] for o in dag.outputs))
