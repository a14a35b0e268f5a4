"""Lemma 4.3's matrix E(alpha) enclosed from its recipe (the library behind the ``leibniz_witness`` rule).

The certificate stores only the recipe: sigma (a DAG in one variable), the samples X (N x d exact
rationals), the direction a, alpha > 0, beta, the kind and the layer k. :func:`projections` derives
``p_i = <a, x_i>`` exactly, sorts them and checks them distinct; :func:`layer_inputs` takes the layer-k inputs
``t_i = p_i`` (k = 1) or ``sigma^(k-1)(p_i)`` (Arb balls, certified strictly increasing); :func:`enclosure`
encloses ``E(alpha)`` (``[1_N, A]``, bounded kind, or ``[A, 1_N]``, type 2b; ``A_ic = sigma(alpha (t_c - t_i) +
beta)`` for the N - 1 smallest ``t_c``) as float64 midpoint and radius matrices:

* entries with ``|z| < Z`` (``z`` the exact argument) are enclosed one by one in Arb (distinct ``z`` once);
* on each side the entries with ``z >= Z`` (``z <= -Z``) form a suffix (prefix) of the sorted columns,
  found by bisection (exact for k = 1, checked ball predicates for k > 1), and share one enclosure of
  sigma over the whole interval ``[Z, z_max]`` (``[z_min, -Z]``) of their arguments by interval
  arithmetic (:func:`interval_range`). No property of sigma is assumed (no monotonicity, no limits).
  ``Z`` is the first of ``1, 2, 4, ..., 2^10`` whose enclosure has radius at most ``2^-44 max(1, |mid|)``;
  if none does, that side is enclosed entry by entry.

:func:`arb_matrix` encloses every entry in Arb (small N, badly scaled matrices of type 2b). Work is bounded
(:data:`MAX_WORK` node evaluations of sigma, :data:`MAX_BITWORK` for the exact arguments' bits) and charged.

The claim holds for *the* network: below layer k every unit computes ``sigma(<a, z>)`` (a at layer 1,
e_1 above, bias 0), so the rows of ``F_(k-1)`` have first coordinate ``t_i``; layer k computes
``G_k[i, j] = alpha (t_(j) - t_i) + beta`` (unit j < N - 1; further units copy unit N - 2), so
``[F_k, 1_N]`` has the columns of ``E(alpha)`` with rows permuted: rank N.
"""

from __future__ import annotations

import bisect
from typing import Any

import flint

from proofkit.kernel import engine
from proofkit.kernel.cost import charge
from proofkit.kernel.decode import evaluation_cost, reject

__all__ = ["interval_range", "projections", "layer_inputs", "enclosure", "arb_matrix", "budget", "arb_affordable",
           "min_gap", "limit_inverse_frobenius", "MAX_POINTWISE", "MAX_N", "MAX_ARB", "MAX_WORK", "MAX_BITWORK", "MAX_K", "TPREC"]

MAX_N = 4000  # the float64 matrix, its radii, its inverse and the products (128 MB each at N = 4000)
MAX_POINTWISE = 250_000  # entries enclosed one by one (about 20 microseconds each)
MAX_ARB = 120  # up to this N, a matrix the float64 test does not prove is tried entry by entry in Arb
MAX_WORK = 4_000_000  # sigma's nodes x its evaluations (layer inputs, 22 for the tails, entries): ~3 us each
MAX_BITWORK = 2_000_000_000  # arguments z computed (entries, 24 N bisection steps) x 3 max bits of alpha, beta, p
PREC = 64
TPREC = 128  # the layer-k inputs for k > 1 and the arguments z computed from them
MAX_K = 20
T = "leibniz_witness"


def _fail(why: str) -> Any:
    return reject(f"{T}: {why}")


def _mid_rad(v: flint.arb) -> tuple[float, float]:
    """A float midpoint m and a float radius r with the ball v inside [m - r, m + r] (m's rounding folded in)."""
    import math

    if not v.is_finite():
        raise _fail("an entry of E(alpha) is not finite")
    m = float(v.mid())
    with flint.ctx.workprec(PREC + 64):
        u = abs(v - flint.arb(m)).upper()
    r = math.nextafter(float(u), math.inf)  # float() is faithful: one step up is an upper bound
    if not (math.isfinite(m) and math.isfinite(r)):
        raise _fail("an entry of E(alpha) is out of float64 range")
    return m, r


_LAST: list[Any] = [None, None]  # (sigma, its tape): the rule evaluates one sigma many times


