"""Exact and ball linear algebra the kernel's rules rest on (nothing here searches)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import flint

__all__ = [
    "PRIMES",
    "integer_rows",
    "float_rows_mod_p",
    "det_mod_p",
    "arb_nonsingular",
    "exact_ldl_pivots",
    "exact_pivots_positive",
    "ball_matrix_pd",
    "nonsingular_box_pd",
    "exact_form",
    "ball_form",
    "krawczyk",
    "float_environment_ok",
    "gamma_up",
    "float_ball_nonsingular",
]

#: The primes the kernel tries for modular determinants (each below 2^62).
PRIMES = (4611686018427387847, 4611686018427387817, 4611686018427387787)


def integer_rows(M: flint.fmpq_mat) -> flint.fmpz_mat:
    """Scale each row by the lcm of its denominators (non-singularity and rank are unchanged)."""
    rows = []
    for i in range(M.nrows()):
        row = [M[i, j] for j in range(M.ncols())]
        den = flint.fmpz(1)
        for q in row:
            den = den * q.q // den.gcd(q.q)
        rows.append([q.p * (den // q.q) for q in row])
    return flint.fmpz_mat(rows)


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
    if scaling == "pow2":
        return int(flint.nmod_mat(float_rows_mod_p(floats, p), p).det())
    return int(flint.nmod_mat(integer_rows(Q).tolist(), p).det())


def arb_nonsingular(B: flint.arb_mat, prec: int) -> bool:
    """True only if every matrix in the ball matrix is invertible (Arb's verified solve)."""
    with flint.ctx.workprec(prec):
        try:
            sol = B.solve(flint.arb_mat(B.nrows(), 1, [1] * B.nrows()))
        except ZeroDivisionError:
            return False
        return all(sol[i, 0].is_finite() for i in range(B.nrows()))


def exact_ldl_pivots(Q: flint.fmpq_mat) -> list[flint.fmpq]:
    """Pivots of symmetric elimination without pivoting, exactly; stops after the first pivot <= 0.

    A symmetric matrix is positive definite iff all n pivots are positive.
    """
    n = Q.nrows()
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


def exact_pivots_positive(Q: flint.fmpq_mat) -> bool:
    """True iff every pivot of symmetric elimination is positive (Q symmetric: positive definite)."""
    piv = exact_ldl_pivots(Q)
    return len(piv) == Q.nrows() and all(p > 0 for p in piv)


def ball_matrix_pd(B: flint.arb_mat, prec: int) -> bool:
    """True only if every symmetric matrix inside the ball matrix is positive definite.

    The entries are symmetrised by union (``B[i, j] ∪ B[j, i]``: every symmetric member lies in it).
    Recursive Schur complements: a symmetric ``M = [[A, X], [X^T, D]]`` is positive definite iff ``A``
    is and so is ``S = D - X^T A^{-1} X``. ``arb_mat.solve`` encloses ``A^{-1} X`` for every member, so the
    computed ``S`` encloses every member's Schur complement; blocks of at most 8 x 8 are eliminated
    symmetrically with every pivot ball positive. All products and solves run in C (``arb_mat``).
    """
    n = B.nrows()
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


def nonsingular_box_pd(B: flint.arb_mat, prec: int) -> bool:
    """True only if every symmetric member of ``B`` is positive definite, *given* that every member is nonsingular.

    One symmetric point member (entrywise midpoints, checked to lie in ``B[i, j]`` and ``B[j, i]``) is proved
    positive definite by elimination; the segment from it to any symmetric member lies in ``B``, so is
    nonsingular: no eigenvalue crosses zero. The radii do not enter the elimination. Empty: refused.
    Guarantee: given the premise (the very matrix of a successful :func:`krawczyk`, not a re-evaluation,
    sub-block or other precision), ``True`` proves every symmetric member positive definite.

    >>> B = flint.arb_mat([[flint.arb(2, 0.5)]])  # Krawczyk succeeds on it with C = 1/2
    >>> nonsingular_box_pd(B, 64), nonsingular_box_pd(-B, 64)
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
        return _pd_rows(rows)


def exact_form(Q: flint.fmpq_mat, v: Sequence[flint.fmpq]) -> flint.fmpq:
    """``v^T Q v`` exactly."""
    n = len(v)
    return sum((v[i] * Q[i, j] * v[j] for i in range(n) for j in range(n) if v[i] and v[j]), flint.fmpq(0))


def ball_form(B: flint.arb_mat, v: Sequence[flint.fmpq], prec: int) -> flint.arb:
    """An enclosure of ``v^T A v`` for every A in the ball matrix."""
    with flint.ctx.workprec(prec):
        x = flint.arb_mat([[flint.arb(q)] for q in v])
        return (x.transpose() * B * x)[0, 0]


def krawczyk(gy: Sequence[flint.arb], J: flint.arb_mat, C: flint.fmpq_mat | Sequence[Sequence[flint.fmpq]],
             centers: Sequence[flint.fmpq], radii: Sequence[flint.fmpq], prec: int) -> tuple[bool, list[flint.arb]]:
    """Krawczyk's test: ``K = y - C g(y) + (I - C J(X)) (X - y)`` strictly inside the box X = y ± r.

    ``gy`` encloses g at the exact centre y, ``J`` the Jacobian of g over the whole box, ``C``
    is any exact matrix. If K lies in the interior of X, g has exactly one zero in X
    (Krawczyk 1969; Moore 1977; Rump 1983), and C and every member of ``J`` are nonsingular (Rump 1983;
    proof: an affine map ``x -> z + (I - C A) x`` sending X into its interior has a fixed point; if C A
    were singular, the map would fix a whole line through it, which leaves X).
    """
    n = len(centers)
    with flint.ctx.workprec(prec):
        Cm = flint.arb_mat(C) if isinstance(C, flint.fmpq_mat) else flint.arb_mat([[flint.arb(x) for x in row] for row in C])
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
