"""The float64 tier: midpoint-radius arithmetic, Krawczyk bound, Cholesky definiteness and forms, attacked.

Every enclosure is compared with exact rational arithmetic (``fractions.Fraction``) on members of the balls,
including subnormal, huge (2^+-1000) and cancelling operands; the decision procedures are fed matrices that are
singular or indefinite by a hair, scaled to the ends of the exponent range, and records with NaN or inf.
"""

from fractions import Fraction

import numpy as np
import pytest

from proofkit.kernel import floatball as fb

TINY = 2.0**-1074
EDGE = [0.0, TINY, 3 * TINY, 2.0**-1022, 2.0**-1022 - TINY, 2.0**-600, 1e-300, 0.1, 1 / 3, 1.0, 1 + 2**-52, 2.0**500,
        2.0**1000, 1.7976931348623157e308]


def _members(x, rng, count=6):
    """Exact rationals in the ball x (scalar float ball): the ends, the centre and random points."""
    m, r = Fraction(float(x[0])), Fraction(float(x[1]))
    pts = [m - r, m + r, m]
    pts += [m + r * Fraction(float(t)) for t in rng.uniform(-1, 1, count)]
    return pts


def _inside(q, ball):
    return Fraction(float(ball[0])) - Fraction(float(ball[1])) <= q <= Fraction(float(ball[0])) + Fraction(float(ball[1]))


def test_environment_is_round_to_nearest_with_subnormals():
    assert fb.environment_ok()


@pytest.mark.parametrize("x", EDGE[:-1])
def test_up_and_down_step_past_the_next_float(x):
    assert fb.up(x) >= np.nextafter(x, np.inf) and fb.down(x) <= np.nextafter(x, -np.inf)
    assert fb.err(x) >= 0 and Fraction(float(fb.up(x))) > Fraction(x)


def test_up_of_the_largest_float_is_infinite():
    assert fb.up(1.7976931348623157e308) == np.inf  # overflow is never "small"


def test_gamma_bounds_are_upper_bounds():
    for n in (1, 2, 400, 2500, 10**6):
        u = Fraction(1, 2**53)
        exact = n * u / (1 - n * u)
        assert Fraction(fb.gamma(n)) >= exact and Fraction(fb.gamma_factor(n)) >= 1 / (1 - exact)
    assert fb.gamma(2**52) == np.inf


def _random_ball(rng):
    m = float(rng.choice(EDGE[:-2])) * float(rng.choice([-1, 1])) * float(rng.uniform(0.5, 2))
    r = float(rng.choice([0.0, TINY, abs(m) * 1e-8, abs(m) * 0.3, 1e-320]))
    return np.array(m), np.array(r)


@pytest.mark.parametrize("seed", range(4))
def test_elementwise_operations_contain_the_exact_results(seed):
    rng = np.random.default_rng(seed)
    for _ in range(120):
        x, y = _random_ball(rng), _random_ball(rng)
        with np.errstate(all="ignore"):
            for op, f in ((fb.add, lambda a, b: a + b), (fb.sub, lambda a, b: a - b), (fb.mul, lambda a, b: a * b)):
                z = op(x, y)
                if not fb.is_finite(z):
                    continue
                for a in _members(x, rng, 3):
                    for b in _members(y, rng, 3):
                        assert _inside(f(a, b), z), (op.__name__, x, y, z)
            try:
                z = fb.recip(x)
            except ZeroDivisionError:
                z = None
            if z is not None and fb.is_finite(z):
                assert all(_inside(1 / a, z) for a in _members(x, rng) if a != 0)
            try:
                z = fb.sqrt(x)
            except ValueError:
                z = None
            if z is not None and fb.is_finite(z):
                for a in _members(x, rng):
                    lo, hi = Fraction(float(z[0])) - Fraction(float(z[1])), Fraction(float(z[0])) + Fraction(float(z[1]))
                    assert lo * lo <= a or lo < 0
                    assert hi >= 0 and hi * hi >= a


