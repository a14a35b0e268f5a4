"""Exact, ball and float64 linear algebra the kernel's primitives rest on (nothing here searches).

Exact linear algebra runs in FLINT (``fmpq_mat``/``fmpz_mat``/``nmod_mat``: rank, determinant, fraction-free
LU); ball linear algebra in Arb (``arb_mat``); the float64 test with proven error bounds in numpy. Every
function charges its estimated cost to the kernel's budget before the work (:mod:`proofkit.kernel.cost`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import flint

from proofkit.kernel.cost import arb_cubic, charge

__all__ = ["PRIMES", "PRIMES31", "integer_rows", "float_rows_mod_p", "det_mod_p", "exact_rank", "exact_det", "arb_nonsingular",
           "exact_definite", "exact_ldl_pivots", "ball_matrix_pd", "member_pd", "exact_form", "ball_form",
           "krawczyk_image", "float_environment_ok", "gamma_up", "float_ball_nonsingular", "bits", "integer_matrix",
           "lowest_preactivation"]

#: The primes the kernel tries for modular determinants (each below 2^62; below 2^31 for float64 rows).
PRIMES = (4611686018427387847, 4611686018427387817, 4611686018427387787)
PRIMES31 = (2147483647, 2147483629, 2147483587)


def integer_matrix(Q: flint.fmpq_mat) -> flint.fmpz_mat | None:
    """``Q`` as FLINT's integer matrix when every entry is an integer, else None.

    The entries are tested one by one (stopping at the first fraction) before FLINT's ``numer_denom``: its common
    denominator of many different denominators is huge (distinct 30-bit primes in a 200 x 200 matrix: 1.2 million
    bits, times each of the 40,000 entries), so it is only ever asked for a matrix of integers.

    >>> integer_matrix(flint.fmpq_mat([[1, -2]])), integer_matrix(flint.fmpq_mat([[1, flint.fmpq(1, 2)]]))
    ([1, -2], None)
    """
    m, n = Q.nrows(), Q.ncols()
    return Q.numer_denom()[0] if all(Q[i, j].q == 1 for i in range(m) for j in range(n)) else None


_ASK: Any = object()  # (an argument not given: integer_matrix is asked; None means "not an integer matrix")


def _integer_bits(Z: flint.fmpz_mat) -> int:
    e = Z.entries()
    return max(1, max(max(e, default=0), -min(e, default=0)).bit_length())


def bits(Q: flint.fmpq_mat, Z: Any = _ASK) -> int:
    """The largest bit size of a numerator or denominator of ``Q`` (``Z``: :func:`integer_matrix` of it, if known)."""
    Z = integer_matrix(Q) if Z is _ASK else Z
    if Z is not None:  # (its entries as FLINT integers, without a rational per entry)
        return _integer_bits(Z)
    return max((max(q.p.bit_length(), q.q.bit_length()) for q in Q.entries()), default=1)


def _exact_cost(Q: flint.fmpq_mat, Z: Any = _ASK) -> float:
    """Seconds for a multimodular rank or determinant of ``Q``: about ``n^3`` word operations per prime and
    ``n (b + log2 n) / 60`` primes for the ``n^4 (b + 8)`` term (measured with FLINT: an integer determinant of
    size 200 with 4-bit entries in 0.11 s, of size 100 with 700-bit rows in 2.7 s at a load of 7-15; charged at
    ``6e-11 n^4 (b + 8)``), ``b`` the bits of the row-scaled integer matrix: the largest numerator's plus the
    bits of a row's denominators (``q = 1`` adds none). Long entries cost more than that (reduced modulo each
    prime, products of long integers): ``5e-14 n^4 b^2`` more (a determinant or a deficient rank of size 30 with
    20,000-bit entries took 10-12 s, of size 50 with 10,000 bits 12-15 s, at a load of 2; 1 s charged before)."""
    n, m = Q.nrows(), Q.ncols()
    Z = integer_matrix(Q) if Z is _ASK else Z
    if Z is not None:  # (no row factors)
        b = _integer_bits(Z)
    else:
        e = Q.entries()
        b = max((sum(q.q.bit_length() for q in e[i * m:(i + 1) * m] if q.q != 1) for i in range(n)), default=0) + \
            bits(Q, None)
    return 1e-3 + 1e-6 * n * m + n * m * min(n, m) ** 2 * (6e-11 * (b + 8) + 5e-14 * b * b)


def lowest_preactivation(X: Sequence[Sequence[flint.fmpq]], c: Sequence[flint.fmpq], r: Sequence[flint.fmpq],
                         w: int) -> flint.fmpq:
    """The exact minimum over the box of every pre-activation ``<x, W[:, j]> + b_j`` (``W`` = ``c[:d w] +- r[:d w]``
    row-major d x w, ``b`` = ``c[d w:] +- r[d w:]``) over the samples x (rows of X) and the units j: the least
    ``<x, Wc_j> - <|x|, Wr_j> + bc_j - br_j``. Its N w (d + 1) terms are charged before the work (each a few exact
    products, slower for long numerals).

    >>> q = flint.fmpq
    >>> lowest_preactivation([[q(1)], [q(-2)]], [q(1), q(3)], [q(1, 2), q(1, 2)], 1)  # (-2 - 1 + 3 - 1/2)
    -1/2
    """
    dim = len(X[0])
    b = max(max((max(v.p.bit_length(), v.q.bit_length()) for x in X for v in x), default=1),
            max((max(v.p.bit_length(), v.q.bit_length()) for v in (*c, *r)), default=1))
    charge(1.5e-6 * len(X) * w * (dim + 1) * (1 + (b / 1000) ** 1.6), "the pre-activation bounds")
    return min(sum((x[a] * c[a * w + j] - abs(x[a]) * r[a * w + j] for a in range(dim)), c[dim * w + j] - r[dim * w + j])
               for x in X for j in range(w))


def integer_rows(M: flint.fmpq_mat) -> flint.fmpz_mat:
    """Scale each row by the lcm of its denominators (non-singularity, rank and the signs of leading minors are
    unchanged: positive row factors)."""
    return _row_scaled(M)[0]


def _row_scaled(M: flint.fmpq_mat, Z: Any = _ASK) -> tuple[flint.fmpz_mat, flint.fmpz]:
    """:func:`integer_rows` and the product of its row factors (``Z``: :func:`integer_matrix` of ``M``, if known)."""
    Z = integer_matrix(M) if Z is _ASK else Z
    charge(1e-6 * M.nrows() * M.ncols() * (1 + (bits(M, None) if Z is None else _integer_bits(Z)) / 64),
           "clearing denominators")
    if Z is not None:  # every row factor is 1
        return Z, flint.fmpz(1)
    rows, factors = [], flint.fmpz(1)
    for i in range(M.nrows()):
        row = [M[i, j] for j in range(M.ncols())]
        den = flint.fmpz(1)
        for q in row:
            den = den * q.q // den.gcd(q.q)
        rows.append([q.p * (den // q.q) for q in row])
        factors *= den
    return flint.fmpz_mat(rows), factors


def float_rows_mod_p(arr: Any, p: int) -> list[list[int]]:
    """The float64 matrix with row i scaled by ``2^(-min e)`` (entries ``m 2^e``, ``|m| < 2^53``), modulo p < 2^31.

    The scaling makes every row integral and does not change (non-)singularity.
    """
    import numpy as np

    f, E = np.frexp(arr)
    m = (f * 2.0**53).astype(np.int64)
    e = E.astype(np.int64) - 53
    e = np.where(m == 0, np.iinfo(np.int64).max, e)
    emin = e.min(axis=1, keepdims=True)
    shift = np.where(m == 0, 0, e - np.where(emin == np.iinfo(np.int64).max, 0, emin))
    table = {int(k): pow(2, int(k), p) for k in np.unique(shift)}
    pw = np.vectorize(table.__getitem__, otypes=[np.int64])(shift)
    return ((m % p) * pw % p).tolist()


def det_mod_p(Q: flint.fmpq_mat, p: int, scaling: str, floats: Any = None) -> int:
    """``det(Z) mod p`` for the row-scaled integer matrix Z (``lcm`` of denominators, or ``pow2`` for float64)."""
    n = Q.nrows()
    charge(1e-6 * n * n + 2e-9 * n**3, "a determinant modulo p")  # (besides clearing the denominators)
    if scaling == "pow2":
        return int(flint.nmod_mat(float_rows_mod_p(floats, p), p).det())
    return int(flint.nmod_mat(integer_rows(Q), p).det())


def exact_rank(Q: flint.fmpq_mat) -> int:
    """The rank over Q (FLINT), as the rank of the row-scaled integer matrix (positive row factors keep the rank;
    FLINT's integer rank is much faster than its rational one)."""
    Z = integer_matrix(Q)  # (asked once: each entry is tested)
    charge(_exact_cost(Q, Z), "an exact rank")
    return _row_scaled(Q, Z)[0].rank()


def exact_det(Q: flint.fmpq_mat) -> flint.fmpq:
    """The determinant over Q: FLINT's integer determinant of the row-scaled matrix over the product of the row
    factors (the cost model's; FLINT's rational determinant clears one common denominator of the whole matrix,
    2.4 times slower for a 100 x 100 matrix of distinct 30-bit denominators)."""
    Z = integer_matrix(Q)  # (asked once: each entry is tested)
    charge(_exact_cost(Q, Z), "an exact determinant")
    R, factors = _row_scaled(Q, Z)
    return flint.fmpq(R.det(), factors)


def arb_nonsingular(B: flint.arb_mat, prec: int) -> bool:
    """True only if every matrix in the ball matrix is invertible (Arb's verified solve)."""
    n = B.nrows()
    charge(arb_cubic(n, prec), "an Arb solve")
    with flint.ctx.workprec(prec):
        try:
            sol = B.solve(flint.arb_mat(n, 1, [1] * n))
        except ZeroDivisionError:
            return False
        return all(sol[i, 0].is_finite() for i in range(n))


def exact_ldl_pivots(Q: flint.fmpq_mat) -> list[flint.fmpq]:
    """Pivots of symmetric elimination without pivoting, exactly; stops after the first pivot <= 0 (a slow path:
    Python loops; the kernel uses :func:`exact_definite`)."""
    n = Q.nrows()
    charge(3e-7 * n**3 * max(1, bits(Q) / 64) ** 2, "an exact LDL^T")
    a = [[Q[i, j] for j in range(n)] for i in range(n)]
    pivots = []
    for k in range(n):
        p = a[k][k]
        pivots.append(p)
        if p <= 0:
            break
        for i in range(k + 1, n):
            f = a[i][k] / p
            if f != 0:
                row_i, row_k = a[i], a[k]
                for j in range(k + 1, n):
                    row_i[j] -= f * row_k[j]
    return pivots


def exact_definite(Q: flint.fmpq_mat) -> bool:
    """Whether the symmetric rational matrix ``Q`` is positive definite (Sylvester: every leading principal minor
    is positive), exactly.

    FLINT's fraction-free LU of the row-scaled integer matrix gives the leading minors (times positive row
    factors) on the diagonal of U when no row was exchanged; otherwise exact LDL^T decides.
    """
    n = Q.nrows()
    Z = integer_rows(Q)
    zb = max((abs(x).bit_length() for x in Z.entries()), default=1)
    charge(1e-3 + 5e-9 * n**3 * (1 + (n * zb / 64) ** 1.6), "an exact fraction-free LU")
    P, _, _, U = Z.fflu()
    if P.is_one():
        return all(U[k, k] > 0 for k in range(n))
    piv = exact_ldl_pivots(Q)
    return len(piv) == n and all(p > 0 for p in piv)


def ball_matrix_pd(B: flint.arb_mat, prec: int) -> bool:
    """True only if every symmetric matrix inside the ball matrix is positive definite.

    The entries are symmetrised by union (``B[i, j] ∪ B[j, i]``: every symmetric member lies in it).
    Recursive Schur complements: a symmetric ``M = [[A, X], [X^T, D]]`` is positive definite iff ``A``
    is and so is ``S = D - X^T A^{-1} X``. ``arb_mat.solve`` encloses ``A^{-1} X`` for every member, so the
    computed ``S`` encloses every member's Schur complement; blocks of at most 8 x 8 are eliminated
    symmetrically with every pivot ball positive. All products and solves run in C (``arb_mat``).
    """
    n = B.nrows()
    charge(3e-6 * n * n + arb_cubic(n, prec), "a ball LDL^T")
    with flint.ctx.workprec(prec):
        e = B.entries()
        if not all(x.is_finite() for x in e):
            return False
        return _pd_rows(_mirror(e, n))


def _mirror(e: list[flint.arb], n: int) -> list[list[flint.arb]]:
    rows: list[list[Any]] = [[None] * n for _ in range(n)]
    for i in range(n):
        rows[i][i] = e[i * n + i]
        for j in range(i + 1, n):
            rows[i][j] = rows[j][i] = e[i * n + j].union(e[j * n + i])
    return rows


def _pd_rows(rows: list[list[flint.arb]]) -> bool:
    n = len(rows)
    if n <= 8:
        a = [list(r) for r in rows]
        for k in range(n):
            p = a[k][k]
            if not p > 0:
                return False
            for i in range(k + 1, n):
                f = a[i][k] / p
                for j in range(k + 1, n):
                    a[i][j] = a[i][j] - f * a[k][j]
        return True
    k = n // 2
    if not _pd_rows([r[:k] for r in rows[:k]]):
        return False
    A = flint.arb_mat([r[:k] for r in rows[:k]])
    X = flint.arb_mat([r[k:] for r in rows[:k]])
    S = flint.arb_mat([r[k:] for r in rows[k:]]) - X.transpose() * A.solve(X, nonstop=True)
    e = S.entries()
    return all(x.is_finite() for x in e) and _pd_rows(_mirror(e, n - k))


def member_pd(B: flint.arb_mat, prec: int) -> bool:
    """True only if one symmetric point member of ``B`` (entrywise midpoints, checked to lie in ``B[i, j]`` and
    ``B[j, i]``) is positive definite. Given that every member of ``B`` is nonsingular (the premise, which the
    caller must hold: a Krawczyk fact on this very matrix), the segment from it to any symmetric member stays
    nonsingular, so no eigenvalue crosses zero: every symmetric member is positive definite.

    >>> B = flint.arb_mat([[flint.arb(2, 0.5)]])
    >>> member_pd(B, 64), member_pd(-B, 64)
    (True, False)
    """
    n = B.nrows()
    if n == 0 or B.ncols() != n:
        return False
    with flint.ctx.workprec(prec):
        rows: list[list[Any]] = [[None] * n for _ in range(n)]
        for i in range(n):
            for j in range(i, n):
                a, b = B[i, j], B[j, i]
                if not (a.is_finite() and b.is_finite()):
                    return False
                m = flint.arb(a.mid())
                if i != j and not b.contains(m):
                    m = flint.arb(b.mid())
                    if not a.contains(m):
                        return False
                rows[i][j] = rows[j][i] = m
        charge(3e-6 * n * n + arb_cubic(n, prec, 2), "an LDL^T of one member")
        return _pd_rows(rows)


def exact_form(Q: flint.fmpq_mat, v: Sequence[flint.fmpq]) -> flint.fmpq:
    """``v^T Q v`` exactly (FLINT products)."""
    n = len(v)
    charge(1e-6 * n * n * max(1, bits(Q) / 64), "an exact quadratic form")
    x = flint.fmpq_mat(n, 1, list(v))
    return (x.transpose() * Q * x)[0, 0]


def ball_form(B: flint.arb_mat, v: Sequence[flint.fmpq], prec: int) -> flint.arb:
    """An enclosure of ``v^T A v`` for every A in the ball matrix."""
    n = len(v)
    charge(2e-6 * n + arb_cubic(n, prec) / max(n, 1), "a ball quadratic form")
    with flint.ctx.workprec(prec):
        x = flint.arb_mat([[flint.arb(q)] for q in v])
        return (x.transpose() * B * x)[0, 0]


def krawczyk_image(gy: Sequence[flint.arb], J: flint.arb_mat, C: flint.fmpq_mat, centers: Sequence[flint.fmpq],
                   radii: Sequence[flint.fmpq], prec: int) -> tuple[bool, list[flint.arb]]:
    """Krawczyk's operator ``K = y - C g(y) + (I - C J(X)) (X - y)`` and whether it lies strictly inside X = y ± r.

    ``gy`` encloses g at the exact centre y, ``J`` the Jacobian of g over the whole box, ``C`` is any exact
    matrix. If K lies in the interior of X, g has exactly one zero in X (Krawczyk 1969; Moore 1977; Rump
    1983), and C and every member of ``J`` are nonsingular (Rump 1983: an affine map ``x -> z + (I - C A) x``
    sending X into its interior has a fixed point; if C A were singular, it would fix a whole line through it,
    which leaves X).
    """
    n = len(centers)
    charge(4e-6 * n * n + arb_cubic(n, prec, 2), "Krawczyk's operator")
    with flint.ctx.workprec(prec):
        Cm = flint.arb_mat(C)
        eye = flint.arb_mat(n, n, [1 if i == j else 0 for i in range(n) for j in range(n)])
        d = flint.arb_mat([[flint.arb(0, flint.arb(r))] for r in radii])
        y = flint.arb_mat([[flint.arb(c)] for c in centers])
        K = y - Cm * flint.arb_mat([[v] for v in gy]) + (eye - Cm * J) * d
        Ks = [K[i, 0] for i in range(n)]
        inside = all(k.is_finite() and k > flint.arb(c - r) and k < flint.arb(c + r)
                     for k, c, r in zip(Ks, centers, radii))
    return inside, Ks


# -- float64 with proven bounds (Rump 2010, Acta Numerica 19, Sections 2-3; Higham 2002, Section 3.5) ----------
U, ETA = 2.0**-53, 2.0**-1074  # unit roundoff, smallest positive subnormal


def float_environment_ok() -> bool:
    """True when float64 rounds to nearest and subnormals survive elementwise and BLAS arithmetic (no flush to
    zero, which another library can switch on: numpy issue #20895)."""
    import numpy as np

    tiny = np.array([2.0**-1022, 2.0**-1030]) * np.array([0.5, 0.5])
    near = np.array([1.0, 1.0]) + np.array([U, 1.5 * U])  # ties to even: 1 + u -> 1, 1 + 1.5u -> 1 + 2u
    prod = np.array([[2.0**-1022]]) @ np.array([[0.25]])
    return bool(np.all(tiny > 0) and prod[0, 0] > 0 and near[0] == 1.0 and near[1] == 1.0 + 2 * U)


def gamma_up(n: int) -> float:
    """An upper bound of ``gamma_n = n u / (1 - n u)`` (inf when ``n u >= 1/2``)."""
    nu = n * U
    return float("inf") if nu >= 0.5 else nu / (1 - nu) * (1 + 4 * U)


def float_ball_nonsingular(M: Any, Rad: Any) -> tuple[bool, float]:
    """``(proved, bound)``: ``bound >= ||I - R E||_inf`` for every ``E`` with ``|E - M| <= Rad`` (entrywise), where
    ``R`` is numpy's approximate inverse of ``M``; ``proved`` means ``bound < 1``, so every such ``E`` is invertible.

    With ``C = fl(R M)`` and ``G = fl(I - C)``: ``|I - R E| <= |I - C| + |C - R M| + |R| Rad`` and, for any
    summation order, ``|fl(A B) - A B| <= gamma_n |A||B| + n eta`` (so ``A B <= (fl(A B) + n eta) / (1 - gamma_n)``
    for non-negative A, B) and ``|I - C| <= |G| / (1 - u)``. Hence every row sum of ``|I - R E|`` is at most
    ``(rowsum(Y) (1 + 2 gamma_n) + n eta) (1 + 2 gamma_n)^2 (1 + 8 u) + 3 n^2 eta`` with
    ``Y = |G| + g |R||M| + |R| Rad`` computed in floats (``g >= gamma_n``; three roundings of non-negative
    terms, the row sum with error at most ``gamma_n``). Every quantity is checked finite; the environment
    (round to nearest, gradual underflow) is checked first. Assumes BLAS forms each entry of a product as a sum
    of n products in some order (no Strassen-like scheme).
    """
    import numpy as np

    n = M.shape[0]
    bad = (False, float("inf"))
    charge(1e-6 * n * n + 2e-10 * n**3, "a float64 inverse with proven bounds")
    if M.shape != (n, n) or Rad.shape != (n, n) or not float_environment_ok():
        return bad
    if not (np.isfinite(M).all() and np.isfinite(Rad).all() and (Rad >= 0).all()):
        return bad
    g = gamma_up(n)
    if not g < 0.01:
        return bad
    with np.errstate(all="ignore"):
        try:
            R = np.linalg.inv(M)
        except np.linalg.LinAlgError:
            return bad
        if not np.isfinite(R).all():
            return bad
        absR = np.abs(R)
        G = np.eye(n) - R @ M
        Y = np.abs(G) + g * (absR @ np.abs(M)) + absR @ Rad
        rows = Y.sum(axis=1)
        if not np.isfinite(rows).all():
            return bad
    top = float(rows.max())
    f = (1 + 2 * g) * (1 + 2 * g) * (1 + 2 * g) * (1 + 16 * U)  # (1+2g)^3 covers the row sum and both products
    bound = ((top * f + 4 * n * ETA) * (1 + 8 * U) + 3 * n * n * ETA) * (1 + 8 * U)
    return (bound < 1.0, bound) if np.isfinite(bound) else bad
