"""Certification backends side by side: non-singularity and positive definiteness.

For random N x N matrices (standard normal entries, float64) this times, in one run:
numpy SVD (the floor), proofkit's float path (Rump verification), the Arb path
(verified solve at 64 bits), the exact path (determinant modulo a prime of the
row-scaled integer matrix), and mpmath's interval LU solve where it finishes
within the cap. For positive definiteness it compares ``numpy.linalg.eigvalsh``
with the float path (shifted Cholesky with a proven error bound).

Run: ``python benchmarks/bench_certify.py`` (``--quick`` for N <= 200).
"""

from __future__ import annotations

import argparse
import platform
import time
from collections.abc import Callable

import flint
import mpmath
import numpy as np

from proofkit.certify import certify_nonsingular, certify_positive_definite
from proofkit.numeric.floatverify import verify_positive_definite_float

SIZES = (20, 50, 100, 200, 400, 800)
IV_CAP = 20.0  # seconds


def best_of(f: Callable[[], object], repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        f()
        best = min(best, time.perf_counter() - t)
    return best


def mpmath_iv(A: np.ndarray) -> None:
    M = mpmath.iv.matrix(A.tolist())
    mpmath.iv.lu_solve(M, mpmath.iv.matrix([1] * A.shape[0]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    sizes = [n for n in SIZES if n <= 200] if args.quick else SIZES
    rng = np.random.default_rng(0)
    print(f"machine: {platform.machine()}, python {platform.python_version()}, numpy {np.__version__}, "
          f"python-flint {flint.__version__}, mpmath {mpmath.__version__}")
    print("\nNon-singularity (seconds; ratio to SVD in parentheses)\n")
    print("| N | numpy SVD | float (Rump) | Arb 64-bit solve | exact (det mod p) | mpmath iv LU |")
    print("|---|---|---|---|---|---|")
    iv_estimate = 0.0
    for n in sizes:
        A = rng.standard_normal((n, n))
        svd = best_of(lambda: np.linalg.svd(A))
        row = [f"{svd:.4f}"]
        for backend in ("float", "arb", "exact"):
            repeat = 3 if n <= 200 or backend == "float" else 1
            cert = certify_nonsingular(A, backend=backend, max_prec=64)
            t = best_of(lambda b=backend: certify_nonsingular(A, backend=b, max_prec=64), repeat)
            mark = "" if cert.verdict == "certified" else f" [{cert.verdict}]"
            row.append(f"{t:.4f} ({t / svd:.1f}x){mark}")
        if iv_estimate <= IV_CAP:
            t0 = time.perf_counter()
            try:
                mpmath_iv(A)
                outcome = ""
            except ZeroDivisionError:
                outcome = " [failed: 'numerically singular']"
            t_iv = time.perf_counter() - t0
            row.append(f"{t_iv:.3f} ({t_iv / svd:.0f}x){outcome}")
            iv_estimate = t_iv * 8  # the next size roughly doubles n
        else:
            row.append(f"not run (estimated > {IV_CAP:.0f} s)")
        print(f"| {n} | " + " | ".join(row) + " |")
    print("\nPositive definiteness (A = B B^T / N + I)\n")
    print("| N | numpy eigvalsh | proofkit certificate | ratio | decision only (shifted Cholesky) | ratio |")
    print("|---|---|---|---|---|---|")
    for n in sizes:
        B = rng.standard_normal((n, n))
        S = B @ B.T / n + np.eye(n)
        S = (S + S.T) / 2
        ev = best_of(lambda: np.linalg.eigvalsh(S), 5)
        assert certify_positive_definite(S).verdict == "certified"
        t = best_of(lambda: certify_positive_definite(S), 5)
        d = best_of(lambda: verify_positive_definite_float(S), 5)
        print(f"| {n} | {ev:.4f} | {t:.4f} | {t / ev:.2f}x | {d:.4f} | {d / ev:.2f}x |")


if __name__ == "__main__":
    main()
