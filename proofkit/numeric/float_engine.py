"""Float64 evaluation of a compiled DAG (:class:`~proofkit.kernel.engine.Tape`): the search side.

* :meth:`FloatTape.value_and_grad` — values and gradients at a *batch* of points at once (numpy arrays of
  shape ``(B, n)``): one forward sweep and one reverse sweep over the tape, every node operating on
  length-``B`` vectors.
* :meth:`FloatTape.hessian` — the full Hessian at one point: adjoints by reverse mode, gradients over
  per-node supports by forward mode, and each non-linear node's second-order term added into one matrix
  (no per-node Hessians); :meth:`FloatTape.hvp` multiplies it with a vector.

Nothing here is rigorous: it finds candidates and approximate inverses; the Arb engine decides.
Non-smooth nodes take, at each point, the branch the point lies in.

Examples
--------
>>> from proofkit.kernel import Tape, decode_dag
>>> d = decode_dag({"format": "proofkit.dag/1", "inputs": ["x", "y"],
...                 "nodes": [["var", 0], ["var", 1], ["mul", 0, 0, 1], ["sin", 2]], "outputs": [3]})
>>> ft = FloatTape(Tape(d))
>>> F, G = ft.value_and_grad(np.array([[1.0, 2.0]]))
>>> round(float(F[0]), 12), np.round(G[0], 12).tolist()
(0.909297426826, [-1.664587346189, -0.416146836547])
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from proofkit.kernel import SMOOTH_UNARY, Tape

__all__ = ["FloatTape"]

_F = {"exp": np.exp, "log": np.log, "sin": np.sin, "cos": np.cos, "tan": np.tan, "tanh": np.tanh,
      "sinh": np.sinh, "cosh": np.cosh, "atan": np.arctan, "asin": np.arcsin, "acos": np.arccos}


def _erf(x: np.ndarray) -> np.ndarray:
    from scipy.special import erf

    return erf(x)


def _d12(op: str, a: Any, v: Any) -> tuple[Any, Any]:
    """First and second derivatives of the unary ``op`` at ``a`` (``v = op(a)``)."""
    if op == "exp":
        return v, v
    if op == "log":
        return 1 / a, -1 / (a * a)
    if op == "sin":
        return np.cos(a), -v
    if op == "cos":
        return -np.sin(a), -v
    if op == "tan":
        return 1 + v * v, 2 * v * (1 + v * v)
    if op == "tanh":
        return 1 - v * v, -2 * v * (1 - v * v)
    if op == "sinh":
        return np.cosh(a), v
    if op == "cosh":
        return np.sinh(a), v
    if op == "atan":
        d = 1 / (1 + a * a)
        return d, -2 * a * d * d
    if op in ("asin", "acos"):
        w = 1 - a * a
        d = 1 / np.sqrt(w)
        s = 1 if op == "asin" else -1
        return s * d, s * a * d / w
    if op == "erf":
        d = 2 / math.sqrt(math.pi) * np.exp(-a * a)
        return d, -2 * a * d
    raise ValueError(f"unknown function {op}")


class FloatTape:
    """Float64 value, gradient, Hessian and Hessian-vector products of a :class:`Tape` with one output."""

    def __init__(self, tape: Tape, output: int = 0) -> None:
        self.tape = tape
        self.n = tape.n_inputs
        self.output = tape.outputs[output]

    # -- forward sweep (batch) ---------------------------------------------------------------------
    def _forward(self, X: np.ndarray) -> tuple[list[Any], list[Any]]:
        t = self.tape
        B = X.shape[0]
        V: list[Any] = [None] * len(t.nodes)
        choice: list[Any] = [None] * len(t.nodes)
        for i, nd in enumerate(t.nodes):
            op, args = nd[0], t.args[i]
            if op == "var":
                V[i] = X[:, nd[1]]
            elif op == "const":
                V[i] = np.full(B, float(nd[1].p) / float(nd[1].q)) if abs(nd[1].p) < 2**1000 \
                    else np.full(B, float(nd[1]))
            elif op == "pi":
                V[i] = np.full(B, math.pi)
            elif op == "E":
                V[i] = np.full(B, math.e)
            elif op in ("true", "false"):
                V[i] = np.full(B, op == "true")
            elif op == "add":
                V[i] = sum((V[a] for a in args[1:]), V[args[0]])
            elif op == "mul":
                V[i] = V[args[0]] * V[args[1]]
            elif op == "pow":
                q = nd[2]
                V[i] = V[args[0]] ** int(q.p) if q.q == 1 else np.power(V[args[0]], float(q.p) / float(q.q))
            elif op in SMOOTH_UNARY:
                V[i] = _erf(V[args[0]]) if op == "erf" else _F[op](V[args[0]])
            elif op == "abs":
                V[i] = np.abs(V[args[0]])
            elif op == "sign":
                V[i] = np.sign(V[args[0]])
            elif op == "heaviside":
                a = V[args[0]]
                V[i] = np.where(a > 0, 1.0, np.where(a < 0, 0.0, float(nd[2])))
            elif op in ("max", "min"):
                stack = np.stack([V[a] for a in args])
                choice[i] = np.argmax(stack, axis=0) if op == "max" else np.argmin(stack, axis=0)
                V[i] = np.take_along_axis(stack, choice[i][None], axis=0)[0]
            elif op in ("lt", "le", "gt", "ge"):
                a, b = V[args[0]], V[args[1]]
                V[i] = {"lt": a < b, "le": a <= b, "gt": a > b, "ge": a >= b}[op]
            elif op in ("and", "or"):
                V[i] = np.logical_and.reduce([V[a] for a in args]) if op == "and" \
                    else np.logical_or.reduce([V[a] for a in args])
            elif op == "not":
                V[i] = ~V[args[0]]
            elif op == "piecewise":
                conds = np.stack([V[c] for c in args[1::2]])
                first = np.argmax(conds, axis=0)
                first = np.where(conds.any(axis=0), first, -1)
                choice[i] = first
                vals = np.stack([V[v] for v in args[0::2]])
                V[i] = np.where(first >= 0, np.take_along_axis(vals, np.maximum(first, 0)[None], axis=0)[0], np.nan)
            else:
                raise ValueError(f"unknown operation {op}")
        return V, choice

    def value(self, X: np.ndarray) -> np.ndarray:
        """Values at the rows of ``X`` (shape ``(B, n)``)."""
        with np.errstate(all="ignore"):
            V, _ = self._forward(np.atleast_2d(np.asarray(X, dtype=float)))
        return V[self.output]

    def value_and_grad(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Values ``(B,)`` and gradients ``(B, n)`` at the rows of ``X`` (reverse mode, batched)."""
        X = np.atleast_2d(np.asarray(X, dtype=float))
        t = self.tape
        with np.errstate(all="ignore"):
            V, choice = self._forward(X)
            adj: list[Any] = [None] * len(t.nodes)
            adj[self.output] = np.ones(X.shape[0])
            G = np.zeros_like(X)
            for i in range(self.output, -1, -1):
                w = adj[i]
                if w is None:
                    continue
                nd, args = t.nodes[i], t.args[i]
                op = nd[0]
                contrib: list[tuple[int, Any]] = []
                if op == "var":
                    G[:, nd[1]] += w
                elif op == "add":
                    contrib = [(a, w) for a in args]
                elif op == "mul":
                    a, b = args
                    contrib = [(a, w * V[b]), (b, w * V[a])]
                elif op == "pow":
                    q = nd[2]
                    if q.q == 1:
                        p = int(q.p)
                        d = p * V[args[0]] ** (p - 1) if p != 0 else 0.0
                    else:
                        qf = float(q.p) / float(q.q)
                        d = qf * np.power(V[args[0]], qf - 1)
                    contrib = [(args[0], w * d)]
                elif op in SMOOTH_UNARY:
                    contrib = [(args[0], w * _d12(op, V[args[0]], V[i])[0])]
                elif op == "abs":
                    contrib = [(args[0], w * np.sign(V[args[0]]))]
                elif op in ("max", "min"):
                    contrib = [(a, w * (choice[i] == k)) for k, a in enumerate(args)]
                elif op == "piecewise":
                    contrib = [(a, w * (choice[i] == k)) for k, a in enumerate(args[0::2])]
                for a, c in contrib:
                    c = np.where(w != 0, c, 0.0)  # an unselected branch's nan derivative must not leak
                    adj[a] = c if adj[a] is None else adj[a] + c
        return V[self.output], G

    # -- one point, compiled to Python source (fast per call: a search's inner loop) ------------------------
    def scalar_value_and_grad(self) -> Any:
        """A function ``x -> (value, gradient)`` for one point, generated as straight-line Python on floats.

        Domain errors and overflow give ``(nan, nan...)``. Much faster per call than the batched numpy sweep
        for small tapes (BFGS calls it thousands of times).
        """
        if getattr(self, "_scalar", None) is None:
            self._scalar = _compile_scalar(self.tape, self.output)
        return self._scalar

    # -- Hessian at one point ----------------------------------------------------------------------
    def hessian(self, x: np.ndarray) -> np.ndarray:
        """The Hessian at ``x``: adjoints (reverse), gradients over per-node supports (forward), and every
        non-linear node's second-order term added straight into one ``n x n`` matrix.

        For nodes ``v_i = phi_i(children)`` with adjoints ``abar_i = d out / d v_i``,
        ``Hess out = sum_i abar_i sum_{j,k} (d^2 phi_i / dv_j dv_k) grad v_j grad v_k^T`` (the second
        differential's recursion ``d^2 v_i = sum_j phi_ij d^2 v_j + q_i`` solved by the adjoints): a
        product adds ``abar (grad a grad b^T + grad b grad a^T)``, a unary function or power
        ``abar f''(a) grad a grad a^T``; sums and chosen branches add nothing. No per-node Hessian is
        built: memory is the output plus the gradients alive at a time.
        """
        t = self.tape
        n = self.n
        x = np.asarray(x, dtype=float).reshape(1, -1)
        out = np.zeros((n, n))
        with np.errstate(all="ignore"):
            V, choice = self._forward(x)
            adj = self._adjoints(V, choice)
            G: list[Any] = [None] * len(t.nodes)
            for i, nd in enumerate(t.nodes[: self.output + 1]):
                self._first(i, nd, V, choice, G)
                if adj[i]:
                    self._second_order_term(i, nd, V, G, adj[i], out)
                for a in t.frees[i]:
                    if a != self.output:
                        G[a] = None
        return out

    def hvp(self, x: np.ndarray, v: np.ndarray) -> np.ndarray:
        """Hessian-vector product at ``x``."""
        return self.hessian(x) @ np.asarray(v, dtype=float)

    def _adjoints(self, V: list, choice: list) -> list[float]:
        """``d out / d v_i`` for every node at the (single) point of ``V`` (0.0 where the output does not
        depend on the node)."""
        t = self.tape
        adj = [0.0] * len(t.nodes)
        adj[self.output] = 1.0
        for i in range(self.output, -1, -1):
            w = adj[i]
            if not w:
                continue
            nd, args = t.nodes[i], t.args[i]
            op = nd[0]
            if op == "add":
                for a in args:
                    adj[a] += w
            elif op == "mul":
                a, b = args
                adj[a] += w * float(V[b][0])
                adj[b] += w * float(V[a][0])
            elif op == "pow" or op in SMOOTH_UNARY:
                adj[args[0]] += w * self._d12(i, nd, V)[0]
            elif op == "abs":
                adj[args[0]] += w * float(np.sign(V[args[0]][0]))
            elif op in ("max", "min", "piecewise"):
                k = int(choice[i][0])
                if k >= 0:
                    adj[args[k if op != "piecewise" else 2 * k]] += w
        return adj

    @staticmethod
    def _d12(i: int, nd: tuple, V: list) -> tuple[float, float]:
        op = nd[0]
        a = nd[1]
        av, v = float(V[a][0]), float(V[i][0])
        if op == "pow":
            q = float(nd[2].p) / float(nd[2].q)
            d1 = q * float(np.power(av, q - 1)) if q != 0 else 0.0  # nan, not complex, for av < 0
            d2 = q * (q - 1) * float(np.power(av, q - 2)) if q not in (0.0, 1.0) else 0.0
            return d1, d2
        return _d12(op, av, v)

    def _lift(self, i: int, k: int, a: int, G: list, m: int) -> Any:
        pos = self.tape.positions[i][k]
        g = G[a]
        if pos is None or g is None:
            return g
        g2 = np.zeros(m)
        g2[np.array(pos, dtype=int)] = g
        return g2

    def _first(self, i: int, nd: tuple, V: list, choice: list, G: list) -> None:
        """The gradient of node ``i`` over its support (None: constant)."""
        t = self.tape
        op, args = nd[0], t.args[i]
        m = len(t.support[i])
        if op == "var":
            G[i] = np.ones(1)
            return
        if not m:
            return
        if op == "add":
            g = np.zeros(m)
            for k, a in enumerate(args):
                ga = self._lift(i, k, a, G, m)
                if ga is not None:
                    g += ga
            G[i] = g
        elif op == "mul":
            a, b = args
            ga, gb = self._lift(i, 0, a, G, m), self._lift(i, 1, b, G, m)
            va, vb = float(V[a][0]), float(V[b][0])
            G[i] = (ga * vb if ga is not None else 0) + (gb * va if gb is not None else 0) \
                if (ga is not None or gb is not None) else None
        elif op == "pow" or op in SMOOTH_UNARY:
            if G[args[0]] is not None:
                G[i] = G[args[0]] * self._d12(i, nd, V)[0]
        elif op == "abs":
            ga = self._lift(i, 0, args[0], G, m)
            G[i] = None if ga is None else ga * float(np.sign(V[args[0]][0]))
        elif op in ("max", "min", "piecewise"):
            k = int(choice[i][0])
            if k < 0:
                G[i] = np.full(m, np.nan)
                return
            idx = k if op != "piecewise" else 2 * k
            G[i] = self._lift(i, idx, args[idx], G, m)
        # sign, heaviside, conditions: locally constant

    def _second_order_term(self, i: int, nd: tuple, V: list, G: list, w: float, out: np.ndarray) -> None:
        t = self.tape
        op, args = nd[0], t.args[i]
        if op == "mul":
            a, b = args
            if G[a] is None or G[b] is None:
                return
            sa, sb = self._sup(a), self._sup(b)
            block = w * np.outer(G[a], G[b])
            out[np.ix_(sa, sb)] += block
            out[np.ix_(sb, sa)] += block.T
        elif op == "pow" or op in SMOOTH_UNARY:
            a = args[0]
            if G[a] is None:
                return
            d2 = self._d12(i, nd, V)[1]
            if d2:
                sa = self._sup(a)
                out[np.ix_(sa, sa)] += (w * d2) * np.outer(G[a], G[a])

    def _sup(self, i: int) -> np.ndarray:
        cache = self.__dict__.setdefault("_supports", {})
        if i not in cache:
            cache[i] = np.array(self.tape.support[i], dtype=int)
        return cache[i]


