"""Lemma 4.3 at scale: construction, explicit alpha_0 proof and certified witness for N samples.

Random distinct rational samples in R^2, one hidden sigmoid layer of width N - 1.
Run: ``python benchmarks/bench_leibniz.py [--sizes 25 50 100 200]``
"""

from __future__ import annotations

import argparse
import platform
import random
import time

import flint
import sympy

from proofkit.kernel import check_certificate
from proofkit.symbolic.leibniz import leibniz_construction


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[25, 50, 100, 200])
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, python {platform.python_version()}, python-flint {flint.__version__}")
    print("| N | construction (s) | alpha_0 proof (s) | witness (s) | total (s) | alpha_0 | witness | kernel re-check (s) |")
    print("|---|---|---|---|---|---|---|---|")
    rng = random.Random(3)
    for N in args.sizes:
        X = [[sympy.Rational(rng.randint(-999, 999), 101), sympy.Rational(rng.randint(-999, 999), 103)]
             for _ in range(N)]
        t0 = time.perf_counter()
        con = leibniz_construction(X, [2, N - 1, 1], k=1)
        t1 = time.perf_counter()
        proof = con.alpha0()
        t2 = time.perf_counter()
        cert = con.witness(proof["alpha0"])
        t3 = time.perf_counter()
        check_certificate(cert, matrix=None) if cert.inputs.get("A") is not None else None
        t4 = time.perf_counter()
        print(f"| {N} | {t1 - t0:.3f} | {t2 - t1:.3f} | {t3 - t2:.3f} | {t3 - t0:.3f} | {proof['alpha0']} | "
              f"{cert.verdict} | {t4 - t3:.3f} |", flush=True)


if __name__ == "__main__":
    main()
