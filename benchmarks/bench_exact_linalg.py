"""Exact linear algebra: proofkit's exact certifiers against python-flint's own call on the same matrix.

For n in ``--sizes`` and two kinds of entries (``small``: integers in [-9, 9]; ``big``: rationals whose
numerators have 100 digits, over denominators 1..9), side by side in one run, each the best of ``--repeat`` runs:

* rank: ``exact_rank`` (a certificate the kernel has accepted) vs ``fmpq_mat.rank()`` on a matrix of rank
  n - 3;
* det: ``enclose_det`` (exact path) vs ``fmpq_mat.det()`` on a nonsingular matrix;
* LDL^T: ``certify_positive_definite`` (exact path: ``exact_limit=n``) vs flint's fraction-free LU
  (``fmpz_mat.fflu()``) of the matrix with its rows' denominators cleared (the leading principal minors, times
  positive row factors, on the diagonal) on a positive definite matrix;
* nonsingular: ``certify_nonsingular(backend="exact")`` vs ``fmpq_mat.det()``.

"certify" includes the kernel's check of the certificate's own JSON (every certifier runs it before it
returns); "re-check" is ``check_certificate`` on the JSON again (with the matrix record when the certificate
holds only the matrix's hash), reported separately. The input is an ``fmpq_mat`` (the certifier converts it;
the conversion is in its time). Ratios are certify / flint and re-check / flint.
Run: ``python benchmarks/bench_exact_linalg.py [--sizes 50 100 150 200] [--kinds small big] [--repeat 1]``
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import time

import flint
import numpy as np

from proofkit.certify import certify_nonsingular, certify_positive_definite, enclose_det, exact_rank
from proofkit.certify.matrices import matrix_record
from proofkit.kernel import check_certificate


def entry(rng: random.Random, kind: str) -> flint.fmpq:
    if kind == "small":
        return flint.fmpq(rng.randint(-9, 9))
    return flint.fmpq(rng.choice((-1, 1)) * rng.randint(10**99, 10**100), rng.randint(1, 9))


def matrices(n: int, kind: str, seed: int) -> dict[str, flint.fmpq_mat]:
    """A nonsingular matrix, one of rank n - 3 (three rows are sums of two others) and a positive definite one."""
    rng = random.Random(seed)
    A = [[entry(rng, kind) for _ in range(n)] for _ in range(n)]
    R = [row[:] for row in A]
    for k in range(3):
        R[n - 1 - k] = [x + y for x, y in zip(R[k], R[k + 3])]
    S = [[flint.fmpq(0)] * n for _ in range(n)]  # symmetric, strictly diagonally dominant: positive definite
    for i in range(n):
        for j in range(i + 1, n):
            S[i][j] = S[j][i] = entry(rng, kind)
    for i in range(n):
        S[i][i] = sum((abs(x) for x in S[i]), flint.fmpq(1))
    return {"det": flint.fmpq_mat(A), "rank": flint.fmpq_mat(R), "ldl": flint.fmpq_mat(S)}


def best(f, repeat: int) -> tuple[float, object]:
    t, out = float("inf"), None
    for _ in range(repeat):
        s = time.perf_counter()
        out = f()
        t = min(t, time.perf_counter() - s)
    return t, out


def fflu_minors(Q: flint.fmpq_mat) -> bool:
    """flint alone: clear each row's denominators, fraction-free LU, all diagonal entries positive (no exchange)."""
    num, _ = Q.numer_denom()
    P, _, _, U = num.fflu()
    return P.is_one() and all(U[k, k] > 0 for k in range(Q.nrows()))


def recheck(cert) -> float:
    text = cert.to_json()
    record = None if (cert.inputs or {}).get("A") is not None else matrix_record(cert._matrix_source)
    s = time.perf_counter()
    rep = check_certificate(text, matrix=record)
    took = time.perf_counter() - s
    assert rep.ok
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 100, 150, 200])
    parser.add_argument("--kinds", nargs="+", default=["small", "big"])
    parser.add_argument("--ops", nargs="+", default=["rank", "det", "ldl", "nonsingular"])
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, python {platform.python_version()}, "
          f"python-flint {flint.__version__}, numpy {np.__version__}; load {os.getloadavg()}")
    print("| operation | entries | n | flint (s) | certify (s) | verdict | certify / flint | kernel re-check (s) | "
          "re-check / flint | load |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for kind in args.kinds:
        for n in args.sizes:
            mats = matrices(n, kind, seed=n)
            ops = {
                "rank": (lambda: mats["rank"].rank(), lambda: exact_rank(mats["rank"])),
                "det": (lambda: mats["det"].det(), lambda: enclose_det(mats["det"])),
                "ldl": (lambda: fflu_minors(mats["ldl"]),
                        lambda: certify_positive_definite(mats["ldl"], exact_limit=n)),
                "nonsingular": (lambda: mats["det"].det(), lambda: certify_nonsingular(mats["det"], backend="exact")),
            }
            for op in args.ops:
                bare, ours = ops[op]
                tf, _ = best(bare, args.repeat)
                tc, cert = best(ours, args.repeat)
                tr = min(recheck(cert) for _ in range(args.repeat))
                print(f"| {op} | {kind} | {n} | {tf:.4f} | {tc:.4f} | {cert.verdict} | {tc / tf:.2f} | {tr:.4f} | "
                      f"{tr / tf:.2f} | {os.getloadavg()[0]:.1f} |", flush=True)


if __name__ == "__main__":
    main()
