"""Non-strict minima of piecewise and sigmoid networks in full space: certification and kernel re-check times.

Cases (``certify_local_min(..., manifold=...)``):

* ``dead_relu_k``: ``x -> a1 relu(w1 x + b1) + sum_j c_j relu(v_j x + d_j)`` on ``N`` points of a line with targets
  alternating 0, 1; unit 1 fits the least-squares line (the manifold ``w1 = alpha / a1``, ``b1 = beta / a1``), the
  ``k`` other units are dead on the data (their ``3k`` weights free): a bad minimum with ``3 + 3k`` parameters;
* ``kink_face``: a data point on unit 1's kink with zero residual (two regions, both minima);
* ``sigmoid_plateau``: ``a1 sigmoid(w1 x + b1) + a2 sigmoid(w2 x + b2)`` with ``w1 = log 2`` fitting the data
  exactly, ``a2 = 0`` (``w2``, ``b2`` free).

For each: the verdict, the time to certify, and the kernel's re-check of the certificate's JSON (a fresh
``check_certificate``), with the load average::

    python benchmarks/bench_relu_plateaus.py
"""

from __future__ import annotations

import os
import time

import sympy
from sympy import Max
from sympy import Rational as R

from proofkit import certify_local_min, check_certificate


def dead_relu(k: int, n: int = 8) -> tuple:
    a1, w1, b1 = sympy.symbols("a1 w1 b1")
    dead = [sympy.symbols(f"c{j} v{j} d{j}") for j in range(k)]
    X = list(range(n))
    Y = [j % 2 for j in range(n)]
    xm, ym = R(sum(X), n), R(sum(Y), n)
    alpha = sum((x - xm) * (y - ym) for x, y in zip(X, Y)) / sum((x - xm) ** 2 for x in X)
    beta = ym - alpha * xm
    assert all(alpha * x + beta > 0 for x in X)
    f = [a1 * Max(0, w1 * x + b1) + sum(c * Max(0, v * x + d) for c, v, d in dead) for x in X]
    L = sum((fx - y) ** 2 for fx, y in zip(f, Y))
    params = [a1, w1, b1, *[s for u in dead for s in u]]
    point = [1, alpha, beta] + [R(1, 2), 1, -n - 5] * k
    return L, params, point, {w1: alpha / a1, b1: beta / a1}


def kink_face() -> tuple:
    a1, w1, b1, a2, w2, b2 = sympy.symbols("a1 w1 b1 a2 w2 b2")
    L = sum((a1 * Max(0, w1 * x + b1) + a2 * Max(0, w2 * x + b2) - y) ** 2
            for x, y in zip([-1, 0, 1, 2, 3], [0, 0, 1, 0, 1]))
    return L, [a1, w1, b1, a2, w2, b2], [1, R(1, 5), R(1, 5), R(1, 2), 1, -10], {w1: 1 / (5 * a1), b1: 1 / (5 * a1)}


def sigmoid_plateau() -> tuple:
    a1, w1, b1, a2, w2, b2 = sympy.symbols("a1 w1 b1 a2 w2 b2")

    def sig(t: sympy.Expr) -> sympy.Expr:
        return 1 / (1 + sympy.exp(-t))

    L = sum((a1 * sig(w1 * x + b1) + a2 * sig(w2 * x + b2) - y) ** 2
            for x, y in zip([0, 1, 2, 3], [R(3, 4), 1, R(6, 5), R(4, 3)]))
    return (L, [a1, w1, b1, a2, w2, b2], [R(3, 2), float(sympy.log(2)), 0, 0, 1, -1],
            {a1: R(3, 2), w1: sympy.log(2), b1: 0, a2: 0})


CASES = {"dead_relu_1": lambda: dead_relu(1), "dead_relu_3": lambda: dead_relu(3),
         "dead_relu_6": lambda: dead_relu(6, 16), "kink_face": kink_face, "sigmoid_plateau": sigmoid_plateau}


def main() -> None:
    print(f"load average {os.getloadavg()[0]:.2f}")
    print(f"{'case':18s} {'params':>6s} {'verdict':>12s} {'certify s':>10s} {'kernel s':>9s}")
    for name, build in CASES.items():
        L, params, point, manifold = build()
        t0 = time.perf_counter()
        c = certify_local_min(L, params, point, manifold=manifold)
        t1 = time.perf_counter()
        text = c.to_json()
        t2 = time.perf_counter()
        check_certificate(text)
        t3 = time.perf_counter()
        print(f"{name:18s} {len(params):6d} {c.verdict:>12s} {t1 - t0:10.3f} {t3 - t2:9.3f}")
    print(f"load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