def test_recip_and_sqrt_refuse_balls_reaching_zero():
    with pytest.raises(ZeroDivisionError):
        fb.recip((np.array([1e-300]), np.array([1e-300])))
    with pytest.raises(ZeroDivisionError):
        fb.recip((np.array([0.0]), np.array([0.0])))
    with pytest.raises(ValueError):
        fb.sqrt((np.array([1.0]), np.array([1.0])))
    m, r = fb.sqrt_nonneg((np.array([0.0, 4.0]), np.array([1e-20, 0.0])))  # the true value is known to be >= 0
    assert m[0] - r[0] <= 0 and m[0] + r[0] >= 1e-10 and m[1] == 2.0


def _exact_matmul(A, B):
    return [[sum(Fraction(float(A[i, t])) * Fraction(float(B[t, j])) for t in range(A.shape[1]))
             for j in range(B.shape[1])] for i in range(A.shape[0])]


@pytest.mark.parametrize("scale", [1.0, 2.0**-1000, 2.0**-1070, 2.0**1000])
def test_sum_and_matmul_contain_exact_results_across_the_exponent_range(scale):
    rng = np.random.default_rng(5)
    A = rng.normal(size=(4, 7)) * scale
    B = rng.normal(size=(7, 3))
    B[0, 0] = 1e300 if scale == 1.0 else B[0, 0]  # cancellation with huge terms
    Ab, Bb = fb.exact(A), fb.ball(B, np.abs(B) * 1e-12)
    with np.errstate(all="ignore"):
        P = fb.matmul(Ab, Bb)
        S = fb.sum_(Ab, axis=1)
    if fb.is_finite(P):
        for sign in (-1, 1):
            Bx = B + sign * np.abs(B) * 1e-12  # a vertex of the ball (itself exactly representable or rounded inside)
            Bx = np.where(np.abs(Bx - B) <= np.abs(B) * 1e-12, Bx, B)
            E = _exact_matmul(A, Bx)
            assert all(_inside(E[i][j], (P[0][i, j], P[1][i, j])) for i in range(4) for j in range(3))
    for i in range(4):
        assert _inside(sum(Fraction(float(v)) for v in A[i]), (S[0][i], S[1][i]))


def _exact_pd(M, shift=0.0):
    """Exact positive definiteness of the float matrix M - shift I (rational LDL^T)."""
    n = M.shape[0]
    a = [[Fraction(float(M[i, j])) - (Fraction(shift) if i == j else 0) for j in range(n)] for i in range(n)]
    for k in range(n):
        if a[k][k] <= 0:
            return False
        for i in range(k + 1, n):
            f = a[i][k] / a[k][k]
            for j in range(k + 1, n):
                a[i][j] -= f * a[k][j]
    return True


@pytest.mark.parametrize("scale", [1.0, 2.0**-1000, 2.0**1000, 2.0**-1060])
def test_cholesky_never_proves_a_matrix_indefinite_by_a_hair(scale):
    rng = np.random.default_rng(11)
    n = 6
    for trial in range(40):
        Q, _ = np.linalg.qr(rng.normal(size=(n, n)))
        lam = np.sort(rng.uniform(0.5, 2.0, n))
        lam[0] = float(rng.choice([-1e-15, -1e-17, 0.0, 1e-17, 1e-15, 1e-3]))
        M = (Q * lam) @ Q.T
        M = (M + M.T) / 2 * scale
        with np.errstate(all="ignore"):
            ok, _ = fb.cholesky_pd(M)
        if ok:
            assert _exact_pd(M), (trial, lam[0], scale)
    # clearly definite matrices are proved at every scale
    M = np.diag([1.0, 2.0, 3.0]) + 0.1
    for s in (1.0, 2.0**-1000, 2.0**1000, 2.0**-1060):
        assert fb.cholesky_pd(M * s)[0]


