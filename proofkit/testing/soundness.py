"""Adversarial cases with exactly known truth, and a runner that counts false certificates.

Each case is a claim about a matrix or a gradient whose truth is known
exactly (by construction, or by exact rational arithmetic): exactly singular
integer matrices, rank-deficient products, exact and float-rounded Hilbert
matrices, Kahan matrices, ``S +- 2^-k I`` around a singular PSD matrix,
indefinite matrices with a tiny negative eigenvalue, and Krawczyk boxes whose
centre is shifted off the root, that contain two roots, or that sit on a
saddle. A *false certificate* is a ``certified`` verdict on a false claim or
a ``refuted`` verdict on a true one; the count must be zero.

The input-class families probe the conversion of user input: integer
matrices with entries above 2^53 in every numpy integer dtype (and object
arrays of Python ints), float literals in identities and in gradients (a
float is its exact binary value, never a nearby decimal), symmetric matrices
with entries near 1e308 whose float products overflow (NaN pivots), and
identities that hold only under the assumptions of their symbols.

The truth of every case comes from the small oracle at the top of this module
(exact ``Fraction`` elimination and comparisons), which uses no proofkit code:
a soundness oracle never uses the code it judges.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import flint
import numpy as np
import sympy

from proofkit.certify import (
    certify_critical_point,
    certify_full_rank,
    certify_indefinite,
    certify_nonsingular,
    certify_positive_definite,
    certify_rank_at_least,
    certify_rank_deficient,
    certify_strict_local_min,
    enclose_det,
    enclose_eigenvalues,
)
from proofkit.kernel import check_certificate
from proofkit.numeric.contexts import arb_precision
from proofkit.results import ResultDisplay

__all__ = ["Case", "CASE_FAMILIES", "generate_cases", "SoundnessReport", "run_soundness"]


@dataclass
class Case:
    """One claim with its exact truth."""

    family: str
    claim: str
    truth: bool
    run: Callable[[], Any]


def _int_matrix(rng: random.Random, m: int, n: int, lo: int = -5, hi: int = 5) -> list[list[int]]:
    return [[rng.randint(lo, hi) for _ in range(n)] for _ in range(m)]


def _matmul(A: list[list[Any]], B: list[list[Any]]) -> list[list[Any]]:
    return [[sum(A[i][k] * B[k][j] for k in range(len(B))) for j in range(len(B[0]))] for i in range(len(A))]


def _fractions(A: Any) -> list[list[Fraction]]:
    return [[Fraction(v) if not isinstance(v, float) else Fraction(*v.as_integer_ratio()) for v in r] for r in A]


def _exact_rank(A: Any) -> int:
    """Rank over Q by Fraction Gaussian elimination (the oracle; independent of proofkit and flint)."""
    M = _fractions(A)
    rank, rows, cols = 0, len(M), len(M[0]) if M else 0
    for c in range(cols):
        piv = next((r for r in range(rank, rows) if M[r][c] != 0), None)
        if piv is None:
            continue
        M[rank], M[piv] = M[piv], M[rank]
        for r in range(rank + 1, rows):
            f = M[r][c] / M[rank][c]
            if f:
                M[r] = [a - f * b for a, b in zip(M[r], M[rank])]
        rank += 1
    return rank


def _exact_det(A: Any) -> Fraction:
    """The determinant by Fraction elimination (the oracle)."""
    M = _fractions(A)
    n, det = len(M), Fraction(1)
    for c in range(n):
        piv = next((r for r in range(c, n) if M[r][c] != 0), None)
        if piv is None:
            return Fraction(0)
        if piv != c:
            M[c], M[piv] = M[piv], M[c]
            det = -det
        det *= M[c][c]
        for r in range(c + 1, n):
            f = M[r][c] / M[c][c]
            if f:
                M[r] = [a - f * b for a, b in zip(M[r], M[c])]
    return det


def _exact_pd(A: Any) -> bool:
    """Positive definiteness of a symmetric matrix by exact LDL^T pivots (the oracle)."""
    M = _fractions(A)
    n = len(M)
    for k in range(n):
        if M[k][k] <= 0:
            return False
        for i in range(k + 1, n):
            f = M[i][k] / M[k][k]
            if f:
                M[i] = [a - f * b for a, b in zip(M[i], M[k])]
    return True


def _as_balls(A: list[list[Any]], k: int) -> list[list[flint.arb]]:
    """Enclosures of radius 2^-k around each entry (so the true matrix is inside, but is not known exactly)."""
    with arb_precision(k + 64):
        return [[flint.arb(flint.fmpq(Fraction(x).numerator, Fraction(x).denominator), flint.arb(2) ** -k)
                 for x in r] for r in A]


def singular_integer(rng: random.Random) -> Iterator[Case]:
    n = rng.randint(2, 9)
    r = n - rng.choice([1, 2]) if n > 2 else 1
    A = _matmul(_int_matrix(rng, n, r), _int_matrix(rng, r, n))
    rank = _exact_rank(A)
    fam = "singular integer"
    yield Case(fam, "nonsingular", False, lambda: certify_nonsingular(A))
    yield Case(fam, "nonsingular (float array)", False, lambda: certify_nonsingular(np.array(A, dtype=float)))
    yield Case(fam, "nonsingular (enclosure)", False, lambda: certify_nonsingular(_as_balls(A, 60)))
    yield Case(fam, "full rank", False, lambda: certify_full_rank(A))
    if rank >= 1:
        yield Case(fam, f"rank >= {rank}", True, lambda: certify_rank_at_least(A, rank))
    yield Case(fam, f"rank >= {rank + 1}", False, lambda: certify_rank_at_least(A, rank + 1))
    yield Case(fam, "rank deficient", True, lambda: certify_rank_deficient(A))


def rational_products(rng: random.Random) -> Iterator[Case]:
    m, n = rng.randint(2, 8), rng.randint(2, 8)
    r = rng.randint(1, min(m, n) - 1) if min(m, n) > 1 else 1
    B = [[Fraction(rng.randint(-9, 9), rng.randint(1, 7)) for _ in range(r)] for _ in range(m)]
    C = [[Fraction(rng.randint(-9, 9), rng.randint(1, 7)) for _ in range(n)] for _ in range(r)]
    A = _matmul(B, C)
    rank = _exact_rank(A)
    fam = "rank-deficient product"
    yield Case(fam, "full rank", rank == min(m, n), lambda: certify_full_rank(A))
    yield Case(fam, "rank deficient", rank < min(m, n), lambda: certify_rank_deficient(A))
    if rank >= 1:
        yield Case(fam, f"rank >= {rank}", True, lambda: certify_rank_at_least(A, rank))


def hilbert(rng: random.Random) -> Iterator[Case]:
    n = rng.randint(2, 16)
    H = [[Fraction(1, i + j + 1) for j in range(n)] for i in range(n)]
    Hf = [[1.0 / (i + j + 1) for j in range(n)] for i in range(n)]
    pd_float = _exact_pd(Hf)
    fam = "Hilbert"
    yield Case(fam, "exact PD", True, lambda: certify_positive_definite(H))
    yield Case(fam, "exact nonsingular", True, lambda: certify_nonsingular(H))
    yield Case(fam, "float-rounded PD", pd_float, lambda: certify_positive_definite(np.array(Hf)))
    yield Case(fam, "float-rounded nonsingular", _exact_rank(Hf) == n,
               lambda: certify_nonsingular(np.array(Hf)))
    yield Case(fam, "exact PD (enclosure)", True, lambda: certify_positive_definite(_as_balls(H, 200)))


def kahan(rng: random.Random) -> Iterator[Case]:
    n = rng.randint(3, 14)
    s, c = Fraction(3, 5), Fraction(4, 5)
    K = [[(s**i if j == i else (-c * s**i if j > i else Fraction(0))) for j in range(n)] for i in range(n)]
    Kf = np.array([[float(x) for x in r] for r in K])
    fam = "Kahan"
    yield Case(fam, "nonsingular", True, lambda: certify_nonsingular(K))
    yield Case(fam, "nonsingular (float)", True, lambda: certify_nonsingular(Kf))
    yield Case(fam, "full rank (enclosure)", True, lambda: certify_full_rank(_as_balls(K, 300)))


def shifted_psd(rng: random.Random) -> Iterator[Case]:
    n = rng.randint(2, 8)
    B = _int_matrix(rng, n, n - 1, -4, 4)
    S = _matmul(B, [list(r) for r in zip(*B)])  # singular PSD: lambda_min = 0 exactly
    k = rng.randint(8, 70)
    eps = Fraction(1, 2**k)
    plus = [[S[i][j] + (eps if i == j else 0) for j in range(n)] for i in range(n)]
    minus = [[S[i][j] - (eps if i == j else 0) for j in range(n)] for i in range(n)]
    fam = "SPD +- 2^-k I"
    yield Case(fam, "S + eps I PD", True, lambda: certify_positive_definite(plus))
    yield Case(fam, "S - eps I PD", False, lambda: certify_positive_definite(minus))
    yield Case(fam, "S PD", False, lambda: certify_positive_definite(S))
    yield Case(fam, "S - eps I indefinite", _exact_rank(B) == n - 1 or not _exact_pd([[-x for x in r] for r in minus]),
               lambda: certify_indefinite(minus))
    yield Case(fam, "S + eps I nonsingular", True, lambda: certify_nonsingular(plus))
    yield Case(fam, "S PD (float)", False, lambda: certify_positive_definite(np.array(S, dtype=float)))
    yield Case(fam, "S - eps I PD (enclosure)", False, lambda: certify_positive_definite(_as_balls(minus, 300)))
    yield Case(fam, "inertia all positive of S - eps I", False,
               lambda: _inertia_all_positive(enclose_eigenvalues(minus)))


class _Claimed:
    """Adapter: a certificate whose verdict is re-read for a derived claim."""

    def __init__(self, verdict: str, cert: Any) -> None:
        self.verdict = verdict
        self.cert = cert


def _inertia_all_positive(cert: Any) -> _Claimed:
    if cert.verdict != "certified":
        return _Claimed("inconclusive", cert)
    neg, _, pos = cert.claim["inertia"]
    return _Claimed("certified" if neg == 0 else "refuted", cert)


def krawczyk(rng: random.Random) -> Iterator[Case]:
    n = rng.randint(1, 4)
    x = sympy.symbols(f"x0:{n}")
    roots = [Fraction(rng.choice([-1, 1]) * rng.randint(1, 9), rng.randint(1, 5)) for _ in range(n)]
    # g_i = x_i^3 - root_i^3 + (1/7)(x_{i+1} - root_{i+1})(x_i - root_i): a non-degenerate zero at `roots`
    # (the Jacobian there is diag(3 root_i^2)), so a small enough box around it holds exactly one zero
    grad = [x[i] ** 3 - sympy.Rational(roots[i]) ** 3
            + sympy.Rational(1, 7) * (x[(i + 1) % n] - roots[(i + 1) % n]) * (x[i] - roots[i]) for i in range(n)]
    r = Fraction(1, 2 ** rng.randint(12, 30))
    fam = "Krawczyk"
    inside = [ro + Fraction(rng.randint(-9, 9), 10) * r for ro in roots]
    outside = [ro + Fraction(rng.choice([-1, 1]) * rng.randint(11, 40), 10) * r for ro in roots]
    yield Case(fam, "shifted centre, root inside", True,
               lambda: certify_critical_point(grad, None, inside, r, variables=x))
    yield Case(fam, "shifted centre, root outside", False,
               lambda: certify_critical_point(grad, None, outside, r, variables=x))
    t = sympy.Symbol("t")
    e = sympy.Rational(1, 2 ** rng.randint(5, 40))
    yield Case(fam, "two roots +-e in the box", False,
               lambda: certify_critical_point([t**2 - e**2], None, [0], e * 3, variables=[t]))
    # f = sum (x_i^2 - a_i)^2: minima at x_i = +-sqrt(a_i), a maximum direction at x_i = 0
    a = [sympy.Rational(rng.randint(1, 9), rng.randint(1, 4)) for _ in range(n)]
    fgrad = [4 * x[i] * (x[i] ** 2 - a[i]) for i in range(n)]
    zero = [rng.random() < 0.5 for _ in range(n)]
    centre = [Fraction(0) if z else Fraction(str(sympy.sqrt(a[i]).evalf(40))) for i, z in enumerate(zero)]
    yield Case(fam, "strict local min (saddle/maximum when some x_i = 0)", not any(zero),
               lambda: certify_strict_local_min(fgrad, None, centre, Fraction(1, 10**15), variables=x))


# -- input classes --------------------------------------------------------------------------------------------------
_INT_DTYPES = (np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64, object)


def _dtype_name(dtype: Any) -> str:
    return "object (Python int)" if dtype is object else np.dtype(dtype).name


def big_integers(rng: random.Random) -> Iterator[Case]:
    """Integer matrices in one dtype, entries as large as the dtype allows (above 2^53 for 64-bit and object)."""
    dtype = rng.choice(_INT_DTYPES)
    signed = dtype is object or np.dtype(dtype).kind == "i"
    if dtype is object:
        lo, hi = -(2**80), 2**80
    else:
        info = np.iinfo(dtype)
        lo, hi = int(info.min), int(info.max)
    n = rng.randint(2, 5)
    r = rng.randint(1, n - 1)
    # a singular A = B C with |A_ij| <= r * bound^2 <= the dtype's range
    bound = int(math.isqrt(min(hi, -lo if signed else hi) // r))
    blo = -bound if signed else 0
    B = [[rng.randint(blo, bound) for _ in range(r)] for _ in range(n)]
    C = [[rng.randint(blo, bound) for _ in range(n)] for _ in range(r)]
    S = _matmul(B, C)
    N = [row[:] for row in S]  # a perturbation of one entry: usually non-singular
    i, j = rng.randrange(n), rng.randrange(n)
    N[i][j] = N[i][j] - 1 if N[i][j] > lo else N[i][j] + 1
    fam = "big integers in every dtype"
    name = _dtype_name(dtype)
    for label, A in (("product B C", S), ("perturbed product", N)):
        rank = _exact_rank(A)
        det = _exact_det(A)
        arr = np.array(A, dtype=dtype)
        yield Case(fam, f"{name} {label} nonsingular", rank == n, lambda arr=arr: certify_nonsingular(arr))
        yield Case(fam, f"{name} {label} rank deficient", rank < n, lambda arr=arr: certify_rank_deficient(arr))
        yield Case(fam, f"{name} {label} det > 0", det > 0, lambda arr=arr: _sign_claim(enclose_det(arr), 1))
    G = _matmul(B, [list(col) for col in zip(*B)])  # B B^T: PSD, singular when r < n
    if all(lo <= v <= hi for row in G for v in row):
        arr = np.array(G, dtype=dtype)
        yield Case(fam, f"{name} B B^T PD", _exact_pd(G), lambda arr=arr: certify_positive_definite(arr))


def _sign_claim(cert: Any, sign: int) -> _Claimed:
    if cert.verdict != "certified":
        return _Claimed("inconclusive", cert)
    return _Claimed("certified" if cert.claim["sign"] == sign else "refuted", cert)


def float_identities(rng: random.Random) -> Iterator[Case]:
    """``k x == f x`` and ``x/q + c == f x + c`` with f a float near k or 1/q: true only when f is exactly that."""
    x = sympy.Symbol("x")
    fam = "float literals in identities"
    k = rng.choice([rng.randint(1, 10**6), 2**rng.randint(53, 70) + rng.randint(-3, 3), 10**rng.randint(15, 22)])
    f = float(k)
    yield Case(fam, f"{k} x == float({k}) x", Fraction(f) == k, lambda: _identity(k * x, f * x))
    q = rng.choice([2, 3, 5, 10, 64, 100, 1024])
    fq = 1.0 / q
    c = Fraction(rng.randint(-9, 9), rng.randint(1, 9))
    yield Case(fam, f"x/{q} + c == {fq!r} x + c", Fraction(fq) == Fraction(1, q),
               lambda: _identity(x / q + sympy.Rational(c), fq * x + sympy.Rational(c)))
    a = rng.randint(1, 9) / 10.0  # 0.1 .. 0.9: inexact in binary except 0.5
    # built unevaluated: sympy itself would fold (a x)^2 to (a*a) x^2 at 53 bits before proofkit sees it
    square = sympy.Pow(sympy.Mul(a, x, evaluate=False), 2, evaluate=False)
    yield Case(fam, f"({a!r} x)^2 == {a * a!r} x^2", Fraction(a) ** 2 == Fraction(a * a),
               lambda: _identity(square, (a * a) * x**2))
    from proofkit.certify import certify_identity

    yield Case(fam, f"certify_identity {k} x == float({k}) x", Fraction(f) == k,
               lambda: certify_identity([k * x], [f * x], [x]))


class _Verdict:
    """Adapter: an identity check's verdict in certificate terms (proved -> certified)."""

    def __init__(self, res: Any) -> None:
        self.verdict = {"proved": "certified"}.get(res.verdict, res.verdict)
        self.result = res