_DERIV = {"exp": "v{i}", "log": "1.0 / v{a}", "sin": "math.cos(v{a})", "cos": "-math.sin(v{a})",
          "tan": "1.0 + v{i} * v{i}", "tanh": "1.0 - v{i} * v{i}", "sinh": "math.cosh(v{a})",
          "cosh": "math.sinh(v{a})", "atan": "1.0 / (1.0 + v{a} * v{a})", "asin": "1.0 / math.sqrt(1.0 - v{a} * v{a})",
          "acos": "-1.0 / math.sqrt(1.0 - v{a} * v{a})", "erf": "1.1283791670955126 * math.exp(-v{a} * v{a})"}
_FUNC = {"exp": "math.exp", "log": "math.log", "sin": "math.sin", "cos": "math.cos", "tan": "math.tan",
         "tanh": "math.tanh", "sinh": "math.sinh", "cosh": "math.cosh", "atan": "math.atan", "asin": "math.asin",
         "acos": "math.acos", "erf": "math.erf"}
_CMP = {"lt": "<", "le": "<=", "gt": ">", "ge": ">="}


def _pow_or_nan(a: float, e: Any) -> float:
    """``a ** e`` as a real number: nan outside the domain (a negative base of a fractional power, 0 to a
    negative power), never a Python complex."""
    if a < 0 and not float(e).is_integer():
        return math.nan
    try:
        return float(a ** e)
    except ZeroDivisionError:
        return math.nan


