"""Exact decoding of the plain-JSON inputs of sweep tasks.

Numbers are read exactly: JSON integers, strings ``"3"``, ``"-3/4"``, decimal
numerals ``"0.97"`` or ``"1e-3"`` (the exact decimal they denote), and float hex
``"0x1.8p-1"`` (the exact binary number; use ``float.hex()`` to pass a float64 bit
for bit). A JSON number with a fraction or exponent is read from its literal
text, so ``0.1`` in a task file is the decimal 1/10, never the float64 nearest to it.

Expressions (a loss, a matrix entry) are sympy strings with exact numerals:
decimal literals become exact rationals. Only numbers, names, ``+ - * / **``,
comparisons ``< <= > >=`` (inside ``Piecewise``, ``And``, ``Or``, ``Not``),
parentheses and commas are accepted, and names are either parameters or one of
:data:`FUNCTIONS`, so a task file cannot run code. Every operation of the kernel's
stored-expression format (:mod:`proofkit.kernel.dag`) is writable: :data:`SPELLINGS`
gives one spelling of each. The inverse hyperbolic functions, which the format does not
have, are read as the logarithms they equal on their real domains (``asinh(x) =
log(x + sqrt(x**2 + 1))``, ``acosh(x) = log(x + sqrt(x**2 - 1))`` for ``x >= 1``,
``atanh(x) = (log(1 + x) - log(1 - x))/2`` for ``|x| < 1``).
"""

from __future__ import annotations

import io
import json
import keyword
import re
import tokenize
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

import sympy
from sympy.parsing.sympy_parser import auto_number, auto_symbol, parse_expr, rationalize

from proofkit.errors import InvalidInput, NotExact

__all__ = ["FUNCTIONS", "SPELLINGS", "NORMALISED_CONDITIONS", "JsonNumber",
           "loads", "exact_number", "exact_vector", "exact_matrix", "expression",
           "names", "constant_matrix", "point"]

#: Names an expression may call or mention besides its parameters.
FUNCTIONS = ("exp", "log", "sqrt", "tanh", "sinh", "cosh", "sin", "cos", "tan", "atan", "asin", "acos", "asinh",
             "acosh", "atanh", "erf", "sec", "csc", "cot", "sech", "csch", "coth", "Abs", "sign", "Heaviside",
             "Max", "Min", "Piecewise", "And", "Or", "Not", "Rational", "Integer", "pi", "E")
#: One spelling in a task file of each operation of the stored-expression format (``proofkit.dag/1``), with a
#: point ``(x, y)`` and the exact value there (for tests and docs).
SPELLINGS = {
    "var": ("x", ("1/2", "0"), "1/2"), "const": ("3/4", ("0", "0"), "3/4"), "pi": ("pi", ("0", "0"), "pi"),
    "E": ("E", ("0", "0"), "E"), "add": ("x + 1", ("1", "0"), "2"), "mul": ("2*x*y", ("1", "3"), "6"),
    "pow": ("x**(1/3)", ("8", "0"), "2"), "exp": ("exp(x)", ("0", "0"), "1"), "log": ("log(x)", ("1", "0"), "0"),
    "sin": ("sin(x)", ("0", "0"), "0"), "cos": ("cos(x)", ("0", "0"), "1"), "tan": ("tan(x)", ("0", "0"), "0"),
    "tanh": ("tanh(x)", ("0", "0"), "0"), "sinh": ("sinh(x)", ("0", "0"), "0"), "cosh": ("cosh(x)", ("0", "0"), "1"),
    "atan": ("atan(x)", ("1", "0"), "pi/4"), "asin": ("asin(x)", ("1", "0"), "pi/2"),
    "acos": ("acos(x)", ("0", "0"), "pi/2"), "erf": ("erf(x)", ("0", "0"), "0"), "abs": ("Abs(x)", ("-2", "0"), "2"),
    "sign": ("sign(x)", ("-2", "0"), "-1"), "max": ("Max(x, y)", ("1", "2"), "2"), "min": ("Min(x, y)", ("1", "2"), "1"),
    "heaviside": ("Heaviside(x, 0)", ("0", "0"), "0"),
    "piecewise": ("Piecewise((x, x > 0), (y, True))", ("-1", "5"), "5"),
    "true": ("Piecewise((x, x > 0), (y, True))", ("1", "5"), "1"),
    "lt": ("Piecewise((x, x < y), (y, True))", ("1", "2"), "1"),
    "le": ("Piecewise((x, x <= y), (y, True))", ("2", "2"), "2"),
    "gt": ("Piecewise((x, x > y), (y, True))", ("1", "2"), "2"),
    "ge": ("Piecewise((x, x >= y), (y, True))", ("3", "2"), "3"),
    "and": ("Piecewise((x, And(x > 0, y > 0)), (y, True))", ("1", "-1"), "-1"),
    "or": ("Piecewise((x, Or(x > 0, y > 0)), (y, True))", ("1", "-1"), "1"),
    "not": ("Piecewise((x, Not(x > y)), (y, True))", ("1", "2"), "1"),
    "false": ("Piecewise((x, False), (y, True))", ("1", "2"), "2"),
}
#: Conditions that sympy stores as equivalent ones: ``Not(x > y)`` as ``x <= y``, a ``False`` branch dropped.
NORMALISED_CONDITIONS = frozenset({"not", "false"})
_FORBIDDEN_NAMES = {"I": "the imaginary unit", "oo": "infinity", "zoo": "complex infinity", "nan": "nan"}
_OPS = {"+", "-", "*", "/", "**", "(", ")", ",", "<", "<=", ">", ">="}
_TRUTH = {"True", "False"}
_COMPARISONS = (sympy.StrictLessThan, sympy.LessThan, sympy.StrictGreaterThan, sympy.GreaterThan)
_RECIPROCAL = {sympy.sec: sympy.cos, sympy.csc: sympy.sin, sympy.cot: sympy.tan, sympy.sech: sympy.cosh,
               sympy.csch: sympy.sinh, sympy.coth: sympy.tanh}