def _identity(lhs: Any, rhs: Any) -> _Verdict:
    from proofkit.symbolic import check_identity

    return _Verdict(check_identity(lhs, rhs))


def float_gradients(rng: random.Random) -> Iterator[Case]:
    """``g = x^3 - f`` with a float f: the root f^(1/3) is inside the box iff the cube test says so, exactly."""
    x = sympy.Symbol("x")
    fam = "float literals in gradients"
    base = rng.uniform(0.5, 4.0)
    f = base**3
    g = [x**3 - f]
    ulp = math.ulp(base)
    centre = Fraction(base) + rng.choice([-1, 1]) * rng.randint(0, 8) * Fraction(ulp) / 4
    r = Fraction(ulp) * Fraction(rng.randint(1, 6), 8)
    lo, hi = centre - r, centre + r
    inside = lo**3 <= Fraction(f) <= hi**3  # x^3 is increasing: the root is in [lo, hi] iff f is in [lo^3, hi^3]
    yield Case(fam, "x^3 - float: one root in a box of a few ulps", inside,
               lambda: certify_critical_point(g, None, [centre], r, variables=[x]))
    c = 1.0 + rng.randint(1, 4) * 2.0**-52  # 1.0000000000000002 and neighbours
    g2 = [x - c]
    off = Fraction(1) + Fraction(rng.randint(0, 5), 2**52)
    rad = Fraction(1, 2**rng.randint(53, 60))
    yield Case(fam, f"x - {c!r}: box around {off}", abs(off - Fraction(c)) <= rad,
               lambda: certify_critical_point(g2, None, [off], rad, variables=[x]))


