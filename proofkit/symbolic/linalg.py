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
import sympy

from proofkit.errors import InvalidInput, NotExact, ShapeMismatch
from proofkit.symbolic.data import exact_number

__all__ = [
    "to_fmpq_mat",
    "rank_over_q",
    "exact_det",
    "exact_kernel",
    "symbolic_det",
    "is_nondegenerate_on",
]


def _rows(A: Any, argument: str) -> list[list[Any]]:
    if isinstance(A, flint.fmpq_mat) or isinstance(A, flint.fmpz_mat):
        return [[A[i, j] for j in range(A.ncols())] for i in range(A.nrows())]
    rows = A.tolist() if hasattr(A, "tolist") else [list(r) for r in A]
    if not rows or not isinstance(rows[0], (list, tuple)):
        raise ShapeMismatch(argument, "a non-empty 2-D matrix", repr(A)[:60])
    width = len(rows[0])
    if any(len(r) != width for r in rows):
        raise ShapeMismatch(argument, "rows of equal length", "ragged rows")
    return rows


def to_fmpq_mat(A: Any, argument: str = "A") -> flint.fmpq_mat:
    """An exact ``fmpq_mat`` from rationals, integers, floats (their exact binary value) or sympy Rationals.

    Raises
    ------
    NotExact
        An entry is symbolic or irrational (e.g. ``sqrt(2)``, ``exp(1)``).

    Examples
    --------
    >>> to_fmpq_mat([[1, 0.5], [2, 3]]).det()
    2
    """
    if isinstance(A, flint.fmpq_mat):
        return A
    rows = _rows(A, argument)
    out = []
    for i, r in enumerate(rows):
        row = []
        for j, v in enumerate(r):
            if isinstance(v, (flint.fmpq, flint.fmpz)):
                row.append(flint.fmpq(v))
                continue
            try:
                q = exact_number(v, f"{argument}[{i}][{j}]")
            except InvalidInput as exc:
                raise NotExact(argument, "a matrix of exactly representable numbers",
                               f"entry ({i}, {j}) = {v}") from exc
            row.append(flint.fmpq(int(q.p), int(q.q)))
        out.append(row)
    return flint.fmpq_mat(out)


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
    """The determinant of a square matrix with symbolic entries (Berkowitz, division-free)."""
    M = sympy.Matrix(A)
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
    rows = _rows(H, "H")
    n = len(rows)
    for i in indices:
        if not isinstance(i, int) or not 0 <= i < n:
            raise InvalidInput("indices", f"indices in 0..{n - 1}", repr(i))
    block = [[rows[i][j] for j in indices] for i in indices]
    return exact_det(block) != 0