_INVERSE_HYPERBOLIC = {
    sympy.asinh: lambda a: sympy.log(a + sympy.sqrt(a**2 + 1)),
    sympy.acosh: lambda a: sympy.log(a + sympy.sqrt(a**2 - 1)),
    sympy.atanh: lambda a: (sympy.log(1 + a) - sympy.log(1 - a)) / 2,
}
_RATIONAL = re.compile(r"[+-]?\d+(/\d+)?")
_DECIMAL = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_HEX = re.compile(r"([+-]?)0[xX]([0-9a-fA-F]*)\.?([0-9a-fA-F]*)[pP]([+-]?\d+)")


class JsonNumber(str):
    """The literal text of a JSON number with a fraction or an exponent (kept exact)."""


def loads(text: str) -> Any:
    """``json.loads`` keeping non-integer numbers as their literal text (:class:`JsonNumber`).

    Examples
    --------
    >>> loads('{"a": 0.1, "b": 2}')
    {'a': '0.1', 'b': 2}
    """
    return json.loads(text, parse_float=JsonNumber)


def _hex_fraction(m: re.Match[str]) -> Fraction:
    sign, whole, frac, exp = m.groups()
    if not whole and not frac:
        raise ValueError("no hex digits")
    mant = int((whole or "0") + frac, 16)
    value = Fraction(mant) * Fraction(2) ** (int(exp) - 4 * len(frac))
    return -value if sign == "-" else value


def exact_number(value: Any, argument: str) -> sympy.Rational:
    """One exact number from plain JSON.

    Examples
    --------
    >>> exact_number("-3/4", "x"), exact_number("0.97", "x"), exact_number("0x1.8p-1", "x"), exact_number(5, "x")
    (-3/4, 97/100, 3/4, 5)
    """
    if isinstance(value, bool) or value is None:
        raise InvalidInput(argument, "an exact number (integer, \"p/q\", decimal or float hex string)", repr(value))
    if isinstance(value, int):
        return sympy.Integer(value)
    if isinstance(value, float):  # only reachable when the task was built in Python, not read from a file
        raise NotExact(argument, "an exact number: write the float as float.hex() or as \"p/q\"", repr(value))
    if not isinstance(value, str):
        raise InvalidInput(argument, "an exact number (integer, \"p/q\", decimal or float hex string)",
                           type(value).__name__)
    s = value.strip()
    if _RATIONAL.fullmatch(s):
        num, _, den = s.partition("/")
        if den and int(den) == 0:
            raise InvalidInput(argument, "a non-zero denominator", repr(value))
        return sympy.Rational(int(num), int(den) if den else 1)
    if _DECIMAL.fullmatch(s):
        f = Fraction(s)
        return sympy.Rational(f.numerator, f.denominator)
    m = _HEX.fullmatch(s)
    if m:
        try:
            f = _hex_fraction(m)
        except ValueError:
            pass
        else:
            return sympy.Rational(f.numerator, f.denominator)
    raise InvalidInput(argument, "an exact number (integer, \"p/q\", decimal or float hex such as \"0x1.8p-1\")",
                       repr(value)[:60])


