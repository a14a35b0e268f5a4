"""Kernel mutation fuzzer: genuine certificates of every claim type, mutated field by field and re-hashed.

Every mutant goes to the trusted kernel; every mutant the kernel accepts is judged by the
independent exact oracle (proofkit.testing.oracle and, for landscape claims in several variables,
proofkit.testing.landscape_oracle; neither uses kernel code). The corpus holds every claim type but
leibniz_alpha0, including multi-variable losses with max/min/piecewise/hard-tanh factors on constant
branches. A sound kernel accepts no mutant whose statement is false.

    python benchmarks/fuzz_kernel.py --mutants 100000 [--seed 0] [--legacy]

``--legacy`` mutates the first-schema certificates of ``tests/data/kernel_corpus_v1`` instead (the kernel
translates them; the oracle judges the translated statement).
"""

from __future__ import annotations

import argparse
import sys

from proofkit.testing.mutants import legacy_corpus, run_fuzz


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mutants", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--legacy", action="store_true", help="mutate first-schema certificates (the translation)")
    args = ap.parse_args()
    def progress(r) -> None:
        print(f"  {r.tried} tried, {r.rejected} rejected, {len(r.accepted_wrongly)} wrongly accepted, "
              f"{len(r.accepted_undecided)} undecided, {r.seconds:.0f} s", file=sys.stderr, flush=True)

    rep = run_fuzz(args.mutants, seed=args.seed, corpus=legacy_corpus() if args.legacy else None, legacy=args.legacy,
                   progress=progress)
    print(f"mutants tried: {rep.tried}")
    print(f"rejected by the kernel: {rep.rejected}")
    print(f"accepted because the oracle confirms the statement is still true: {rep.accepted_still_true}")
    print(f"accepted wrongly (false statements): {len(rep.accepted_wrongly)}")
    print(f"accepted, oracle undecided: {len(rep.accepted_undecided)}")
    print(f"exceptions other than CertificateRejected: {len(rep.escaped)}")
    print(f"time: {rep.seconds:.1f} s")
    print("\n| claim type | tried | rejected | accepted, still true |\n|---|---|---|---|")
    for t, (tried, rejected, ok) in sorted(rep.by_type.items()):
        print(f"| {t} | {tried} | {rejected} | {ok} |")
    for line in rep.accepted_wrongly[:20] + rep.accepted_undecided[:20] + rep.escaped[:20]:
        print(line[:400], file=sys.stderr)
    return 1 if rep.accepted_wrongly or rep.escaped or rep.accepted_undecided else 0


if __name__ == "__main__":
    sys.exit(main())
