"""The Hessian of a network loss, side by side: JAX, hand-written numpy and python-flint, previous and new path.

One-hidden-layer sigmoid networks (d = 2, biases, linear output, squared loss, exact rational data), at a
parameter point drawn from a standard normal (each float taken exactly). For each size every method runs in
its own subprocess (one BLAS/XLA/flint thread each), in one run, so all see the same machine:

* ``jax``: ``jax.jit(jax.hessian(loss))`` in float64 (compilation excluded) — the uncertified floor;
* ``numpy``: a hand-written float64 Hessian (J^T J as one product plus the sum r_i Hess f_i by formulas);
* ``flint``: the same by hand in python-flint Arb at 170 bits (J^T J one ``arb_mat`` product);
* ``new-float`` / ``new-arb``: ``Objective.hessian().evaluate_matrix(point, ctx)`` (an ndarray / ``arb_mat``),
  and ``...-lists``: ``Objective.hessian().evaluate`` (nested lists, the older API);
* ``prev-float`` / ``prev-arb``: ``Objective.hessian().evaluate`` of the previous code (``--previous DIR``: a
  checkout of an earlier commit, e.g. ``git worktree add /tmp/prev <commit>``), with a time limit, up to
  ``--previous-max-params`` (401: at 1001 parameters the previous Arb path grew past 16 GB of memory).

Times are medians of repeated calls (at least 3, or 1 s of calls) after one warm-up call, in CPU time of the
(single-threaded) process — robust to the load of a shared machine — and in wall-clock time; memory is the peak
resident set during the timed calls above the resident set before them (Linux ``VmHWM`` after resetting it).
The Hessians are compared: float64 ones with JAX (relative 1e-9), the new Arb one must contain the hand-written
flint midpoints (to 1e-40 relative) and have radii below 1e-40.

Run: ``python benchmarks/bench_network_hessian.py [--previous DIR] [--sizes 25,65,401,1001]``
(needs the ``bench`` extra: ``pip install -e .[bench]``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("XLA_FLAGS", "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1")
os.environ.setdefault("JAX_ENABLE_X64", "1")
os.environ.setdefault("JAX_PLATFORMS", "cpu")

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
SIZES = {25: (6, 8), 65: (16, 64), 401: (100, 256), 1001: (250, 512)}  # params: (hidden width n, samples N)
PREC = 170
METHODS = ["jax", "numpy", "flint", "new-float", "new-float-lists", "new-arb", "new-arb-lists", "prev-float", "prev-arb"]


# -- the problem ----------------------------------------------------------------------------------------------
def problem(n: int, N: int, seed: int = 0) -> tuple[list, list, list]:
    """Exact data X (N x 2), Y (N) as (p, q) pairs and the point (float64 values, exact)."""
    import random

    import numpy as np

    rng = random.Random(seed)
    X = [[(rng.randint(-9, 9), rng.randint(1, 4)) for _ in range(2)] for _ in range(N)]
    Y = [(rng.randint(-5, 5), 3) for _ in range(N)]
    theta = np.random.default_rng(seed + 1).normal(size=4 * n + 1).tolist()
    return X, Y, theta


def _floats(X: list, Y: list) -> tuple[Any, Any]:
    import numpy as np

    return np.array([[p / q for p, q in r] for r in X]), np.array([p / q for p, q in Y])


def _unpack(theta: Any, n: int) -> tuple[Any, Any, Any, Any]:
    return theta[: 2 * n].reshape(2, n), theta[2 * n:3 * n], theta[3 * n:4 * n], theta[4 * n]


# -- the methods (each returns a callable computing the Hessian, and a function giving its midpoints) --------
def setup_jax(n: int, N: int) -> tuple[Any, Any]:
    import jax
    import jax.numpy as jnp
    import numpy as np

    jax.config.update("jax_enable_x64", True)
    Xe, Ye, theta = problem(n, N)
    X, Y = _floats(Xe, Ye)

    def loss(th: Any) -> Any:
        W1, b1, W2, b2 = th[: 2 * n].reshape(2, n), th[2 * n:3 * n], th[3 * n:4 * n], th[4 * n]
        r = jax.nn.sigmoid(X @ W1 + b1) @ W2 + b2 - Y
        return jnp.sum(r * r)

    h = jax.jit(jax.hessian(loss))
    th = jnp.asarray(np.array(theta))
    return (lambda: h(th).block_until_ready()), (lambda H: np.asarray(H))


def setup_numpy(n: int, N: int) -> tuple[Any, Any]:
    import numpy as np

    Xe, Ye, theta = problem(n, N)
    X, Y = _floats(Xe, Ye)
    th = np.array(theta)
    Xt = np.hstack([X, np.ones((N, 1))])

    def hess() -> Any:
        W1, b1, W2, b2 = _unpack(th, n)
        s = 1 / (1 + np.exp(-(X @ W1 + b1)))
        s1 = s * (1 - s)
        s2 = s1 * (1 - 2 * s)
        r = s @ W2 + b2 - Y
        J = np.empty((N, 4 * n + 1))
        J[:, : 3 * n] = (Xt[:, :, None] * (s1 * W2)[:, None, :]).reshape(N, 3 * n)  # W1 rows, then b1
        J[:, 3 * n:4 * n] = s
        J[:, 4 * n] = 1
        H = 2 * (J.T @ J)
        C = np.einsum("ij,ia,ib->jab", 2 * r[:, None] * s2 * W2, Xt, Xt)  # per unit: W1[:, j], b1[j]
        idx = np.arange(3)[:, None] * n  # parameter (a, j) at a*n + j
        for j in range(n):
            H[np.ix_(idx[:, 0] + j, idx[:, 0] + j)] += C[j]
        K = Xt.T @ (2 * r[:, None] * s1)  # (a, j) x W2[j]
        for a in range(3):
            H[a * n + np.arange(n), 3 * n + np.arange(n)] += K[a]
            H[3 * n + np.arange(n), a * n + np.arange(n)] += K[a]
        return H

    return hess, (lambda H: H)


def setup_flint(n: int, N: int) -> tuple[Any, Any]:
    import flint
    import numpy as np

    flint.ctx.prec = PREC
    Xe, Ye, theta = problem(n, N)
    X = [[flint.arb(flint.fmpq(p, q)) for p, q in r] + [flint.arb(1)] for r in Xe]
    Y = [flint.arb(flint.fmpq(p, q)) for p, q in Ye]
    th = [flint.arb(flint.fmpq(*v.as_integer_ratio())) for v in theta]
    Xm = flint.arb_mat(X)
    Xmt = Xm.transpose()
    P = 4 * n + 1
    one, two = flint.arb(1), flint.arb(2)

    def hess() -> Any:
        W = [[th[a * n + j] for j in range(n)] for a in range(3)]  # rows W1[0], W1[1], b1
        W2, b2 = th[3 * n:4 * n], th[4 * n]
        Z = (Xm * flint.arb_mat(W)).entries()
        rows, C2, R1 = [], [], []
        for i in range(N):
            s = [one / (one + (-Z[i * n + j]).exp()) for j in range(n)]
            s1 = [v * (one - v) for v in s]
            r = sum((s[j] * W2[j] for j in range(n)), b2) - Y[i]
            g = [s1[j] * W2[j] for j in range(n)]
            x = X[i]
            rows.append([x[a] * g[j] for a in range(3) for j in range(n)] + s + [one])
            C2.append([two * r * W2[j] * s1[j] * (one - two * s[j]) for j in range(n)])
            R1.append([two * r * s1[j] for j in range(n)])
        J = flint.arb_mat(N, P, [v for row in rows for v in row])
        H = (J.transpose() * J) * two  # one arb_mat product for J^T J
        for j in range(n):
            Cj = Xmt * flint.arb_mat(N, 3, [X[i][a] * C2[i][j] for i in range(N) for a in range(3)])
            for a in range(3):
                for b in range(3):
                    H[a * n + j, b * n + j] = H[a * n + j, b * n + j] + Cj[a, b]
        K = Xmt * flint.arb_mat(R1)
        for a in range(3):
            for j in range(n):
                H[a * n + j, 3 * n + j] = H[a * n + j, 3 * n + j] + K[a, j]
                H[3 * n + j, a * n + j] = H[3 * n + j, a * n + j] + K[a, j]
        return H

    return hess, (lambda H: np.array([[float(H[i, j].mid()) for j in range(P)] for i in range(P)]))


def _objective(n: int, N: int) -> tuple[Any, list]:
    import sympy

    from proofkit.symbolic import Network

    Xe, Ye, theta = problem(n, N)
    X = [[sympy.Rational(p, q) for p, q in r] for r in Xe]
    Y = [sympy.Rational(p, q) for p, q in Ye]
    obj = Network([2, n, 1], activation="sigmoid").loss(X, Y)
    # proofkit's parameter order: W1 row-major, b1, W2 (n x 1), b2 — the same as the layout above
    return obj, [flint_exact(v) for v in theta]


def flint_exact(v: float) -> Any:
    import flint

    return flint.fmpq(*v.as_integer_ratio())


def setup_proofkit(n: int, N: int, arb: bool, lists: bool) -> tuple[Any, Any]:
    import numpy as np

    from proofkit.numeric import ArbContext, FloatContext

    obj, point = _objective(n, N)
    H = obj.hessian()
    ctx = ArbContext(PREC) if arb else FloatContext()
    P = len(point)
    if lists or not hasattr(H, "evaluate_matrix"):
        def mids(M: Any) -> Any:
            return np.array([[float(v.mid()) if arb else float(v) for v in row] for row in M])
        return (lambda: H.evaluate(point, ctx)), mids

    def mids_mat(M: Any) -> Any:
        return np.array([[float(M[i, j].mid()) for j in range(P)] for i in range(P)]) if arb else M

    return (lambda: H.evaluate_matrix(point, ctx)), mids_mat


def _radius(M: Any) -> float:
    if hasattr(M, "nrows"):
        return max(float(v.rad()) for v in M.entries())
    if isinstance(M, list) and M and hasattr(M[0][0], "rad"):
        return max(float(v.rad()) for row in M for v in row)
    return 0.0


# -- one measurement in a child process ----------------------------------------------------------------------
def _rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _hwm_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def child(method: str, P: int, out: str) -> None:
    import gc

    import numpy as np

    n, N = SIZES[P]
    if method == "jax":
        run, mids = setup_jax(n, N)
    elif method == "numpy":
        run, mids = setup_numpy(n, N)
    elif method == "flint":
        run, mids = setup_flint(n, N)
    else:
        run, mids = setup_proofkit(n, N, arb="arb" in method, lists=method.endswith("lists") or "prev" in method)
    first = time.perf_counter()
    H = run()  # warm-up (JAX compiles here)
    first = time.perf_counter() - first
    del H
    gc.collect()
    base = _rss_mb()
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")  # reset the peak resident set (VmHWM)
    except OSError:
        pass
    times: list[float] = []
    cpu: list[float] = []
    while len(times) < 3 or (sum(times) < 1.0 and len(times) < 15):
        t, c = time.perf_counter(), time.process_time()
        H = run()
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
        if first > 20:  # slow methods: one timed call
            break
    peak = _hwm_mb() - base
    np.save(out, mids(H))
    print(json.dumps({"wall": statistics.median(times), "time": statistics.median(cpu), "runs": len(times),
                      "first": first, "peak_mb": peak, "radius": _radius(H)}))


# -- the table -----------------------------------------------------------------------------------------------
def measure(method: str, P: int, previous: str | None, tmp: str, timeout: float,
            previous_max: int = 401) -> dict[str, Any] | None:
    if method.startswith("prev") and (previous is None or P > previous_max):
        return None
    env = dict(os.environ)
    env["PYTHONPATH"] = previous if method.startswith("prev") else REPO
    out = os.path.join(tmp, f"{method}-{P}.npy")
    script = os.path.abspath(__file__)
    try:
        res = subprocess.run([sys.executable, script, "--child", method, str(P), out], env=env, capture_output=True,
                             text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"over {timeout:.0f} s"}
    if res.returncode != 0:
        killed = f"killed by signal {-res.returncode}" if res.returncode < 0 else f"exit status {res.returncode}"
        return {"error": (res.stderr.strip().splitlines() or [killed])[-1][:120]}
    data = json.loads(res.stdout.strip().splitlines()[-1])
    data["file"] = out
    return data


def agree(a: dict | None, b: dict | None, rtol: float) -> str:
    import numpy as np

    if not a or not b or "file" not in a or "file" not in b:
        return "-"
    A, B = np.load(a["file"]), np.load(b["file"])
    scale = max(1.0, float(np.abs(B).max()))
    return "yes" if np.allclose(A, B, rtol=rtol, atol=rtol * scale) else "NO"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--child", nargs=3, metavar=("METHOD", "P", "OUT"))
    ap.add_argument("--previous", help="a checkout of the previous code (for prev-float, prev-arb)")
    ap.add_argument("--sizes", default="25,65,401,1001")
    ap.add_argument("--methods", default=",".join(METHODS))
    ap.add_argument("--timeout", type=float, default=900.0, help="seconds per (method, size)")
    ap.add_argument("--previous-max-params", type=int, default=401,
                    help="run the previous code up to this size (at 1001 its Arb path took over 16 GB and was "
                         "killed for lack of memory)")
    args = ap.parse_args()
    if args.child:
        child(args.child[0], int(args.child[1]), args.child[2])
        return
    import flint
    import jax
    import numpy
    import sympy

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores; python {platform.python_version()}; "
          f"numpy {numpy.__version__}, python-flint {flint.__version__}, jax {jax.__version__}, sympy {sympy.__version__}")
    print("load before:", os.getloadavg())
    methods = args.methods.split(",")
    results: dict[tuple[str, int], Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for P in [int(s) for s in args.sizes.split(",")]:
            for m in methods:
                results[(m, P)] = r = measure(m, P, args.previous, tmp, args.timeout, args.previous_max_params)
                print(f"  {m} P={P}: {r}", file=sys.stderr, flush=True)
            jx, fl = results.get(("jax", P)), results.get(("flint", P))
            for m in methods:
                r = results[(m, P)]
                if r and "file" in r:
                    ref = fl if ("arb" in m) else jx
                    r["agree"] = agree(r, ref, 1e-12 if "arb" in m else 1e-9) if m not in ("jax", "flint") else "ref"
        print("load after:", os.getloadavg())
        print()

        def cell(m: str, P: int, ref: str | None, key: str) -> str:
            r = results.get((m, P))
            if r is None:
                return "not run"
            if "error" in r:
                return f"({r['error']})"
            t = r[key]
            s = f"{t * 1e3:.2f} ms" if t < 1 else f"{t:.2f} s"
            base = results.get((ref, P)) if ref else None
            if base and key in base:
                s += f" ({t / base[key]:.2f}x)"
            return s + ("" if r.get("agree") in ("yes", "ref", None) else f" [agree: {r.get('agree')}]")

        for key, title in (("time", "CPU time"), ("wall", "Wall-clock time")):
            print(f"{title} (ratio to JAX for float64, to the hand-written python-flint Hessian for Arb):")
            print()
            print("| params | N | JAX | numpy by hand | new float64 | new float64, lists | previous float64 | "
                  "flint by hand | new Arb | new Arb, lists | previous Arb |")
            print("|---|---|---|---|---|---|---|---|---|---|---|")
            for P in [int(s) for s in args.sizes.split(",")]:
                print(f"| {P} | {SIZES[P][1]} | {cell('jax', P, None, key)} | {cell('numpy', P, 'jax', key)} | "
                      f"{cell('new-float', P, 'jax', key)} | {cell('new-float-lists', P, 'jax', key)} | "
                      f"{cell('prev-float', P, 'jax', key)} | {cell('flint', P, None, key)} | "
                      f"{cell('new-arb', P, 'flint', key)} | {cell('new-arb-lists', P, 'flint', key)} | "
                      f"{cell('prev-arb', P, 'flint', key)} |")
            print()
        print("Peak memory above the resident set before the timed calls (MB; ratio to JAX):")
        print()
        print("| params | " + " | ".join(methods) + " |")
        print("|---|" + "---|" * len(methods))
        for P in [int(s) for s in args.sizes.split(",")]:
            row = []
            jm = (results.get(("jax", P)) or {}).get("peak_mb")
            for m in methods:
                r = results.get((m, P))
                if not r or "peak_mb" not in r:
                    row.append("-")
                    continue
                row.append(f"{r['peak_mb']:.0f}" + (f" ({r['peak_mb'] / jm:.2f}x)" if jm and jm > 1 else ""))
            print(f"| {P} | " + " | ".join(row) + " |")
        rad = [f"{P}: {results[('new-arb', P)]['radius']:.1e}" for P in [int(s) for s in args.sizes.split(",")]
               if results.get(("new-arb", P)) and "radius" in results[("new-arb", P)]]
        print()
        print("Largest radius of the new Arb Hessian:", ", ".join(rad))


if __name__ == "__main__":
    main()