def exact_vector(value: Any, argument: str, length: int | None = None) -> list[sympy.Rational]:
    """A list of exact numbers (optionally of a given length)."""
    if not isinstance(value, list) or not value:
        raise InvalidInput(argument, "a non-empty list of exact numbers", _short(value))
    if length is not None and len(value) != length:
        raise InvalidInput(argument, f"{length} numbers", f"{len(value)}")
    return [exact_number(v, f"{argument}[{i}]") for i, v in enumerate(value)]


def exact_matrix(value: Any, argument: str) -> list[list[sympy.Rational]]:
    """A non-empty rectangular list of lists of exact numbers."""
    rows = _rows(value, argument)
    return [[exact_number(v, f"{argument}[{i}][{j}]") for j, v in enumerate(r)] for i, r in enumerate(rows)]


def constant_matrix(value: Any, argument: str) -> list[list[sympy.Expr]]:
    """A matrix whose entries are exact numbers or exact constant expressions such as ``"exp(1)/3"``."""
    rows = _rows(value, argument)
    out = []
    for i, r in enumerate(rows):
        row = []
        for j, v in enumerate(r):
            where = f"{argument}[{i}][{j}]"
            try:
                row.append(exact_number(v, where))
            except InvalidInput:
                if not isinstance(v, str):
                    raise
                e = expression(v, where)
                if e.free_symbols:
                    raise InvalidInput(where, "a constant (no free symbols)",
                                       f"symbols {sorted(s.name for s in e.free_symbols)}") from None
                row.append(e)
        out.append(row)
    return out


def _rows(value: Any, argument: str) -> list[list[Any]]:
    if not isinstance(value, list) or not value or not all(isinstance(r, list) and r for r in value):
        raise InvalidInput(argument, "a non-empty list of non-empty rows", _short(value))
    if len({len(r) for r in value}) != 1:
        raise InvalidInput(argument, "rows of equal length", f"lengths {sorted({len(r) for r in value})}")
    return value


def names(value: Any, argument: str) -> list[str]:
    """A list of distinct identifiers (parameter names)."""
    if not isinstance(value, list) or not value:
        raise InvalidInput(argument, "a non-empty list of names", _short(value))
    for i, v in enumerate(value):
        if not isinstance(v, str) or not v.isidentifier() or v.startswith("_") or keyword.iskeyword(v) \
                or v in FUNCTIONS or v in _FORBIDDEN_NAMES:
            raise InvalidInput(f"{argument}[{i}]", "an identifier that is not a function name", repr(v)[:40])
    if len(set(value)) != len(value):
        raise InvalidInput(argument, "distinct names", f"duplicates {sorted({v for v in value if value.count(v) > 1})}")
    return list(value)


def _check_tokens(text: str, argument: str) -> None:
    try:
        toks = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError) as exc:
        raise InvalidInput(argument, "a sympy expression", f"{text[:60]!r} ({exc})") from None
    for tok in toks:
        if tok.type in (tokenize.NEWLINE, tokenize.NL, tokenize.ENDMARKER, tokenize.INDENT, tokenize.DEDENT):
            continue
        if tok.type == tokenize.NUMBER:
            if not re.fullmatch(r"(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", tok.string):
                raise InvalidInput(argument, "decimal numerals (no hex, octal or imaginary literals)", repr(tok.string))
            continue
        if tok.type == tokenize.NAME:
            if tok.string in _TRUTH:
                continue
            if tok.string.startswith("_") or keyword.iskeyword(tok.string):
                raise InvalidInput(argument, "parameter or function names", repr(tok.string))
            if tok.string in _FORBIDDEN_NAMES:
                raise NotExact(argument, "a real-valued expression", f"{tok.string} ({_FORBIDDEN_NAMES[tok.string]})")
            continue
        if tok.type == tokenize.OP and tok.string in _OPS:
            continue
        hint = " (write ** for powers)" if tok.string == "^" else ""
        raise InvalidInput(argument, "numbers, names, + - * / **, < <= > >=, parentheses and commas" + hint,
                           repr(tok.string))


