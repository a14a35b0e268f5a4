"""Encode sympy and symengine expressions in the stored format ``proofkit.dag/1``.

Certificates store expressions as graphs of numbered nodes with exact numerals (see
:mod:`proofkit.kernel.dag` for the format and its strict decoder). :func:`to_dag` walks an
expression once, shares equal subexpressions, and writes every number exactly: a float is
the binary number it is (``0.1`` becomes ``3602879701896397/36028797018963968``), never its
printed decimal. :func:`from_dag` rebuilds sympy expressions, for display and tests.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from fractions import Fraction
from typing import Any

import symengine as se
import sympy

from proofkit.errors import InvalidInput
from proofkit.kernel import DAG_FORMAT, decode_dag

__all__ = ["to_dag", "from_dag", "exact_rational_text"]

_SYMPY_UNARY = {
    sympy.exp: "exp", sympy.log: "log", sympy.sin: "sin", sympy.cos: "cos", sympy.tan: "tan",
    sympy.tanh: "tanh", sympy.sinh: "sinh", sympy.cosh: "cosh", sympy.atan: "atan", sympy.asin: "asin",
    sympy.acos: "acos", sympy.erf: "erf", sympy.Abs: "abs", sympy.sign: "sign",
}
_SE_UNARY = {"log": "log", "sin": "sin", "cos": "cos", "tan": "tan", "tanh": "tanh", "sinh": "sinh",
             "cosh": "cosh", "atan": "atan", "asin": "asin", "acos": "acos", "erf": "erf", "Abs": "abs",
             "sign": "sign"}
_SUPPORTED = ("+ * ** exp log sin cos tan tanh sinh cosh atan asin acos erf Abs sign Max Min Heaviside "
              "Piecewise (with < <= > >= And Or Not), real numbers and the params")
_RELATIONS = {"StrictLessThan": "lt", "LessThan": "le", "StrictGreaterThan": "gt", "GreaterThan": "ge"}


def exact_rational_text(value: Any) -> str:
    """The exact value of a number as ``"p"`` or ``"p/q"`` in lowest terms.

    Accepts Python ints, floats (taken as the binary numbers they are), Fractions, sympy
    Integers, Rationals and Floats, and symengine Integers, Rationals, RealDoubles and
    RealMPFRs. Non-finite numbers raise :class:`~proofkit.errors.InvalidInput`.

    Examples
    --------
    >>> exact_rational_text(0.1)
    '3602879701896397/36028797018963968'
    >>> exact_rational_text(sympy.Rational(-6, 4))
    '-3/2'
    """
    q = _fraction(value)
    return str(q.numerator) if q.denominator == 1 else f"{q.numerator}/{q.denominator}"


def _fraction(value: Any) -> Fraction:
    if isinstance(value, bool):
        raise InvalidInput("expression", "a number", f"the truth value {value!r}")
    if isinstance(value, int | Fraction):
        return Fraction(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise InvalidInput("expression", "a finite number", repr(value))
        return Fraction(value)
    if isinstance(value, se.Basic):
        name = type(value).__name__
        if name == "RealDouble":
            return _fraction(float(value))
        if name == "RealMPFR":
            return _fraction(value._sympy_())
        if value.is_Rational:
            return Fraction(str(value))
        raise InvalidInput("expression", "an exact or floating-point number", str(value)[:60])
    if isinstance(value, sympy.Float):
        sign, man, exp, _ = value._mpf_
        if not man and exp:  # mpmath's encodings of inf/nan
            raise InvalidInput("expression", "a finite number", str(value))
        q = Fraction(man) * (Fraction(2) ** exp)
        return -q if sign else q
    if isinstance(value, sympy.Rational):
        return Fraction(int(value.p), int(value.q))
    raise InvalidInput("expression", "an exact or floating-point number", repr(value)[:60])


class _Encoder:
    def __init__(self, params: Sequence[Any]) -> None:
        self.nodes: list[list[Any]] = []
        self.node_index: dict[tuple[Any, ...], int] = {}
        self.memo: dict[Any, int] = {}
        self.sympy_vars: dict[Any, int] = {}
        self.names: list[str] = []
        for k, p in enumerate(params):
            if isinstance(p, se.Symbol) and not isinstance(p, sympy.Basic):
                p = sympy.Symbol(p.name)
            if not isinstance(p, sympy.Symbol):
                raise InvalidInput("params", "symbols", f"entry {k}: {p!r}")
            if p in self.sympy_vars:
                raise InvalidInput("params", "distinct symbols", f"{p} twice")
            self.sympy_vars[p] = k
            self.names.append(p.name)
        self.se_vars = {name: k for k, name in enumerate(self.names)}

    def add(self, *node: Any) -> int:
        key = tuple(node)
        if key not in self.node_index:
            self.node_index[key] = len(self.nodes)
            self.nodes.append(list(node))
        return self.node_index[key]

    def const(self, value: Any) -> int:
        return self.add("const", exact_rational_text(value))

    # --- one expression, iteratively (deep trees must not hit the recursion limit) ---
    def encode(self, expr: Any) -> int:
        stack = [(expr, False)]
        while stack:
            e, ready = stack.pop()
            key = self._key(e)
            if key in self.memo:
                continue
            children = self._children(e)
            if ready or not children:
                self.memo[key] = self._node(e, [self.memo[self._key(c)] for c in children])
            else:
                stack.append((e, True))
                stack.extend((c, False) for c in reversed(children) if self._key(c) not in self.memo)
        return self.memo[self._key(expr)]

    @staticmethod
    def _key(e: Any) -> Any:
        return ("se", e) if isinstance(e, se.Basic) and not isinstance(e, sympy.Basic) else ("sp", e)

    def _children(self, e: Any) -> list[Any]:
        if isinstance(e, sympy.Basic):
            if isinstance(e, sympy.Piecewise):
                return [x for pair in e.args for x in pair.args]
            if isinstance(e, sympy.Heaviside):
                return [e.args[0]]
            if isinstance(e, sympy.Pow) and isinstance(e.exp, sympy.Rational | sympy.Float):
                return [e.base]
            if isinstance(e, sympy.Number | sympy.Symbol | sympy.NumberSymbol):
                return []
            return list(e.args)
        if isinstance(e, se.Basic):
            name = type(e).__name__
            if name == "Pow" and e.args[1].is_Number:
                return [e.args[0]]
            if name == "Pow" and type(e.args[0]).__name__ == "Exp1":
                return [e.args[1]]
            return list(e.args)
        return []

    def _node(self, e: Any, args: list[int]) -> int:
        if isinstance(e, sympy.Basic):
            return self._sympy_node(e, args)
        if isinstance(e, se.Basic):
            return self._se_node(e, args)
        if isinstance(e, int | float | Fraction) and not isinstance(e, bool):
            return self.const(e)
        raise InvalidInput("expression", "a sympy or symengine expression", f"{type(e).__name__} {e!r}"[:80])

    def _power(self, base: int, exponent: Any) -> int:
        return self.add("pow", base, exact_rational_text(exponent))

    def _general_power(self, base: int, exponent: int) -> int:
        # a**b with a symbolic exponent is real only for a > 0, where it equals exp(b log a)
        return self.add("exp", self.add("mul", exponent, self.add("log", base)))

    def _sympy_node(self, e: Any, args: list[int]) -> int:
        if isinstance(e, sympy.Symbol):
            if e not in self.sympy_vars:
                raise InvalidInput("expression", f"an expression in the params {self.names}", f"the free symbol {e}")
            return self.add("var", self.sympy_vars[e])
        if e is sympy.pi:
            return self.add("pi")
        if e is sympy.E:
            return self.add("E")
        if isinstance(e, sympy.Number):
            if isinstance(e, sympy.Rational | sympy.Float):
                return self.const(e)
            raise InvalidInput("expression", "finite real numbers", str(e))
        if e is sympy.true or e is sympy.false:
            return self.add("true" if e is sympy.true else "false")
        if isinstance(e, sympy.Add | sympy.Mul | sympy.Max | sympy.Min | sympy.And | sympy.Or):
            op = {sympy.Add: "add", sympy.Mul: "mul", sympy.Max: "max", sympy.Min: "min",
                  sympy.And: "and", sympy.Or: "or"}[type(e)]
            return self.add(op, *args) if len(args) > 1 else args[0]
        if isinstance(e, sympy.Pow):
            if isinstance(e.exp, sympy.Rational | sympy.Float):
                return self._power(args[0], e.exp)
            return self._general_power(args[0], args[1])
        if isinstance(e, sympy.Not):
            return self.add("not", args[0])
        if type(e).__name__ in _RELATIONS:
            return self.add(_RELATIONS[type(e).__name__], *args)
        if isinstance(e, sympy.Heaviside):
            h0 = e.args[1] if len(e.args) > 1 else sympy.Rational(1, 2)
            return self.add("heaviside", args[0], exact_rational_text(h0))
        if isinstance(e, sympy.Piecewise):
            return self.add("piecewise", *args)
        op = _SYMPY_UNARY.get(type(e))
        if op is not None and len(args) == 1:
            return self.add(op, args[0])
        raise InvalidInput("expression", _SUPPORTED, f"the node {type(e).__name__} in {str(e)[:60]}")

    def _se_node(self, e: Any, args: list[int]) -> int:
        name = type(e).__name__
        if name == "Symbol":
            if e.name not in self.se_vars:
                raise InvalidInput("expression", f"an expression in the params {self.names}", f"the free symbol {e}")
            return self.add("var", self.se_vars[e.name])
        if name == "Pi":
            return self.add("pi")
        if name == "Exp1":
            return self.add("E")
        if name in ("BooleanTrue", "BooleanFalse"):
            return self.add("true" if name == "BooleanTrue" else "false")
        if e.is_Number:
            return self.const(e)
        if name in ("Add", "Mul", "Max", "Min", "And", "Or"):
            return self.add(name.lower(), *args) if len(args) > 1 else args[0]
        if name == "Pow":
            base, exponent = e.args
            if exponent.is_Number:
                return self._power(args[0], exponent)
            if type(base).__name__ == "Exp1":
                return self.add("exp", args[0])
            return self._general_power(args[0], args[1])
        if name == "Not":
            return self.add("not", args[0])
        if name in _RELATIONS:
            return self.add(_RELATIONS[name], *args)
        if name == "Piecewise":
            return self.add("piecewise", *args)
        if name in _SE_UNARY and len(args) == 1:
            return self.add(_SE_UNARY[name], args[0])
        raise InvalidInput("expression", _SUPPORTED, f"the node {name} in {str(e)[:60]}")


def to_dag(exprs: Any, params: Sequence[Any]) -> dict[str, Any]:
    """Encode one expression or a list of expressions in the variables ``params``.

    Parameters
    ----------
    exprs : sympy or symengine expression, number, or a list of them
        The outputs, in order.
    params : sequence of symbols
        The inputs, in order. Every free symbol of ``exprs`` must be among them.

    Returns
    -------
    dict
        A JSON-ready object of the ``proofkit.dag/1`` format (see :mod:`proofkit.kernel.dag`).

    Raises
    ------
    InvalidInput
        For a free symbol that is not in ``params``, a node the format cannot hold (for
        example ``Derivative`` or ``re``), or a non-finite number.

    Examples
    --------
    >>> x, y = sympy.symbols("x y")
    >>> d = to_dag([x * y + 0.5, sympy.exp(x * y)], [x, y])
    >>> d["nodes"]
    [['const', '1/2'], ['var', 0], ['var', 1], ['mul', 1, 2], ['add', 0, 3], ['exp', 3]]
    >>> d["outputs"]
    [4, 5]
    """
    enc = _Encoder(list(params))
    items = list(exprs) if isinstance(exprs, Iterable) and not isinstance(exprs, str | se.Basic | sympy.Basic) \
        else [exprs]
    if not items:
        raise InvalidInput("exprs", "at least one expression", "none")
    outputs = []
    for item in items:
        if isinstance(item, str):
            raise InvalidInput("exprs", "sympy or symengine expressions", f"the string {item[:40]!r}")
        if isinstance(item, sympy.Basic) and item.is_Boolean:
            raise InvalidInput("exprs", "values", f"the condition {str(item)[:60]}")
        outputs.append(enc.encode(item))
    dag = {"format": DAG_FORMAT, "inputs": enc.names, "nodes": enc.nodes, "outputs": outputs}
    decode_dag(dag)  # the encoder's own output must pass the kernel's door
    return dag


_SYMPY_BUILD = {v: k for k, v in _SYMPY_UNARY.items()}


def from_dag(dag: dict[str, Any], params: Sequence[Any] | None = None) -> list[sympy.Expr]:
    """Rebuild the outputs of a stored expression graph as sympy expressions.

    Parameters
    ----------
    dag : dict
        A ``proofkit.dag/1`` object.
    params : sequence of sympy symbols, optional
        The symbols to use for the inputs (default: plain symbols named after the inputs).

    Examples
    --------
    >>> x = sympy.Symbol("x")
    >>> from_dag(to_dag(x**2 / 3 - 1, [x]))
    [x**2/3 - 1]
    """
    d = decode_dag(dag)
    syms = list(params) if params is not None else [sympy.Symbol(n) for n in d.inputs]
    if len(syms) != len(d.inputs):
        raise InvalidInput("params", f"{len(d.inputs)} symbols", str(len(syms)))
    vals: list[Any] = []
    rel = {"lt": sympy.Lt, "le": sympy.Le, "gt": sympy.Gt, "ge": sympy.Ge}
    for node in d.nodes:
        op, args = node[0], node[1:]
        a = [vals[i] for i in args] if op not in ("var", "const", "pow", "heaviside") else None
        if op == "var":
            v = syms[args[0]]
        elif op == "const":
            v = sympy.Rational(int(args[0].p), int(args[0].q))
        elif op == "pi":
            v = sympy.pi
        elif op == "E":
            v = sympy.E
        elif op in ("true", "false"):
            v = sympy.true if op == "true" else sympy.false
        elif op == "pow":
            v = vals[args[0]] ** sympy.Rational(int(args[1].p), int(args[1].q))
        elif op == "heaviside":
            v = sympy.Heaviside(vals[args[0]], sympy.Rational(int(args[1].p), int(args[1].q)))
        elif op == "add":
            v = sympy.Add(*a)
        elif op == "mul":
            v = sympy.Mul(*a)
        elif op in ("max", "min"):
            v = (sympy.Max if op == "max" else sympy.Min)(*a)
        elif op in rel:
            v = rel[op](*a)
        elif op in ("and", "or"):
            v = (sympy.And if op == "and" else sympy.Or)(*a)
        elif op == "not":
            v = sympy.Not(a[0])
        elif op == "piecewise":
            v = sympy.Piecewise(*zip(a[0::2], a[1::2], strict=True))
        else:
            v = _SYMPY_BUILD[op](a[0])
        vals.append(v)
    return [vals[k] for k in d.outputs]