def test_cholesky_is_not_fooled_where_plain_floating_point_cholesky_is():
    """fl(L L^T) with a tiny pivot: numpy's Cholesky runs to completion on hundreds of these although they are
    indefinite (exactly, in rational arithmetic); the shifted test must prove none of them, at any scale."""
    rng = np.random.default_rng(0)
    fooled = 0
    for _ in range(400):
        L = np.tril(rng.normal(size=(8, 8)))
        L[-1, -1] = float(rng.choice([1e-8, 1e-9, 3e-9]))
        M = L @ L.T
        M = (M + M.T) / 2
        try:
            np.linalg.cholesky(M)
        except np.linalg.LinAlgError:
            continue
        if _exact_pd(M):
            continue
        fooled += 1
        for s in (1.0, 2.0**-1000, 2.0**1000):
            assert not fb.cholesky_pd(M * s)[0]
    assert fooled >= 10  # the attack is real: plain Cholesky accepts indefinite matrices


@pytest.mark.parametrize("n,scale", [(3, 1.0), (40, 2.0**-900), (200, 2.0**700)])
def test_cholesky_shift_covers_the_backward_error_bound(n, scale):
    """The shift is at least gamma_(n+1) / (1 - gamma_(n+1)) tr(M) + rho (Demmel's backward error of a Cholesky
    factorisation that runs to completion, Higham 2002 Theorem 10.3): random matrices rarely reach it, so it is
    checked as a number (exactly)."""
    rng = np.random.default_rng(n)
    A = rng.normal(size=(n, n))
    M = (A @ A.T + n * np.eye(n)) * scale
    M = (M + M.T) / 2
    rho = float(np.sum(np.abs(M[0]))) * 1e-9
    ok, shift = fb.cholesky_pd(M, rho)
    assert ok
    u = Fraction(1, 2**53)
    g = (n + 1) * u / (1 - (n + 1) * u)
    trace = sum(Fraction(float(v)) for v in np.diag(M))
    assert Fraction(shift) >= g / (1 - g) * trace + Fraction(rho)


def test_cholesky_shift_accounts_for_the_radius():
    M = np.diag([1.0, 1.0, 1.0])
    assert fb.cholesky_pd(M, rho=0.999)[0]
    assert not fb.cholesky_pd(M, rho=1.0)[0]
    assert not fb.cholesky_pd(M, rho=float("nan"))[0] and not fb.cholesky_pd(M, rho=float("inf"))[0]


def test_cholesky_refuses_non_symmetric_non_finite_and_empty_input():
    assert not fb.cholesky_pd(np.array([[2.0, 1.0], [1.0 + 2**-52, 2.0]]))[0]
    assert not fb.cholesky_pd(np.array([[np.nan, 0.0], [0.0, 1.0]]))[0]
    assert not fb.cholesky_pd(np.array([[np.inf, 0.0], [0.0, 1.0]]))[0]
    assert not fb.cholesky_pd(np.zeros((0, 0)))[0]
    assert not fb.cholesky_pd(np.zeros((2, 2)))[0]
    assert not fb.cholesky_pd(np.array([[2.0**1023, 2.0**1023], [2.0**1023, 2.0**1023]]) * 1.5)[0]  # rank one, huge


def test_krawczyk_bound_proves_a_contraction_and_refuses_near_singular_and_non_finite_data():
    rng = np.random.default_rng(2)
    n = 5
    M = np.eye(n) * 2 + rng.normal(size=(n, n)) * 0.1
    M = (M + M.T) / 2
    R = np.full((n, n), 1e-6)
    C = np.linalg.inv(M)
    r = np.full(n, 1e-3)
    b = fb.krawczyk_bound(np.full(n, 1e-5), np.full(n, 1e-18), M, R, C, r)
    assert (b < r).all()
    # the gradient at the centre too large for the box: no proof
    b = fb.krawczyk_bound(np.full(n, 1e-2), np.zeros(n), M, R, C, r)
    assert not (b < r).all()
    # nearly singular interval matrices, at both ends of the exponent range: no proof
    for s in (1.0, 2.0**-1000, 2.0**1000):
        S = np.diag([1.0, 1.0, 1.0, 1.0, 1e-17]) * s
        with np.errstate(all="ignore"):
            Cs = np.linalg.pinv(S)
            b = fb.krawczyk_bound(np.zeros(n), np.zeros(n), S, np.full((n, n), 1e-16 * s), Cs, r)
        assert not (b < r).all()
    for bad in (np.nan, np.inf):
        Mb = M.copy()
        Mb[0, 1] = bad
        assert np.isinf(fb.krawczyk_bound(np.zeros(n), np.zeros(n), Mb, R, C, r)).all()
        assert np.isinf(fb.krawczyk_bound(np.full(n, bad), np.zeros(n), M, R, C, r)).all()
    # radii overflowing in the bound are never small
    assert np.isinf(fb.krawczyk_bound(np.zeros(n), np.full(n, 1e308), M, R, C * 1e10, r)).all()