def expression(text: Any, argument: str, allowed: Sequence[str] | None = None) -> sympy.Expr:
    """Parse a sympy string with exact numerals; ``allowed`` restricts the free symbols.

    Examples
    --------
    >>> expression("(x**2 - 1)**2 + 0.25*x", "loss")
    x/4 + (x**2 - 1)**2
    >>> expression("Piecewise((x, x > 0), (0, True)) + asinh(y)", "loss")
    Piecewise((x, x > 0), (0, True)) + log(y + sqrt(y**2 + 1))
    """
    if not isinstance(text, str) or not text.strip():
        raise InvalidInput(argument, "a non-empty sympy expression string", _short(text))
    _check_tokens(text, argument)
    glob: dict[str, Any] = {name: getattr(sympy, name) for name in FUNCTIONS}
    glob.update({"Symbol": sympy.Symbol, "Function": sympy.Function, "Float": sympy.Float})
    try:
        expr = parse_expr(text, global_dict=glob, transformations=(auto_symbol, auto_number, rationalize))
    except Exception as exc:  # sympy raises anything from SyntaxError to TypeError
        raise InvalidInput(argument, "a sympy expression", f"{text[:60]!r} ({type(exc).__name__}: {exc})") from None
    if not isinstance(expr, sympy.Expr):
        raise InvalidInput(argument, "a scalar expression", type(expr).__name__)
    if expr.atoms(sympy.Float):
        raise NotExact(argument, "exact numerals", f"inexact numbers {sorted(map(str, expr.atoms(sympy.Float)))[:3]}")
    undefined = [f for f in expr.atoms(sympy.Function) if isinstance(f.func, sympy.core.function.UndefinedFunction)]
    if undefined:
        raise InvalidInput(argument, f"functions among {', '.join(FUNCTIONS[:14])}", f"{undefined[0].func}")
    _conditions_only_in_piecewise(expr, argument)
    if allowed is not None:
        extra = sorted(s.name for s in expr.free_symbols if s.name not in set(allowed))
        if extra:
            raise InvalidInput(argument, f"an expression in {list(allowed)[:8]}", f"unknown symbols {extra[:6]}")
    if expr.has(*_INVERSE_HYPERBOLIC):
        expr = expr.replace(lambda e: type(e) in _INVERSE_HYPERBOLIC, lambda e: _INVERSE_HYPERBOLIC[type(e)](e.args[0]))
    if expr.has(*_RECIPROCAL):
        expr = expr.replace(lambda e: type(e) in _RECIPROCAL, lambda e: 1 / _RECIPROCAL[type(e)](e.args[0]))
    return expr


def _conditions_only_in_piecewise(expr: sympy.Basic, argument: str) -> None:
    """Comparisons and truth values may stand only as the conditions of a ``Piecewise``."""
    def walk(e: sympy.Basic, condition: bool) -> None:
        if isinstance(e, sympy.Piecewise):
            for value, cond in e.args:
                walk(value, False)
                walk(cond, True)
            return
        is_condition = isinstance(e, (sympy.logic.boolalg.BooleanFunction, sympy.logic.boolalg.BooleanAtom,
                                      sympy.core.relational.Relational)) and not isinstance(e, sympy.Symbol)
        if is_condition and not condition:
            raise InvalidInput(argument, "comparisons and True/False only as Piecewise conditions", str(e)[:60])
        if isinstance(e, sympy.core.relational.Relational):
            if not isinstance(e, _COMPARISONS):
                raise InvalidInput(argument, "the comparisons < <= > >=", str(e)[:60])
            for a in e.args:
                walk(a, False)
            return
        if condition and not is_condition:
            raise InvalidInput(argument, "a condition (a comparison, And, Or, Not, True or False)", str(e)[:60])
        for a in e.args:
            walk(a, condition)

    walk(expr, False)


def point(value: Any, params: Sequence[str], argument: str) -> list[sympy.Rational]:
    """A point as a list (in ``params`` order) or a ``{name: value}`` object."""
    if isinstance(value, Mapping):
        missing = [p for p in params if p not in value]
        extra = [k for k in value if k not in params]
        if missing or extra:
            raise InvalidInput(argument, f"a value for each of {list(params)[:8]}",
                               f"missing {missing[:4]}, unknown {extra[:4]}")
        return [exact_number(value[p], f"{argument}.{p}") for p in params]
    return exact_vector(value, argument, len(params))


def _short(value: Any) -> str:
    text = json.dumps(value) if isinstance(value, (list, dict, str, int, float, bool, type(None))) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
