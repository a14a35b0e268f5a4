"""``proofkit verify DIR``: one process against ``--workers N`` local Dask worker processes, on one folder.

The folder is a sweep's results folder of many certificates (made once by ``proofkit sweep`` from a generated
task file and kept for later runs): Lemma 4.3 witnesses (N = 4..14 samples, three activations), positive
definiteness of exact rational matrices (n = 20..56), spurious minima of coupled tilted double wells (4..16
parameters) and a few multi-start searches of a small tanh network. Both commands run as a user runs them,
``python -m proofkit verify DIR --json`` and ``python -m proofkit verify DIR --workers N --json``, each in a
fresh process: the times include importing proofkit and, for Dask, starting and stopping the local cluster.
The one-process command runs twice per round: as it is, and with one BLAS thread (``OPENBLAS_NUM_THREADS=1``
and the like: Dask's nanny starts its workers so, and sweeps' task processes run so; numpy's multi-threaded
BLAS on a busy 2-core machine is several times slower on the kernel's float64 Cholesky factorisations).
The runs alternate (the machine may be shared), the load average is printed beside every run, and the
JSON reports must be identical (the same counts and problems in the same order). Last, the fixed cost of
each command: the same two commands on a folder of one small record.

Run: ``python benchmarks/bench_verify.py [--folder DIR] [--workers 2] [--repeat 2]``
(``--tasks-only FILE`` writes the generated task file and stops).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def leibniz(n: int, seed: int, sigma: str) -> dict:
    X = [[j * (seed % 3 + 1) - n // 2, (j * j + seed) % 5] for j in range(n)]
    return {"kind": "leibniz_witness", "id": f"leibniz-{n}-{sigma}-{seed}", "group": "Lemma 4.3",
            "inputs": {"X": X, "widths": [2, n - 1, 1], "k": 1, "sigma": sigma}}


def definite(n: int, seed: int) -> dict:
    M = [[n + 1 + seed if i == j else f"1/{i + j + 2 + seed}" for j in range(n)] for i in range(n)]
    return {"kind": "positive_definite", "id": f"pd-{n}-{seed}", "group": "positive definite",
            "inputs": {"matrix": M}}


def wells(d: int, seed: int) -> dict:
    loss = " + ".join(f"(x{i}**2 - 1)**2 + {i % 3 + 1}*x{i}/{8 + seed % 5}" for i in range(d)) + " + " + \
        " + ".join(f"(x{i} - x{i + 1})**2/{3 + seed % 4}" for i in range(d - 1))
    return {"kind": "spurious_minimum", "id": f"wells-{d}-{seed}", "group": "spurious minima",
            "inputs": {"loss": loss, "params": [f"x{i}" for i in range(d)], "point": ["0.95"] * d,
                       "better_point": ["-1.05"] * d, "near": "1/10"}}


def search(seed: int) -> dict:
    return {"kind": "search_spurious_minima", "id": f"search-{seed}", "group": "searches", "inputs": {
        "network": {"widths": [1, 1, 1], "activation": "tanh"}, "X": [["-4"], ["-2"], [0], [1], [2], ["7/2"], [4]],
        "Y": [[0], ["3/4"], ["-3/4"], ["1/4"], ["-3/2"], ["-3/4"], [-1]], "starts": 40, "seed": seed, "scale": 1}}


def tasks() -> list[dict]:
    out = [leibniz(4 + i % 11, i, ("sigmoid", "tanh", "softplus")[i % 3]) for i in range(150)]
    out += [definite(20 + 4 * (i % 10), i) for i in range(120)]
    out += [wells(4 + i % 13, i) for i in range(120)]
    out += [search(s) for s in range(10)]
    return out


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


ONE_BLAS_THREAD = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def run(cmd: list[str], extra_env: dict | None = None) -> tuple[float, str, int]:
    env = {**os.environ, **(extra_env or {}),
           "PYTHONPATH": ROOT + (os.pathsep + os.environ["PYTHONPATH"] if os.environ.get("PYTHONPATH") else "")}
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "proofkit", *cmd], capture_output=True, text=True, env=env)
    return time.perf_counter() - t0, proc.stdout, proc.returncode


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--folder", default=os.path.join(tempfile.gettempdir(), "proofkit-bench-verify"),
                    help="the sweep folder (made by proofkit sweep if missing)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=2, help="runs of each command, alternating")
    ap.add_argument("--tasks-only", metavar="FILE", help="write the task file and stop")
    args = ap.parse_args()
    if args.tasks_only:
        with open(args.tasks_only, "w") as fh:
            fh.write("".join(json.dumps(t) + "\n" for t in tasks()))
        return
    print(f"# bench_verify on {platform.machine()}, {os.cpu_count()} CPUs, python {platform.python_version()}")
    if not os.path.isdir(os.path.join(args.folder, "results")):
        os.makedirs(args.folder, exist_ok=True)
        task_file = os.path.join(args.folder, "tasks.jsonl")
        with open(task_file, "w") as fh:
            fh.write("".join(json.dumps(t) + "\n" for t in tasks()))
        print(f"making the folder: proofkit sweep {task_file} --workers 2 (load {load()})", flush=True)
        seconds, _, code = run(["sweep", task_file, "--workers", "2", "--out", args.folder, "--no-plots", "--json"])
        print(f"  {seconds:.0f} s, exit {code}, load {load()}", flush=True)
    records = len(os.listdir(os.path.join(args.folder, "results")))
    size = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(args.folder) for f in fs)
    print(f"folder: {args.folder}: {records} records, {size / 1e6:.1f} MB")
    dask = f"{args.workers} workers"
    commands = (("one process", [], None), ("one process, 1 BLAS thread", [], ONE_BLAS_THREAD),
                (dask, ["--workers", str(args.workers)], None))
    times: dict[str, list[float]] = {name: [] for name, _, _ in commands}
    reports: dict[str, str] = {}
    for r in range(args.repeat):
        for name, extra, env in commands:
            before = load()
            seconds, out, code = run(["verify", args.folder, "--json", *extra], env)
            times[name].append(seconds)
            reports.setdefault(name, out)
            if out != reports["one process"]:
                print(f"!! the reports differ (run {r + 1}, {name})")
            rep = json.loads(out)
            print(f"run {r + 1}: {name:>27}: {seconds:7.2f} s  exit {code}  {rep['accepted']}/{rep['certificates']} "
                  f"accepted  load before {before}, after {load()}", flush=True)
    many = min(times[dask])
    for name in ("one process", "one process, 1 BLAS thread"):
        one = min(times[name])
        print(f"fastest: {name} {one:.2f} s, {dask} {many:.2f} s: speed-up {one / many:.2f}x; target <= "
              f"{one / args.workers * 1.2:.2f} s ({name} / {args.workers} x 1.2): "
              f"{'met' if many <= one / args.workers * 1.2 else 'NOT met'}")
    print(f"identical reports: {len(set(reports.values())) == 1}")
    small = tempfile.mkdtemp(prefix="bench-verify-one-")
    try:
        from proofkit.sweep.execute import execute
        from proofkit.sweep.store import ResultStore
        from proofkit.sweep.tasks import load_tasks

        task = {"kind": "nonsingular", "inputs": {"matrix": [[1, 2], [3, 4]]}}
        t = load_tasks([task]).tasks[0]
        ResultStore(small).write({**execute(task), "key": t.key, "task": {"kind": t.kind, "inputs": t.inputs},
                                  "id": t.id, "group": t.group, "line": 1})
        for r in range(2):
            for name, extra, env in commands:
                before = load()
                seconds, _, code = run(["verify", small, "--json", *extra], env)
                print(f"fixed cost, run {r + 1}: {name:>27}: {seconds:6.2f} s  exit {code}  load before {before}")
    finally:
        shutil.rmtree(small, ignore_errors=True)


if __name__ == "__main__":
    main()
