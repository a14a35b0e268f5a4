"""Lemma 4.3 at scale: the certified witness rank([F_1, 1_N]) = N and its kernel re-check from the recipe.

Random distinct rational samples in R^2, sigmoid, one hidden layer of width N - 1, at the alpha_0 that
:meth:`~proofkit.symbolic.leibniz.LeibnizConstruction.alpha0` proves (for every alpha >= alpha_0). Side by
side in one run: the ``leibniz_witness`` certificate (the kernel rebuilds E(alpha) from the recipe), its
kernel re-check from the certificate's JSON alone, the former path ``certify_full_rank(E_fast(alpha))``
(Arb entry by entry, then an Arb solve; only up to ``--old-max``) and a plain (uncertified) numpy SVD of
the float64 matrix.
Run: ``python benchmarks/bench_leibniz.py [--sizes 25 50 100 200 500 1000] [--old-max 200] [--sigma softplus
--beta 1 --alpha 65536]``
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import time

import flint
import numpy as np
import sympy

from proofkit.certify import certify_full_rank
from proofkit.kernel import check_certificate
from proofkit.symbolic.leibniz import leibniz_construction


def float_matrix(con, alpha) -> np.ndarray:
    """E(alpha) in plain float64 (no guarantee): the matrix the uncertified SVD is timed on."""
    t = np.array([float(v) for v in con.t])
    z = float(alpha) * (t[None, :-1] - t[:, None]) + float(con.beta)
    f = sympy.lambdify(sympy.Symbol("t"), con.sigma.expr.subs(next(iter(con.sigma.expr.free_symbols)),
                                                              sympy.Symbol("t")), "numpy")
    with np.errstate(over="ignore"):
        A = f(z)
    ones = np.ones((con.N, 1))
    return np.hstack([ones, A] if con.kind == "bounded" else [A, ones])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[25, 50, 100, 200, 500, 1000])
    parser.add_argument("--old-max", type=int, default=200, help="largest N for the former Arb path")
    parser.add_argument("--sigma", default="sigmoid", help="activation (sigmoid, tanh, softplus, ...)")
    parser.add_argument("--beta", default="0", help="beta (exact)")
    parser.add_argument("--alpha", default=None, help="a fixed alpha instead of the proved alpha_0")
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, python {platform.python_version()}, "
          f"python-flint {flint.__version__}, numpy {np.__version__}; load {os.getloadavg()}")
    print(f"sigma = {args.sigma}, beta = {args.beta}, alpha = {args.alpha or 'the proved alpha_0'}")
    print("| N | construction (s) | alpha_0 proof (s) | alpha | witness (s) | verdict | kernel re-check (s) "
          "| certificate (kB) | former Arb path (s) | numpy SVD (s) | kernel: how |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    rng = random.Random(3)
    for N in args.sizes:
        X = [[sympy.Rational(rng.randint(-9999, 9999), 101), sympy.Rational(rng.randint(-9999, 9999), 103)]
             for _ in range(N)]
        t0 = time.perf_counter()
        con = leibniz_construction(X, [2, N - 1, 1], k=1, sigma=args.sigma, beta=sympy.Rational(args.beta))
        t1 = time.perf_counter()
        alpha = sympy.Rational(args.alpha) if args.alpha else con.alpha0()["alpha0"]
        t2 = time.perf_counter()
        cert = con.witness(alpha)
        t3 = time.perf_counter()
        text = cert.to_json()
        t4 = time.perf_counter()
        rep = check_certificate(text)
        t5 = time.perf_counter()
        old = "-"
        if N <= args.old_max:
            s = time.perf_counter()
            old_cert = certify_full_rank(con.E_fast(alpha), max_prec=256)
            old = f"{time.perf_counter() - s:.3f} ({old_cert.verdict})"
        E = float_matrix(con, alpha)
        svd = "overflow"
        if np.isfinite(E).all():
            s = time.perf_counter()
            np.linalg.svd(E, compute_uv=False)
            svd = f"{time.perf_counter() - s:.3f}"
        print(f"| {N} | {t1 - t0:.3f} | {t2 - t1:.3f} | {alpha} | {t3 - t2:.3f} | {cert.verdict} | {t5 - t4:.3f} | "
              f"{len(text) / 1000:.0f} | {old} | {svd} | {rep.how}; {rep.margin} |", flush=True)


if __name__ == "__main__":
    main()
