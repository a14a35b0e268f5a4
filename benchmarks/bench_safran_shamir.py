"""Safran & Shamir spurious minima: search, certification and re-check times per (k, n).

Run from the repository root: ``python benchmarks/bench_safran_shamir.py [kmin kmax [0,1 [s1,s2]]]`` (the
values of n - k, and the numbers of starts of the successive search attempts). For every
(k, n) with n in {k, k+1}: proofkit's batched gradient-descent search, the certificate against the teacher
(loss 0, enclosed by continuity at its kink), and the re-check from the certificate's JSON alone
(:func:`proofkit.kernel.check_certificate`). Peak memory is the process's maximum RSS.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time

# multi-threaded BLAS on a shared 2-core machine is up to 1000x slower for these sizes (0.45 s vs 0.3 ms
# for a 200 x 200 solve under load): one thread, set before numpy is imported
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from proofkit.kernel import check_certificate  # noqa: E402
from proofkit.library.safran_shamir import certify_minimum, search  # noqa: E402


def run(k: int, n: int, budget: tuple[int, ...] | None = None) -> dict:
    row: dict = {"k": k, "n": n}
    t0 = time.perf_counter()
    cands = []
    budget = budget or ((max(24, 3000 // k**2), max(200, 12000 // k**2)) if n == k else
                        (max(100, 8000 // k**2), max(400, 60000 // k**2)))  # rarer for n = k + 1
    for starts in budget:
        cands = search(k, n, starts=starts, seed=k * 100 + n)
        if cands:
            break
    row["search_s"] = time.perf_counter() - t0
    row["starts"] = starts
    row["candidates"] = [round(c.loss, 12) for c in cands]
    for c in cands:
        t1 = time.perf_counter()
        cert = certify_minimum(k, n, c.W)
        row["certify_s"] = time.perf_counter() - t1
        row["verdict"] = cert.verdict
        if cert.verdict != "certified":
            row.setdefault("failed", []).append(cert.reason)
            continue
        row["F"] = c.loss
        text = cert.to_json()
        t2 = time.perf_counter()
        rep = check_certificate(text)
        row["recheck_s"] = time.perf_counter() - t2
        row["recheck_ok"] = rep.ok
        row["gap"] = rep.measures["gap"].str(5, radius=True)  # (what the kernel measured)
        row["json_bytes"] = len(cert.to_json())
        break
    row["maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return row


if __name__ == "__main__":
    lo, hi = (int(sys.argv[1]), int(sys.argv[2])) if len(sys.argv) > 2 else (6, 20)
    extra = [int(v) for v in sys.argv[3].split(",")] if len(sys.argv) > 3 else [0, 1]  # n - k
    budget = tuple(int(v) for v in sys.argv[4].split(",")) if len(sys.argv) > 4 else None  # starts per try
    print("load:", os.getloadavg())
    for k in range(lo, hi + 1):
        for n in (k + e for e in extra):
            print(json.dumps(run(k, n, budget)), flush=True)
            print("load:", os.getloadavg(), flush=True)
