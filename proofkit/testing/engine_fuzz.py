"""Differential fuzzing of the kernel evaluator against an independent differentiator.

A random expression tree (:func:`random_tree`) over 1-6 variables, biased towards ``max``/``min``/``abs``/
``sign``/``heaviside``/``piecewise`` nodes with constant branches, products and compositions of them, kinks
near box edges and the domain edges of ``log``/``sqrt``/``acos``/``asin``/division/fractional powers, is
written out twice from the same nodes:

* as a ``proofkit.dag/1`` JSON object (:meth:`Tree.dag_json`: a direct serialisation of the node list), the
  input of the evaluator under test (:func:`proofkit.kernel.engine.evaluate`), and
* as sympy expressions, one per *branch* (:meth:`Oracle.truth`): at a sample point the oracle evaluates
  every node in mpmath at high precision, decides which branch each non-smooth node takes there (or that
  the point is a kink, a domain edge or outside the domain), builds the smooth sympy expression of that
  branch, differentiates it with ``sympy.diff`` and evaluates value, gradient and Hessian in mpmath.

The oracle (:class:`Oracle`, :func:`random_tree`) uses no proofkit code: only the standard library, sympy
and mpmath. Boxes are placed at random, around the tree's constants (where its kinks and domain edges
are), with edges on or near those points, inside branch regions or straddling them. Every box is given to
the evaluator with derivatives (``order=2``, ``order=1``), without (``order=0``) and as value-only
enclosures (``order=0, value_only=True``), and every sample point of the box as a point ball. A
*violation* is an enclosure (value, gradient entry, Hessian entry) that misses the truth at a sample point
inside the box or point, a value enclosure on a box holding a point outside the domain, or derivatives
returned on a box holding a point where the function is not differentiable. Refusals
(:class:`NotAnalyticOnBox`) are always allowed; they are counted.

Examples
--------
>>> import random
>>> tree = random_tree(random.Random(1))
>>> sorted(tree.dag_json()) == ["format", "inputs", "nodes", "outputs"]
True
"""

from __future__ import annotations

import importlib.util
import json
import random
import time
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import mpmath
import sympy

__all__ = ["Tree", "Oracle", "PointTruth", "random_tree", "random_box", "box_points", "run_engine_fuzz",
           "FuzzEngineReport", "load_engine", "check_corpus_entry", "corpus_entry", "run_float_fuzz"]

DPS = 60
"""Working precision of the oracle (decimal digits)."""
_TIE = mpmath.mpf(10) ** -45
_SMOOTH = ("exp", "log", "sin", "cos", "tan", "tanh", "sinh", "cosh", "atan", "asin", "acos", "erf")
_CMP = ("lt", "le", "gt", "ge")


def _qs(q: Fraction) -> str:
    q = Fraction(q)
    return str(q.numerator) if q.denominator == 1 else f"{q.numerator}/{q.denominator}"


# -- random trees ------------------------------------------------------------------------------------------
@dataclass
class Tree:
    """A random expression as a topologically ordered node list (the ``proofkit.dag/1`` node shapes).

    ``nodes[i]`` is ``("var", k)``, ``("const", Fraction)``, ``("pi",)``, ``("E",)``, ``("true",)``,
    ``(op, *child indices)`` or ``("pow"|"heaviside", child, Fraction)``.
    """

    n_vars: int
    nodes: list[tuple] = field(default_factory=list)
    output: int = -1
    linear_forms: list[tuple[int, Fraction, Fraction]] = field(default_factory=list)  # (k, c, d): c*x_k + d

    def specials(self, k: int) -> list[Fraction]:
        """Coordinates of ``x_k`` where a kink or domain edge of the tree is likely: ``c*x_k + d`` equal to 0,
        +-1 or one of the tree's constants."""
        targets = set(self.constants()) | {Fraction(0), Fraction(1), Fraction(-1)}
        out = set(targets)
        for var, c, d in self.linear_forms:
            if var == k and c != 0:
                out.update((t - d) / c for t in targets)
        return sorted(out)

    def dag_json(self) -> dict[str, Any]:
        """The tree as a ``proofkit.dag/1`` JSON object (exact numerals as ``"p/q"`` text)."""
        out = []
        for nd in self.nodes:
            op = nd[0]
            if op == "const":
                out.append(["const", _qs(nd[1])])
            elif op in ("pow", "heaviside"):
                out.append([op, nd[1], _qs(nd[2])])
            else:
                out.append(list(nd))
        return {"format": "proofkit.dag/1", "inputs": [f"x{k}" for k in range(self.n_vars)], "nodes": out,
                "outputs": [self.output]}

    @classmethod
    def from_dag_json(cls, obj: dict[str, Any]) -> Tree:
        """The tree of a DAG written by :meth:`dag_json` (read without any proofkit code)."""
        nodes: list[tuple] = []
        for nd in obj["nodes"]:
            op = nd[0]
            if op == "const":
                nodes.append(("const", Fraction(nd[1])))
            elif op in ("pow", "heaviside"):
                nodes.append((op, nd[1], Fraction(nd[2])))
            else:
                nodes.append(tuple(nd))
        return cls(len(obj["inputs"]), nodes, obj["outputs"][0])

    def constants(self) -> list[Fraction]:
        """The rational constants of the tree (where its kinks and domain edges tend to sit)."""
        return [nd[1] for nd in self.nodes if nd[0] == "const"]


_KINK_CONSTS = [Fraction(0), Fraction(1), Fraction(-1), Fraction(1, 2), Fraction(-1, 2), Fraction(1, 3),
                Fraction(-2, 3), Fraction(2), Fraction(3, 2), Fraction(-3), Fraction(5, 4), Fraction(1, 10)]


