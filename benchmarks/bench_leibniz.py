"""Lemma 4.3 at scale: alpha_0 and the certified witness rank([F_1, 1_N]) = N, with their kernel re-checks.

Random distinct rational samples in R^2, sigmoid, one hidden layer of width N - 1, at the alpha_0 that
:meth:`~proofkit.symbolic.leibniz.LeibnizConstruction.alpha0` finds (for every alpha >= alpha_0). Side by
side in one run: the search for alpha_0, its ``leibniz_alpha0`` certificate (``certify_leibniz_alpha0``, the
kernel's check included) and its kernel re-check from the JSON alone; the ``leibniz_witness`` certificate
(the kernel rebuilds E(alpha) from the recipe) and its re-check; the former path
``certify_full_rank(E_fast(alpha))`` (Arb entry by entry, then an Arb solve; only up to ``--old-max``) and a
plain (uncertified) numpy SVD (singular values only) of the same float64 matrix. "ratio" is (alpha_0 search +
alpha_0 certificate + witness) / SVD. The load average is printed on every row.
Run: ``python benchmarks/bench_leibniz.py [--sizes 1000 2000 3000 4000] [--old-max 0] [--sigma softplus
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
from proofkit.certify.leibniz import certify_leibniz_alpha0
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
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 2000, 3000, 4000])
    parser.add_argument("--old-max", type=int, default=0, help="largest N for the former Arb path")
    parser.add_argument("--sigma", default="sigmoid", help="activation (sigmoid, tanh, softplus, ...)")
    parser.add_argument("--beta", default="0", help="beta (exact)")
    parser.add_argument("--alpha", default=None, help="a fixed alpha instead of the proved alpha_0")
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, python {platform.python_version()}, "
          f"python-flint {flint.__version__}, numpy {np.__version__}; load {os.getloadavg()}")
    print(f"sigma = {args.sigma}, beta = {args.beta}, alpha = {args.alpha or 'the proved alpha_0'}")
    print("| N | construction (s) | alpha_0 search (s) | alpha_0 certificate (s) | alpha_0 re-check (s) | alpha | "
          "witness (s) | verdicts | witness re-check (s) | certificate (kB) | former Arb path (s) | numpy SVD (s) | "
          "ratio | kernel: how | load |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    rng = random.Random(3)
    for N in args.sizes:
        X = [[sympy.Rational(rng.randint(-9999, 9999), 101), sympy.Rational(rng.randint(-9999, 9999), 103)]
             for _ in range(N)]
        t0 = time.perf_counter()
        con = leibniz_construction(X, [2, N - 1, 1], k=1, sigma=args.sigma, beta=sympy.Rational(args.beta))
        t1 = time.perf_counter()
        alpha = sympy.Rational(args.alpha) if args.alpha else con.alpha0()["alpha0"]
        t2 = time.perf_counter()
        a0 = "-"
        a0_check = float("nan")
        if con.kind == "bounded" and not args.alpha:
            a0_cert = certify_leibniz_alpha0(con, alpha)
            a0 = a0_cert.verdict
            s = time.perf_counter()
            check_certificate(a0_cert.to_json())
            a0_check = time.perf_counter() - s
        t3 = time.perf_counter()
        cert = con.witness(alpha)
        t4 = time.perf_counter()
        text = cert.to_json()
        s = time.perf_counter()
        rep = check_certificate(text)
        w_check = time.perf_counter() - s
        old = "-"
        if N <= args.old_max:
            s = time.perf_counter()
            old_cert = certify_full_rank(con.E_fast(alpha), max_prec=256)
            old = f"{time.perf_counter() - s:.3f} ({old_cert.verdict})"
        E = float_matrix(con, alpha)
        svd, ratio = "overflow", "-"
        if np.isfinite(E).all():
            s = time.perf_counter()
            np.linalg.svd(E, compute_uv=False)
            took = time.perf_counter() - s
            svd, ratio = f"{took:.3f}", f"{(t2 - t1 + t3 - t2 - a0_check + t4 - t3) / took:.2f}"
        print(f"| {N} | {t1 - t0:.3f} | {t2 - t1:.3f} | {t3 - t2 - a0_check:.3f} | {a0_check:.3f} | {alpha} | "
              f"{t4 - t3:.3f} | {a0}, {cert.verdict} | {w_check:.3f} | {len(text) / 1000:.0f} | {old} | {svd} | {ratio} | "
              f"{rep.how}; {rep.margin} | {os.getloadavg()[0]:.1f} |", flush=True)


if __name__ == "__main__":
    main()
