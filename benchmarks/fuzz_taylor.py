"""Differential fuzzing of the kernel's Taylor-series evaluator (proofkit.kernel.taylor) against mpmath + sympy.

Random expression DAGs (the trees of the evaluator fuzzer: kinks, constant branches, domain edges) are expanded
along random rational lines (and, with ``--curved``, parabolas) through points on and near their kinks; the
oracle (no proofkit code) picks the branch taken near the point in mpmath and expands it with ``mpmath.taylor`` at 60 digits. See
:mod:`proofkit.testing.taylor_fuzz`.

    python benchmarks/fuzz_taylor.py --cases 100000 --seed 0 [--order 4] [--prec 192] [--curved 0.5] [--out fuzz.json]

Exit status 1 when a violation was found (the failing cases are written to ``--out``).
"""

from __future__ import annotations

import argparse
import json
import platform
import sys

import flint

from proofkit.testing.taylor_fuzz import run_taylor_fuzz


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=10_000, help="lines (a tree, a point and a direction each)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--order", type=int, default=4)
    ap.add_argument("--prec", type=int, default=192)
    ap.add_argument("--curved", type=float, default=0.0, help="probability of a t^2 term per coordinate of a curve")
    ap.add_argument("--out", default=None, help="write the report (with every violation) as JSON here")
    args = ap.parse_args()
    report = run_taylor_fuzz(args.cases, seed=args.seed, order=args.order, prec=args.prec, curved=args.curved)
    print(report.summary())
    print(f"python {platform.python_version()}, python-flint {flint.__version__}, {platform.machine()}")
    if args.out:
        with open(args.out, "w") as fh:
            json.dump({"summary": report.summary(), "violations": report.violations}, fh, indent=1)
    return 1 if report.violations else 0


if __name__ == "__main__":
    sys.exit(main())
