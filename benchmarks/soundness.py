"""The long soundness run: many adversarial cases with exactly known truth.

Every case is a claim whose truth is known exactly (see
:mod:`proofkit.testing.soundness`); a false certificate is a ``certified``
verdict on a false claim or a ``refuted`` verdict on a true one. Every
conclusive certificate is also re-checked by the kernel.

The family "non-smooth landscapes" covers multi-variable losses with max/min/piecewise/hard-tanh
factors on constant branches: strict minima, critical points (also on slices), classifications, saddles,
"not a local minimum" at points and on boxes, spurious minima. A raw exception from a certifier is counted
and listed too.

Run: ``python benchmarks/soundness.py [--cases 12000] [--seed 0] [--family TEXT]``
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter

from proofkit.testing import run_soundness


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=12000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--family", default=None, help="run only the families whose name contains this text")
    args = parser.parse_args()
    if args.family:
        from proofkit.testing import soundness

        for name in [k for k in soundness.CASE_FAMILIES if args.family not in k]:
            del soundness.CASE_FAMILIES[name]
    t = time.perf_counter()
    report = run_soundness(args.cases, seed=args.seed)
    seconds = time.perf_counter() - t
    print(report.table())
    print(f"\n{report.cases} cases in {seconds:.1f} s; false certificates: {len(report.false_certificates)}; "
          f"kernel rejections of issued certificates: {len(report.kernel_rejections)}; "
          f"raw exceptions from certifiers: {len(report.errors)}")
    for line in report.false_certificates + report.kernel_rejections:
        print("  ", line)
    for line, count in Counter(report.errors).most_common():
        print(f"   {count} x {line}")
    return 1 if report.false_certificates or report.kernel_rejections or report.errors else 0


if __name__ == "__main__":
    sys.exit(main())
