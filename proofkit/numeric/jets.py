"""Functions of one real variable with their first two derivatives, evaluated elementwise over arrays.

A :class:`ScalarFunction` is compiled once from a stored expression graph with one input (an activation
sigma(t), a scalar loss l(a)); :meth:`ScalarFunction.jet` returns ``(f(x), f'(x), f''(x))`` for every entry
of an array ``x`` at once, in float64 or in Arb balls (:mod:`proofkit.numeric.arrays`): second-order
forward differentiation where every node holds three arrays over the entries.

A few functions have a closed form for their derivatives that costs fewer operations; they are used only when
the caller states that the expression *is* that function (``closed_form=``, e.g. the network builder after
comparing the activation's expression with the built-in sigmoid): ``"sigmoid"`` (1/(1+exp(-t)),
sigma' = sigma(1-sigma), sigma'' = sigma'(1-2 sigma)), ``"tanh"`` (tanh' = 1 - tanh^2,
tanh'' = -2 tanh tanh'), ``"softplus"`` (log(1+exp(t)), derivative the sigmoid) and ``"square"``
(t^2). In Arb each identity is applied to an enclosure of its argument, so the result is an enclosure.

Non-smooth nodes (``abs``, ``max``, ``min``, ``sign``, ``heaviside``, ``piecewise``) take the branch the
entry lies in; in Arb that branch must be decided on the whole ball (strictly), else
:class:`~proofkit.numeric.contexts.NotAnalyticHere` names the kink.

Examples
--------
>>> import sympy
>>> from proofkit.numeric.arrays import FloatArrays
>>> from proofkit.symbolic.dag import to_dag
>>> t = sympy.Symbol("t")
>>> f = ScalarFunction(to_dag(t**3, [t]))
>>> [a.tolist() for a in f.jet(np.array([1.0, 2.0]), FloatArrays())]
[[1.0, 8.0], [3.0, 12.0], [6.0, 12.0]]
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import flint
import numpy as np

from proofkit.kernel import Dag, decode_dag
from proofkit.numeric.arrays import SMOOTH_FUNCTIONS
from proofkit.numeric.contexts import NotAnalyticHere

__all__ = ["ScalarFunction", "CLOSED_FORMS"]

CLOSED_FORMS = frozenset({"sigmoid", "tanh", "softplus", "square"})


class ScalarFunction:
    """A function of one variable from a ``proofkit.dag/1`` graph (one input, one output).

    Parameters
    ----------
    dag : dict or Dag
        The expression graph (a dict is decoded by the kernel's strict decoder).
    closed_form : str, optional
        One of :data:`CLOSED_FORMS` when the expression is exactly that function (the caller's promise,
        checked by comparing expressions); the graph is then used only for messages.
    """

    def __init__(self, dag: Mapping[str, Any] | Dag, closed_form: str | None = None) -> None:
        d = dag if isinstance(dag, Dag) else decode_dag(dict(dag), n_outputs=1)
        if len(d.inputs) != 1:
            raise ValueError(f"a function of one variable has one input, not {len(d.inputs)}")
        if closed_form is not None and closed_form not in CLOSED_FORMS:
            raise ValueError(f"unknown closed form {closed_form!r}")
        self.dag = d
        self.closed_form = closed_form
        self.output = d.outputs[0]

    def __repr__(self) -> str:
        return f"ScalarFunction({self.closed_form or len(self.dag.nodes)})"

    def jet(self, x: np.ndarray, B: Any) -> tuple[Any, Any, Any]:
        """``(f(x), f'(x), f''(x))`` elementwise; ``B`` is :class:`~proofkit.numeric.arrays.FloatArrays` or
        :class:`~proofkit.numeric.arrays.ArbArrays` (called inside its precision).

        Guarantee
        ---------
        With :class:`~proofkit.numeric.arrays.ArbArrays` every returned ball contains the exact value of
        f, f', f'' at every point of the corresponding input ball; where that cannot be established (a
        domain boundary, an undecided branch, a non-finite enclosure) :class:`NotAnalyticHere` is raised.
        """
        if self.closed_form is not None:
            return _closed(self.closed_form, x, B)
        return _interpret(self.dag, self.output, x, B)


def _closed(name: str, x: Any, B: Any) -> tuple[Any, Any, Any]:
    if name == "square":
        return B.power(x, 2)
    if B.name == "float64":
        from scipy.special import expit

        if name == "tanh":
            v = np.tanh(x)
            d1 = 1 - v * v
            return v, d1, -2 * v * d1
        s = expit(x)
        if name == "sigmoid":
            d1 = s * (1 - s)
            return s, d1, d1 * (1 - 2 * s)
        with np.errstate(all="ignore"):
            return np.logaddexp(0.0, x), s, s * (1 - s)
    one, two = flint.arb(1), flint.arb(2)  # balls: cheaper than mixing Python ints into every operation
    if name == "tanh":
        v = B.map("tanh", x)
        d1 = one - v * v
        return v, d1, -two * v * d1
    # sigma = 1/(1+exp(-t)): never a division by a ball containing 0 (exp(-t) > 0); softplus(t) = log(1 + exp(t))
    # = log(1 + 1/e) with e = exp(-t): an argument > 1, where the log is analytic
    e = B.map("exp", -x)
    s = one / (one + e)
    d1 = s * (one - s)
    if name == "sigmoid":
        return s, d1, d1 * (one - two * s)
    return B.map("log", one + one / e), s, d1


def _interpret(dag: Dag, output: int, x: Any, B: Any) -> tuple[Any, Any, Any]:
    """Second-order forward differentiation over the nodes; derivatives ``None`` stand for zero."""
    nodes = dag.nodes
    V: list[Any] = [None] * len(nodes)
    D1: list[Any] = [None] * len(nodes)
    D2: list[Any] = [None] * len(nodes)
    C: list[Any] = [None] * len(nodes)  # conditions: (surely true, surely false) masks
    shape = np.shape(x)
    for i, nd in enumerate(nodes[: output + 1]):
        op = nd[0]
        if op == "var":
            V[i], D1[i] = x, B.ones(shape)
        elif op == "const":
            V[i] = B.number(nd[1])
        elif op in ("pi", "E"):
            V[i] = B.constant(op)
        elif op in ("true", "false"):
            t = np.full(shape, op == "true")
            C[i] = (t, ~t)
        elif op == "add":
            V[i] = _sum([V[a] for a in nd[1:]])
            D1[i] = _sum([D1[a] for a in nd[1:] if D1[a] is not None])
            D2[i] = _sum([D2[a] for a in nd[1:] if D2[a] is not None])
        elif op == "mul":
            _product(i, nd[1:], V, D1, D2)
        elif op == "pow" or op in SMOOTH_FUNCTIONS:
            a = nd[1]
            v, f1, f2 = B.power(V[a], nd[2]) if op == "pow" else B.unary(op, V[a])
            V[i] = v
            _chain(i, a, f1, f2, D1, D2)
        elif op in ("lt", "le", "gt", "ge"):
            C[i] = B.compare(op, V[nd[1]], V[nd[2]])
        elif op in ("and", "or"):
            ts, fs = [C[a][0] for a in nd[1:]], [C[a][1] for a in nd[1:]]
            C[i] = (np.logical_and.reduce(ts), np.logical_or.reduce(fs)) if op == "and" else \
                (np.logical_or.reduce(ts), np.logical_and.reduce(fs))
        elif op == "not":
            C[i] = (C[nd[1]][1], C[nd[1]][0])
        elif op == "abs":
            pos, neg = B.sign(V[nd[1]])
            _require(pos | neg, f"abs switches at {_where(x, pos | neg)}")
            s = np.where(pos, 1, -1)
            V[i] = V[nd[1]] * s
            D1[i] = None if D1[nd[1]] is None else D1[nd[1]] * s
            D2[i] = None if D2[nd[1]] is None else D2[nd[1]] * s
        elif op in ("sign", "heaviside"):
            pos, neg = B.sign(V[nd[1]])
            _require(pos | neg, f"{op} switches at {_where(x, pos | neg)}")
            lo = 0 if op == "heaviside" else -1
            V[i] = np.where(pos, B.number(1), B.number(lo)) if shape else (B.number(1) if pos else B.number(lo))
        elif op in ("max", "min"):
            args = nd[1:]
            if B.name == "float64":  # the branch of the point (ties: the first argument)
                stack = np.stack([_full(V[a], shape) for a in args])
                win = np.argmax(stack, axis=0) if op == "max" else np.argmin(stack, axis=0)
            else:  # argument k wins where it beats every other one strictly on the whole ball
                win = np.full(shape, -1)
                for k, a in enumerate(args):
                    w = np.ones(shape, dtype=bool)
                    for j, b in enumerate(args):
                        if j != k:
                            w &= B.compare("gt" if op == "max" else "lt", _full(V[a], shape), _full(V[b], shape))[0]
                    win = np.where(w & (win < 0), k, win)
                _require(win >= 0, f"{op} switches (its arguments are not strictly ordered) at {_where(x, win >= 0)}")
            _select(i, list(args), win, V, D1, D2, shape)
        elif op == "piecewise":
            vals, conds = nd[1::2], nd[2::2]
            chosen = np.full(shape, -1)
            open_ = np.ones(shape, dtype=bool)
            for k, c in enumerate(conds):
                t, f = C[c]
                _require(~open_ | t | f, f"a piecewise condition is undecided at {_where(x, ~open_ | t | f)}")
                chosen = np.where(open_ & t, k, chosen)
                open_ &= f
            _require(chosen >= 0, "no piecewise branch applies")
            _select(i, list(vals), chosen, V, D1, D2, shape)
        else:
            raise ValueError(f"unknown operation {op}")
    v = _full(V[output], shape)
    zero = B.zeros(shape)
    d1 = zero if D1[output] is None else _full(D1[output], shape)
    d2 = zero if D2[output] is None else _full(D2[output], shape)
    B.check_finite(v, "a function value")
    B.check_finite(d1, "a derivative")
    B.check_finite(d2, "a second derivative")
    return v, d1, d2


def _sum(xs: list[Any]) -> Any:
    if not xs:
        return None
    out = xs[0]
    for x in xs[1:]:
        out = out + x
    return out


def _full(v: Any, shape: tuple) -> Any:
    if np.shape(v) == shape:
        return v
    out = np.empty(shape, dtype=object if not isinstance(v, (float, np.floating)) else float)
    out[...] = v
    return out


def _product(i: int, args: tuple, V: list, D1: list, D2: list) -> None:
    v, d1, d2 = V[args[0]], D1[args[0]], D2[args[0]]
    for b in args[1:]:
        vb, e1, e2 = V[b], D1[b], D2[b]
        n1 = _sum([t for t in (None if d1 is None else d1 * vb, None if e1 is None else v * e1) if t is not None])
        n2 = _sum([t for t in (None if d2 is None else d2 * vb,
                               None if (d1 is None or e1 is None) else 2 * d1 * e1,
                               None if e2 is None else v * e2) if t is not None])
        v, d1, d2 = v * vb, n1, n2
    V[i], D1[i], D2[i] = v, d1, d2


def _chain(i: int, a: int, f1: Any, f2: Any, D1: list, D2: list) -> None:
    g1, g2 = D1[a], D2[a]
    if g1 is None:
        return
    D1[i] = f1 * g1
    D2[i] = f2 * g1 * g1 if g2 is None else f2 * g1 * g1 + f1 * g2


def _select(i: int, args: list[int], chosen: np.ndarray, V: list, D1: list, D2: list, shape: tuple) -> None:
    def pick(vals: list[Any]) -> Any:
        if not shape:
            return vals[int(chosen)]
        return np.choose(chosen, [_full(v, shape) for v in vals])

    V[i] = pick([V[a] for a in args])
    if any(D1[a] is not None for a in args):
        zero = 0 * _full(V[i], shape)
        D1[i] = pick([zero if D1[a] is None else D1[a] for a in args])
        D2[i] = pick([zero if D2[a] is None else D2[a] for a in args])


def _require(ok: Any, message: str) -> None:
    if not np.all(ok):
        raise NotAnalyticHere(message)


def _where(x: Any, ok: Any) -> str:
    bad = np.flatnonzero(~np.asarray(ok, dtype=bool))
    if not np.ndim(x) or not len(bad):
        return f"{x}"
    return f"entry {int(bad[0])} ({np.ravel(x)[bad[0]]})"
