"""Degenerate saddles of analytic, non-rational losses: certification and kernel re-check times.

Each case is a critical point with a singular Hessian whose kind is decided beyond order 2 by Taylor series in
Arb along lines (``certify_saddle``; before this path such points were inconclusive: "the loss is not a rational
function"):

* ``deep_tanh_L``: ``sum_i (y_i - a_1 tanh(a_2 tanh(... a_{L-1} tanh(a_L x_i))))^2`` at the origin, data with
  ``sum x_i y_i != 0``: the Hessian is zero for ``L >= 3`` and the loss changes by ``-2 sum(x y) t^L`` along
  ``(t, ..., t)`` (a saddle of order L for L odd; for L even a decrease along one diagonal and an increase along
  another);
* ``sin_cubed``: ``x^2 + sin(y)^3`` (order 3); ``exp_quartic``: ``x^2 - exp(y^4)`` (order 4).

For each: the verdict and order, the time to certify (the search and the kernel's round trip), and a fresh
``check_certificate`` of the JSON, with the load average::

    python benchmarks/bench_degenerate_saddles.py [--depths 3 4 5 6]
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import flint
import sympy

from proofkit import certify_saddle, check_certificate


def deep_tanh(depth: int) -> tuple:
    a = sympy.symbols(f"a1:{depth + 1}")
    X, Y = [1, 2, -1], [1, 1, 1]
    L = 0
    for x, y in zip(X, Y):
        f = a[-1] * x
        for p in reversed(a[:-1]):
            f = p * sympy.tanh(f)
        L += (y - f) ** 2
    return L, list(a)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--depths", type=int, nargs="+", default=[3, 4, 5, 6])
    args = ap.parse_args()
    x, y = sympy.symbols("x y")
    cases = {f"deep_tanh_{d}": deep_tanh(d) for d in args.depths}
    cases["sin_cubed"] = (x**2 + sympy.sin(y) ** 3, [x, y])
    cases["exp_quartic"] = (x**2 - sympy.exp(y**4), [x, y])
    print(f"python {platform.python_version()}, python-flint {flint.__version__}, sympy {sympy.__version__}, "
          f"{os.cpu_count()} cores; load {os.getloadavg()[0]:.1f}")
    print("| case | parameters | verdict | order | certify (s) | kernel re-check (s) | load |")
    print("|---|---|---|---|---|---|---|")
    for name, (L, params) in cases.items():
        t0 = time.perf_counter()
        c = certify_saddle(L, params, [0] * len(params))
        t1 = time.perf_counter()
        text = c.to_json()
        t2 = time.perf_counter()
        check_certificate(text)
        t3 = time.perf_counter()
        print(f"| {name} | {len(params)} | {c.verdict} | {c.claim.get('order')} | {t1 - t0:.3f} | {t3 - t2:.3f} | "
              f"{os.getloadavg()[0]:.1f} |", flush=True)


if __name__ == "__main__":
    main()