def test_krawczyk_bound_dominates_the_exact_operator_on_vertices():
    rng = np.random.default_rng(9)
    n = 4
    M = np.eye(n) + rng.normal(size=(n, n)) * 0.2
    M = (M + M.T) / 2
    R = np.abs(rng.normal(size=(n, n))) * 1e-3
    C = np.linalg.inv(M) + rng.normal(size=(n, n)) * 1e-3  # an imperfect preconditioner
    g, r = rng.normal(size=n) * 1e-4, np.full(n, 1e-2)
    b = fb.krawczyk_bound(g, np.zeros(n), M, R, C, r)
    Cq = [[Fraction(float(v)) for v in row] for row in C]
    for _ in range(20):  # J a member of [M +- R], x - y a vertex of the box: |K - y| <= b
        J = M + R * rng.choice([-1.0, 1.0], size=(n, n))
        J = np.where(np.abs(J - M) <= R, J, M)
        d = r * rng.choice([-1.0, 1.0], size=n)
        for i in range(n):
            Kiy = -sum(Cq[i][j] * Fraction(float(g[j])) for j in range(n))
            for j in range(n):
                IJ = (1 if i == j else 0) - sum(Cq[i][t] * Fraction(float(J[t, j])) for t in range(n))
                Kiy += IJ * Fraction(float(d[j]))
            assert abs(Kiy) <= Fraction(float(b[i]))


def test_form_bounds_contain_the_exact_form_and_refuse_non_finite_data():
    rng = np.random.default_rng(4)
    n = 6
    M = rng.normal(size=(n, n))
    M = (M + M.T) / 2
    R = np.abs(rng.normal(size=(n, n))) * 1e-3
    v = rng.normal(size=n) * 2.0**-500
    lo, hi = fb.form_bounds(M, R, v)
    ex = sum(Fraction(float(v[i])) * Fraction(float(M[i, j])) * Fraction(float(v[j])) for i in range(n) for j in range(n))
    assert Fraction(lo) <= ex <= Fraction(hi) and lo <= hi
    sign = np.sign(np.outer(v, v))
    for A in (M + sign * R, M - sign * R):  # the members of [M +- R] that push the form furthest
        A = np.where(np.abs(A - M) <= R, A, M)
        ex = sum(Fraction(float(v[i])) * Fraction(float(A[i, j])) * Fraction(float(v[j])) for i in range(n)
                 for j in range(n))
        assert Fraction(lo) <= ex <= Fraction(hi)
    v2 = v.copy()
    v2[0] = np.nan
    assert fb.form_bounds(M, R, v2) == (-np.inf, np.inf)
    assert fb.form_bounds(M, R * np.inf, v) == (-np.inf, np.inf)
    assert fb.form_bounds(M, R, np.full(n, 1e200)) == (-np.inf, np.inf)  # overflow: no bound


def test_symmetric_part_holds_every_symmetric_member():
    rng = np.random.default_rng(1)
    Jm = rng.normal(size=(5, 5))
    Jr = np.abs(rng.normal(size=(5, 5)))
    M, R = fb.symmetric_part(Jm, Jr)
    assert (M == M.T).all() and (R == R.T).all()
    S = (Jm + Jm.T) / 2  # may or may not be a member of [Jm +- Jr]; if it is, it is one of [M +- R]
    member = (np.abs(S - Jm) <= Jr).all()
    assert not member or (np.abs(S - M) <= R).all()
