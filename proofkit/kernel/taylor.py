"""Taylor coefficients of an expression graph along a curve, enclosed in Arb (truncated power series).

:func:`coefficients` evaluates ``t -> L(theta(t))`` with every node a truncated power series in ``t`` whose
coefficients are Arb balls (python-flint's ``arb_series``): sums and products are series arithmetic, the
smooth functions are Arb's series functions (``tanh``, ``sinh``, ``cosh`` through ``exp``). A node is
expanded only where it is analytic at ``t = 0``: ``log`` and non-integer powers need a positive constant term,
``asin``/``acos`` one inside ``(-1, 1)``, a negative power a non-zero one; ``abs``, ``sign``, ``max``,
``min``, ``heaviside`` and ``piecewise`` are replaced by the branch their arguments' constant terms select
*strictly* (then the same branch holds on a neighbourhood of ``t = 0``), and refused at a kink. A branch
that is not selected may be undefined at ``t = 0``; only the values the outputs use must exist.

Soundness rests on Arb: each returned ball contains the exact Taylor coefficient. A coefficient that comes
out as an *exact* zero (radius 0) is therefore exactly zero. The truncation order is python-flint's global
``flint.ctx.cap``: it is set under a lock (concurrent checks in threads would otherwise truncate each other's
series, whose missing coefficients would read as exact zeros), and a result shorter than the order asked is
refused whoever shortened it.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

import flint

from proofkit.errors import CertificateRejected
from proofkit.kernel.cost import arb_function, charge
from proofkit.kernel.dag import Dag

__all__ = ["NoSeries", "coefficients", "leading_term"]

MAX_ORDER = 64
_CAP_LOCK = threading.RLock()  # flint.ctx.cap and flint.ctx.prec are process-wide


class NoSeries(CertificateRejected):
    """The graph has no Taylor expansion at ``t = 0`` that this evaluator can enclose."""


class _Bad:
    """A value that does not exist at ``t = 0`` (kept until an output uses it)."""

    def __init__(self, why: str) -> None:
        self.why = why


def _show(c: Any) -> str:
    """A ball for a message: at most 60 characters (a huge exponent would otherwise print thousands of digits)."""
    text = str(c)
    return text if len(text) <= 60 else f"{text[:40]}...({len(text)} characters)"


def _finite(s: Any, op: str) -> Any:
    if not all(c.is_finite() for c in s.coeffs()):
        return _Bad(f"{op}: an enclosure is not finite")
    return s


def _const(s: Any) -> Any:
    cs = s.coeffs()
    return cs[0] if cs else flint.arb(0)


def _unary(op: str, u: Any) -> Any:
    c = _const(u)
    if op in ("log", "sqrt") and not c > 0:
        return _Bad(f"{op} of {_show(c)}, not proven positive")
    if op in ("asin", "acos") and not (c > -1 and c < 1):
        return _Bad(f"{op} of {_show(c)}, not proven inside (-1, 1)")
    if op in ("tanh", "sinh", "cosh"):
        e = u.exp()
        e_inv = (-u).exp()
        out = (e - e_inv) / (e + e_inv) if op == "tanh" else (e - e_inv) / 2 if op == "sinh" else (e + e_inv) / 2
        return _finite(out, op)
    if op in ("abs", "sign"):
        if not (c > 0 or c < 0):
            return _Bad(f"{op} at a kink (its argument at t = 0 is {_show(c)})")
        s = 1 if c > 0 else -1
        return u * s if op == "abs" else flint.arb_series([s])
    return _finite(getattr(u, op)(), op)


def _pow(u: Any, q: flint.fmpq) -> Any:
    p, r, c = int(q.p), int(q.q), _const(u)
    if r == 1 and p >= 0:
        return _finite(u ** p, "pow") if p else flint.arb_series([1])
    if r == 1:
        if not (c > 0 or c < 0):
            return _Bad(f"a negative power of {_show(c)}, not proven non-zero")
        return _finite(1 / u ** (-p), "pow")
    if not c > 0:
        return _Bad(f"the power {_show(q)} of {_show(c)}, not proven positive")
    return _finite((u.log() * flint.arb(q)).exp(), "pow")


def _compare(op: str, a: Any, b: Any) -> bool | None:
    """Truth of ``a op b`` near ``t = 0``: decided only when the constant terms differ strictly."""
    x, y = _const(a), _const(b)
    below, above = x < y, x > y
    if not (below or above):
        return None
    return below if op in ("lt", "le") else above


def _extreme(op: str, vals: list[Any]) -> Any:
    cs = [_const(v) for v in vals]
    for i, ci in enumerate(cs):
        if all((ci > cj) if op == "max" else (ci < cj) for j, cj in enumerate(cs) if j != i):
            return vals[i]
    return _Bad(f"{op} at a kink (no argument strictly {'largest' if op == 'max' else 'smallest'} at t = 0)")


def _node(op: str, args: tuple, vals: list[Any], env: Sequence[Any], prec: int) -> Any:
    if op == "var":
        return env[args[0]]
    if op == "const":
        return flint.arb_series([flint.arb(args[0])])
    if op in ("pi", "E"):
        return flint.arb_series([flint.arb.pi() if op == "pi" else flint.arb(1).exp()])
    if op in ("true", "false"):
        return op == "true"
    if op == "piecewise":
        for k in range(0, len(args), 2):
            cond = vals[args[k + 1]]
            if isinstance(cond, _Bad) or cond is None:
                return cond if isinstance(cond, _Bad) else _Bad("piecewise: a condition is not decided at t = 0")
            if cond:
                return vals[args[k]]
        return _Bad("piecewise: no condition holds at t = 0")
    xs = [vals[a] for a in (args[:1] if op in ("pow", "heaviside") else args)]
    bad = next((x for x in xs if isinstance(x, _Bad)), None)
    if bad is not None:
        return bad
    if op == "add":
        out = xs[0]
        for x in xs[1:]:
            out = out + x
        return out
    if op == "mul":
        out = xs[0]
        for x in xs[1:]:
            out = out * x
        return out
    if op == "pow":
        return _pow(xs[0], args[1])
    if op in ("lt", "le", "gt", "ge"):
        return _compare(op, xs[0], xs[1])
    if op == "not":
        return None if xs[0] is None else not xs[0]
    if op in ("and", "or"):
        if op == "and":
            return False if any(x is False for x in xs) else (True if all(x is True for x in xs) else None)
        return True if any(x is True for x in xs) else (False if all(x is False for x in xs) else None)
    if op in ("max", "min"):
        return _extreme(op, xs)
    if op == "heaviside":
        c = _const(xs[0])
        if not (c > 0 or c < 0):
            return _Bad(f"heaviside at its jump (argument {_show(c)} at t = 0)")
        return flint.arb_series([1 if c > 0 else 0])
    return _unary(op, xs[0])


_FUNCTIONS = frozenset({"exp", "log", "sin", "cos", "tan", "atan", "asin", "acos", "erf", "tanh", "sinh", "cosh", "pow",
                        "pi", "E"})


def _run(dag: Dag, env: Sequence[Any], order: int, prec: int) -> list[Any]:
    vals: list[Any] = []
    step, function = 2e-6 * (order + 1) ** 2 * max(1, prec // 64), (order + 1) * arb_function(prec)
    for node in dag.nodes:
        arity = len(node) - 1 if node[0] in ("add", "mul", "max", "min") else 1  # (a product of n series: n - 1 steps)
        charge(step * arity + (function if node[0] in _FUNCTIONS else 0), "a node of a Taylor series")
        vals.append(_node(node[0], node[1:], vals, env, prec))
    out = []
    for o in dag.outputs:
        v = vals[o]
        if isinstance(v, _Bad):
            raise NoSeries(f"certificate rejected: no Taylor expansion at t = 0: {v.why}")
        out.append(v)
    return out


def coefficients(loss: Dag, curve: Dag, order: int, prec: int) -> list[Any]:
    """Arb enclosures of the Taylor coefficients of ``t -> L(theta(t))`` at ``t = 0``, from ``c_0`` to ``c_order``.

    ``curve`` has one input (``t``) and one output per input of ``loss`` (which has one output).

    Raises
    ------
    NoSeries
        Some node used by the output is not analytic at ``t = 0`` (as far as Arb can tell), or the shapes are
        wrong.

    Examples
    --------
    >>> from proofkit.kernel.dag import decode_dag
    >>> L = decode_dag({"format": "proofkit.dag/1", "inputs": ["x"], "nodes": [["var", 0], ["tanh", 0]],
    ...                 "outputs": [1]})
    >>> line = decode_dag({"format": "proofkit.dag/1", "inputs": ["t"], "nodes": [["var", 0]], "outputs": [0]})
    >>> cs = coefficients(L, line, 3, 64)  # tanh(t) = t - t^3/3 + ...
    >>> [float(c.mid()) for c in cs], cs[2].is_exact() and cs[2] == 0
    ([0.0, 1.0, 0.0, -0.3333333333333333], True)
    """
    if not 1 <= order <= MAX_ORDER or len(loss.outputs) != 1 or len(curve.inputs) != 1 or \
            len(curve.outputs) != len(loss.inputs) or not 2 <= prec <= 1 << 16:
        raise NoSeries(f"certificate rejected: a Taylor series needs order 1..{MAX_ORDER}, a loss with one output, "
                       "a curve in one variable with one output per parameter and a precision")
    with _CAP_LOCK:
        cap = flint.ctx.cap
        try:
            flint.ctx.cap = order + 1
            with flint.ctx.workprec(prec):
                theta = _run(curve, [flint.arb_series([0, 1])], order, prec)
                (f,) = _run(loss, theta, order, prec)
        except (ValueError, ZeroDivisionError) as exc:  # (a series quotient by a zero constant term)
            raise NoSeries(f"certificate rejected: no Taylor expansion at t = 0 ({str(exc)[:200]})") from None
        finally:
            flint.ctx.cap = cap
    if f.prec <= order:  # (the cap was lowered under us: the missing coefficients are unknown, not zero)
        raise NoSeries(f"certificate rejected: the Taylor series was truncated at order {f.prec - 1} < {order} "
                       "(flint.ctx.cap changed during the evaluation)")
    cs = f.coeffs()
    if not all(c.is_finite() for c in cs):
        raise NoSeries("certificate rejected: no Taylor expansion at t = 0 (an enclosure is not finite)")
    return [cs[k] if k < len(cs) else flint.arb(0) for k in range(order + 1)]


def leading_term(loss: Dag, curve: Dag, order: int, prec: int | None, first_is_zero: bool = False) -> tuple[int, Any]:
    """``(m, c)``: the lowest order ``m >= 1`` whose coefficient ``c`` (a ball) has a proven sign, every lower
    one being an exact zero in Arb (the first one may instead be known zero: ``first_is_zero``).

    Raises
    ------
    NoSeries
        No expansion, a lower coefficient neither an exact zero nor of proven sign, or all zero up to ``order``.
    """
    if prec is None:
        raise NoSeries("certificate rejected: a Taylor series in Arb needs a precision")
    cs = coefficients(loss, curve, order, prec)
    for m in range(1, order + 1):
        if cs[m] > 0 or cs[m] < 0:
            return m, cs[m]
        if not (cs[m].is_exact() and cs[m] == 0) and not (m == 1 and first_is_zero):
            raise NoSeries(f"certificate rejected: the coefficient of t^{m} is {_show(cs[m])}: neither an exact zero nor "
                           f"of proven sign at {prec} bits")
    raise NoSeries(f"certificate rejected: L(theta(t)) - L(theta(0)) vanishes up to order {order}")