def _value(sigma: Any, ball: flint.arb, prec: int) -> flint.arb:
    """sigma over a ball (a value enclosure)."""
    if _LAST[0] is not sigma:
        _LAST[:] = [sigma, engine.Tape(sigma)]
    tape = _LAST[1]
    charge(evaluation_cost(tape, 0, prec), "an evaluation of sigma")
    (jet,) = engine.evaluate(tape, [ball], order=0, value_only=True, prec=prec)
    return jet.value


def _sigma(sigma: Any, ball: flint.arb) -> flint.arb:
    return _value(sigma, ball, PREC)


def _sigma_at(sigma: Any, z: Any, p: int) -> flint.arb:
    with flint.ctx.workprec(p):
        return _value(sigma, flint.arb(z), p)


_INCREASING = {"exp": flint.arb.exp, "tanh": flint.arb.tanh, "atan": flint.arb.atan, "erf": flint.arb.erf,
               "sinh": flint.arb.sinh, "log": flint.arb.log}


def _pow_range(L: flint.arb, U: flint.arb, p: flint.fmpq) -> tuple[flint.arb, flint.arb] | None:
    if p.q != 1 and not L > 0:
        return None  # fractional powers: on (0, inf) only
    if p > 0 and (L >= 0 or (p.q == 1 and p.p % 2)):
        return (L ** p).lower(), (U ** p).upper()  # increasing
    if p > 0 and U <= 0:
        return (U ** p).lower(), (L ** p).upper()  # even power on (-inf, 0]: decreasing
    if p > 0:
        return flint.arb(0), (L ** p).max(U ** p).upper()
    if L > 0 or (U < 0 and p.p % 2):
        return (U ** p).lower(), (L ** p).upper()  # negative power, decreasing on each side of 0
    if U < 0:
        return (L ** p).lower(), (U ** p).upper()
    return None  # a negative power over an interval containing 0


def interval_range(dag: Any, lo: flint.fmpq, hi: flint.fmpq) -> flint.arb | None:
    """A ball containing ``dag(x)`` for every ``x`` in ``[lo, hi]`` by interval arithmetic on exact endpoints.

    Each node's range is a pair ``(L, U)`` of exact arb points with every value of the node on the
    interval in ``[L, U]``: sums add endpoints, products take the extreme endpoint products, and the
    increasing functions (exp, log, tanh, atan, erf, sinh) and powers map endpoints (rounded outwards). Unlike ball
    arithmetic this stays tight on long intervals where the function saturates (sigmoid on
    ``[32, 10^9]``), and it assumes nothing about the function. Other operations give ``None``.
    """
    V: list[tuple[flint.arb, flint.arb]] = []
    with flint.ctx.workprec(PREC):
        for nd in dag.nodes:
            op, args = nd[0], nd[1:]
            if op == "var":
                r = flint.arb(lo), flint.arb(hi)
            elif op in ("const", "pi", "E"):
                c = flint.arb(args[0]) if op == "const" else (flint.arb.pi() if op == "pi" else flint.arb(1).exp())
                r = c.lower(), c.upper()
            elif op == "add":
                r = sum((V[a][0] for a in args), flint.arb(0)).lower(), sum((V[a][1] for a in args), flint.arb(0)).upper()
            elif op == "mul":
                r = V[args[0]]
                for a in args[1:]:
                    ps = [x * y for x in r for y in V[a]]
                    r = min(p.lower() for p in ps), max(p.upper() for p in ps)
            elif op == "pow":
                r = _pow_range(*V[args[0]], args[1])
            elif op in _INCREASING and (op != "log" or V[args[0]][0] > 0):
                L, U = V[args[0]]
                r = _INCREASING[op](L).lower(), _INCREASING[op](U).upper()
            else:
                return None
            if r is None or not (r[0].is_finite() and r[1].is_finite()):
                return None
            V.append(r)
        L, U = V[dag.outputs[0]]
        return L.union(U)


def _tail(sigma: Any, far: flint.fmpq, side: int) -> tuple[flint.fmpq, flint.arb] | None:
    """``(Z, enclosure)``: sigma over ``side * [Z, far]`` for the first Z on the ladder where it is tight."""
    Z = flint.fmpq(1)
    for _ in range(11):
        if Z > far:
            return None
        v = interval_range(sigma, Z, far) if side > 0 else interval_range(sigma, -far, -Z)
        with flint.ctx.workprec(PREC):
            if v is not None and v.rad() <= flint.arb(2) ** -44 * max(flint.arb(1), abs(v.mid())):
                return Z, v
        Z *= 2
    return None


