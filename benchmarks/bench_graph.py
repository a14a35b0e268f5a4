"""Full versus incremental re-checks of a claim graph with 150 claims.

Fifty lemmas in a dependency chain of layers, each with two instance claims whose checkers
certify the non-singularity of a seeded random 40 x 40 matrix and re-check it with the kernel.

Run: ``python benchmarks/bench_graph.py``
"""

from __future__ import annotations

import os
import tempfile
import time
from functools import partial

import numpy as np

from proofkit.certify import certify_nonsingular
from proofkit.claims import Claim, ClaimGraph


def instance_checker(seed: int):
    A = np.random.default_rng(seed).standard_normal((40, 40))
    return certify_nonsingular(A, backend="float")


def build(statement_of: dict[str, str] | None = None) -> ClaimGraph:
    statement_of = statement_of or {}
    g = ClaimGraph()
    for i in range(50):
        label = f"L{i}"
        uses = [f"L{i - 1}"] if i else []
        if i >= 5:
            uses.append(f"L{i - 5}")
        g.add_claim(Claim(label, kind="lemma", statement=statement_of.get(label, f"lemma {i}"), uses=uses,
                          established="proof"))
        for j in range(2):
            g.add_claim(Claim(f"I{i}.{j}", kind="instance", statement=f"instance {i}.{j}", instance_of=label,
                              checker=partial(instance_checker, 100 * i + j)))
    return g


def timed(f):
    t = time.perf_counter()
    out = f()
    return out, time.perf_counter() - t


def main() -> None:
    g = build()
    full, t_full = timed(g.check)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "g.json")
        _, t_save = timed(lambda: g.save(path))
        loaded, t_load = timed(lambda: ClaimGraph.load(path))
    g2 = build()
    g2.merge_results(g)
    nothing, t_nothing = timed(g2.check)
    g3 = build({"L49": "changed leaf"})
    g3.merge_results(g)
    leaf, t_leaf = timed(g3.check)
    g4 = build({"L40": "changed statement"})
    g4.merge_results(g)
    mid, t_mid = timed(g4.check)
    print(f"claims: {len(g)}")
    print("| run | checkers run | skipped | seconds |")
    print("|---|---|---|---|")
    print(f"| full check | {len(full.ran)} | {len(full.skipped)} | {t_full:.3f} |")
    print(f"| nothing changed | {len(nothing.ran)} | {len(nothing.skipped)} | {t_nothing:.3f} |")
    print(f"| last lemma changed | {len(leaf.ran)} | {len(leaf.skipped)} | {t_leaf:.3f} |")
    print(f"| lemma 40 changed (its dependants re-run) | {len(mid.ran)} | {len(mid.skipped)} | {t_mid:.3f} |")
    print(f"\nsave: {t_save:.3f} s; load with kernel re-check of {sum(len(v) for v in loaded.certificates.values())} "
          f"certificates: {t_load:.3f} s")


if __name__ == "__main__":
    main()
