"""proofkit.convert: one exact conversion of numbers, matrices, points and expressions."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import flint
import numpy as np
import pytest
import sympy

from proofkit.convert import (
    approx_float,
    exact_constant,
    exact_expr,
    exact_point,
    exact_scalar,
    expr_matrix,
    matrix_input,
    numeric_rows,
    rational,
    to_symengine,
)
from proofkit.errors import InvalidInput, NonFiniteInput, ShapeMismatch

INT_DTYPES = [np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64]
x = sympy.Symbol("x")


@pytest.mark.parametrize("dtype", INT_DTYPES)
def test_integer_scalars_of_every_dtype_are_exact(dtype: type) -> None:
    top = int(np.iinfo(dtype).max)
    assert exact_scalar(dtype(top), "v") == top
    low = int(np.iinfo(dtype).min)
    assert exact_scalar(dtype(low), "v") == low


@pytest.mark.parametrize("dtype", INT_DTYPES)
def test_integer_arrays_of_every_dtype_are_exact(dtype: type) -> None:
    info = np.iinfo(dtype)
    A = np.array([[info.max, info.min], [info.max - 1, 1]], dtype=dtype)
    inp = matrix_input(A)
    expected = [[int(v) for v in row] for row in A.tolist()]
    if inp.kind == "float64":  # only when every entry is exactly a float64 (|v| <= 2^53)
        assert all(abs(v) <= 2**53 for row in expected for v in row)
        assert [[int(v) for v in row] for row in inp.floats.tolist()] == expected
    else:
        assert inp.kind == "exact"
        assert [[int(q.p) for q in row] for row in inp.exact] == expected


def test_big_int64_never_goes_through_float64() -> None:
    A = np.array([[2**53 + 1, 2**62 + 3], [-(2**63), 2**63 - 1]], dtype=np.int64)
    inp = matrix_input(A)
    assert inp.kind == "exact"
    assert inp.exact[0][0] == 2**53 + 1 and inp.exact[1][0] == -(2**63) and inp.exact[1][1] == 2**63 - 1
    U = np.array([[2**64 - 1]], dtype=np.uint64)
    assert matrix_input(U).exact[0][0] == 2**64 - 1
    assert numeric_rows(A, "A")[0][0] == 2**53 + 1


def test_bool_and_small_floats_are_exact() -> None:
    assert matrix_input(np.array([[True, False]])).floats.tolist() == [[1.0, 0.0]]
    h = np.array([[0.1]], dtype=np.float16)
    assert exact_scalar(matrix_input(h).floats[0, 0], "A") == flint.fmpq(*float(np.float16(0.1)).as_integer_ratio())
    assert exact_scalar(np.float32(0.1), "v") == flint.fmpq(*float(np.float32(0.1)).as_integer_ratio())


def test_floats_are_their_binary_values() -> None:
    assert exact_scalar(0.1, "v") == flint.fmpq(3602879701896397, 36028797018963968)
    assert exact_scalar(sympy.Float(0.1), "v") == exact_scalar(0.1, "v")
    assert rational(1.0000000000000002, "v") == sympy.Rational(4503599627370497, 4503599627370496)
    # decimal literals given as strings or Decimals are exact decimals
    assert exact_scalar("0.1", "v") == flint.fmpq(1, 10)
    assert exact_scalar(Decimal("0.1"), "v") == flint.fmpq(1, 10)
    assert exact_scalar(Fraction(10**400, 3), "v") == flint.fmpq(10**400, 3)


@pytest.mark.parametrize("bad", [np.longdouble(1), 1j, np.complex128(1), "x1", None, object(), sympy.Symbol("y"),
                                 sympy.sqrt(2)])
def test_bad_scalars_are_invalid_input(bad: object) -> None:
    with pytest.raises(InvalidInput, match="argument 'v'"):
        exact_scalar(bad, "v")


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), np.float32("nan"), Decimal("nan"), sympy.oo,
                                 sympy.Float("inf")])
def test_non_finite_scalars(bad: object) -> None:
    with pytest.raises(NonFiniteInput, match="argument 'v'"):
        exact_scalar(bad, "v")


def test_matrix_kinds_and_errors() -> None:
    assert matrix_input([[1, 2], [3, 4]]).kind == "exact"
    assert matrix_input(np.eye(2)).kind == "float64"
    assert matrix_input([[flint.arb(1), 0], [0, 1]]).kind == "balls"
    assert matrix_input([[sympy.exp(1), 0.5], [0, 1]]).symbolic[0, 1] == sympy.Rational(1, 2)
    with pytest.raises(InvalidInput, match="longdouble"):
        matrix_input(np.eye(2, dtype=np.longdouble))
    with pytest.raises(InvalidInput, match="complex"):
        matrix_input(np.eye(2, dtype=np.complex64))
    with pytest.raises(InvalidInput, match="argument 'B'"):
        matrix_input(np.array([[object(), 1]], dtype=object), "B")
    with pytest.raises(ShapeMismatch, match="ragged"):
        matrix_input([[1, 2], [3]])
    with pytest.raises(ShapeMismatch):
        matrix_input([[[1]]])
    with pytest.raises(InvalidInput, match="matrix_at"):
        matrix_input([[x]])
    with pytest.raises(InvalidInput, match="not both"):
        matrix_input([[flint.arb(1), sympy.pi]])


def test_points() -> None:
    assert exact_point(np.array([2**63 - 1, -1], dtype=np.int64), 2, "x0") == [2**63 - 1, -1]
    ball = flint.arb(1, 0.5)
    assert exact_point([ball, 1], 2, "x0", allow_balls=True)[0] is ball
    with pytest.raises(InvalidInput, match="argument 'x0'"):
        exact_point([ball, 1], 2, "x0")
    with pytest.raises(InvalidInput, match="2 coordinates"):
        exact_point([1], 2, "x0")


def test_approx_float_is_safe() -> None:
    assert approx_float(flint.fmpq(1, 3)) == 1 / 3
    assert approx_float(flint.fmpq(10**400)) == float("inf")
    assert approx_float(flint.fmpq(-(10**400), 7)) == float("-inf")


def test_expressions_exact_and_checked() -> None:
    e = exact_expr((10**16 + 1) * x, "f") - exact_expr(1e16 * x, "f")
    assert e == x  # the float 1e16 is exactly 10^16: the subtraction happens in exact rationals
    assert exact_expr(0.1 * x, "f") != x / 10
    assert str(to_symengine(x - 1.0000000000000002, "g")) == "-4503599627370497/4503599627370496 + x"
    f60 = sympy.Float("0.1", 60)
    c = exact_expr(f60 * x, "f").args[0]
    assert c == sympy.Rational(f60) and c != sympy.Rational(1, 10)  # the binary value at that precision
    assert exact_expr(sympy.sech(x) + sympy.cot(x), "f") == 1 / sympy.cosh(x) + sympy.cos(x) / sympy.sin(x)
    assert exact_expr(sympy.Heaviside(x), "f") == (1 + sympy.sign(x)) / 2
    with pytest.raises(InvalidInput, match="Derivative"):
        exact_expr(sympy.Derivative(sympy.re(x), x), "f")
    with pytest.raises(InvalidInput, match="Heaviside"):
        exact_expr(sympy.Heaviside(x, 0), "f")
    with pytest.raises(NonFiniteInput):
        exact_expr(x + sympy.zoo, "f")
    # non-strict: any node, floats still exact
    assert exact_expr(sympy.Function("f")(x) * 0.5, "f", strict=False) == sympy.Function("f")(x) / 2
    assert expr_matrix([[0.5 * x]], "M")[0, 0] == x / 2
    assert exact_constant("1/100", "slope") == sympy.Rational(1, 100)
    with pytest.raises(InvalidInput, match="ImaginaryUnit"):
        exact_constant(sympy.I, "slope")
    with pytest.raises(InvalidInput, match="a constant"):
        exact_constant(x + 1, "slope")


def test_non_commutative_symbols_are_rejected():
    A, B = sympy.symbols("A B", commutative=False)
    with pytest.raises(InvalidInput, match="non-commutative"):
        exact_expr(A * B - B * A, "lhs")
    from proofkit import check_identity

    with pytest.raises(InvalidInput, match="argument 'lhs'"):
        check_identity(A * B, B * A)


def test_exact_exprs_of_matrices_and_sequences():
    from proofkit.convert import exact_exprs

    y = sympy.Symbol("y")
    M = sympy.Matrix([[x * 0.5], [y]])
    assert exact_exprs(M, "grad") == [x / 2, y]
    assert exact_exprs(sympy.ImmutableMatrix(M), "grad") == [x / 2, y]
    assert exact_exprs((x, 0.25), "grad") == [x, sympy.Rational(1, 4)]
    assert exact_exprs(x, "grad") == [x]
    with pytest.raises(InvalidInput, match="argument 'grad'"):
        exact_exprs({"a": x}, "grad")
