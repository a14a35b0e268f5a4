"""Differential fuzzing of the kernel evaluator (proofkit.kernel.engine) against sympy + mpmath.

Random expression DAGs (biased towards max/min/abs/sign/heaviside/piecewise nodes with constant branches,
products and compositions of them, kinks near box edges, domain edges of log/sqrt/acos/asin/division/
fractional powers) are evaluated on random boxes and points with derivatives, without, and as value-only
enclosures; every enclosure is compared with the truth at sample points of its box, computed by an oracle
that uses no proofkit code (sympy ``diff`` of the branch selected at the point, evaluated in mpmath at 60
digits). See :mod:`proofkit.testing.engine_fuzz`.

    python benchmarks/fuzz_engine.py --evaluations 1000000 --seed 0 --out fuzz.json [--chunk 100000]
        [--engine path/to/engine.py] [--corpus tests/data/engine_fuzz_corpus.json]
    python benchmarks/fuzz_engine.py --float-trees 2000 --seed 0   # the float twin (search side) instead

Exit status 1 when a violation was found; every failing DAG is added to the regression corpus.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time

from proofkit.testing.engine_fuzz import dump, load_engine, run_engine_fuzz, run_float_fuzz

DEFAULT_CORPUS = os.path.join(os.path.dirname(__file__), "..", "tests", "data", "engine_fuzz_corpus.json")


def _add_to_corpus(path: str, entries: list[dict]) -> None:
    corpus = []
    if os.path.exists(path):
        with open(path) as fh:
            corpus = json.load(fh)
    seen = {json.dumps(e["dag"], sort_keys=True) for e in corpus}  # one record (its first failing box) per DAG
    for e in entries:
        key = json.dumps(e["dag"], sort_keys=True)
        if key not in seen:
            seen.add(key)
            corpus.append(e)
    with open(path, "w") as fh:
        fh.write(dump(corpus))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--evaluations", type=int, default=100_000, help="engine evaluations (boxes and points)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--chunk", type=int, default=100_000,
                    help="evaluations per chunk: chunk k uses the seed 1000*seed + k; a report line per chunk")
    ap.add_argument("--out", default=None, help="JSON report (counts per chunk, every violation)")
    ap.add_argument("--engine", default=None, help="an engine.py file to test instead of proofkit.kernel.engine")
    ap.add_argument("--corpus", default=DEFAULT_CORPUS, help="regression corpus the failing DAGs are added to "
                    "('' for none)")
    ap.add_argument("--origin", default="", help="a note stored with each failing DAG")
    ap.add_argument("--float-trees", type=int, default=0, metavar="N",
                    help="instead: compare the float twin (numeric/float_engine.py) with the oracle on N random DAGs")
    args = ap.parse_args()
    if args.float_trees:
        t0 = time.perf_counter()
        compared, problems = run_float_fuzz(args.float_trees, seed=args.seed)
        print(f"float twin: {compared} points compared on {args.float_trees} DAGs, {len(problems)} problems, "
              f"{time.perf_counter() - t0:.1f} s")
        for line in problems[:20]:
            print("  ", line[:400])
        return 1 if problems else 0
    engine = load_engine(args.engine)
    t0 = time.perf_counter()
    chunks, violations, total = [], [], 0
    k = 0
    while total < args.evaluations:
        seed = 1000 * args.seed + k
        rep = run_engine_fuzz(min(args.chunk, args.evaluations - total), seed=seed, engine=engine,
                              origin=args.origin or f"fuzz_engine seed {seed}")
        total += rep.evaluations
        violations += rep.violations
        chunks.append({"seed": seed, "evaluations": rep.evaluations, "enclosures": rep.enclosures,
                       "refusals": rep.refusals, "with_derivatives": rep.with_derivatives, "dags": rep.trees,
                       "points": rep.points, "derivative_checks": rep.derivative_checks, "skipped_boxes": rep.skipped_boxes,
                       "value_only_at_nonsmooth": rep.value_only_at_nonsmooth,
                       "violations": len(rep.violations), "seconds": round(rep.seconds, 2), "by_mode": rep.by_mode})
        print(rep.summary(), flush=True)
        if rep.violations and args.corpus:
            _add_to_corpus(args.corpus, rep.violations)
        if args.out:
            with open(args.out, "w") as fh:
                json.dump({"evaluations": total, "violations": len(violations), "seconds": round(time.perf_counter() - t0, 1),
                           "engine": args.engine or "proofkit.kernel.engine", "python": platform.python_version(),
                           "load": os.getloadavg(), "chunks": chunks, "failures": violations[:200]}, fh, indent=1)
        k += 1
    seconds = time.perf_counter() - t0
    print(f"total: {total} evaluations in {len(chunks)} chunks, {seconds:.1f} s ({total / seconds:.0f} per second); "
          f"violations: {len(violations)}; load {os.getloadavg()[0]:.2f}")
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main())
