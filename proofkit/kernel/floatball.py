"""Float64 midpoint-radius arithmetic with proven rounding bounds: the kernel's float tier.

A *ball array* is a pair ``(mid, rad)`` of float64 arrays (``rad >= 0``) standing for every real array ``x`` with
``|x - mid| <= rad`` entrywise. Every operation here returns a ball that contains the exact result of the operation
on every member of its operands. The proofs use only these facts (IEEE-754 binary64):

* **round to nearest** (checked by :func:`environment_ok`, with gradual underflow: no flush to zero);
* ``+ - * / sqrt`` are correctly rounded: ``fl(x op y) = (x op y)(1 + d) + e`` with ``|d| <= u = 2^-53``,
  ``|e| <= eta / 2`` (``eta = 2^-1074``), ``e = 0`` for ``+`` and ``-``; ``sqrt`` never underflows;
* **the BLAS assumption**: each entry of a matrix product (``@``, ``einsum``) and each sum (``np.sum``) is a sum
  of the n products (terms) in *some* order, each product and each partial sum rounded to nearest (no
  Strassen-like scheme, no reduced precision), hence ``|fl(A B) - A B| <= gamma_n |A| |B| + n eta / 2`` with
  ``gamma_n = n u / (1 - n u)`` (Higham 2002, Section 3.5 and Lemma 8.4; Rump 2010, Acta Numerica 19,
  Section 2);
* **the Cholesky assumption** (:func:`cholesky_pd` only): ``numpy.linalg.cholesky`` (LAPACK ``potrf``) computes
  each entry of the factor as ``(a_ij - sum_k r_ki r_kj) / r_ii`` (or its square root on the diagonal) with the
  sum in some order, rounded to nearest, so that a factorisation that runs to completion satisfies
  ``R^T R = A + dA``, ``|dA| <= gamma_(n+1) |R^T| |R|`` plus underflow terms (Higham 2002, Theorem 10.3;
  Rump 2006, BIT 46: 433-452).

Upward rounding is emulated without changing the rounding mode: for a finite float ``x >= 0``,
``up(x) = fl(fl(x (1 + 2^-52)) + eta) >= nextafter(x, +inf)`` and ``down(x) = fl(fl(x (1 - 2^-52)) - eta) <=
nextafter(x, -inf)`` (proof: for normal x the relative step 2^-52 is at least one spacing of x; subnormal sums are
exact; round to nearest is monotone). Hence ``up`` of a computed non-negative float bounds the exact value of the
single operation that produced it, and chains of ``up`` bound chains of monotone operations on non-negative
numbers. Every result is checked finite by the callers (an infinite or NaN radius is never "small").

Examples
--------
>>> import numpy as np
>>> x = ball(np.array([0.1]), np.array([1e-20]))
>>> y = mul(x, x)
>>> bool(y[0][0] - y[1][0] <= 0.1 * 0.1 <= y[0][0] + y[1][0])
True
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np

__all__ = ["U", "ETA", "environment_ok", "up", "down", "err", "ball", "exact", "add", "sub", "neg", "mul", "recip",
           "sqrt", "sqrt_nonneg", "scale", "sum_", "matmul", "gamma", "gamma_factor", "matvec_up", "is_finite",
           "upper_end", "lower_end", "symmetric_part", "krawczyk_bound", "cholesky_pd", "form_bounds", "float_of_fraction_up"]

U = 2.0**-53  # unit roundoff
ETA = 2.0**-1074  # smallest positive subnormal
_UP = 1.0 + 2.0**-52
_DOWN = 1.0 - 2.0**-52

Ball = tuple[np.ndarray, np.ndarray]


def environment_ok() -> bool:
    """True when float64 rounds to nearest (ties to even) and subnormals survive elementwise, summed and BLAS
    arithmetic (no flush to zero, which a library can switch on process-wide)."""
    tiny = np.array([2.0**-1022, 2.0**-1030]) * np.array([0.5, 0.5])
    near = np.array([1.0, 1.0]) + np.array([U, 1.5 * U])  # ties to even: 1 + u -> 1, 1 + 1.5u -> 1 + 2u
    down_ = np.array([1.0, -1.0]) - np.array([U / 2, U / 2])  # nearest, not towards zero / -inf / +inf
    prod = np.array([[2.0**-1022, 0.0]]) @ np.array([[0.25], [1.0]])
    s = np.sum(np.array([ETA, ETA, ETA]))
    return bool(np.all(tiny > 0) and prod[0, 0] == 2.0**-1024 and near[0] == 1.0 and near[1] == 1.0 + 2 * U
                and down_[0] == 1.0 and down_[1] == -1.0 and s == 3 * ETA and np.sqrt(np.array([2.0]))[0] ==
                1.4142135623730951)


def up(x: Any) -> np.ndarray:
    """An upper bound of ``nextafter(x, +inf)`` for finite ``x >= 0`` (inf stays inf, NaN stays NaN)."""
    return np.asarray(x, dtype=float) * _UP + ETA


def down(x: Any) -> np.ndarray:
    """A lower bound of ``nextafter(x, -inf)`` for finite ``x >= 0``."""
    return np.asarray(x, dtype=float) * _DOWN - ETA


def err(m: Any) -> np.ndarray:
    """A bound of ``|v - m|`` when ``m = fl(v)`` is one correctly rounded operation: ``u |m| / (1 - u) + eta / 2 <=
    2u |m| - eta / 2 + eta``."""
    return up(np.abs(m) * (2 * U))


def float_of_fraction_up(q: Fraction) -> float:
    """The smallest float64 >= the non-negative rational q (inf when out of range)."""
    if q < 0:
        raise ValueError("float_of_fraction_up needs q >= 0")
    try:
        f = float(q)
    except OverflowError:
        return float("inf")
    return f if Fraction(f) >= q else float(np.nextafter(f, np.inf))


def gamma(n: int) -> float:
    """A float64 upper bound of ``gamma_n = n u / (1 - n u)`` (inf when ``n u >= 1/2``)."""
    if n * U >= 0.5:
        return float("inf")
    uq = Fraction(1, 2**53)
    return float_of_fraction_up(n * uq / (1 - n * uq))


def gamma_factor(n: int) -> float:
    """A float64 upper bound of ``1 / (1 - gamma_n)``: a computed sum or product of n non-negative terms times it
    (with ``n eta`` added before) bounds the exact one."""
    if n * U >= 0.25:
        return float("inf")
    uq = Fraction(1, 2**53)
    g = n * uq / (1 - n * uq)
    return float_of_fraction_up(1 / (1 - g))


def ball(mid: Any, rad: Any) -> Ball:
    """A ball array from a midpoint and a radius array of the same shape (float64 copies)."""
    m = np.array(mid, dtype=float)
    r = np.array(rad, dtype=float)
    if m.shape != r.shape:
        r = np.broadcast_to(r, m.shape).copy()
    return m, r


def exact(mid: Any) -> Ball:
    """The ball of exactly representable values (radius 0)."""
    m = np.array(mid, dtype=float)
    return m, np.zeros_like(m)


def is_finite(x: Ball) -> bool:
    """Midpoints and radii all finite, radii non-negative."""
    return bool(np.isfinite(x[0]).all() and np.isfinite(x[1]).all() and (x[1] >= 0).all())


def _up_inplace(x: np.ndarray) -> np.ndarray:
    """:func:`up` in place (x a fresh float64 array of non-negative numbers; a scalar gives a new 0-d array)."""
    if not isinstance(x, np.ndarray) or x.ndim == 0:
        return np.asarray(up(x))
    np.multiply(x, _UP, out=x)
    np.add(x, ETA, out=x)
    return x


def _err_into(m: np.ndarray, out: np.ndarray) -> np.ndarray:
    """``out += err(m)`` rounded up (out non-negative, of m's shape)."""
    e = _up_inplace(np.abs(m) * (2 * U))
    return _up_inplace(np.add(out, e, out=out) if isinstance(out, np.ndarray) and out.ndim else out + e)


def _exact_ball(x: Ball) -> bool:
    return not np.any(x[1])


def add(x: Ball, y: Ball) -> Ball:
    """``x + y`` (broadcasting)."""
    m = x[0] + y[0]
    r = np.add(x[1], y[1], out=np.empty(m.shape))
    return m, _err_into(m, _up_inplace(r))


def sub(x: Ball, y: Ball) -> Ball:
    """``x - y`` (broadcasting)."""
    m = x[0] - y[0]
    r = np.add(x[1], y[1], out=np.empty(m.shape))
    return m, _err_into(m, _up_inplace(r))


def neg(x: Ball) -> Ball:
    return -x[0], x[1]


def mul(x: Ball, y: Ball) -> Ball:
    """``x * y`` (broadcasting): ``|xy - xm ym| <= |xm| yr + xr (|ym| + yr)``, plus the rounding of ``xm ym``."""
    m = x[0] * y[0]
    xe, ye = _exact_ball(x), _exact_ball(y)
    if xe and ye:
        return m, _err_into(m, np.zeros(m.shape))
    if xe:  # |xm| yr
        r = np.multiply(np.abs(x[0]), y[1], out=np.empty(m.shape))
        return m, _err_into(m, _up_inplace(r))
    if ye:  # xr |ym|
        r = np.multiply(x[1], np.abs(y[0]), out=np.empty(m.shape))
        return m, _err_into(m, _up_inplace(r))
    t = _up_inplace(np.abs(y[0]) + y[1])
    r = _up_inplace(np.multiply(x[1], t, out=np.empty(m.shape)))
    s2 = _up_inplace(np.multiply(np.abs(x[0]), y[1], out=np.empty(m.shape)))
    np.add(r, s2, out=r)
    return m, _err_into(m, _up_inplace(r))


def scale(x: Ball, c: float) -> Ball:
    """``c x`` for an exact float64 ``c``."""
    m = x[0] * c
    return m, up(up(x[1] * abs(c)) + err(m))


def recip(x: Ball) -> Ball:
    """``1 / x``; raises ``ZeroDivisionError`` when a ball may contain 0. ``|1/t - 1/xm| <= xr / ((|xm| - xr)|xm|)``."""
    a = np.abs(x[0])
    lo = lower_end((a, x[1]))  # <= |xm| - xr
    if not (lo > 0).all():
        raise ZeroDivisionError("a ball contains 0")
    den = down(lo * a)
    if not (den > 0).all():
        raise ZeroDivisionError("a ball is too close to 0 for float64")
    m = 1.0 / x[0]
    return m, up(up(x[1] / den) + err(m))


def upper_end(x: Ball) -> np.ndarray:
    """A float >= every element of the ball: ``t = fl(m + r)`` is one rounding of ``m + r``, so ``m + r <=
    nextafter(t, +inf) <= up(t)`` (t >= 0) or ``-down(-t)`` (t < 0)."""
    t = x[0] + x[1]
    return np.where(t >= 0, up(np.abs(t)), -down(np.abs(t)))


def lower_end(x: Ball) -> np.ndarray:
    """A float <= every element of the ball (mirror of :func:`upper_end`)."""
    t = x[0] - x[1]
    return np.where(t >= 0, down(np.abs(t)), -up(np.abs(t)))


def sqrt(x: Ball) -> Ball:
    """``sqrt(x)`` for balls of positive numbers; raises ``ValueError`` when a ball may reach 0 or below.
    ``|sqrt(t) - sqrt(xm)| = |t - xm| / (sqrt(t) + sqrt(xm)) <= xr / (sqrt(lo) + sqrt(xm))``."""
    lo = lower_end(x)
    if not (lo > 0).all():
        raise ValueError("sqrt of a ball that may contain numbers <= 0")
    m = np.sqrt(x[0])
    den = down(down(np.sqrt(lo)) + down(m))
    if not (den > 0).all():
        raise ValueError("sqrt of a ball too close to 0 for float64")
    return m, up(up(x[1] / den) + err(m))


def sqrt_nonneg(x: Ball) -> Ball:
    """``sqrt`` of a ball whose *true* value is known to be ``>= 0`` (e.g. ``|u|^2 |v|^2 - (u.v)^2``): the part of
    the ball below 0 is dropped; a ball reaching 0 gives ``[0, sqrt(hi)]``. For values only (no derivative bound)."""
    lo = lower_end(x)
    out_m, out_r = np.empty_like(x[0]), np.empty_like(x[0])
    pos = lo > 0
    if pos.any():
        m, r = sqrt((x[0][pos], x[1][pos]))
        out_m[pos], out_r[pos] = m, r
    if (~pos).any():
        hi = np.maximum(upper_end((x[0][~pos], x[1][~pos])), 0.0)  # >= the largest element
        top = up(np.sqrt(hi))  # >= sqrt(hi)
        out_m[~pos] = top * 0.5  # exact unless subnormal; the radius covers [0, top] either way
        out_r[~pos] = up(np.maximum(out_m[~pos], top - out_m[~pos]) + err(top - out_m[~pos]))
    return out_m, out_r


def sum_(x: Ball, axis: int) -> Ball:
    """The sum along ``axis`` (any summation order): ``|fl(sum) - sum| <= gamma_(N-1) sum |x_i|``."""
    N = x[0].shape[axis]
    m = np.sum(x[0], axis=axis)
    f = gamma_factor(max(N, 1))
    absum = up(np.sum(np.abs(x[0]), axis=axis) * f)
    rsum = up(np.sum(x[1], axis=axis) * f)
    return m, up(up(rsum + up(absum * gamma(max(N, 1)))))


def _mm_up(A: np.ndarray, B: np.ndarray, N: int) -> np.ndarray:
    """An upper bound of ``A @ B`` for non-negative A, B (inner dimension N): ``(fl(AB) + N eta) / (1 - gamma_N)``."""
    return up(up(np.matmul(A, B) + N * ETA) * gamma_factor(N))


def matmul(A: Ball, B: Ball) -> Ball:
    """``A @ B`` (numpy ``matmul`` semantics, batches allowed) in midpoint-radius form (Rump 1999):
    ``|AB - Am Bm| <= |Am| Br + Ar (|Bm| + Br)``, plus ``gamma_N |Am| |Bm| + N eta / 2`` for the rounding of
    ``Am Bm``; all four products are non-negative and bounded above by the rounded-up products."""
    N = A[0].shape[-1]
    g = gamma(N)
    m = np.matmul(A[0], B[0])
    absA = np.abs(A[0])
    right = up(B[1] + up(np.abs(B[0]) * g))  # Br + gamma |Bm|
    r = up(_mm_up(absA, right, N) + _mm_up(A[1], up(np.abs(B[0]) + B[1]), N))
    return m, up(r + N * ETA)


def matvec_up(A: np.ndarray, x: np.ndarray) -> np.ndarray:
    """An upper bound of ``A @ x`` for non-negative A and x."""
    return _mm_up(A, x, A.shape[-1])


def symmetric_part(Jm: np.ndarray, Jr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The interval matrix ``[M +- R]`` mirrored from the upper triangle of ``[Jm +- Jr]``: every *symmetric* member
    of ``[Jm +- Jr]`` is a member of it, and M, R are exactly symmetric (so M is one of its symmetric members)."""
    up_ = np.triu(np.ones(Jm.shape, dtype=bool))
    M = np.where(up_, Jm, Jm.T)
    R = np.where(up_, Jr, Jr.T)
    return M, R


def krawczyk_bound(gm: np.ndarray, gr: np.ndarray, M: np.ndarray, R: np.ndarray, C: np.ndarray,
                   r: np.ndarray) -> np.ndarray:
    """An upper bound ``b`` of ``|K - y|`` for Krawczyk's operator ``K = y - C g(y) + (I - C J)(X - y)`` on the box
    ``X = y +- r``, where ``g(y)`` lies in the ball ``(gm, gr)`` and J in the interval matrix ``[M +- R]``.

    ``|K - y| <= |C gm| + |C| gr + |I - C M| r + |C| (R r)``; with ``G = fl(C M)`` and ``E = fl(I - G)``:
    ``|I - C M| <= |E| / (1 - u) + gamma_n |C| |M| + n eta / 2`` (entrywise). Each product is evaluated as matrix
    times vector (``(|C| |M|) r = |C| (|M| r)``) with upward bounds, so only ``C @ M`` costs n^3.
    If ``b < r`` (strictly, every component), the map whose Jacobians lie in ``[M +- R]`` (here: the gradient of
    the loss, with its Hessians over X) has exactly one zero in X, and C and every member of ``[M +- R]`` are
    nonsingular (Krawczyk 1969; Rump 1983). Returns ``inf`` entries when something is not finite.
    """
    n = M.shape[0]
    bad = np.full(n, np.inf)
    if not (environment_ok() and np.isfinite(C).all() and np.isfinite(M).all() and np.isfinite(R).all()
            and np.isfinite(gm).all() and np.isfinite(gr).all() and (R >= 0).all() and (gr >= 0).all()):
        return bad
    g = gamma(n)
    absC = np.abs(C)
    with np.errstate(all="ignore"):
        Cg = C @ gm
        t1 = up(np.abs(Cg) + up(g * matvec_up(absC, np.abs(gm))) + n * ETA)  # |C gm|
        t2 = matvec_up(absC, gr)
        E = np.eye(n) - C @ M
        t3 = up(matvec_up(np.abs(E), r) * _UP)  # |E| r / (1 - u)
        Mr = matvec_up(np.abs(M), r)
        t4 = up(g * matvec_up(absC, Mr)) + up(n * ETA * float(np.sum(r)) * 2 + ETA)
        t5 = matvec_up(absC, matvec_up(R, r))
        b = up(up(up(t1 + t2) + up(t3 + t4)) + t5)
        b = up(b * _UP)  # the four sums above, rounded to nearest
    return b if np.isfinite(b).all() else bad


def _scale_exponent(d: float) -> int:
    """An exponent s with ``2^s d`` in [1, 2) (d > 0 finite)."""
    _, e = np.frexp(d)
    return int(1 - e)


def cholesky_pd(M: np.ndarray, rho: float = 0.0) -> tuple[bool, float]:
    """``(proved, shift)``: ``proved`` means every eigenvalue of the exactly symmetric float64 matrix M exceeds
    ``rho`` (>= 0), so every symmetric matrix within spectral distance rho of M (e.g. every symmetric member of
    ``[M +- R]`` with ``rho >= ||R||_inf``) is positive definite.

    M is first scaled by a power of two ``2^s`` (largest diagonal entry in [1, 2)); entries that become
    subnormal change by at most ``eta / 2`` each, i.e. by ``n eta / 2`` in spectral norm. Then the
    floating-point Cholesky factorisation of ``A = fl(M' - c I)`` is attempted with
    ``c >= (gamma_(n+1) / (1 - gamma_(n+1))) (tr+(M') + n (n+3) eta) + 2n (n+3) eta + rho' + n eta``, enlarged to
    cover the rounding of the shifted diagonal (``|fl(m_ii - c) - (m_ii - c)| <= 2u (|m_ii| + c)``). If it
    runs to completion: ``R^T R = A + dA`` with ``||dA||_2 <= gamma_(n+1) sum_i ||r_i||^2 + n (n+3) eta`` and
    ``||r_i||^2 (1 - gamma_(n+1)) <= a_ii + (n+3) eta`` (Cauchy-Schwarz on ``|R^T||R|``), so ``lambda_min(A) >=
    -||dA||_2`` and ``lambda_min(M') >= c - ||dA||_2 - 2u max(|m_ii| + c) > rho'``. The shift is returned.
    """
    n = M.shape[0]
    bad = (False, float("inf"))
    if n == 0 or M.shape != (n, n) or not environment_ok() or not np.isfinite(M).all() or not (M == M.T).all():
        return bad
    if not (np.isfinite(rho) and rho >= 0):
        return bad
    dmax = float(np.max(np.abs(np.diag(M))))
    if not dmax > 0:
        return bad
    s = _scale_exponent(dmax)
    with np.errstate(all="ignore"):
        Ms = M * 2.0**s if -1074 < s < 1024 else M * 2.0 ** (s // 2) * 2.0 ** (s - s // 2)
        rho_s = float(up(rho * 2.0**s)) if -1074 < s < 1024 else float(up(up(rho * 2.0 ** (s // 2)) *
                                                                            2.0 ** (s - s // 2)))
        if not (np.isfinite(Ms).all() and np.isfinite(rho_s)):
            return bad
        g1 = gamma(n + 1)
        if not g1 < 0.01:
            return bad
        under = (n + 3) * n * ETA
        tr = float(up(np.sum(np.maximum(np.diag(Ms), 0.0)) * gamma_factor(n)))  # >= tr+(M')
        base = float(up(up(up(g1 * gamma_factor(n + 1)) * up(tr + under)) + up(2 * under + rho_s + n * ETA)))
        dm = float(np.max(np.abs(np.diag(Ms))))
        c = float(up(up(base + up(2 * U * dm)) * (1 + 8 * U)))  # c (1 - 2u) >= base + 2u max|m_ii|
        if not np.isfinite(c):
            return bad
        A = Ms - c * np.eye(n)  # only the diagonal changes: fl(m_ii - c)
        try:
            L = np.linalg.cholesky(A)
        except np.linalg.LinAlgError:
            return False, c * 2.0**-s
    if not np.isfinite(L).all():
        return bad
    return True, c * 2.0**-s


def form_bounds(M: np.ndarray, R: np.ndarray, v: np.ndarray) -> tuple[float, float]:
    """``(lo, hi)`` with ``lo <= v^T A v <= hi`` for every A in ``[M +- R]`` (v exact float64).

    ``v^T A v = v^T M v + v^T (A - M) v``, ``|v^T (A - M) v| <= |v|^T R |v|``; ``w = fl(M v)`` and ``s = fl(v . w)``
    carry ``|w - M v| <= gamma_n |M||v| + n eta / 2`` and ``|s - v.w| <= gamma_n |v|.|w| + n eta / 2``."""
    n = M.shape[0]
    bad = (-float("inf"), float("inf"))
    if not (environment_ok() and np.isfinite(M).all() and np.isfinite(R).all() and (R >= 0).all()
            and np.isfinite(v).all() and v.shape == (n,)):
        return bad
    g = gamma(n)
    av = np.abs(v)
    with np.errstate(all="ignore"):
        w = M @ v
        s = np.array(v @ w)
        e1 = matvec_up(av[None, :], up(up(g * matvec_up(np.abs(M), av)) + n * ETA))[0]  # |v|^T |Mv - w|
        e2 = up(up(g * matvec_up(av[None, :], np.abs(w))[0]) + n * ETA)  # the rounding of v . w
        e3 = matvec_up(av[None, :], matvec_up(R, av))[0]  # |v|^T R |v|
        e = up(up(up(e1 + e2)) + e3)
        lo, hi = float(lower_end((s, e))), float(upper_end((s, e)))
    if not (np.isfinite(lo) and np.isfinite(hi)):
        return bad
    return lo, hi
