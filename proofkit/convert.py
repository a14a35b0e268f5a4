"""One conversion of user inputs: numbers, matrices, points and expressions.

Every public function normalises its arguments here, once, so that the same
input means the same thing everywhere:

* **Integers** of every kind (Python ``int``, numpy ``int8`` .. ``int64``,
  ``uint8`` .. ``uint64``, python-flint ``fmpz``) become exact integers; they
  never pass through float64.
* **Floats** (Python ``float``, numpy ``float16``/``float32``/``float64``,
  sympy ``Float``) are the exact binary numbers they are and become exact
  rationals, never rounded to a decimal string.
* Fractions, sympy Rationals, ``Decimal`` and strings such as ``"1/3"`` or
  ``"0.1"`` (a decimal literal, taken exactly) are exact rationals.
* ``numpy.longdouble`` (its width depends on the platform), complex numbers and
  any other object raise :class:`~proofkit.errors.InvalidInput`; NaN and
  infinities raise :class:`~proofkit.errors.NonFiniteInput`. Every message
  names the argument.
* **Expressions** are checked node by node against an allow-list before any
  other library (symengine in particular) sees them; floats inside them are
  replaced by their exact rational values before any algebra, reciprocal
  functions (``sech``, ``csc``, ...) are rewritten with the basic ones, and an
  unsupported node raises :class:`~proofkit.errors.InvalidInput` naming it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

import flint
import numpy as np
import sympy
from sympy.core.relational import Relational
from sympy.functions.elementary.piecewise import ExprCondPair
from sympy.logic.boolalg import BooleanFalse, BooleanTrue

from proofkit.errors import InvalidInput, NonFiniteInput, ShapeMismatch

__all__ = [
    "exact_scalar",
    "rational",
    "approx_float",
    "MatrixInput",
    "matrix_input",
    "numeric_rows",
    "exact_point",
    "exact_expr",
    "exact_exprs",
    "exact_constant",
    "expr_matrix",
    "to_symengine",
    "sequence_of",
    "mapping_of",
    "integer_in",
    "precision_bits",
    "positive_radii",
    "MAX_PRECISION",
]

#: The highest working precision (bits) a certifier accepts (the kernel re-checks at most this much).
MAX_PRECISION = 1 << 16

_F64_EXACT_INT = 2**53


def _where(where: str) -> str:
    return f" at {where}" if where else ""


def exact_scalar(value: Any, argument: str, where: str = "") -> flint.fmpq:
    """An exact rational (``fmpq``) from a real number given in any supported form.

    Parameters
    ----------
    value : number
        See the module docstring for what is accepted.
    argument : str
        The argument's name, used in error messages.
    where : str
        Position inside the argument (e.g. ``"(0, 1)"``), used in error messages.

    Raises
    ------
    NonFiniteInput
        NaN or an infinity.
    InvalidInput
        A complex number, ``numpy.longdouble``, a symbolic expression, or any other object.

    Examples
    --------
    >>> import numpy as np
    >>> exact_scalar(np.int64(2**62 + 1), "x"), exact_scalar(0.1, "x")
    (4611686018427387905, 3602879701896397/36028797018963968)
    """
    if isinstance(value, flint.fmpq):
        return value
    if isinstance(value, (bool, int, flint.fmpz, np.integer, np.bool_)):
        return flint.fmpq(int(value))
    if isinstance(value, np.floating) and value.dtype.itemsize > 8:
        raise InvalidInput(argument, "float64 or exact numbers (numpy.longdouble is platform-dependent; "
                           "convert to Fraction or float64 first)", f"numpy.{value.dtype.name}{_where(where)}")
    if isinstance(value, (float, np.floating)):
        f = float(value)  # float16/float32 widen to float64 exactly
        if not math.isfinite(f):
            raise NonFiniteInput(argument, "finite numbers", f"{f!r}{_where(where)}")
        n, d = f.as_integer_ratio()
        return flint.fmpq(n, d)
    if isinstance(value, Fraction):
        return flint.fmpq(value.numerator, value.denominator)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise NonFiniteInput(argument, "finite numbers", f"{value!r}{_where(where)}")
        n, d = value.as_integer_ratio()
        return flint.fmpq(n, d)
    if isinstance(value, (complex, np.complexfloating)):
        raise InvalidInput(argument, "real numbers", f"the complex number {value!r}{_where(where)}")
    if isinstance(value, str):
        try:
            q = sympy.Rational(value.strip())
        except (TypeError, ValueError, SyntaxError):
            raise InvalidInput(argument, "a number or a decimal/fraction string", f"{value!r}{_where(where)}") from None
        return flint.fmpq(int(q.p), int(q.q))
    if isinstance(value, sympy.Basic):
        if value.is_Rational:
            return flint.fmpq(int(value.p), int(value.q))
        if value.is_Float:
            if not value.is_finite:
                raise NonFiniteInput(argument, "finite numbers", f"{value}{_where(where)}")
            q = sympy.Rational(value)  # the exact binary value
            return flint.fmpq(int(q.p), int(q.q))
        if value.has(sympy.nan, sympy.oo, -sympy.oo, sympy.zoo):
            raise NonFiniteInput(argument, "finite numbers", f"{value}{_where(where)}")
        raise InvalidInput(argument, "exact rational or floating-point numbers",
                           f"the expression {str(value)[:80]}{_where(where)}")
    raise InvalidInput(argument, "real numbers", f"{type(value).__name__} {str(value)[:60]!r}{_where(where)}")


def rational(value: Any, argument: str, where: str = "") -> sympy.Rational:
    """:func:`exact_scalar` as a sympy ``Rational``.

    Examples
    --------
    >>> rational(0.5, "x"), rational("1/3", "x")
    (1/2, 1/3)
    """
    q = exact_scalar(value, argument, where)
    return sympy.Rational(int(q.p), int(q.q))


def approx_float(q: flint.fmpq) -> float:
    """The float nearest to ``q`` (correctly rounded), or +-inf when ``|q|`` exceeds the float range."""
    try:
        return int(q.p) / int(q.q)
    except OverflowError:
        return math.inf if q > 0 else -math.inf


@dataclass
class MatrixInput:
    """A matrix argument after normalisation: exactly one of the entry lists is set.

    ``kind`` is ``"float64"`` (``floats``: a finite float64 array, every entry
    exact), ``"exact"`` (``exact``: rows of ``fmpq``), ``"balls"`` (``balls``:
    rows of finite ``arb``) or ``"symbolic"`` (``symbolic``: a sympy Matrix of
    exact constants such as ``exp(1)/3``, already checked by :func:`exact_expr`).
    """

    kind: str
    shape: tuple[int, int]
    floats: np.ndarray | None = None
    exact: list[list[flint.fmpq]] | None = None
    balls: list[list[flint.arb]] | None = None
    symbolic: sympy.Matrix | None = None


def _plain(A: np.ndarray, argument: str) -> np.ndarray:
    """The array as a plain ndarray (no matrix/masked subclass); masked entries are an error."""
    if isinstance(A, np.ma.MaskedArray):
        if np.ma.is_masked(A):
            raise InvalidInput(argument, "an array without masked entries", "a masked array with masked entries")
        A = A.data
    return np.asarray(A)


def _array_rows(A: np.ndarray, argument: str) -> tuple[np.ndarray | None, list[Any]]:
    """(float64 array or None, nested rows) of a numpy array, by dtype, never rounding an integer."""
    kind = A.dtype.kind
    if kind == "f":
        if A.dtype.itemsize > 8:
            raise InvalidInput(argument, "float64 or exact numbers (numpy.longdouble is platform-dependent; "
                               "convert to Fraction or float64 first)", f"an array of dtype {A.dtype.name}")
        arr = np.array(A, dtype=np.float64, copy=True)
        if not np.isfinite(arr).all():
            bad = np.argwhere(~np.isfinite(arr))
            idx = tuple(int(i) for i in bad[0])
            raise NonFiniteInput(argument, "finite entries", f"{arr[idx]} at {idx}")
        return arr, []
    if kind in "iub":
        if kind == "b":
            A = A.astype(np.int64)
        small = np.all(A <= _F64_EXACT_INT) and (A.dtype.kind == "u" or np.all(A >= -_F64_EXACT_INT))
        if small:
            return np.array(A, dtype=np.float64, copy=True), []  # every |entry| <= 2^53: exact in float64
        return None, A.tolist()  # Python ints, exact
    if kind == "c":
        raise InvalidInput(argument, "real entries", f"an array of complex dtype {A.dtype.name}")
    if kind == "O":
        return None, A.tolist()
    raise InvalidInput(argument, "an array of numbers", f"an array of dtype {A.dtype.name}")


def numeric_rows(data: Any, argument: str) -> list[Any]:
    """Nested Python lists from a numpy array, sympy/flint matrix, or nested sequences (no conversion of entries
    beyond what the dtype dictates: integer arrays give Python ints, float arrays Python floats)."""
    if isinstance(data, np.ndarray):
        data = _plain(data, argument)
        arr, rows = _array_rows(data, argument)
        if arr is None:
            return rows
        return data.astype(np.int64).tolist() if data.dtype.kind == "b" else (
            data.tolist() if data.dtype.kind in "iu" else arr.tolist())  # Python ints stay ints
    if isinstance(data, (flint.fmpq_mat, flint.fmpz_mat, flint.arb_mat)):
        return [[data[i, j] for j in range(data.ncols())] for i in range(data.nrows())]
    if hasattr(data, "to_sympy") and not isinstance(data, sympy.Basic):
        data = data.to_sympy()
    if isinstance(data, sympy.MatrixBase):
        return data.tolist()
    if isinstance(data, (str, bytes, Mapping)) or not hasattr(data, "__iter__"):
        raise InvalidInput(argument, "a matrix (nested sequences, numpy array or sympy Matrix)",
                           f"{type(data).__name__}")
    return [numeric_rows(r, argument) if isinstance(r, np.ndarray) else
            (list(r) if isinstance(r, (list, tuple)) else r) for r in data]


def _entry_kind(v: Any) -> str:
    if isinstance(v, flint.arb):
        return "ball"
    if isinstance(v, sympy.Basic) and not (v.is_Rational or v.is_Float) and not v.has(
            sympy.nan, sympy.oo, -sympy.oo, sympy.zoo):
        return "symbolic"
    if isinstance(v, (list, tuple, np.ndarray, Mapping)):
        return "nested"
    return "number"


def matrix_input(A: Any, argument: str = "A") -> MatrixInput:
    """Normalise a matrix argument (see the module docstring); ragged, empty or 3-D input raise ShapeMismatch.

    Examples
    --------
    >>> import numpy as np
    >>> matrix_input(np.array([[2**53 + 1, 0], [0, 1]], dtype=np.int64)).kind
    'exact'
    >>> matrix_input(np.eye(2, dtype=np.float32)).kind
    'float64'
    """
    if isinstance(A, (flint.fmpq_mat, flint.fmpz_mat)) and A.nrows() and A.ncols():  # exact already: no entry checks
        n = A.ncols()
        e = [flint.fmpq(v) for v in A.entries()] if isinstance(A, flint.fmpz_mat) else A.entries()
        return MatrixInput("exact", (A.nrows(), n), exact=[e[i * n:(i + 1) * n] for i in range(A.nrows())])
    if isinstance(A, np.ndarray):
        A = _plain(A, argument)
        if A.ndim != 2 or A.size == 0:
            raise ShapeMismatch(argument, "a non-empty 2-D array", f"an array of shape {A.shape}")
        arr, rows = _array_rows(A, argument)
        if arr is not None:
            return MatrixInput("float64", (int(arr.shape[0]), int(arr.shape[1])), floats=arr)
    else:
        rows = numeric_rows(A, argument)
    if not rows or not isinstance(rows[0], list) or not rows[0]:
        raise ShapeMismatch(argument, "a non-empty 2-D matrix", str(A)[:80])
    m = len(rows[0])
    for i, r in enumerate(rows):
        if not isinstance(r, list) or len(r) != m:
            raise ShapeMismatch(argument, f"rows of equal length {m}", f"ragged rows: row {i} is {str(r)[:40]}")
    shape = (len(rows), m)
    kinds = {_entry_kind(v) for r in rows for v in r}
    if "nested" in kinds:
        raise ShapeMismatch(argument, "a 2-D matrix of numbers", "entries that are sequences (a 3-D array?)")
    if kinds == {"number"}:
        exact = [[exact_scalar(v, argument, f"({i}, {j})") for j, v in enumerate(r)] for i, r in enumerate(rows)]
        return MatrixInput("exact", shape, exact=exact)
    if kinds <= {"ball", "number"}:
        balls = [[v if isinstance(v, flint.arb) else flint.arb(exact_scalar(v, argument, f"({i}, {j})"))
                  for j, v in enumerate(r)] for i, r in enumerate(rows)]
        for i, r in enumerate(balls):
            for j, b in enumerate(r):
                if not b.is_finite():
                    raise NonFiniteInput(argument, "finite enclosures", f"{b} at ({i}, {j})")
        return MatrixInput("balls", shape, balls=balls)
    if "ball" in kinds:
        raise InvalidInput(argument, "either enclosures (arb) or exact constants, not both", "a mix of both")
    entries = []
    for i, r in enumerate(rows):
        for j, v in enumerate(r):
            e = exact_expr(v, argument) if isinstance(v, sympy.Basic) else \
                rational(v, argument, f"({i}, {j})")
            if e.free_symbols:
                raise InvalidInput(argument, "numeric entries (use matrix_at to evaluate a symbolic matrix at a "
                                   "point)", f"free symbols {sorted(s.name for s in e.free_symbols)}")
            entries.append(e)
    return MatrixInput("symbolic", shape, symbolic=sympy.Matrix(shape[0], shape[1], entries))


def sequence_of(values: Any, argument: str, what: str = "a sequence") -> list[Any]:
    """The items of a list, tuple, 1-D array or other ordered iterable (a string, bytes, a dict, a set,
    a 0-d or multi-dimensional array, or a non-iterable raise :class:`~proofkit.errors.InvalidInput`).

    Examples
    --------
    >>> sequence_of((1, 2), "x"), sequence_of(np.array([3, 4]), "x")
    ([1, 2], [3, 4])
    """
    if isinstance(values, np.ndarray):
        values = _plain(values, argument)
        if values.ndim != 1:
            raise ShapeMismatch(argument, f"{what} (a 1-D array)", f"an array of shape {values.shape}")
        return numeric_rows(values.reshape(1, -1), argument)[0] if values.dtype.kind != "O" else list(values)
    if isinstance(values, (str, bytes, Mapping, set, frozenset)) or isinstance(values, sympy.Basic) or \
            not hasattr(values, "__iter__"):
        got = "an unordered set" if isinstance(values, (set, frozenset)) else type(values).__name__
        raise InvalidInput(argument, what, got)
    try:
        return list(values)
    except TypeError as exc:
        raise InvalidInput(argument, what, str(exc)[:80]) from None


def mapping_of(values: Any, argument: str, what: str = "a dict") -> dict[Any, Any]:
    """A dict from a Mapping; ``None`` gives an empty dict; anything else raises InvalidInput."""
    if values is None:
        return {}
    if not isinstance(values, Mapping):
        raise InvalidInput(argument, what, type(values).__name__)
    return dict(values)


def integer_in(value: Any, argument: str, low: int, high: int | None = None) -> int:
    """An integer (Python or numpy, not bool) with ``low <= value <= high``, as a Python int.

    Examples
    --------
    >>> integer_in(np.int64(3), "starts", 1)
    3
    """
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value[()]
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise InvalidInput(argument, "an integer", f"{type(value).__name__} {str(value)[:40]!r}")
    v = int(value)
    if v < low or (high is not None and v > high):
        span = f">= {low}" if high is None else f"in {low}..{high}"
        raise InvalidInput(argument, f"an integer {span}", str(v)[:40])
    return v


def precision_bits(value: Any, argument: str) -> int:
    """A working precision in bits: an integer in ``53..MAX_PRECISION`` (65536)."""
    return integer_in(value, argument, 53, MAX_PRECISION)


def positive_radii(radius: Any, n: int, argument: str = "radius", *, allow_zero: bool = False) -> list[flint.fmpq]:
    """``n`` exact radii from one number (a 0-d array counts as one) or ``n`` numbers, each positive
    (or zero with ``allow_zero``: a coordinate held fixed).

    Examples
    --------
    >>> positive_radii(0.5, 2), positive_radii([1, "1/3"], 2)
    ([1/2, 1/2], [1, 1/3])
    """
    if isinstance(radius, np.ndarray) and radius.ndim == 0:
        radius = radius[()]
    if isinstance(radius, (list, tuple, np.ndarray)) or (hasattr(radius, "__iter__") and
                                                         not isinstance(radius, (str, bytes, sympy.Basic))):
        items = sequence_of(radius, argument, f"a positive number or {n} positive numbers")
        if len(items) != n:
            raise InvalidInput(argument, f"a number or {n} numbers (one per coordinate)", f"{len(items)} numbers")
    else:
        items = [radius] * n
    out = []
    for i, r in enumerate(items):
        q = exact_scalar(r, argument, f"position {i}" if len(items) > 1 else "")
        if q < 0 or (q == 0 and not allow_zero):
            raise InvalidInput(argument, "non-negative numbers" if allow_zero else "positive numbers", str(r)[:40])
        out.append(q)
    return out


def exact_point(values: Any, n: int, argument: str, *, allow_balls: bool = False) -> list[Any]:
    """``n`` exact coordinates (``fmpq``; ``arb`` balls kept when ``allow_balls``) from a sequence.

    Examples
    --------
    >>> exact_point([1, 0.5], 2, "x0")
    [1, 1/2]
    """
    seq = sequence_of(values, argument, f"a sequence of {n} numbers")
    if len(seq) != n:
        raise InvalidInput(argument, f"{n} coordinates", f"{len(seq)} coordinates")
    out = []
    for i, v in enumerate(seq):
        if allow_balls and isinstance(v, flint.arb):
            if not v.is_finite():
                raise NonFiniteInput(argument, "finite values", f"{v} at position {i}")
            out.append(v)
        else:
            out.append(exact_scalar(v, argument, f"position {i}"))
    return out


# -- expressions ------------------------------------------------------------------------------------------------

_FUNCTIONS = (sympy.exp, sympy.log, sympy.sin, sympy.cos, sympy.tan, sympy.sinh, sympy.cosh, sympy.tanh,
              sympy.asin, sympy.acos, sympy.atan, sympy.asinh, sympy.erf, sympy.Abs, sympy.sign,
              sympy.Max, sympy.Min, sympy.Piecewise)
_STRUCTURE = (sympy.Symbol, sympy.Add, sympy.Mul, sympy.Pow, ExprCondPair, Relational,
              BooleanTrue, BooleanFalse, sympy.And, sympy.Or, sympy.Not)
_RECIPROCAL = {sympy.sech: lambda a: 1 / sympy.cosh(a), sympy.csch: lambda a: 1 / sympy.sinh(a),
               sympy.coth: lambda a: sympy.cosh(a) / sympy.sinh(a), sympy.sec: lambda a: 1 / sympy.cos(a),
               sympy.csc: lambda a: 1 / sympy.sin(a), sympy.cot: lambda a: sympy.cos(a) / sympy.sin(a)}
ALLOWED_NODES = ("numbers, symbols, +, *, powers, pi, E, exp, log, sin, cos, tan, sinh, cosh, tanh, asin, acos, "
                 "atan, asinh, erf, Abs, sign, Heaviside, Max, Min, Piecewise with relational conditions, and "
                 "sech, csch, coth, sec, csc, cot (rewritten)")


_NON_FINITE = (sympy.nan, sympy.oo, -sympy.oo, sympy.zoo)


def _bad_node(node: sympy.Basic, argument: str) -> InvalidInput:
    if node in _NON_FINITE:
        return NonFiniteInput(argument, "finite constants", f"{node}")
    return InvalidInput(argument, f"an expression built from {ALLOWED_NODES}",
                        f"the unsupported node {type(node).__name__} in {str(node)[:80]}")


def _check_tree(expr: sympy.Basic, argument: str, strict: bool = True) -> tuple[dict[Any, Any], bool]:
    """Walk ``expr``; return the Float -> Rational replacements and whether a rewrite is needed."""
    floats: dict[Any, Any] = {}
    rewrite = False
    stack = [expr]
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, sympy.Float):
            if not node.is_finite:
                raise NonFiniteInput(argument, "finite constants", f"{node}")
            floats[node] = sympy.Rational(node)
            continue
        if isinstance(node, (sympy.Rational, sympy.core.numbers.Pi, sympy.core.numbers.Exp1)):
            continue
        if node in _NON_FINITE:
            raise _bad_node(node, argument)
        if isinstance(node, sympy.Symbol) and node.is_commutative is False:
            # symengine would treat it as commutative: A*B - B*A would "expand to 0"
            raise InvalidInput(argument, "commutative symbols", f"the non-commutative symbol {node}")
        if isinstance(node, sympy.Heaviside):
            if len(node.args) > 1 and node.args[1] != sympy.S.Half:
                raise _bad_node(node, argument)
            rewrite = True
        elif isinstance(node, tuple(_RECIPROCAL)):
            rewrite = True
        elif isinstance(node, sympy.Number) or (strict and not isinstance(node, _FUNCTIONS + _STRUCTURE)):
            raise _bad_node(node, argument)
        stack.extend(node.args)
    return floats, rewrite


def exact_expr(expr: Any, argument: str, *, strict: bool = True) -> sympy.Basic:
    """A sympy expression checked against the allow-list, with every float replaced by its exact value.

    With ``strict=False`` (for computations that stay inside sympy) any node
    is accepted, but floats are still made exact and ``nan``/``oo`` rejected.

    Raises
    ------
    InvalidInput
        Not an expression, or a node outside the allow-list (``Derivative``,
        ``re``, ``I``, undefined functions, ``Integral``, ...), named in the message.
    NonFiniteInput
        ``nan``, ``oo`` or ``zoo`` anywhere.

    Examples
    --------
    >>> x = sympy.Symbol("x")
    >>> exact_expr(x - 1.0000000000000002, "grad")
    x - 4503599627370497/4503599627370496
    >>> exact_expr(sympy.sech(x), "sigma")
    1/cosh(x)
    """
    if isinstance(expr, (bool, np.bool_)):
        raise InvalidInput(argument, "an expression", repr(expr))
    if isinstance(expr, (int, float, Fraction, Decimal, np.number, flint.fmpq, flint.fmpz)):
        return rational(expr, argument)
    if hasattr(expr, "_sympy_") and not isinstance(expr, sympy.Basic):
        try:
            expr = expr._sympy_()
        except Exception as exc:  # a foreign object's own converter failed: say so, naming the argument
            raise InvalidInput(argument, "a sympy or symengine expression", f"{type(expr).__name__}: {exc}") from None
    if not isinstance(expr, sympy.Basic):
        try:
            expr = sympy.sympify(expr, strict=not isinstance(expr, str))
        except (sympy.SympifyError, SyntaxError, TypeError, ValueError, AttributeError) as exc:
            raise InvalidInput(argument, "a sympy expression", f"{type(expr).__name__}: {str(exc)[:80]}") from None
    if isinstance(expr, sympy.MatrixBase) or not isinstance(expr, (sympy.Expr, sympy.logic.boolalg.Boolean)):
        raise InvalidInput(argument, "a scalar expression", type(expr).__name__)
    floats, rewrite = _check_tree(expr, argument, strict)
    if floats:
        expr = expr.xreplace(floats)
    if rewrite:
        expr = expr.replace(lambda e: isinstance(e, tuple(_RECIPROCAL)), lambda e: _RECIPROCAL[e.func](e.args[0]))
        expr = expr.replace(lambda e: isinstance(e, sympy.Heaviside), lambda e: (1 + sympy.sign(e.args[0])) / 2)
    return expr


def exact_constant(value: Any, argument: str) -> sympy.Expr:
    """A real constant: a number (exact, see :func:`rational`) or a checked expression without symbols.

    Examples
    --------
    >>> exact_constant("1/100", "slope"), exact_constant(sympy.sqrt(2), "alpha")
    (1/100, sqrt(2))
    """
    e = exact_expr(value, argument) if isinstance(value, sympy.Basic) else rational(value, argument)
    if e.free_symbols:
        raise InvalidInput(argument, "a constant", f"an expression in {sorted(map(str, e.free_symbols))}")
    if e.is_real is not True:
        raise InvalidInput(argument, "a real constant", str(e)[:60])
    return e


def exact_exprs(items: Any, argument: str) -> list[sympy.Basic]:
    """:func:`exact_expr` of every entry of a sequence, sympy Matrix or LazyMatrix (row-major)."""
    if hasattr(items, "to_sympy") and not isinstance(items, sympy.Basic):
        items = items.to_sympy()
    if isinstance(items, sympy.MatrixBase):
        items = list(items)  # row-major
    elif isinstance(items, sympy.Basic):
        return [exact_expr(items, argument)]
    if isinstance(items, (str, bytes, Mapping)) or not hasattr(items, "__iter__"):
        raise InvalidInput(argument, "a sequence or matrix of expressions", type(items).__name__)
    out = []
    for i, e in enumerate(items):
        out.append(exact_expr(e, f"{argument}[{i}]"))
    return out


def expr_matrix(obj: Any, argument: str) -> sympy.Matrix:
    """A sympy Matrix of checked exact expressions from a Matrix, LazyMatrix, nested lists or one expression
    (a 1 x 1 matrix)."""
    if hasattr(obj, "to_sympy") and not isinstance(obj, sympy.Basic):
        obj = obj.to_sympy()
    if not isinstance(obj, (list, tuple, sympy.MatrixBase, np.ndarray)):
        return sympy.Matrix([[exact_expr(obj, argument)]])
    if isinstance(obj, np.ndarray) and obj.ndim not in (1, 2):
        raise ShapeMismatch(argument, "a 1-D or 2-D array of expressions", f"an array of shape {obj.shape}")
    try:
        M = sympy.Matrix(obj)
    except (ValueError, TypeError, IndexError, NotImplementedError, sympy.SympifyError) as exc:
        raise ShapeMismatch(argument, "a rectangular matrix of expressions", str(exc)[:80]) from None
    if M.rows == 0 or M.cols == 0:
        raise ShapeMismatch(argument, "a non-empty matrix", f"shape {M.shape}")
    return M.applyfunc(lambda e: exact_expr(e, argument))


def to_symengine(expr: Any, argument: str) -> Any:
    """A symengine expression from a *checked* sympy expression (see :func:`exact_expr`).

    Symengine objects are passed through unchanged (they were built by
    symengine and cannot crash it); everything else is checked first.

    Examples
    --------
    >>> str(to_symengine(0.5 * sympy.Symbol("x"), "f"))
    '(1/2)*x'
    """
    import symengine as se

    if isinstance(expr, se.Basic):
        return expr
    return se.sympify(exact_expr(expr, argument))

