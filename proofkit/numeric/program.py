"""Compile expressions once, evaluate them in any number system.

An expression (sympy or symengine) is turned into a straight-line program by
common-subexpression elimination; the program then runs in an Arb, exact,
mpmath or float context (:mod:`proofkit.numeric.contexts`). Running the same
program in Arb with balls as inputs gives a rigorous enclosure of the values
over the whole box the balls describe (interval extension).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import symengine as se
import sympy

from proofkit.convert import to_symengine
from proofkit.errors import InvalidInput
from proofkit.numeric.contexts import (
    ArbContext,
    NotAnalyticHere,
    _Context,
    arb_precision,
)

__all__ = ["Program", "compile_program"]

_UNARY = {
    "tanh", "sin", "cos", "tan", "sinh", "cosh", "atan", "asin", "acos", "asinh", "erf", "exp",
}


_CONDITIONS = {"StrictLessThan", "LessThan", "Equality", "Unequality", "And", "Or", "Not", "BooleanTrue",
               "BooleanFalse"}


def _input_symbol(s: Any) -> Any:
    if isinstance(s, str):
        return se.Symbol(s)
    if isinstance(s, se.Symbol):
        return s
    if isinstance(s, sympy.Symbol):
        return se.sympify(s)
    raise InvalidInput("symbols", "symbols (sympy, symengine or names)", f"{type(s).__name__} {str(s)[:40]}")


class Program:
    """A straight-line program computing several expressions from inputs.

    Parameters
    ----------
    symbols : sequence of symengine.Symbol
        The inputs, in order.
    exprs : sequence of expressions
        The outputs.

    Examples
    --------
    >>> import sympy
    >>> from proofkit.numeric.contexts import ExactContext
    >>> x, y = sympy.symbols("x y")
    >>> prog = compile_program([x * y + x, x / y], [x, y])
    >>> prog.run(ExactContext(), [2, 3])
    [8, 2/3]
    """

    def __init__(self, symbols: Sequence[Any], exprs: Sequence[Any], argument: str = "exprs") -> None:
        self.argument = argument
        self.symbols = [_input_symbol(s) for s in symbols]
        se_exprs = [to_symengine(e, argument) for e in exprs]
        replacements, reduced = se.cse(se_exprs) if se_exprs else ([], [])
        self._index: dict[Any, int] = {s: i for i, s in enumerate(self.symbols)}
        self._steps: list[Callable[[_Context, list[Any]], Any]] = []
        nslots = len(self.symbols)
        for sym, expr in replacements:
            self._steps.append(self._compile(expr))
            self._index[sym] = nslots
            nslots += 1
        self._outputs = [self._compile(e) for e in reduced]
        self.n_outputs = len(self._outputs)

    # -- compilation -----------------------------------------------------
    def _compile(self, node: Any) -> Callable[[_Context, list[Any]], Any]:
        kind = type(node).__name__
        if node in self._index:
            slot = self._index[node]
            return lambda ctx, env: env[slot]
        if kind == "Symbol":
            raise InvalidInput(self.argument, "expressions in the given input symbols",
                               f"the symbol {node}, which is not an input")
        if getattr(node, "is_Rational", False):
            r = sympy.Rational(str(node))
            p, q = int(r.p), int(r.q)
            return lambda ctx, env: ctx.rational(p, q)
        if kind in ("RealDouble", "RealMPFR"):
            r = sympy.Rational(node._sympy_())  # the exact binary value, never a decimal string
            p, q = int(r.p), int(r.q)
            return lambda ctx, env: ctx.rational(p, q)
        if kind in ("Pi", "Exp1"):
            name = "pi" if kind == "Pi" else "E"
            return lambda ctx, env: ctx.constant(name)
        args = [self._compile(a) for a in node.args]
        if kind == "Add":
            return lambda ctx, env: ctx.add([a(ctx, env) for a in args])
        if kind == "Mul":
            return lambda ctx, env: ctx.mul([a(ctx, env) for a in args])
        if kind == "Pow":
            return self._compile_pow(node, args)
        if kind == "log":
            (a,) = args
            return lambda ctx, env: ctx.log(a(ctx, env))
        if kind in _UNARY:
            (a,) = args
            return lambda ctx, env: ctx.func(kind, a(ctx, env))
        if kind == "Abs":
            (a,) = args
            return lambda ctx, env: ctx.abs(a(ctx, env))
        if kind in ("Max", "Min"):
            return self._compile_extremum(kind, args)
        if kind == "sign":
            (a,) = args
            return lambda ctx, env: ctx.rational(ctx.sign_of(a(ctx, env)), 1)
        if kind == "Piecewise":
            return self._compile_piecewise(node)
        if kind in _CONDITIONS:  # a condition shared by several Piecewise (common subexpression elimination)
            return self._compile_condition(node)
        raise InvalidInput(self.argument, "expressions built from supported functions",
                           f"the function {kind} in {str(node)[:80]}")

    def _compile_pow(self, node: Any, args: list[Any]) -> Callable[[_Context, list[Any]], Any]:
        base, expo = node.args
        if type(base).__name__ == "Exp1":
            e = args[1]
            return lambda ctx, env: ctx.func("exp", e(ctx, env))
        b = args[0]
        if expo.is_Integer:
            k = int(expo)
            return lambda ctx, env: ctx.pow_int(b(ctx, env), k)
        if expo == se.Rational(1, 2):
            return lambda ctx, env: ctx.sqrt(b(ctx, env))
        if expo == se.Rational(-1, 2):
            return lambda ctx, env: ctx.rational(1, 1) / ctx.sqrt(b(ctx, env))
        e = args[1]
        return lambda ctx, env: ctx.pow_real(b(ctx, env), e(ctx, env))

    def _compile_extremum(self, kind: str, args: list[Any]) -> Callable[[_Context, list[Any]], Any]:
        want = 1 if kind == "Max" else -1

        def run(ctx: _Context, env: list[Any]) -> Any:
            vals = [a(ctx, env) for a in args]
            best = vals[0]
            for v in vals[1:]:
                c = ctx.compare(v, best)
                if c == want:
                    best = v
                elif c == 0 and ctx.name == "arb":
                    raise NotAnalyticHere(f"{kind} at a point where its arguments may be equal")
            return best

        return run

    def _compile_piecewise(self, node: Any) -> Callable[[_Context, list[Any]], Any]:
        a = node.args
        pieces = [(self._compile(a[i]), a[i + 1]) for i in range(0, len(a), 2)]
        conds = [self._compile_condition(c) for _, c in pieces]

        def run(ctx: _Context, env: list[Any]) -> Any:
            for (value, _), cond in zip(pieces, conds):
                if cond(ctx, env):
                    return value(ctx, env)
            raise NotAnalyticHere("no Piecewise branch applies")

        return run

    def _compile_condition(self, cond: Any) -> Callable[[_Context, list[Any]], bool]:
        kind = type(cond).__name__
        if cond in self._index:
            slot = self._index[cond]
            return lambda ctx, env: env[slot]
        if kind == "BooleanTrue":
            return lambda ctx, env: True
        if kind == "BooleanFalse":
            return lambda ctx, env: False
        if kind in ("StrictLessThan", "LessThan", "Equality", "Unequality"):
            lhs, rhs = (self._compile(x) for x in cond.args)

            def test(ctx: _Context, env: list[Any]) -> bool:
                diff = ctx.add([lhs(ctx, env), ctx.mul([ctx.rational(-1, 1), rhs(ctx, env)])])
                s = ctx.sign_of(diff)  # arb raises NotAnalyticHere when undecided
                if s == 0 and ctx.name == "arb":
                    raise NotAnalyticHere("a Piecewise boundary is touched")
                return {
                    "StrictLessThan": s < 0,
                    "LessThan": s <= 0,
                    "Equality": s == 0,
                    "Unequality": s != 0,
                }[kind]

            return test
        if kind in ("And", "Or"):
            parts = [self._compile_condition(c) for c in cond.args]
            combine = all if kind == "And" else any
            return lambda ctx, env: combine(p(ctx, env) for p in parts)
        if kind == "Not":
            (inner,) = (self._compile_condition(c) for c in cond.args)
            return lambda ctx, env: not inner(ctx, env)
        raise InvalidInput(self.argument, "Piecewise conditions built from <, <=, ==, !=, And, Or, Not",
                           f"the condition {str(cond)[:80]}")

    # -- evaluation ------------------------------------------------------
    def run(self, ctx: _Context, values: Sequence[Any]) -> list[Any]:
        """Evaluate all outputs in ``ctx`` with the inputs ``values``."""
        if len(values) != len(self.symbols):
            raise ValueError(f"expected {len(self.symbols)} input values, got {len(values)}")
        if isinstance(ctx, ArbContext):
            with arb_precision(ctx.prec):
                return self._run(ctx, [ctx.from_input(v) for v in values])
        if ctx.name == "mpmath":
            import mpmath

            with mpmath.workdps(ctx.dps):
                return self._run(ctx, [ctx.from_input(v) for v in values])
        return self._run(ctx, [ctx.from_input(v) for v in values])

    def _run(self, ctx: _Context, env: list[Any]) -> list[Any]:
        for step in self._steps:
            env.append(step(ctx, env))
        return [out(ctx, env) for out in self._outputs]


def compile_program(exprs: Sequence[Any], symbols: Sequence[Any], argument: str = "exprs") -> Program:
    """Compile ``exprs`` (sympy or symengine) in the inputs ``symbols``.

    Examples
    --------
    >>> import sympy
    >>> from proofkit.numeric.contexts import ArbContext
    >>> t = sympy.Symbol("t")
    >>> (v,) = compile_program([sympy.exp(t)], [t]).run(ArbContext(64), [1])
    >>> v.rad() < 1e-18 and abs(float(v.mid()) - 2.718281828459045) < 1e-15
    True
    """
    return Program(symbols, exprs, argument)
