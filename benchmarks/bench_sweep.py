"""Sweeps on Dask: speed-up from 1 to 2 local workers, and the cost of the machinery per task.

1. Speed-up: the same sweep of small real tasks (multi-start searches for spurious minima of a
   1-1-1 tanh network, each certifying what it finds; different seeds) on 1 and on 2 worker
   processes. Both clusters are started beforehand and warmed (each worker's task process is
   running), so the times are those of the sweep itself; the runs alternate between 1 and 2
   workers (the machine may be shared) and the fastest of each is reported; every sweep writes
   to a fresh folder.
2. Overhead per task: many trivial tasks (a 2x2 non-singularity certificate, well under a
   millisecond of certification) on 1 warm worker; (wall time - task time) / tasks is what the
   scheduler, the task process protocol, the kernel re-check and the atomic record cost per task.
   The same tasks run in-process with :func:`proofkit.sweep.execute.execute` for comparison.

Run: ``python benchmarks/bench_sweep.py [--tasks 8] [--trivial 100] [--starts 60] [--repeat 2]``
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import tempfile
import time

from proofkit.sweep import sweep
from proofkit.sweep.cluster import LocalProcessCluster
from proofkit.sweep.execute import execute


def search_task(seed: int, starts: int) -> dict:
    return {"kind": "search_spurious_minima", "id": f"seed{seed}", "group": "tanh 1-1-1", "inputs": {
        "network": {"widths": [1, 1, 1], "activation": "tanh"}, "X": [["-4"], ["-2"], [0], [1], [2], ["7/2"], [4]],
        "Y": [[0], ["3/4"], ["-3/4"], ["1/4"], ["-3/2"], ["-3/4"], [-1]], "starts": starts, "seed": seed,
        "scale": 1}}


def trivial_task(i: int) -> dict:
    return {"kind": "nonsingular", "id": f"t{i}", "group": "trivial", "inputs": {"matrix": [[i + 2, 1], [1, 1]]}}


def load() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


def timed_sweep(tasks: list[dict], client: object) -> tuple[float, object]:
    out = tempfile.mkdtemp(prefix="bench-sweep-")
    try:
        t0 = time.perf_counter()
        rep = sweep(tasks, scheduler=client, out=out, plots=False, progress=False)
        return time.perf_counter() - t0, rep
    finally:
        shutil.rmtree(out, ignore_errors=True)


def warm(client: object, n: int) -> None:
    """Run one trivial task per worker so every worker has imported proofkit and started its task process."""
    timed_sweep([trivial_task(10_000 + i) for i in range(4 * n)], client)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tasks", type=int, default=8, help="small real tasks for the speed-up")
    ap.add_argument("--starts", type=int, default=60, help="starting points per search task")
    ap.add_argument("--trivial", type=int, default=100, help="trivial tasks for the overhead")
    ap.add_argument("--repeat", type=int, default=2, help="runs per worker count (the fastest is reported)")
    args = ap.parse_args()
    print(f"# bench_sweep on {platform.machine()}, {os.cpu_count()} CPUs, python {platform.python_version()}")
    print(f"load average at start: {load()}")
    work = [search_task(s, args.starts) for s in range(args.tasks)]
    trivial = [trivial_task(i) for i in range(args.trivial)]

    t0 = time.perf_counter()
    inproc = [execute(t)["outcome"] for t in work]
    t_inproc = time.perf_counter() - t0
    t0 = time.perf_counter()
    for t in trivial:
        execute(t)
    t_trivial_inproc = time.perf_counter() - t0

    results: dict[str, object] = {"load_start": load(), "tasks": args.tasks, "starts": args.starts,
                                  "in_process_seconds": t_inproc, "in_process_outcomes": inproc}
    clusters = {}
    try:
        for n in (1, 2):
            t0 = time.perf_counter()
            clusters[n] = LocalProcessCluster(n)
            results[f"workers_{n}"] = {"cluster_start_seconds": time.perf_counter() - t0, "runs": []}
            warm(clusters[n].client, n)
        for _ in range(args.repeat):  # alternate 1 and 2 workers so both see the same load
            for n in (1, 2):
                wall, rep = timed_sweep(work, clusters[n].client)
                results[f"workers_{n}"]["runs"].append(
                    {"sweep_seconds": wall, "task_seconds": sum(r["seconds"] for r in rep.records.values()),
                     "outcomes": dict(rep.outcomes)})
        wall_t, rep_t = timed_sweep(trivial, clusters[1].client)
        task_t = sum(r["seconds"] + r.get("kernel_seconds", 0) for r in rep_t.records.values())
        results["overhead"] = {"tasks": len(trivial), "sweep_seconds": wall_t, "task_seconds": task_t,
                               "per_task_ms": 1000 * (wall_t - task_t) / len(trivial),
                               "in_process_per_task_ms": 1000 * t_trivial_inproc / len(trivial),
                               "outcomes": dict(rep_t.outcomes)}
    finally:
        for c in clusters.values():
            c.close()
    for n in (1, 2):
        best = min(results[f"workers_{n}"]["runs"], key=lambda r: r["sweep_seconds"])
        results[f"workers_{n}"].update(sweep_seconds=best["sweep_seconds"], task_seconds=best["task_seconds"])
    results["load_end"] = load()
    w1, w2 = results["workers_1"], results["workers_2"]
    speedup = w1["sweep_seconds"] / w2["sweep_seconds"]
    ov = results["overhead"]
    print(f"\n| sweep of {args.tasks} searches ({args.starts} starts each) | wall (s) | sum of task times (s) |")
    print("|---|---:|---:|")
    print(f"| in-process, sequential | {t_inproc:.2f} | - |")
    for n, w in ((1, w1), (2, w2)):
        print(f"| {n} worker{'s' if n > 1 else ''} (fastest of {args.repeat}; cluster start "
              f"{w['cluster_start_seconds']:.1f} s, not included) | {w['sweep_seconds']:.2f} | {w['task_seconds']:.2f} |")
    print(f"\nspeed-up 1 -> 2 workers: {speedup:.2f}x")
    print(f"overhead per task ({ov['tasks']} trivial tasks, 1 worker): {ov['per_task_ms']:.1f} ms "
          f"(sweep {ov['sweep_seconds']:.2f} s, task time {ov['task_seconds']:.3f} s; in-process "
          f"{ov['in_process_per_task_ms']:.2f} ms per task)")
    print(f"load average at end: {results['load_end']}")
    print("\n" + json.dumps({**results, "speedup": speedup}, indent=1, default=str))


if __name__ == "__main__":
    main()