def projections(X: list[list[flint.fmpq]], a: list[flint.fmpq]) -> list[flint.fmpq]:
    """The sorted exact projections ``<a, x_i>``; two equal ones make two rows of E(alpha) equal: rejected."""
    charge(1e-6 * len(X) * (len(a) + 1), "the projections of the samples")
    p = sorted(sum((ai * xi for ai, xi in zip(a, x)), flint.fmpq(0)) for x in X)
    if any(u == v for u, v in zip(p, p[1:])):
        raise _fail("two samples have the same projection <a, x_i>: E(alpha) has two equal rows (singular)")
    return p


def layer_inputs(sigma: Any, p: list[flint.fmpq], k: int, prec: int) -> list[Any]:
    """t_i = sigma^(k-1)(p_i) for the sorted exact projections p: p itself for k = 1, else balls certified increasing."""
    if k == 1:
        return p
    with flint.ctx.workprec(prec):
        t = [flint.arb(v) for v in p]
    for _ in range(k - 1):
        t = [_value(sigma, v, prec) for v in t]
    if not all(u < v for u, v in zip(t, t[1:])):
        raise _fail(f"the layer-{k} inputs sigma^{k - 1}(<a, x_i>) are not certified strictly increasing")
    return t


def _z(t: list[Any], alpha: flint.fmpq, beta: flint.fmpq, i: int, c: int) -> Any:
    with flint.ctx.workprec(TPREC):
        return alpha * (t[c] - t[i]) + beta  # exact for k = 1 (fmpq), a ball for k > 1


def _cuts(t: list[Any], alpha: flint.fmpq, beta: flint.fmpq, i: int, left: Any, right: Any) -> tuple[int, int]:
    """``(lo, hi)``: columns below lo have z <= -Z_left and columns from hi on z >= Z_right, for certain.

    Bisection finds the cut; the cut is then checked (a ball predicate may be undecided near it), and the
    true t are increasing, so every column beyond a checked cut satisfies it too."""
    n = len(t) - 1
    lo, hi = 0, n
    if left is not None:
        lo = bisect.bisect_left(range(n), True, key=lambda c: not _z(t, alpha, beta, i, c) <= -left[0])
        while lo > 0 and not _z(t, alpha, beta, i, lo - 1) <= -left[0]:
            lo -= 1
    if right is not None:
        hi = bisect.bisect_left(range(n), True, key=lambda c: bool(_z(t, alpha, beta, i, c) >= right[0]))
        while hi < n and not _z(t, alpha, beta, i, hi) >= right[0]:
            hi += 1
    return lo, max(lo, hi)


def budget(sigma: Any, evaluations: int, steps: int, bits: int) -> None:
    if evaluations * len(sigma.nodes) > MAX_WORK or steps * bits > MAX_BITWORK:
        raise _fail(f"over budget: {evaluations} evaluations of a sigma of {len(sigma.nodes)} nodes (at most {MAX_WORK}"
                    f" node evaluations), {steps} arguments z of {bits} bits (at most {MAX_BITWORK} bit operations)")


def enclosure(sigma: Any, t: list[Any], alpha: flint.fmpq, beta: flint.fmpq, bounded: bool,
              bits: int) -> tuple[Any, Any, tuple[int, int]]:
    """Float64 midpoint and radius matrices of E(alpha), and how many entries (distinct arguments) were enclosed
    one by one."""
    import numpy as np

    N = len(t)
    far = _z(t, alpha, beta, 0, N - 1) - beta
    if not isinstance(far, flint.fmpq):
        far = far.upper()  # an exact point above alpha (t_max - t_min)
    right = _tail(sigma, far + beta, 1)  # z in [Z, alpha (t_max - t_min) + beta]
    left = _tail(sigma, far - beta, -1)  # z in [-(alpha (t_max - t_min) - beta), -Z]
    ranges = [_cuts(t, alpha, beta, i, left, right) for i in range(N)]
    count = sum(hi - lo for lo, hi in ranges)
    if count > MAX_POINTWISE:
        raise _fail(f"{count} entries have |z| below the tail threshold (at most {MAX_POINTWISE} are enclosed one by "
                    "one): a larger alpha separates the samples more")
    budget(sigma, count, count, bits)
    Em, Er = np.full((N, N), np.nan), np.zeros((N, N))  # an entry left unset would fail the test (NaN)
    off, one = (1, 0) if bounded else (0, N - 1)
    Em[:, one] = 1.0
    tails = [(s, _mid_rad(e[1])) for s, e in ((-1, left), (1, right)) if e is not None]
    seen: dict[Any, tuple[float, float]] = {}
    for i, (lo, hi) in enumerate(ranges):
        for s, (m, r) in tails:
            a, b = (off, off + lo) if s < 0 else (off + hi, off + N - 1)
            Em[i, a:b], Er[i, a:b] = m, r
        for c in range(lo, hi):
            z = _z(t, alpha, beta, i, c)
            key = z if isinstance(z, flint.fmpq) else (i, c)
            mr = seen.get(key)
            if mr is None:
                with flint.ctx.workprec(PREC):
                    mr = seen[key] = _mid_rad(_sigma(sigma, flint.arb(z)))
            Em[i, off + c], Er[i, off + c] = mr
    return Em, Er, (count, len(seen))