class _Gen:
    def __init__(self, rng: random.Random, n_vars: int, max_nodes: int) -> None:
        self.rng = rng
        self.tree = Tree(n_vars)
        self.max_nodes = max_nodes
        self.values: list[int] = []

    def add(self, nd: tuple, value: bool = True) -> int:
        self.tree.nodes.append(nd)
        i = len(self.tree.nodes) - 1
        if value:
            self.values.append(i)
        return i

    def const(self, q: Fraction | None = None) -> int:
        r = self.rng
        if q is None:
            q = r.choice(_KINK_CONSTS) if r.random() < 0.7 else Fraction(r.randint(-9, 9), r.choice([1, 2, 3, 4, 7]))
        return self.add(("const", Fraction(q)))

    def var(self) -> int:
        return self.add(("var", self.rng.randrange(self.tree.n_vars)))

    def leaf(self) -> int:
        r = self.rng.random()
        if r < 0.65:
            return self.var()
        if r < 0.95:
            return self.const()
        return self.add((self.rng.choice(["pi", "E"]),))

    def linear(self) -> int:
        """``c*x + d`` or ``x + d`` or ``x``: a switching quantity with a kink at a rational point."""
        r = self.rng
        x = self.var()
        k, c, d = self.tree.nodes[x][1], Fraction(1), Fraction(0)
        if r.random() < 0.4:
            c = Fraction(r.choice([-2, -1, 2, 3, 1]), r.choice([1, 2]))
            x = self.add(("mul", x, self.const(c)))
        if r.random() < 0.6:
            x = self.add(("add", x, self.const()))
            d = self.tree.nodes[x - 1][1]
        self.tree.linear_forms.append((k, c, d))
        return x

    def cond(self, depth: int) -> int:
        r = self.rng
        u = r.random()
        if u < 0.12 and depth > 0:
            a, b = self.cond(depth - 1), self.cond(depth - 1)
            return self.add((r.choice(["and", "or"]), a, b), value=False)
        if u < 0.18 and depth > 0:
            return self.add(("not", self.cond(depth - 1)), value=False)
        lhs = self.linear() if r.random() < 0.7 else self.value(depth - 1)
        rhs = self.const() if r.random() < 0.8 else self.value(depth - 1)
        return self.add((r.choice(_CMP), lhs, rhs), value=False)

    def value(self, depth: int) -> int:
        r = self.rng
        if self.values and r.random() < 0.08:  # share a subexpression (a DAG, not a tree)
            return r.choice(self.values)
        if depth <= 0 or len(self.tree.nodes) > self.max_nodes:
            return self.leaf() if r.random() < 0.7 else self.linear()
        u = r.random()
        if u < 0.34:
            return self.nonsmooth(depth)
        if u < 0.54:
            args = [self.value(depth - 1) for _ in range(2 if r.random() < 0.85 else 3)]
            return self.add(("mul", *args))
        if u < 0.66:
            args = [self.value(depth - 1) for _ in range(r.choice([2, 2, 3]))]
            return self.add(("add", *args))
        if u < 0.80:
            return self.add((r.choice(_SMOOTH[:1] + ("sin", "cos", "tanh", "atan", "erf", "sinh", "cosh", "tan")),
                             self.value(depth - 1)))
        if u < 0.90:
            return self.domain_edge(depth)
        e = r.choice([Fraction(2), Fraction(3), Fraction(-1), Fraction(-2), Fraction(1, 2), Fraction(3, 2),
                      Fraction(-1, 2), Fraction(1, 3), Fraction(5, 3), Fraction(0), Fraction(1)])
        return self.add(("pow", self.value(depth - 1), e))

    def domain_edge(self, depth: int) -> int:
        """log / sqrt / acos / asin / division / fractional power of a quantity that reaches 0 or +-1."""
        r = self.rng
        inner = self.linear() if r.random() < 0.7 else self.value(depth - 1)
        op = r.choice(["log", "sqrt", "acos", "asin", "div", "root", "pow_frac"])
        if op == "log":
            return self.add(("log", inner))
        if op == "sqrt":
            return self.add(("pow", inner, Fraction(1, 2)))
        if op == "root":
            return self.add(("pow", inner, r.choice([Fraction(1, 3), Fraction(-1, 2), Fraction(2, 3)])))
        if op == "pow_frac":
            return self.add(("pow", inner, r.choice([Fraction(5, 2), Fraction(3, 2), Fraction(7, 3)])))
        if op in ("acos", "asin"):
            return self.add((op, inner))
        num = self.value(depth - 1) if r.random() < 0.5 else self.const()
        return self.add(("mul", num, self.add(("pow", inner, Fraction(r.choice([-1, -1, -2]))))))

    def nonsmooth(self, depth: int) -> int:
        r = self.rng
        u = r.random()
        if u < 0.32:  # max/min, often with a constant branch
            k = 2 if r.random() < 0.8 else 3
            args = []
            for _ in range(k):
                args.append(self.const() if r.random() < 0.45 else
                            (self.linear() if r.random() < 0.5 else self.value(depth - 1)))
            if all(self.tree.nodes[a][0] == "const" for a in args):
                args[0] = self.linear()
            return self.add((r.choice(["max", "min"]), *args))
        if u < 0.42:  # hard tanh max(-1, min(1, t))
            t = self.linear() if r.random() < 0.5 else self.value(depth - 1)
            lo, hi = r.choice([(-1, 1), (0, 1), (-1, 0), (Fraction(-1, 2), 2)])
            inner = self.add(("min", self.const(Fraction(hi)), t))
            return self.add(("max", self.const(Fraction(lo)), inner))
        if u < 0.56:
            return self.add(("abs", self.linear() if r.random() < 0.6 else self.value(depth - 1)))
        if u < 0.64:
            return self.add(("sign", self.linear() if r.random() < 0.6 else self.value(depth - 1)))
        if u < 0.72:
            h0 = r.choice([Fraction(0), Fraction(1), Fraction(1, 2), Fraction(3)])
            return self.add(("heaviside", self.linear() if r.random() < 0.6 else self.value(depth - 1), h0))
        # piecewise: one to three guarded branches (often constants), usually closed by a true branch
        pieces = []
        for _ in range(r.choice([1, 1, 2, 3])):
            v = self.const() if r.random() < 0.4 else self.value(depth - 1)
            pieces += [v, self.cond(1)]
        if r.random() < 0.9:
            pieces += [self.const() if r.random() < 0.4 else self.value(depth - 1), self.add(("true",), value=False)]
        return self.add(("piecewise", *pieces))