def overflowing_matrices(rng: random.Random) -> Iterator[Case]:
    """Symmetric matrices with entries near 1e308: sums and products overflow to inf, inf - inf to NaN."""
    n = rng.randint(2, 6)
    big = 1.0e308
    A = [[0.0] * n for _ in range(n)]
    for i in range(n):
        A[i][i] = rng.uniform(0.5, 1.79) * big
        for j in range(i):
            A[i][j] = A[j][i] = rng.choice([0.0, rng.uniform(-1.79, 1.79) * big])
    fam = "NaN-producing (entries near 1e308)"
    pd = _exact_pd(A)
    arr = np.array(A)
    yield Case(fam, "PD (float64)", pd, lambda: certify_positive_definite(arr))
    yield Case(fam, "PD (enclosure)", pd, lambda: certify_positive_definite([[flint.arb(v) for v in r] for r in A]))
    yield Case(fam, "nonsingular (float64)", _exact_rank(A) == n, lambda: certify_nonsingular(arr))
    yield Case(fam, "indefinite", _indefinite(A), lambda: certify_indefinite(arr))
    yield Case(fam, "inertia all positive", pd, lambda: _inertia_all_positive(enclose_eigenvalues(arr)))


def _indefinite(A: list[list[float]]) -> bool:
    """Whether a symmetric matrix has eigenvalues of both signs (neither +A nor -A is PSD).

    A is PSD iff A + eps I is PD for all eps > 0. Entries of at least 2^52 in magnitude are integers, so
    ``2^-971 A`` is an integer matrix with entries below 2^53 and its non-zero eigenvalues exceed
    ``(n 2^53)^-(n-1)`` in magnitude; eps = 2^-2000 is far below that for n <= 6.
    """
    n = len(A)
    eps = Fraction(1, 2**2000)
    plus = [[Fraction(A[i][j]) + (eps if i == j else 0) for j in range(n)] for i in range(n)]
    minus = [[-Fraction(A[i][j]) + (eps if i == j else 0) for j in range(n)] for i in range(n)]
    return not _exact_pd(plus) and not _exact_pd(minus)


