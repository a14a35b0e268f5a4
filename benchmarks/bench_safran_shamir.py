"""Safran & Shamir: the price of certification, side by side with the uncertified floor, in one process.

For each point (published with Safran & Shamir's code, or found by proofkit's own search) this measures

* **floor**: the Hessian of the same loss in float64 plus ``numpy.linalg.eigvalsh`` -- the hand-written numpy
  Hessian (:func:`proofkit.library.safran_shamir.hessian`, from the two-neuron blocks) and, when JAX is installed
  (the optional ``bench`` extra; never a dependency of proofkit), ``jax.hessian`` of the closed form, jitted and
  warmed up; the smaller of the two is the floor;
* **new path**: :func:`proofkit.library.safran_shamir.certify_minimum` (polish first when needed, the structured
  float64 certificate, the kernel's round trip included) -- and :func:`certify_point` for the saddles;
* **kernel**: :func:`proofkit.kernel.check_certificate` of the certificate's JSON (rule ``teacher_student``);
* **previous path** (optional, slow): the generic certifier on the 400-parameter loss DAG
  (:func:`proofkit.certify.certify_spurious_minimum`, Arb ladder, then with Newton refinement), and its kernel
  re-check;

with certificate sizes. Floors are the best of 5 runs, certification and re-check the best of ``--repeat`` runs.

Usage (from the repository root)::

    python benchmarks/bench_safran_shamir.py published [--data ../shared/data/safran_shamir_points.json]
        [--sizes 20-20,8-8] [--limit N] [--previous N] [--repeat R]
    python benchmarks/bench_safran_shamir.py own [--sizes 8-8,10-10] [--previous N]

One JSON line per point, then a summary line (medians and maxima of the ratios) with the load average.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import statistics
import sys
import time

# multi-threaded BLAS on a shared 2-core machine is up to 1000x slower for these sizes (0.45 s vs 0.3 ms
# for a 200 x 200 solve under load): one thread, set before numpy is imported
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402

from proofkit.kernel import check_certificate  # noqa: E402
from proofkit.library import safran_shamir as ss  # noqa: E402


def best(f, repeat: int = 5) -> float:
    out = math.inf
    for _ in range(repeat):
        t = time.perf_counter()
        f()
        out = min(out, time.perf_counter() - t)
    return out


def jax_floor(n: int, k: int):
    """A jitted JAX float64 Hessian of F (n x k) and eigvalsh, or None without JAX."""
    try:
        import jax
        import jax.numpy as jnp
    except ImportError:
        return None
    jax.config.update("jax_enable_x64", True)
    self_ = np.zeros((n, n + k), dtype=bool)
    self_[np.arange(n), np.arange(n)] = True
    sign = np.concatenate([np.full(n, 0.5), -np.ones(k)])
    const = k / 4 + k * (k - 1) / (4 * math.pi)

    def F(w):
        W = w.reshape(n, k)
        U = jnp.concatenate([W, jnp.eye(k)])
        a2, b2 = jnp.sum(W * W, axis=1), jnp.sum(U * U, axis=1)
        c = W @ U.T
        ab2 = a2[:, None] * b2[None, :]
        D2 = jnp.where(self_, 1.0, ab2 - c * c)
        t = jnp.where(self_, 0.0, c / jnp.sqrt(jnp.where(self_, 1.0, ab2)))
        g = jnp.where(self_, 0.0, jnp.sqrt(D2) + (jnp.pi - jnp.arccos(t)) * c) / (2 * jnp.pi)
        return jnp.sum(a2) / 4 + jnp.sum(g * sign[None, :]) + const

    hess = jax.jit(jax.hessian(F))

    def run(W):
        H = np.asarray(hess(jnp.asarray(W.reshape(-1))).block_until_ready())
        return np.linalg.eigvalsh(H)

    return run


def measure(k: int, n: int, W: np.ndarray, repeat: int, previous: bool, jaxes: dict) -> dict:
    row: dict = {"k": k, "n": n, "P": n * k}
    H = ss.hessian(W)
    row["floor_numpy_s"] = best(lambda: np.linalg.eigvalsh(ss.hessian(W)))
    row["eigvalsh_s"] = best(lambda: np.linalg.eigvalsh(H))
    if (n, k) not in jaxes:
        jaxes[(n, k)] = jax_floor(n, k)
    jf = jaxes[(n, k)]
    if jf is not None:
        jf(W)  # compile
        row["floor_jax_s"] = best(lambda: jf(W))
        assert np.allclose(jf(W), np.linalg.eigvalsh(H), atol=1e-9)
    floor = min(row["floor_numpy_s"], row.get("floor_jax_s", math.inf))
    row["lambda_min"] = float(np.linalg.eigvalsh(H)[0])
    saddle = row["lambda_min"] < 0
    t_cert, res = math.inf, None
    for _ in range(repeat):
        t = time.perf_counter()
        res = ss.certify_point(k, n, W) if saddle else None
        cert = res.certificate if saddle else ss.certify_minimum(k, n, W)
        t_cert = min(t_cert, time.perf_counter() - t)
    row["kind"] = "strict saddle" if saddle else "spurious local minimum"
    row["verdict"] = cert.verdict
    if cert.verdict != "certified":
        row["reason"] = cert.reason
    text = cert.to_json()
    row["certify_s"] = t_cert
    row["kernel_s"] = best(lambda: check_certificate(text), repeat)
    row["bytes"] = len(text)
    rel = ss.certify_point(k, n, W, kind=row["kind"]) if not saddle else res
    row["polished"], row["contains_point"] = rel.polished, rel.contains_point
    row["within"] = rel.distance + rel.radius
    row["certify_x_floor"] = t_cert / floor
    row["kernel_x_floor"] = row["kernel_s"] / floor
    if previous and not saddle:
        from proofkit.certify.spurious import certify_spurious_minimum

        args = (ss.loss_dag(k, n), None, W.reshape(-1).tolist())
        t = time.perf_counter()
        old = certify_spurious_minimum(*args, better_point=ss.teacher_point(k, n), refine=False, max_prec=256)
        if old.verdict != "certified":
            old = certify_spurious_minimum(*args, better_point=ss.teacher_point(k, n), refine=True, max_prec=256)
        row["previous_s"] = time.perf_counter() - t
        row["previous_verdict"] = old.verdict
        otext = old.to_json()
        t = time.perf_counter()
        check_certificate(otext)
        row["previous_kernel_s"] = time.perf_counter() - t
        row["previous_bytes"] = len(otext)
        row["previous_x_floor"] = row["previous_s"] / floor
    row["maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return row


def sizes(text: str) -> set[tuple[int, int]]:
    return {tuple(int(v) for v in part.split("-")) for part in text.split(",") if part}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("source", choices=("published", "own"))
    ap.add_argument("--data", default="../shared/data/safran_shamir_points.json")
    ap.add_argument("--sizes", default="20-20")
    ap.add_argument("--limit", type=int, default=0, help="at most this many points per size (0: all)")
    ap.add_argument("--previous", type=int, default=0, help="run the previous path on the first N points")
    ap.add_argument("--repeat", type=int, default=1)
    a = ap.parse_args()
    import flint

    print(json.dumps({"machine": platform.processor() or platform.machine(), "python": platform.python_version(),
                      "numpy": np.__version__, "python-flint": flint.__version__, "cpus": os.cpu_count(),
                      "load": os.getloadavg(), "OPENBLAS_NUM_THREADS": os.environ.get("OPENBLAS_NUM_THREADS")}))
    wanted = sizes(a.sizes)
    points: list[tuple[int, int, np.ndarray]] = []
    if a.source == "published":
        per: dict = {}
        for p in ss.published_points(a.data):
            if (p["k"], p["n"]) in wanted and (not a.limit or per.get((p["k"], p["n"]), 0) < a.limit):
                per[(p["k"], p["n"])] = per.get((p["k"], p["n"]), 0) + 1
                points.append((p["k"], p["n"], p["W"]))
    else:
        for k, n in sorted(wanted):
            cands = ss.search(k, n, starts=max(48, 3000 // k**2), seed=k * 100 + n)
            points += [(k, n, c.W) for c in cands[: a.limit or len(cands)]]
    rows, jaxes = [], {}
    for i, (k, n, W) in enumerate(points):
        row = measure(k, n, W, a.repeat, i < a.previous, jaxes)
        rows.append(row)
        print(json.dumps(row), flush=True)
    ok = [r for r in rows if r["verdict"] == "certified"]
    summary = {"points": len(rows), "certified": len(ok), "saddles": sum(r["kind"] == "strict saddle" for r in ok),
               "load": os.getloadavg()}
    for key in ("certify_x_floor", "kernel_x_floor", "previous_x_floor", "bytes", "certify_s", "kernel_s",
                "floor_numpy_s", "floor_jax_s", "eigvalsh_s"):
        vals = [r[key] for r in ok if key in r]
        if vals:
            summary[key] = {"median": statistics.median(vals), "max": max(vals)}
    print(json.dumps({"summary": summary}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
