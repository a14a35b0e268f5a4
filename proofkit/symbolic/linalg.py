"""Exact linear algebra on exact matrices (python-flint ``fmpq_mat``).

Rank over Q, determinants and kernel vectors of rational matrices are
computed exactly: never by ``sympy.Matrix.rank`` (over a minute at 20 x 20
rationals) and never by a floating-point rank. Matrices with symbolic or
transcendental entries get a symbolic determinant (Berkowitz) but no rank
over Q.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import flint
import numpy as np
import sympy

from proofkit.convert import exact_expr, exact_scalar, matrix_input
from proofkit.errors import InvalidInput, NotExact, ShapeMismatch

__all__ = [
    "to_fmpq_mat",
    "rank_over_q",
    "exact_det",
    "exact_kernel",
    "symbolic_det",
    "is_nondegenerate_on",
]


def to_fmpq_mat(A: Any, argument: str = "A") -> flint.fmpq_mat:
    """An exact ``fmpq_mat`` from rationals, integers (any numpy dtype), floats (their exact binary value)
    or sympy Rationals (normalised by :func:`proofkit.convert.matrix_input`).

    Raises
    ------
    NotExact
        An entry is symbolic or irrational (e.g. ``sqrt(2)``, ``exp(1)``) or an enclosure.

    Examples
    --------
    >>> to_fmpq_mat([[1, 0.5], [2, 3]]).det()
    2
    """
    if isinstance(A, flint.fmpq_mat):
        return A
    inp = matrix_input(A, argument)
    if inp.kind == "float64":
        return flint.fmpq_mat([[exact_scalar(v, argument) for v in row] for row in inp.floats.tolist()])
    if inp.kind == "exact":
        return flint.fmpq_mat(inp.exact)
    if inp.kind == "balls":
        raise NotExact(argument, "a matrix of exactly representable numbers", "enclosures (arb balls)")
    S = inp.symbolic
    i, j = next((i, j) for i in range(S.rows) for j in range(S.cols) if not S[i, j].is_Rational)
    raise NotExact(argument, "a matrix of exactly representable numbers", f"entry ({i}, {j}) = {S[i, j]}")


def rank_over_q(A: Any) -> int:
    """The rank over Q of an exactly representable matrix.

    Examples
    --------
    >>> rank_over_q([[1, 2], [2, 4]])
    1
    """
    return to_fmpq_mat(A).rank()


def exact_det(A: Any) -> sympy.Rational:
    """The exact determinant of a square exactly representable matrix.

    Examples
    --------
    >>> exact_det([[1, 2], [3, 4]])
    -2
    """
    M = to_fmpq_mat(A)
    if M.nrows() != M.ncols():
        raise ShapeMismatch("A", "a square matrix", f"shape {M.nrows()}x{M.ncols()}")
    d = M.det()
    return sympy.Rational(int(d.p), int(d.q))


def exact_kernel(A: Any) -> list[sympy.Matrix]:
    """A basis of the right kernel {v : A v = 0} over Q, as sympy column vectors.

    Examples
    --------
    >>> exact_kernel([[1, 2], [2, 4]])
    [Matrix([
    [-2],
    [ 1]])]
    """
    M = to_fmpq_mat(A)
    R, rank = M.rref()
    n = M.ncols()
    pivots = []
    r = 0
    for c in range(n):
        if r < rank and R[r, c] != 0:
            pivots.append(c)
            r += 1
    free = [c for c in range(n) if c not in pivots]
    basis = []
    for f in free:
        v = [flint.fmpq(0)] * n
        v[f] = flint.fmpq(1)
        for row, pc in enumerate(pivots):
            v[pc] = -R[row, f]
        basis.append(sympy.Matrix([sympy.Rational(int(x.p), int(x.q)) for x in v]))
    return basis


def symbolic_det(A: Any) -> sympy.Expr:
    """The determinant of a square matrix with symbolic entries (Berkowitz, division-free).

    Floats in the entries are replaced by their exact values first.
    """
    if hasattr(A, "to_sympy") and not isinstance(A, sympy.Basic):
        A = A.to_sympy()
    try:
        M = sympy.Matrix(A)
    except (ValueError, TypeError, sympy.SympifyError) as exc:
        raise ShapeMismatch("A", "a rectangular matrix", str(exc)[:80]) from None
    M = M.applyfunc(lambda e: exact_expr(e, "A", strict=False))
    if M.rows != M.cols:
        raise ShapeMismatch("A", "a square matrix", f"shape {M.rows}x{M.cols}")
    return M.det(method="berkowitz")


def is_nondegenerate_on(H: Any, indices: Sequence[int]) -> bool:
    """Whether the block ``H[S, S]`` of an exact matrix is non-singular (Definition 3.7).

    Examples
    --------
    >>> Hx = [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]]
    >>> is_nondegenerate_on(Hx, [0, 1]), is_nondegenerate_on(Hx, [0, 1, 2, 3])
    (True, False)
    """
    M = to_fmpq_mat(H, "H")
    n = M.nrows()
    if n != M.ncols():
        raise ShapeMismatch("H", "a square matrix", f"shape {n}x{M.ncols()}")
    if isinstance(indices, (str, bytes)) or not hasattr(indices, "__iter__"):
        raise InvalidInput("indices", "a sequence of row/column indices", type(indices).__name__)
    indices = list(indices)
    for i in indices:
        if not isinstance(i, (int, np.integer)) or isinstance(i, bool) or not 0 <= i < n:
            raise InvalidInput("indices", f"indices in 0..{n - 1}", repr(i))
    if not indices or len(set(int(i) for i in indices)) != len(indices):
        raise InvalidInput("indices", "a non-empty set of distinct indices", repr(indices)[:60])
    block = flint.fmpq_mat([[M[int(i), int(j)] for j in indices] for i in indices])
    return block.det() != 0