def assumption_identities(rng: random.Random) -> Iterator[Case]:
    """Identities true exactly on the domain of their symbols' assumptions (false outside it)."""
    fam = "assumption-carrying symbols"
    k = rng.randint(0, 5)
    p = sympy.Symbol("p", positive=True)
    expanded = sympy.sqrt(sympy.expand((p + k) ** 2))  # = p + k for p > -k, = -(p + k) below
    yield Case(fam, f"sqrt((p+{k})^2 expanded) == p + {k}, p > 0", True, lambda: _identity(expanded, p + k))
    yield Case(fam, f"sqrt((p+{k})^2 expanded) == p + {k + 1}, p > 0", False, lambda: _identity(expanded, p + k + 1))
    m = sympy.Symbol("m", negative=True)
    e2 = sympy.sqrt(sympy.expand((m - k) ** 2))
    yield Case(fam, f"sqrt((m-{k})^2 expanded) == {k} - m, m < 0", True, lambda: _identity(e2, k - m))
    n = sympy.Symbol("n", integer=True)
    yield Case(fam, "sin(pi n)^2 + cos(pi n)^2 == 1 (integer n)", True,
               lambda: _identity(sympy.sin(sympy.pi * n) ** 2 + sympy.cos(sympy.pi * n) ** 2, 1))
    yield Case(fam, "sin(pi n / 2)^2 == (1 - cos(pi n))/2 (integer n)", True,
               lambda: _identity(sympy.sin(sympy.pi * n / 2) ** 2, (1 - sympy.cos(sympy.pi * n)) / 2))
    yield Case(fam, "cos(pi n / 2)^2 == 1 (integer n)", False, lambda: _identity(sympy.cos(sympy.pi * n / 2) ** 2, 1))
    q = sympy.Symbol("q", nonnegative=True)
    yield Case(fam, "sqrt(q^2 + 2 q + 1) == q + 1, q >= 0", True,
               lambda: _identity(sympy.sqrt(q**2 + 2 * q + 1), q + 1))