def arb_affordable(N: int, k: int, sigma: Any, bits: int) -> bool:
    """Whether the entry-by-entry Arb matrix is within the work bounds (and N <= MAX_ARB)."""
    return N <= MAX_ARB and 10 * N * (N + k) * len(sigma.nodes) <= MAX_WORK and 3 * N * N * bits <= MAX_BITWORK


def arb_matrix(sigma: Any, p: list[flint.fmpq], k: int, alpha: flint.fmpq, beta: flint.fmpq, bounded: bool,
               prec: int) -> Any:
    """E(alpha) with every entry enclosed in Arb at ``prec`` bits."""
    t = layer_inputs(sigma, p, k, prec)
    with flint.ctx.workprec(prec):
        A = [[_sigma_at(sigma, alpha * (tc - ti) + beta, prec) for tc in t[:-1]] for ti in t]
        return flint.arb_mat([[flint.arb(1), *r] if bounded else [*r, flint.arb(1)] for r in A])


def min_gap(t: list[flint.arb], prec: int) -> flint.arb | None:
    """A lower bound (an exact point) of every gap ``t_(i+1) - t_i``, or None if one is not certified positive."""
    charge(len(t) * 2 * (3e-6 + 1e-7), "the gaps of t")
    with flint.ctx.workprec(prec):
        D = t[1] - t[0]
        for u, v in zip(t[1:], t[2:]):
            D = D.min(v - u)
        return D.lower() if D > 0 else None


def limit_inverse_frobenius(mu: flint.arb, gamma: flint.arb, s: flint.arb, N: int, prec: int) -> flint.arb | None:
    """An enclosure of ``||L^-1||_F`` for the limit matrix ``L = [1_N, M]``, ``M_ij = gamma`` (j > i), ``s``
    (j = i), ``mu`` (j < i), i < N, j < N - 1, in O(N) ball operations; None if ``mu - s`` is not certified nonzero.

    Subtracting row i - 1 from row i (i >= 1; ``D`` this unit lower bidiagonal map) gives ``U = D L``: row 0 of L,
    then ``a = mu - s`` at column i and ``b = s - gamma`` at column i + 1. U is upper triangular with diagonal
    ``1, a, ..., a`` (``det L = a^(N-1)``): ``U = [[1, r^T], [0, B]]``, ``r = (s, gamma, ..., gamma)``, B upper
    bidiagonal with ``B^-1_ij = rho^(j-i) / a`` (j >= i), ``rho = -b / a``. ``L^-1 = U^-1 D`` and column k of
    ``X D`` is ``X_k - X_(k+1)`` (the last column: ``X_(N-1)``). Row ``i >= 1`` of ``L^-1`` is ``-1/a`` at
    column i - 1, ``rho^m (1 - rho) / a`` at column i + m (``m < n = N - 1 - i``) and ``rho^n / a`` at column
    N - 1: its squared norm is ``(1 + (1 - rho)^2 S(n) + rho^(2n)) / a^2``, ``S(n) = sum_(m < n) rho^(2m)``. Row 0
    of ``U^-1`` is ``(1, w_1, ..., w_(N-1))``, ``w = -r^T B^-1``: ``w_1 = -s/a``, ``w_(j+1) = rho w_j - gamma/a``;
    row 0 of ``L^-1`` is ``(1 - w_1, w_1 - w_2, ..., w_(N-2) - w_(N-1), w_(N-1))``.
    """
    charge(N * 12 * (3e-6 + 2e-7 * max(prec, 64) / 64), "the inverse of the limit matrix")
    with flint.ctx.workprec(prec):
        a = mu - s
        if not (a > 0 or a < 0):
            return None
        rho = (gamma - s) / a
        r2, c2 = rho * rho, (1 - rho) * (1 - rho)
        rows, S, p = flint.arb(0), flint.arb(0), flint.arb(1)  # p = rho^(2n), S = S(n)
        for _ in range(N - 1):
            rows += 1 + c2 * S + p
            S += p
            p *= r2
        w = -s / a
        first = (1 - w) * (1 - w)
        for _ in range(N - 2):
            v = rho * w - gamma / a
            first += (w - v) * (w - v)
            w = v
        total = rows / (a * a) + first + w * w
        return total.sqrt() if total.is_finite() and total > 0 else None
