"""Adversarial cases with exactly known truth, and a runner that counts false certificates.

Each case is a claim about a matrix or a gradient whose truth is known
exactly (by construction, or by exact rational arithmetic): exactly singular
integer matrices, rank-deficient products, exact and float-rounded Hilbert
matrices, Kahan matrices, ``S +- 2^-k I`` around a singular PSD matrix,
indefinite matrices with a tiny negative eigenvalue, and Krawczyk boxes whose
centre is shifted off the root, that contain two roots, or that sit on a
saddle. A *false certificate* is a ``certified`` verdict on a false claim or
a ``refuted`` verdict on a true one; the count must be zero.
"""

from __future__ import annotations

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
    enclose_eigenvalues,
)
from proofkit.kernel import check_certificate
from proofkit.numeric.contexts import arb_precision

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


def _exact_rank(A: list[list[Any]]) -> int:
    return flint.fmpq_mat([[flint.fmpq(Fraction(x).numerator, Fraction(x).denominator) for x in r] for r in A]).rank()


def _exact_pd(A: list[list[Any]]) -> bool:
    from proofkit.kernel.linalg import exact_pivots_positive

    return exact_pivots_positive(flint.fmpq_mat([[flint.fmpq(Fraction(x).numerator, Fraction(x).denominator)
                                                  for x in r] for r in A]))


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


CASE_FAMILIES: dict[str, Callable[[random.Random], Iterator[Case]]] = {
    "singular integer": singular_integer,
    "rank-deficient product": rational_products,
    "Hilbert": hilbert,
    "Kahan": kahan,
    "SPD +- 2^-k I": shifted_psd,
    "Krawczyk": krawczyk,
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


@dataclass
class SoundnessReport:
    """Counts of a soundness run."""

    cases: int = 0
    conclusive: int = 0
    false_certificates: list[str] = field(default_factory=list)
    kernel_rejections: list[str] = field(default_factory=list)
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
        res = case.run()
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
        if kernel and cert.verdict != "inconclusive":
            try:
                check_certificate(cert.to_json())
            except Exception as exc:  # any failure of the kernel on an issued certificate is recorded
                rep.kernel_rejections.append(f"{case.family}: {case.claim}: {exc}")
    return rep