def _real_or_nan(fn: Any, a: float) -> float:
    """``fn(a)``, nan outside its domain (so that an unselected branch does not spoil the selected one)."""
    try:
        return fn(a)
    except ValueError:
        return math.nan


def _compile_scalar(tape: Tape, output: int) -> Any:
    """Generate ``f(x) -> (value, gradient)`` for ``tape`` as Python source (forward, then reverse sweep)."""
    fwd: list[str] = []
    rev: list[str] = []
    used = set()
    for i, nd in enumerate(tape.nodes[: output + 1]):
        op, args = nd[0], tape.args[i]
        if op == "var":
            fwd.append(f"v{i} = x[{nd[1]}]")
        elif op == "const":
            fwd.append(f"v{i} = {float(nd[1].p) / float(nd[1].q)!r}" if abs(nd[1].p) < 2**1000 and nd[1].q < 2**1000
                       else f"v{i} = {float(nd[1])!r}")
        elif op in ("pi", "E"):
            fwd.append(f"v{i} = math.{'pi' if op == 'pi' else 'e'}")
        elif op in ("true", "false"):
            fwd.append(f"v{i} = {op == 'true'}")
        elif op == "add":
            fwd.append(f"v{i} = " + " + ".join(f"v{a}" for a in args))
        elif op == "mul":
            fwd.append(f"v{i} = v{args[0]} * v{args[1]}")
        elif op == "pow":
            q = nd[2]
            e = repr(int(q.p)) if q.q == 1 else repr(float(q.p) / float(q.q))
            fwd.append(f"v{i} = _pow(v{args[0]}, {e})")
        elif op in _FUNC:
            fwd.append(f"v{i} = _real({_FUNC[op]}, v{args[0]})")
        elif op == "abs":
            fwd.append(f"v{i} = abs(v{args[0]})")
        elif op == "sign":
            fwd.append(f"v{i} = float((v{args[0]} > 0) - (v{args[0]} < 0))")
        elif op == "heaviside":
            fwd.append(f"v{i} = 1.0 if v{args[0]} > 0 else (0.0 if v{args[0]} < 0 else {float(nd[2])!r})")
        elif op in ("max", "min"):
            fwd.append(f"v{i} = {op}(" + ", ".join(f"v{a}" for a in args) + ")")
        elif op in _CMP:
            fwd.append(f"v{i} = v{args[0]} {_CMP[op]} v{args[1]}")
        elif op in ("and", "or"):
            fwd.append(f"v{i} = " + f" {op} ".join(f"v{a}" for a in args))
        elif op == "not":
            fwd.append(f"v{i} = not v{args[0]}")
        elif op == "piecewise":
            expr = "float('nan')"
            for k in range(len(args) - 2, -1, -2):
                expr = f"(v{args[k]} if v{args[k + 1]} else {expr})"
            fwd.append(f"v{i} = {expr}")
        else:
            raise ValueError(f"unknown operation {op}")
    for i in range(output, -1, -1):
        nd, args = tape.nodes[i], tape.args[i]
        op = nd[0]
        if i != output and i not in used:
            continue
        w = f"a{i}"
        lines: list[tuple[int, str]] = []
        if op == "var":
            rev.append(f"g[{nd[1]}] += {w}")
        elif op == "add":
            lines = [(a, w) for a in args]
        elif op == "mul":
            lines = [(args[0], f"{w} * v{args[1]}"), (args[1], f"{w} * v{args[0]}")]
        elif op == "pow":
            q = nd[2]
            qf = float(q.p) / float(q.q)
            lines = [(args[0], f"{w} * {qf!r} * _pow(v{args[0]}, {qf - 1!r})")] if qf != 0 else []
        elif op in _DERIV:
            lines = [(args[0], f"{w} * ({_DERIV[op].format(i=i, a=args[0])})")]
        elif op == "abs":
            lines = [(args[0], f"{w} * ((v{args[0]} > 0) - (v{args[0]} < 0))")]
        elif op in ("max", "min"):
            branch = "if"
            for a in args:
                rev.append(f"{branch} v{i} == v{a}: a{a} = a{a} + {w}")
                used.add(a)
                branch = "elif"
        elif op == "piecewise":
            branch = "if"
            for k in range(0, len(args), 2):
                rev.append(f"{branch} v{args[k + 1]}: a{args[k]} = a{args[k]} + {w}")
                used.add(args[k])
                branch = "elif"
        for a, term in lines:  # a zero adjoint (an unselected branch) adds nothing, even times nan
            rev.append(f"if {w}: a{a} = a{a} + {term}")
            used.add(a)
    init = [f"a{a} = 0.0" for a in sorted(used)]
    body = "\n        ".join(fwd + [f"a{output} = 1.0"] + init + rev) or "pass"
    src = (f"def f(x):\n    x = [float(t) for t in x]\n    g = [0.0] * {tape.n_inputs}\n    try:\n        {body}\n"
           f"    except (ValueError, OverflowError, ZeroDivisionError, TypeError):\n"
           f"        return float('nan'), np.full({tape.n_inputs}, np.nan)\n"
           f"    if v{output} != v{output}:\n"  # outside the domain: no gradient either
           f"        return float('nan'), np.full({tape.n_inputs}, np.nan)\n"
           f"    return v{output}, np.array(g)\n")
    env: dict[str, Any] = {"math": math, "np": np, "_pow": _pow_or_nan, "_real": _real_or_nan}
    exec(compile(src, "<proofkit tape>", "exec"), env)  # noqa: S102 - source generated from a decoded DAG
    return env["f"]