def random_tree(rng: random.Random, n_vars: int | None = None, max_nodes: int = 40) -> Tree:
    """A random expression tree (see the module docstring for its biases)."""
    n = n_vars if n_vars is not None else rng.choice([1, 1, 2, 2, 2, 3, 3, 4, 5, 6])
    g = _Gen(rng, n, max_nodes)
    u = rng.random()
    if u < 0.3:  # the finding-1 shape: a product with a factor on a (possibly) constant branch
        a = g.nonsmooth(1)
        if rng.random() < 0.4:
            a = g.add((rng.choice(["exp", "sin", "tanh"]), a))
        b = g.value(2)
        args = [a, b] if rng.random() < 0.5 else [b, a]
        if rng.random() < 0.3:
            args.append(g.value(1))
        out = g.add(("mul", *args))
        if rng.random() < 0.4:
            out = g.add(("add", out, g.value(2)))
    else:
        out = g.value(rng.choice([2, 3, 3, 4]))
    g.tree.output = out
    return g.tree


# -- the oracle: mpmath values, branch resolution, sympy derivatives ----------------------------------------
@dataclass
class PointTruth:
    """The truth at one point: ``defined`` (in the domain), ``differentiable`` (an open neighbourhood on
    which every active node is analytic), and value / gradient / Hessian as mpmath numbers."""

    x: tuple[Fraction, ...]
    defined: bool
    differentiable: bool
    value: Any = None
    grad: list | None = None
    hess: list | None = None
    ambiguous: bool = False  # a comparison is within 1e-45 of a tie: the branch is not decided numerically


class _Undefined(Exception):
    pass


class OutOfScope(Exception):
    """A node's value at a sample point is beyond ``MAGNITUDE`` (its box is skipped: evaluating, say, ``sin`` of
    ``exp(exp(exp(x)))`` needs millions of bits of pi, in the evaluator and in the oracle alike)."""


MAGNITUDE = mpmath.mpf(10) ** 30