# -- multi-variable non-smooth losses (constant branches of max/min/piecewise/sign in products) ------------------
_KINDS = {1: "strict local minimum", -1: "strict local maximum"}


def nonsmooth_quadratic(rng: random.Random, n: int) -> tuple[Any, list[Any], list[int], list[Fraction], list[Fraction]]:
    """``L = sum_i d_i (x_i - a_i)^2 + sum_j s_j N_j (x_{q_j} - a_{q_j})`` with non-smooth nodes ``N_j`` (max, min,
    piecewise, hard tanh) that sit on a *constant* branch ``k_j`` wherever ``|x| < 19``: there ``L`` is the
    quadratic ``sum_i d_i (x_i - a_i)^2 + b_i (x_i - a_i)`` (``b_i = sum_{q_j = i} s_j k_j``), whose only critical
    point is ``x*_i = a_i - b_i / (2 d_i)``; it is a strict minimum / maximum / saddle by the signs of ``d``.

    Returns ``(L, x, d, a, x*)``: the exact truth of every claim about it comes from this construction."""
    x = list(sympy.symbols(f"y0:{n}"))
    u = rng.random()
    signs = [1] * n if u < 0.4 else ([-1] * n if u < 0.6 else [rng.choice([-1, 1]) for _ in range(n)])
    if 0.6 <= u and len(set(signs)) == 1:
        signs[rng.randrange(n)] *= -1
    d = [rng.randint(2, 4) * sg for sg in signs]
    a = [Fraction(rng.randint(-4, 4), rng.randint(1, 4)) for _ in range(n)]
    b = [Fraction(0)] * n
    L = sum(d[i] * (x[i] - sympy.Rational(a[i])) ** 2 for i in range(n))
    for _ in range(rng.randint(1, 3)):
        p, q = rng.randrange(n), rng.randrange(n)
        s = Fraction(rng.choice([-1, 1]), rng.choice([8, 16]))
        k = rng.randint(20, 30)
        kind = rng.choice(["max", "min", "piecewise", "hardtanh"])
        node, value = {
            "max": (sympy.Max(k, x[p]), k),
            "min": (sympy.Min(-k, x[p]), -k),
            "piecewise": (sympy.Piecewise((k, x[p] < k - 1), (x[p] + 1, True)), k),
            "hardtanh": (sympy.Max(-1, sympy.Min(1, x[p] + k)), 1),
        }[kind]
        L = L + sympy.Rational(s) * node * (x[q] - sympy.Rational(a[q]))
        b[q] += s * value
    star = [a[i] - b[i] / (2 * d[i]) for i in range(n)]
    assert all(abs(c) < 15 for c in star)  # far inside the constant branches (|x| < 19)
    return L, x, d, a, star


