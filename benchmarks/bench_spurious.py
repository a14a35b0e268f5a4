"""How the time to certify a spurious local minimum grows with the number of parameters.

The network is ``x -> (sigma(v_j sigma(w x)))_{j=1..m}`` (widths [1, 1, m], sigmoid, no biases)
on N = 4 samples with "two-well" targets on every output (sigma(2x) on the first two samples,
sigma(-x/2) on the last two, 3 digits). The hidden width n_1 = 1 < N - 1, so Theorem 3.8 does not
apply. The candidate minimum and the better point come from the m = 1 problem (the loss is
m times it along the diagonal v_1 = ... = v_m); the certifier refines them (Newton at 60 digits)
and certifies in all 1 + m parameters.

Run: ``python benchmarks/bench_spurious.py [--sizes 10 25 50 100 200]``
"""

from __future__ import annotations

import argparse
import math
import platform
import time

import flint
import numpy as np
import sympy
from scipy.optimize import minimize

from proofkit import Network
from proofkit.certify import certify_spurious_minimum
from proofkit.kernel import check_certificate

R = sympy.Rational


def sig(t: float) -> float:
    return 1 / (1 + math.exp(-t))


def problem() -> tuple[list[list[sympy.Rational]], list[float]]:
    xs = [R(1), R(3, 2), R(6), R(13, 2)]
    ys = [R(round(sig((2.0 if i < 2 else -0.5) * float(x)), 3)).limit_denominator(1000) for i, x in enumerate(xs)]
    return [[x] for x in xs], ys


def two_minima(X: list[list[sympy.Rational]], ys: list[sympy.Rational]) -> list[np.ndarray]:
    """The spurious and the better minimum of the m = 1 problem (float search)."""
    xs = np.array([float(r[0]) for r in X])
    yv = np.array([float(y) for y in ys])

    def loss(p: np.ndarray) -> float:
        return float(np.sum((1 / (1 + np.exp(-p[1] / (1 + np.exp(-p[0] * xs)))) - yv) ** 2))

    found = []
    for start in ([0.5, -1.0], [-1.5, 30.0], [1.0, 1.0], [-2.0, 40.0]):
        res = minimize(loss, start, method="Nelder-Mead", options={"xatol": 1e-12, "fatol": 1e-14, "maxiter": 20000})
        found.append((res.fun, res.x))
    found.sort(key=lambda t: t[0])
    return [found[-1][1], found[0][1]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 25, 50, 100, 200])
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, python {platform.python_version()}, python-flint {flint.__version__}, "
          f"sympy {sympy.__version__}")
    print("| parameters | samples N | build loss (s) | certify (s) | kernel re-check (s) | verdict | loss gap |")
    print("|---|---|---|---|---|---|---|")
    X, ys = problem()
    bad, good = two_minima(X, ys)
    for P in args.sizes:
        m = P - 1
        t0 = time.perf_counter()
        net = Network([1, 1, m], activation="sigmoid", output_activation="sigmoid", bias=False)
        obj = net.loss(X, [[y] * m for y in ys])
        t1 = time.perf_counter()
        point = [bad[0], *([bad[1]] * m)]
        better = [good[0], *([good[1]] * m)]
        t2 = time.perf_counter()
        cert = certify_spurious_minimum(obj, None, point, better_point=better)
        t3 = time.perf_counter()
        rep = check_certificate(cert) if cert.verdict == "certified" else None
        ok = rep is not None and rep.ok
        t4 = time.perf_counter()
        gap = rep.measures["gap"].str(10, radius=True) if ok else "-"  # (what the kernel measured)
        print(f"| {P} | {len(X)} | {t1 - t0:.2f} | {t3 - t2:.2f} | {t4 - t3:.2f} | {cert.verdict}"
              f"{' (kernel ok)' if ok else ''} | {gap} |", flush=True)


if __name__ == "__main__":
    main()