class Oracle:
    """Truth of a :class:`Tree` at rational points (mpmath at ``DPS`` digits, sympy ``diff``); no proofkit code."""

    def __init__(self, tree: Tree) -> None:
        self.tree = tree
        self.syms = sympy.symbols(f"x0:{tree.n_vars}")
        self._branch_cache: dict[tuple, Any] = {}
        self.lambdified = 0

    def __repr__(self) -> str:
        return f"Oracle({len(self.tree.nodes)} nodes in {self.tree.n_vars} variables, {self.lambdified} branches differentiated)"

    # mpmath evaluation with branch choices; returns (values, choices, nondiff flags)
    def _forward(self, x: tuple[Fraction, ...]) -> tuple[list, dict, list, bool]:
        nodes = self.tree.nodes
        V: list[Any] = [None] * len(nodes)  # None: undefined here
        choice: dict[int, Any] = {}
        nd_flag = [False] * len(nodes)  # the node itself is at a kink / domain edge (not differentiable)
        ambiguous = False
        mp = mpmath.mp
        for i, nd in enumerate(nodes):
            op = nd[0]
            if op == "var":
                q = x[nd[1]]
                V[i] = mp.mpf(q.numerator) / q.denominator
                continue
            if op == "const":
                V[i] = mp.mpf(nd[1].numerator) / nd[1].denominator
                continue
            if op == "pi":
                V[i] = +mp.pi
                continue
            if op == "E":
                V[i] = mp.e
                continue
            if op == "true":
                V[i] = True
                continue
            if op == "piecewise":
                args = nd[1:]
                pick = None
                for k in range(0, len(args), 2):
                    c = V[args[k + 1]]
                    if c is None:
                        break  # an undefined condition before any true one: undefined
                    if c == "tie":
                        nd_flag[i] = True
                        c = self._tie_truth(args[k + 1], V)
                        if c is None:
                            ambiguous = True
                            break
                    if c:
                        pick = k
                        break
                if pick is None or V[args[pick]] is None:
                    V[i] = None
                else:
                    V[i] = V[args[pick]]
                    choice[i] = pick
                continue
            args = nd[1:] if op not in ("pow", "heaviside") else (nd[1],)
            vals = [V[a] for a in args]
            if any(v is None for v in vals):
                V[i] = None
                continue
            try:
                V[i], flag, ch, amb = self._node(op, nd, vals, args)
            except (_Undefined, ZeroDivisionError, ValueError):
                V[i] = None
                continue
            if isinstance(V[i], mpmath.mpf) and abs(V[i]) > MAGNITUDE:
                raise OutOfScope(f"|node {i}| > 1e30")
            ambiguous = ambiguous or amb
            nd_flag[i] = flag
            if ch is not None:
                choice[i] = ch
        return V, choice, nd_flag, ambiguous

    def _tie_truth(self, c: int, V: list) -> bool | None:
        """The truth of a condition whose comparison is (numerically) tied: exact ties decide by the
        operator (``le``/``ge`` true, ``lt``/``gt`` false); near-ties are ambiguous."""
        nd = self.tree.nodes[c]
        op = nd[0]
        if op in _CMP:
            d = V[nd[1]] - V[nd[2]]
            if d != 0:
                return None
            return op in ("le", "ge")
        return None

    def _node(self, op: str, nd: tuple, vals: list, args: tuple) -> tuple[Any, bool, Any, bool]:
        mp = mpmath.mp
        if op == "add":
            return mp.fsum(vals), False, None, False
        if op == "mul":
            return mp.fprod(vals), False, None, False
        if op == "pow":
            a, q = vals[0], nd[2]
            if q.denominator == 1:
                if a == 0 and q < 0:
                    raise _Undefined
                return a ** int(q), False, None, False
            if a < 0 or (a == 0 and q < 0):
                raise _Undefined
            if a == 0:
                return mp.mpf(0), True, None, False
            return mp.power(a, mp.mpf(q.numerator) / q.denominator), False, None, False
        if op in _SMOOTH:
            a = vals[0]
            if op == "log":
                if a <= 0:
                    raise _Undefined
                return mp.log(a), False, None, False
            if op in ("asin", "acos"):
                if abs(a) > 1:
                    raise _Undefined
                return (mp.asin(a) if op == "asin" else mp.acos(a)), abs(a) == 1, None, False
            if op == "tan":
                if mp.cos(a) == 0:
                    raise _Undefined
                return mp.tan(a), False, None, False
            return getattr(mp, op)(a), False, None, False
        if op in ("lt", "le", "gt", "ge"):
            d = vals[0] - vals[1]
            if abs(d) < _TIE * (1 + abs(vals[0])):
                return "tie", False, None, d != 0
            return {"lt": d < 0, "le": d < 0, "gt": d > 0, "ge": d > 0}[op], False, None, False
        if op in ("and", "or", "not"):
            if any(v == "tie" for v in vals):
                return "tie", False, None, True  # a tied comparison inside a compound condition: not decided here
            if op == "not":
                return (not vals[0]), False, None, False
            return (all(vals) if op == "and" else any(vals)), False, None, False
        a = vals[0]
        tie = abs(a) < _TIE
        amb = tie and a != 0
        if op == "abs":
            return abs(a), tie, (None if tie else (1 if a > 0 else -1)), amb
        if op == "sign":
            s = 0 if a == 0 else (1 if a > 0 else -1)
            return mp.mpf(s), tie, (None if tie else s), amb
        if op == "heaviside":
            h = mp.mpf(nd[2].numerator) / nd[2].denominator
            s = h if a == 0 else (mp.mpf(1) if a > 0 else mp.mpf(0))
            return s, tie, (None if tie else int(a > 0)), amb
        if op in ("max", "min"):
            best = max(vals) if op == "max" else min(vals)
            close = [k for k, v in enumerate(vals) if abs(v - best) < _TIE * (1 + abs(best))]
            if len(close) > 1:
                return best, True, None, any(vals[k] != best for k in close)
            return best, False, close[0], False
        raise ValueError(f"unknown operation {op}")

    def _differentiable(self, V: list, choice: dict, nd_flag: list) -> tuple[bool, set[int]]:
        """Whether every node the output depends on, through the branches taken at the point, is analytic;
        and the nodes it depends on there."""
        nodes = self.tree.nodes
        seen: set[int] = set()
        stack = [self.tree.output]
        while stack:
            i = stack.pop()
            if i in seen:
                continue
            seen.add(i)
            if nd_flag[i]:
                return False, seen
            nd = nodes[i]
            op = nd[0]
            if op in ("sign", "heaviside"):
                continue  # locally constant off its jump
            if op in ("max", "min"):
                stack.append(nd[1 + choice[i]])
            elif op == "piecewise":
                stack.append(nd[1 + choice[i]])
            elif op in ("pow", "heaviside"):
                stack.append(nd[1])
            elif op in _CMP or op in ("and", "or", "not", "true", "var", "const", "pi", "E"):
                continue
            else:
                stack.extend(nd[1:])
            if op == "pow" and nd[2].denominator != 1 and V[nd[1]] <= 0:
                return False, seen
        return True, seen

    def branch_at(self, x: tuple[Fraction, ...]) -> tuple[str, Any]:
        """``("smooth", expr)``: the sympy expression of the branch the tree takes on a neighbourhood of the
        rational point ``x`` (every node the output uses is analytic there); otherwise ``("undefined", None)``,
        ``("kink", None)`` (a kink, jump or domain edge) or ``("ambiguous", None)`` (a near-tie)."""
        with mpmath.workdps(DPS):
            V, choice, nd_flag, ambiguous = self._forward(tuple(Fraction(t) for t in x))
            if ambiguous:
                return "ambiguous", None
            if V[self.tree.output] is None:
                return "undefined", None
            diff, _ = self._differentiable(V, choice, nd_flag)
        return ("smooth", self._branch_sympy(choice)) if diff else ("kink", None)

    def _branch_expr(self, choice: dict, signature: tuple) -> Any:
        """Value, gradient and Hessian functions (mpmath) of the branch with the given choices."""
        hit = self._branch_cache.get(signature)
        if hit is not None:
            return hit
        expr = self._branch_sympy(choice)
        n = self.tree.n_vars
        grad = [sympy.diff(expr, s) for s in self.syms]
        hess = [sympy.diff(grad[i], self.syms[j]) for i in range(n) for j in range(i, n)]
        fn = sympy.lambdify(self.syms, [expr] + grad + hess, modules="mpmath")
        self.lambdified += 1
        self._branch_cache[signature] = fn
        return fn

    def _branch_sympy(self, choice: dict) -> Any:
        """The smooth sympy expression of the branch with the given choices."""
        nodes = self.tree.nodes
        memo: dict[int, Any] = {}

        def build(i: int) -> Any:
            if i in memo:
                return memo[i]
            nd = nodes[i]
            op = nd[0]
            if op == "var":
                e = self.syms[nd[1]]
            elif op == "const":
                e = sympy.Rational(nd[1].numerator, nd[1].denominator)
            elif op == "pi":
                e = sympy.pi
            elif op == "E":
                e = sympy.E
            elif op == "add":
                e = sympy.Add(*[build(a) for a in nd[1:]])
            elif op == "mul":
                e = sympy.Mul(*[build(a) for a in nd[1:]])
            elif op == "pow":
                e = sympy.Pow(build(nd[1]), sympy.Rational(nd[2].numerator, nd[2].denominator))
            elif op in _SMOOTH:
                e = getattr(sympy, op)(build(nd[1]))
            elif op == "abs":
                e = build(nd[1]) * choice[i]
            elif op == "sign":
                e = sympy.Integer(choice[i])
            elif op == "heaviside":
                e = sympy.Integer(choice[i])
            elif op in ("max", "min"):
                e = build(nd[1 + choice[i]])
            elif op == "piecewise":
                e = build(nd[1 + choice[i]])
            else:
                raise ValueError(op)
            memo[i] = e
            return e

        return build(self.tree.output)

    def truth(self, x: tuple[Fraction, ...], derivatives: bool = True) -> PointTruth:
        """Value, differentiability and (if differentiable) gradient and Hessian at the rational point ``x``."""
        with mpmath.workdps(DPS):
            V, choice, nd_flag, ambiguous = self._forward(tuple(Fraction(t) for t in x))
            out = V[self.tree.output]
            if out is None:
                return PointTruth(tuple(x), False, False, ambiguous=ambiguous)
            diff, active = self._differentiable(V, choice, nd_flag)
            diff = diff and not ambiguous
            pt = PointTruth(tuple(x), True, diff, out, ambiguous=ambiguous)
            if not (diff and derivatives):
                return pt
            signature = tuple(sorted((i, c) for i, c in choice.items() if i in active))
            fn = self._branch_expr(choice, signature)
            pts = [mpmath.mpf(t.numerator) / t.denominator for t in pt.x]
            try:
                vals = fn(*pts)
            except (ZeroDivisionError, ValueError, OverflowError):
                pt.differentiable = False
                return pt
            vals = [mpmath.mpmathify(v) for v in vals]
            if any(isinstance(v, mpmath.mpc) and v.imag != 0 for v in vals) \
                    or any(not mpmath.isfinite(v) for v in vals):
                pt.differentiable = False
                return pt
            vals = [v.real if isinstance(v, mpmath.mpc) else v for v in vals]
            if abs(vals[0] - out) > mpmath.mpf(10) ** -(DPS - 20) * (1 + abs(out)):  # two roads to one value
                raise AssertionError(f"oracle self-check: branch value {vals[0]} != node value {out} at {x}")
            n = self.tree.n_vars
            pt.grad = vals[1:1 + n]
            h = [[None] * n for _ in range(n)]
            k = 1 + n
            for i in range(n):
                for j in range(i, n):
                    h[i][j] = h[j][i] = vals[k]
                    k += 1
            pt.hess = h
            return pt