class _Classified:
    """Adapter: a classification is 'certified' when it names the kind the construction gives, 'refuted' when it
    certifies another kind (a false certificate on a true claim), else inconclusive."""

    def __init__(self, cert: Any, expected: str) -> None:
        self.cert = cert
        kind = cert.claim.get("kind") if cert.verdict == "certified" else None
        self.verdict = "inconclusive" if kind is None else ("certified" if kind == expected else "refuted")


def nonsmooth_landscapes(rng: random.Random) -> Iterator[Case]:
    """Claims about multi-variable losses with max/min/piecewise/hard-tanh factors on constant branches."""
    from proofkit import certify_not_local_min, certify_saddle, certify_spurious_minimum, classify_critical_point

    n = rng.randint(2, 4)
    L, x, d, a, star = nonsmooth_quadratic(rng, n)
    fam = "non-smooth landscapes"
    grad = [L.diff(v) for v in x]
    allpos, allneg = all(v > 0 for v in d), all(v < 0 for v in d)
    r = Fraction(1, 2 ** rng.randint(4, 12))
    star_q = [sympy.Rational(c) for c in star]
    yield Case(fam, "strict local min at x*", allpos,
               lambda: certify_strict_local_min(grad, None, star, r, variables=x, loss=L))
    inside = [c + Fraction(rng.randint(-9, 9), 10) * r for c in star]
    outside = list(inside)
    j = rng.randrange(n)
    outside[j] = star[j] + Fraction(rng.choice([-1, 1]) * rng.randint(11, 40), 10) * r
    yield Case(fam, "one critical point, shifted centre inside", True,
               lambda: certify_critical_point(grad, None, inside, r, variables=x))
    yield Case(fam, "one critical point, shifted centre outside", False,
               lambda: certify_critical_point(grad, None, outside, r, variables=x))
    expected = _KINDS.get(1 if allpos else (-1 if allneg else 0), "saddle")
    yield Case(fam, f"classified as {expected}", True, lambda: _Classified(classify_critical_point(L, x, star), expected))
    yield Case(fam, "saddle at x*", not (allpos or allneg), lambda: certify_saddle(L, x, star))
    yield Case(fam, "not a local minimum at x*", not allpos, lambda: certify_not_local_min(L, x, star))
    centre = inside if rng.random() < 0.5 else outside
    direction = [-(2 * d[i] * (c - star[i])) for i, c in enumerate(centre)]  # -grad L(centre)
    if any(direction):
        in_box = all(abs(c - s) <= r for c, s in zip(centre, star))
        yield Case(fam, "no local minimum in a box (first order)", not allpos or not in_box,
                   lambda: certify_not_local_min(L, x, centre, direction=direction, radius=r))
    value = L.subs(dict(zip(x, star_q)))
    delta = sympy.Rational(rng.choice([-1, 1]), 2 ** rng.randint(1, 30))
    yield Case(fam, "spurious local min above a stated global value", allpos and value > value + delta,
               lambda: certify_spurious_minimum(L, x, star, global_value=value + delta))
    shift = Fraction(rng.randint(-3, 3), 7)  # the loss is separable: the slice's critical point is x*_free
    yield Case(fam, "critical point on a slice (last variable fixed)", True,
               lambda: certify_critical_point(grad, None, inside[:-1], r, variables=x, fixed={x[-1]: star[-1] + shift}))

