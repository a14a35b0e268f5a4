"""Index notation written out for concrete sizes (proofkit.symbolic.concrete)."""

from __future__ import annotations

import pytest
import sympy

from proofkit.errors import InvalidInput
from proofkit.symbolic.concrete import MAX_TERMS, element_symbol, write_out

i, j = sympy.symbols("i j", integer=True)
x = sympy.IndexedBase("x")
W = sympy.MatrixSymbol("W", 2, 3)


def test_sums_products_and_entries_are_written_out():
    notes: list[str] = []
    assert write_out(sympy.Sum(x[i] ** 2, (i, 1, 3)), "lhs", notes) == sum(element_symbol(x[k]) ** 2 for k in (1, 2, 3))
    assert notes == ["Sum over i written out (3 terms)"]
    # the last limit is the outermost: the inner bound may use its index (a triangle of 6 terms)
    tri = write_out(sympy.Sum(x[i, j], (j, 0, i), (i, 0, 2)), "lhs")
    assert len(tri.args) == 6 and element_symbol(x[2, 1]) in tri.args
    assert write_out(sympy.Product(x[i], (i, 1, 0)), "lhs") == 1  # empty product
    assert write_out(sympy.Product(1 + x[i], (i, 1, 2)), "lhs") == \
        (1 + element_symbol(x[1])) * (1 + element_symbol(x[2]))


def test_matrix_expressions_become_explicit_matrices():
    M = write_out(W.T * W, "lhs")
    assert isinstance(M, sympy.MatrixBase) and M.shape == (3, 3)
    w = [[element_symbol(W[a, b]) for b in range(3)] for a in range(2)]
    assert sympy.expand(M[0, 2] - (w[0][0] * w[0][2] + w[1][0] * w[1][2])) == 0
    # an entry of a product inside a scalar expression, a trace and a determinant
    e = write_out((W * W.T)[0, 1] + sympy.Trace(W * W.T), "lhs")
    assert sympy.expand(e - sum(w[0][k] * w[1][k] + w[0][k] ** 2 + w[1][k] ** 2 for k in range(3))) == 0
    A = sympy.MatrixSymbol("A", 2, 2)
    a = [[element_symbol(A[r, c]) for c in range(2)] for r in range(2)]
    assert write_out(sympy.Determinant(A), "lhs") == a[0][0] * a[1][1] - a[0][1] * a[1][0]


def test_entries_keep_the_assumptions_of_their_base():
    y = sympy.IndexedBase("y", positive=True)
    s = element_symbol(y[2])
    assert s.name == "y[2]" and s.is_positive
    assert element_symbol(W[1, 2]).name == "W[1, 2]"


def test_symbolic_sizes_are_refused_by_name():
    n = sympy.Symbol("n", integer=True)
    for bad, match in [(sympy.Sum(x[i], (i, 1, n)), "integer bounds"), (x[i] + 1, "integer indices"),
                       (sympy.MatrixSymbol("V", n, 2) * W, "concrete shape"),
                       (sympy.Sum(x[i], (i, 1, MAX_TERMS + 1)), "at most")]:
        with pytest.raises(InvalidInput, match=f"argument 'lhs'.*{match}"):
            write_out(bad, "lhs")