# -- boxes and sample points ---------------------------------------------------------------------------------
def random_box(rng: random.Random, tree: Tree) -> list[tuple[Fraction, Fraction]]:
    """A box ``[(lo, hi), ...]`` of rationals, placed near the tree's constants (kinks, domain edges)."""
    box = []
    for k in range(tree.n_vars):
        u = rng.random()
        if u < 0.65:
            c = rng.choice(tree.specials(k))
        else:
            c = Fraction(rng.randint(-400, 400), 128)
        w = Fraction(1, 2 ** rng.randint(0, 24))
        v = rng.random()
        if v < 0.2:
            lo, hi = c, c + w  # an edge on the special point
        elif v < 0.4:
            lo, hi = c - w, c
        elif v < 0.55:
            lo, hi = c - w / 2, c + w / 2  # straddling it
        elif v < 0.8:
            gap = Fraction(1, 2 ** rng.randint(1, 40)) * rng.choice([1, -1])  # near it, on one side
            lo, hi = (c + gap, c + gap + w) if gap > 0 else (c + gap - w, c + gap)
        else:
            lo, hi = c + w * Fraction(rng.randint(1, 7), 3), c + w * Fraction(rng.randint(8, 15), 3)
        box.append((lo, hi))
    return box


def box_points(rng: random.Random, box: list[tuple[Fraction, Fraction]], tree: Tree, k: int) -> list[tuple]:
    """``k`` sample points of the box: corners, the centre, interior points, special coordinates inside it."""
    n = len(box)
    pts: list[tuple] = []
    corners = 2 ** n
    for _ in range(min(k // 2, corners)):
        bits = rng.getrandbits(n)
        pts.append(tuple(hi if (bits >> j) & 1 else lo for j, (lo, hi) in enumerate(box)))
    pts.append(tuple((lo + hi) / 2 for lo, hi in box))
    specials = [tree.specials(j) for j in range(n)]
    while len(pts) < k:
        p = []
        for j, (lo, hi) in enumerate(box):
            inside = [s for s in specials[j] if lo <= s <= hi]
            if inside and rng.random() < 0.3:
                p.append(rng.choice(inside))
            else:
                t = Fraction(rng.randint(0, 2**20), 2**20)
                p.append(lo + (hi - lo) * t)
        pts.append(tuple(p))
    return pts


# -- the evaluator under test --------------------------------------------------------------------------------
def load_engine(path: str | None = None) -> Any:
    """The evaluator: the kernel's (through its face), or a copy of another version of its module loaded from ``path``."""
    if path is None:
        import types

        import proofkit.kernel as kernel

        return types.SimpleNamespace(Tape=kernel.Tape, evaluate=kernel.evaluate, NotAnalyticOnBox=kernel.NotAnalyticOnBox)
    spec = importlib.util.spec_from_file_location("engine_under_test", path)
    mod = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(mod)
    return mod


def _arb_box(box: list[tuple[Fraction, Fraction]]) -> list:
    """Balls holding the box (Arb rounds radii up, so a box edge is never exactly a domain edge; points are
    exact when their coordinates are short dyadic numbers)."""
    import flint

    return [flint.arb(flint.fmpq(lo.numerator, lo.denominator)).union(flint.arb(flint.fmpq(hi.numerator, hi.denominator)))
            for lo, hi in box]


def _mp(ball: Any) -> tuple[Any, Any]:
    """The exact endpoints of an arb ball as mpmath numbers."""
    lo, hi = ball.lower(), ball.upper()
    m1, e1 = lo.man_exp()
    m2, e2 = hi.man_exp()
    return mpmath.mpf((int(m1), int(e1))), mpmath.mpf((int(m2), int(e2)))


def _contains(ball: Any, t: Any) -> bool:
    if not ball.is_finite():
        return True  # the evaluator never returns these (it refuses); nothing to compare
    with mpmath.workdps(DPS):
        lo, hi = _mp(ball)
        tol = mpmath.mpf(10) ** -(DPS - 25) * (1 + abs(t))
        return lo - tol <= t <= hi + tol


def _dense(jet: Any, n: int) -> tuple[list, list]:
    import flint

    zero = flint.arb(0)
    g = [zero] * n
    h = [[zero] * n for _ in range(n)]
    sup = list(jet.support)
    if jet.grad is not None:
        for p, v in zip(sup, jet.grad.entries()):
            g[p] = v
    if jet.hess is not None:
        e = jet.hess.entries()
        m = len(sup)
        for a in range(m):
            for b in range(m):
                h[sup[a]][sup[b]] = e[a * m + b]
    return g, h


def check_result(jet: Any, order: int, truths: list[PointTruth], n: int) -> list[str]:
    """Problems of one enclosure ``jet`` (from a box or point holding every point of ``truths``)."""
    problems = []
    g = h = None
    if order >= 1:
        m = len(jet.support)
        if (jet.grad is not None and (jet.grad.nrows(), jet.grad.ncols()) != (m, 1)) \
                or (jet.hess is not None and (jet.hess.nrows(), jet.hess.ncols()) != (m, m)):
            return [f"derivative blocks of the wrong shape for the support {jet.support}"]
        g, h = _dense(jet, n)
    for pt in truths:
        where = "(" + ", ".join(_qs(t) for t in pt.x) + ")"
        if not pt.defined:
            if not pt.ambiguous:
                problems.append(f"an enclosure on a box holding {where}, where the expression is undefined")
            continue
        if pt.ambiguous:
            continue
        if not _contains(jet.value, pt.value):
            problems.append(f"value {jet.value} misses {mpmath.nstr(pt.value, 25)} at {where}")
        if order == 0:
            continue
        if not pt.differentiable:
            problems.append(f"derivatives returned on a box holding {where}, where the expression is not differentiable")
            continue
        if pt.grad is None:
            continue
        for a in range(n):
            if not _contains(g[a], pt.grad[a]):
                problems.append(f"d/dx{a} {g[a]} misses {mpmath.nstr(pt.grad[a], 25)} at {where}")
            if order >= 2:
                for b in range(a, n):
                    if not _contains(h[a][b], pt.hess[a][b]):
                        problems.append(f"d2/dx{a}dx{b} {h[a][b]} misses {mpmath.nstr(pt.hess[a][b], 25)} at {where}")
    return problems


# -- the campaign ----------------------------------------------------------------------------------------------
@dataclass
class FuzzEngineReport:
    """Counts of one fuzzing campaign."""

    seed: int
    trees: int = 0
    evaluations: int = 0
    enclosures: int = 0
    refusals: int = 0
    with_derivatives: int = 0
    points: int = 0
    derivative_checks: int = 0
    skipped_boxes: int = 0
    value_only_at_nonsmooth: int = 0  # value-only enclosures checked on boxes/points holding a kink or a domain edge
    violations: list[dict] = field(default_factory=list)
    seconds: float = 0.0
    by_mode: dict[str, list[int]] = field(default_factory=dict)

    def summary(self) -> str:
        modes = ", ".join(f"{k}: {v[0]} ({v[1]} enclosed)" for k, v in sorted(self.by_mode.items()))
        return (f"seed {self.seed}: {self.evaluations} evaluations ({self.enclosures} enclosures, {self.refusals} "
                f"refusals, {self.with_derivatives} with derivatives) on {self.trees} DAGs, {self.points} sample "
                f"points checked ({self.derivative_checks} gradient/Hessian comparisons at differentiable points); "
                f"{self.value_only_at_nonsmooth} value-only enclosures on kinks/domain edges; "
                f"{self.skipped_boxes} boxes skipped (values beyond 1e30); violations: {len(self.violations)}; "
                f"{self.seconds:.1f} s\n  by mode: {modes}")


def corpus_entry(tree: Tree, box: list[tuple[Fraction, Fraction]], order: int, value_only: bool, prec: int,
                 truths: list[PointTruth], problems: list[str], origin: str) -> dict[str, Any]:
    """A self-contained regression record: the DAG, the box, the evaluation mode and the truth at its points."""
    def s(v: Any) -> str:
        return mpmath.nstr(v, 40, strip_zeros=False)

    pts = []
    for pt in truths:
        rec: dict[str, Any] = {"x": [_qs(t) for t in pt.x], "defined": pt.defined, "differentiable": pt.differentiable,
                               "ambiguous": pt.ambiguous}
        if pt.defined:
            with mpmath.workdps(DPS):
                rec["value"] = s(pt.value)
                if pt.grad is not None:
                    rec["grad"] = [s(v) for v in pt.grad]
                    rec["hess"] = [[s(v) for v in row] for row in pt.hess]
        pts.append(rec)
    return {"origin": origin, "dag": tree.dag_json(), "box": [[_qs(lo), _qs(hi)] for lo, hi in box],
            "order": order, "value_only": value_only, "prec": prec, "points": pts, "problems": problems[:5]}


def check_corpus_entry(entry: dict[str, Any], engine: Any = None) -> tuple[bool, list[str]]:
    """Replay a corpus record: ``(enclosed, problems)`` (a refusal gives ``(False, [])``)."""
    from proofkit.kernel import decode_dag

    engine = engine or load_engine()
    tape = engine.Tape(decode_dag(entry["dag"]))
    box = [(Fraction(lo), Fraction(hi)) for lo, hi in entry["box"]]
    n = len(box)
    truths = []
    with mpmath.workdps(DPS):
        for rec in entry["points"]:
            pt = PointTruth(tuple(Fraction(t) for t in rec["x"]), rec["defined"], rec["differentiable"],
                            ambiguous=rec["ambiguous"])
            if "value" in rec:
                pt.value = mpmath.mpf(rec["value"])
            if "grad" in rec:
                pt.grad = [mpmath.mpf(v) for v in rec["grad"]]
                pt.hess = [[mpmath.mpf(v) for v in row] for row in rec["hess"]]
            truths.append(pt)
    try:
        (jet,) = engine.evaluate(tape, _arb_box(box), order=entry["order"], value_only=entry["value_only"],
                                 prec=entry["prec"])
    except engine.NotAnalyticOnBox:
        return False, []
    except Exception as exc:
        return False, [f"raised {exc!r}"]
    return True, check_result(jet, entry["order"], truths, n)


_MODES = [("box2", 2, False), ("box1", 1, False), ("box0", 0, False), ("boxv", 0, True)]


def run_engine_fuzz(evaluations: int, seed: int = 0, engine: Any = None, points_per_box: int = 6,
                    boxes_per_tree: int = 8, origin: str = "", max_seconds: float | None = None,
                    on_violation: Any = None) -> FuzzEngineReport:
    """Fuzz the evaluator until ``evaluations`` calls of ``evaluate`` (each on a box or a point) were checked.

    Guarantee
    ---------
    Every enclosure the evaluator returns is compared with the oracle's truth at every sample point of its
    box; each miss, each value on a box holding an undefined point and each derivative returned on a box
    holding a non-differentiable point is recorded in ``violations`` (with a replayable corpus record).
    """
    import flint

    from proofkit.kernel import decode_dag

    engine = engine or load_engine()
    rng = random.Random(seed)
    rep = FuzzEngineReport(seed)
    t0 = time.perf_counter()

    def record(tree: Tree, box: list, order: int, value_only: bool, prec: int, truths: list, problems: list) -> None:
        entry = corpus_entry(tree, box, order, value_only, prec, truths, problems, origin or f"seed {seed}")
        rep.violations.append(entry)
        if on_violation is not None:
            on_violation(entry)

    while rep.evaluations < evaluations:
        if max_seconds is not None and time.perf_counter() - t0 > max_seconds:
            break
        tree = random_tree(rng)
        rep.trees += 1
        try:
            tape = engine.Tape(decode_dag(tree.dag_json()))
        except Exception as exc:  # the generator writes only valid DAGs: a decoder rejection is a finding
            rep.violations.append({"origin": origin or f"seed {seed}", "dag": tree.dag_json(),
                                   "problems": [f"decode/compile failed: {exc!r}"]})
            continue
        oracle = Oracle(tree)
        n = tree.n_vars
        for _ in range(boxes_per_tree):
            box = random_box(rng, tree)
            pts = box_points(rng, box, tree, points_per_box)
            try:
                truths = [oracle.truth(p) for p in pts]
            except OutOfScope:
                rep.skipped_boxes += 1
                continue
            rep.points += len(truths)
            aball = _arb_box(box)
            for name, order, value_only in _MODES:
                if name in ("box1", "box0") and rng.random() < 0.5:
                    continue
                prec = rng.choice([53, 64, 128, 200])
                stat = rep.by_mode.setdefault(name, [0, 0])
                stat[0] += 1
                rep.evaluations += 1
                try:
                    (jet,) = engine.evaluate(tape, aball, order=order, value_only=value_only, prec=prec)
                except engine.NotAnalyticOnBox:
                    rep.refusals += 1
                    continue
                except Exception as exc:  # anything but a named refusal is a finding
                    record(tree, box, order, value_only, prec, truths, [f"raised {exc!r}"])
                    continue
                rep.enclosures += 1
                stat[1] += 1
                rep.with_derivatives += order > 0
                if order:
                    rep.derivative_checks += sum(pt.grad is not None for pt in truths)
                elif value_only:
                    rep.value_only_at_nonsmooth += any(pt.defined and not pt.differentiable for pt in truths)
                problems = check_result(jet, order, truths, n)
                if problems:
                    record(tree, box, order, value_only, prec, truths, problems)
            for p, pt in zip(pts, truths):
                pbox = [(t, t) for t in p]
                pball = [flint.arb(flint.fmpq(t.numerator, t.denominator)) for t in p]
                for name, order, value_only in (("point2", 2, False), ("pointv", 0, True)):
                    prec = rng.choice([53, 128])
                    stat = rep.by_mode.setdefault(name, [0, 0])
                    stat[0] += 1
                    rep.evaluations += 1
                    try:
                        (jet,) = engine.evaluate(tape, pball, order=order, value_only=value_only, prec=prec)
                    except engine.NotAnalyticOnBox:
                        rep.refusals += 1
                        continue
                    except Exception as exc:
                        record(tree, pbox, order, value_only, prec, [pt], [f"raised {exc!r}"])
                        continue
                    rep.enclosures += 1
                    stat[1] += 1
                    rep.with_derivatives += order > 0
                    if order:
                        rep.derivative_checks += pt.grad is not None
                    elif value_only:
                        rep.value_only_at_nonsmooth += pt.defined and not pt.differentiable
                    problems = check_result(jet, order, [pt], n)
                    if problems:
                        record(tree, pbox, order, value_only, prec, [pt], problems)
    rep.seconds = time.perf_counter() - t0
    return rep


def _float_noise(run: Any, arg: Any, r: Any) -> bool:
    """Whether a float result is rounding noise: it moves by more than 1e-6 when the point moves by 2^-40 ... 2^-20
    relatively (cancellation, e.g. ``asin(cos(x))`` or ``x * x^-1`` near 0), while a wrong formula stays wrong."""
    import numpy as np

    def flat(v: Any) -> Any:
        return np.concatenate([np.ravel(np.asarray(t, dtype=float)) for t in (v if isinstance(v, tuple) else (v,))])

    here = flat(r)
    with np.errstate(all="ignore"):
        for k in (40, 28, 24, 20):
            if not np.allclose(flat(run(arg * (1 + 2.0**-k))), here, 1e-6, 1e-6):
                return True
    return False


def run_float_fuzz(n_trees: int, seed: int = 0) -> tuple[int, list[str]]:
    """The search side's float twin (:class:`proofkit.numeric.float_engine.FloatTape`) against the same oracle.

    At sample points that are exact floats where the expression is differentiable (values and derivatives
    below 1e8), the batched value and gradient, the compiled scalar value and gradient and the Hessian must
    agree with the truth to 1e-6 (relative and absolute); nothing raises. Returns ``(points compared,
    problems)``. Float results are not rigorous: this checks the search side's arithmetic, not a guarantee.
    """
    import numpy as np

    from proofkit.kernel import Tape, decode_dag
    from proofkit.numeric.float_engine import FloatTape

    rng = random.Random(seed)
    compared, problems = 0, []
    for _ in range(n_trees):
        tree = random_tree(rng)
        ft = FloatTape(Tape(decode_dag(tree.dag_json())))
        oracle = Oracle(tree)
        scalar = ft.scalar_value_and_grad()
        for _ in range(4):
            box = random_box(rng, tree)
            for p in box_points(rng, box, tree, 4):
                if any(float(c) != c for c in p):
                    continue
                try:
                    t = oracle.truth(p)
                except OutOfScope:
                    continue
                if not t.differentiable or t.grad is None:
                    continue
                val, g = float(t.value), np.array([float(v) for v in t.grad])
                H = np.array([[float(v) for v in row] for row in t.hess])
                if abs(val) > 1e8 or np.abs(g).max(initial=0) > 1e8 or np.abs(H).max(initial=0) > 1e8:
                    continue
                compared += 1
                x = np.array([float(c) for c in p])
                where = f"{json.dumps(tree.dag_json())} at {[_qs(c) for c in p]}"
                with np.errstate(all="ignore"):
                    for name, run, arg in (("value_and_grad", ft.value_and_grad, x[None]), ("scalar", scalar, x),
                                           ("hessian", ft.hessian, x)):
                        try:
                            r = run(arg)
                        except Exception as exc:  # noqa: BLE001 - any exception is a finding
                            problems.append(f"{name} raised {exc!r}: {where}")
                            continue
                        if name == "value_and_grad":
                            ok = np.allclose(r[0][0], val, 1e-6, 1e-6) and np.allclose(r[1][0], g, 1e-6, 1e-6)
                        elif name == "scalar":
                            ok = isinstance(r[0], float) and np.isrealobj(np.asarray(r[1])) and \
                                np.allclose(r[0], val, 1e-6, 1e-6) and np.allclose(r[1], g, 1e-6, 1e-6)
                        else:
                            ok = np.isrealobj(r) and np.allclose(r, H, 1e-6, 1e-6)
                        if not ok and not _float_noise(run, arg, r):
                            problems.append(f"{name} disagrees: {where}")
    return compared, problems


def dump(obj: Any) -> str:
    """JSON text of a corpus (one record per line inside a list)."""
    return "[\n" + ",\n".join(json.dumps(e, sort_keys=True) for e in obj) + "\n]\n"