CASE_FAMILIES: dict[str, Callable[[random.Random], Iterator[Case]]] = {
    "singular integer": singular_integer,
    "rank-deficient product": rational_products,
    "Hilbert": hilbert,
    "Kahan": kahan,
    "SPD +- 2^-k I": shifted_psd,
    "Krawczyk": krawczyk,
    "big integers in every dtype": big_integers,
    "float literals in identities": float_identities,
    "float literals in gradients": float_gradients,
    "NaN-producing (entries near 1e308)": overflowing_matrices,
    "assumption-carrying symbols": assumption_identities,
    "non-smooth landscapes": nonsmooth_landscapes,
}


def generate_cases(n_cases: int, seed: int = 0) -> Iterator[Case]:
    """At least ``n_cases`` cases, cycling through the families (reproducible by ``seed``)."""
    rng = random.Random(seed)
    count = 0
    families = list(CASE_FAMILIES.values())
    k = 0
    while count < n_cases:
        for case in families[k % len(families)](rng):
            yield case
            count += 1
        k += 1


@dataclass(repr=False)  # a summarised repr and Jupyter display: ResultDisplay
class SoundnessReport(ResultDisplay):
    """Counts of a soundness run."""

    cases: int = 0
    conclusive: int = 0
    false_certificates: list[str] = field(default_factory=list)
    kernel_rejections: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    by_family: dict[str, list[int]] = field(default_factory=dict)

    @property
    def conclusive_rate(self) -> float:
        return self.conclusive / self.cases if self.cases else 0.0

    def table(self) -> str:
        lines = ["| family | cases | conclusive | rate |", "|---|---|---|---|"]
        for fam, (n, c) in sorted(self.by_family.items()):
            lines.append(f"| {fam} | {n} | {c} | {c / n:.1%} |")
        lines.append(f"| **all** | {self.cases} | {self.conclusive} | {self.conclusive_rate:.1%} |")
        return "\n".join(lines)


