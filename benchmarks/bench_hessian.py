"""Exact Hessians: proofkit (symengine, converted lazily) vs plain ``sympy.hessian``.

For one-hidden-layer sigmoid networks with d = 2 inputs and N samples, build
the exact Hessian of the squared loss both ways, then check that the two agree
at a random rational point to 50 digits (both evaluated with Arb at 256 bits).

Run: ``python benchmarks/bench_hessian.py`` (add ``--quick`` for small sizes only).
"""

from __future__ import annotations

import argparse
import platform
import random
import time

import flint
import symengine
import sympy

from proofkit.numeric import ArbContext, compile_program
from proofkit.symbolic import Network

SIZES = [(2, 4), (4, 8), (6, 8), (8, 8), (12, 32)]
SYMPY_LIMIT = 25  # parameters; sympy.hessian beyond this takes over a minute


def data(d: int, N: int, seed: int = 0) -> tuple[list[list[sympy.Rational]], list[sympy.Rational]]:
    rng = random.Random(seed)
    X = [[sympy.Rational(rng.randint(-9, 9), rng.randint(1, 4)) for _ in range(d)] for _ in range(N)]
    Y = [sympy.Rational(rng.randint(-5, 5), 3) for _ in range(N)]
    return X, Y


def agree_to_50_digits(A: list, B: list, symbols: list, seed: int = 1) -> bool:
    rng = random.Random(seed)
    point = [sympy.Rational(rng.randint(-20, 20), rng.randint(1, 9)) for _ in symbols]
    a = compile_program(A, symbols).run(ArbContext(256), point)
    b = compile_program(B, symbols).run(ArbContext(256), point)
    for x, y in zip(a, b):
        diff = x - y
        scale = max(abs(float(x.mid())), 1.0)
        if not (diff.contains(0) and float(diff.rad()) < 1e-50 * scale):
            return False
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    sizes = SIZES[:3] if args.quick else SIZES
    print(f"machine: {platform.machine()}, {platform.processor() or 'cpu'}, python {platform.python_version()}")
    print(f"sympy {sympy.__version__}, symengine {symengine.__version__}, python-flint {flint.__version__}")
    print("| width n | N | params | sympy.hessian (s) | proofkit build (s) | ratio | "
          "+ full sympy conversion (s) | agree to 50 digits |")
    print("|---|---|---|---|---|---|---|---|")
    for n, N in sizes:
        net = Network([2, n, 1], activation="sigmoid")
        X, Y = data(2, N)
        obj = net.loss(X, Y)
        P = len(obj.params)
        t0 = time.perf_counter()
        H = obj.hessian()
        H.entry_symengine(0, 0)  # the symbolic entries are built on first use: build them all now
        t1 = time.perf_counter()
        build = t1 - t0
        if P <= SYMPY_LIMIT:
            expr = obj.expr
            t2 = time.perf_counter()
            ref = sympy.hessian(expr, obj.params)
            ref_time = time.perf_counter() - t2
            t3 = time.perf_counter()
            full = H.to_sympy()
            conv = time.perf_counter() - t3
            ok = agree_to_50_digits(list(full), list(ref), obj.params)
            print(f"| {n} | {N} | {P} | {ref_time:.3f} | {build:.4f} | {ref_time / build:.0f}x | "
                  f"{conv:.3f} | {'yes' if ok else 'NO'} |")
        else:
            print(f"| {n} | {N} | {P} | (skipped: over a minute) | {build:.4f} | - | - | - |")


if __name__ == "__main__":
    main()