def run_soundness(n_cases: int, seed: int = 0, kernel: bool = True) -> SoundnessReport:
    """Run ``n_cases`` cases; every conclusive certificate is also re-checked by the kernel."""
    rep = SoundnessReport()
    for case in generate_cases(n_cases, seed):
        try:
            with np.errstate(all="ignore"):
                res = case.run()
        except Exception as exc:  # a raw exception from a certifier is a bug too: recorded, the run goes on
            rep.cases += 1
            rep.by_family.setdefault(case.family, [0, 0])[0] += 1
            rep.errors.append(f"{case.family}: {case.claim}: {type(exc).__name__}: {' '.join(str(exc).split())[:120]}")
            continue
        cert = getattr(res, "cert", res)
        verdict = res.verdict
        rep.cases += 1
        fam = rep.by_family.setdefault(case.family, [0, 0])
        fam[0] += 1
        if verdict != "inconclusive":
            rep.conclusive += 1
            fam[1] += 1
            if (verdict == "certified") != case.truth:
                rep.false_certificates.append(f"{case.family}: {case.claim}: {verdict} but truth is {case.truth}")
        if kernel and hasattr(cert, "to_json") and cert.verdict != "inconclusive":
            try:
                check_certificate(cert.to_json())
            except Exception as exc:  # any failure of the kernel on an issued certificate is recorded
                rep.kernel_rejections.append(f"{case.family}: {case.claim}: {exc}")
    return rep
