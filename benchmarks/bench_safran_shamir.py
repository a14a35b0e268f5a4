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
    python benchmarks/bench_safran_shamir.py --large [--sizes 30-30,50-50] [--starts 32] [--blocks 1,2,25]
    python benchmarks/bench_safran_shamir.py patterns [--data ../shared/data/safran_shamir_points.json] [--starts 48]

One JSON line per point, then a summary line (medians and maxima of the ratios) with the load average.

``--large`` (beyond the published sizes; default sizes 30-30 and 50-50): the symmetric search
(:func:`proofkit.library.safran_shamir_symmetry.symmetric_search`) in the fixed space of every
``Delta(S_p x S_(k-p))``, p = 1 .. k/2, and of ``Delta(S_k)`` (or of the ``--blocks`` p only), points whose
isotropy is larger dropped (``proper``), duplicates across patterns dropped (``related``); each critical point
certified in a box centred at it (:func:`~proofkit.library.safran_shamir_symmetry.certify_symmetric`: spurious
minimum or strict saddle) and its certificate re-checked by the kernel (``check_certificate`` of the JSON), with
the time of each step, the certificate's size, the peak RSS and the load average; then, per size, the families
(F, isotropy, kind) and the maxima.

``patterns``: the isotropy of each published point read off it
(:func:`~proofkit.library.safran_shamir_symmetry.isotropy_pattern`, entries equal within 1e-7), and whether the
symmetric search in that pattern's fixed space (``max(--starts, 8 dim)`` starts; for a point it misses, a second round
with 4 times the starts) finds the point (within 1e-6, up to permutations of the units and coordinates), or else the
search in another point's pattern finds it within 1e-5 (a nearly flat direction hides part of its symmetry); one line
per point, then the patterns and the counts.
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


def large(wanted: set[tuple[int, int]], starts: int, blocks: set[int] | None) -> int:
    """The symmetric search, certification and kernel re-check beyond the published sizes (see the module)."""
    from proofkit.library.safran_shamir_symmetry import certify_symmetric, isotropy_pattern, symmetric_search

    for k, n in sorted(wanted):
        patterns = [(p, k - p) for p in range(1, k // 2 + 1) if blocks is None or p in blocks]
        if blocks is None or k in blocks:
            patterns.append((k,))
        found, rows = [], []
        t_search = 0.0
        for pat in patterns:
            t = time.perf_counter()
            cands = symmetric_search(k, n, pat, starts=starts, seed=1000 * k + sum(pat[:1]), proper=True)
            dt = time.perf_counter() - t
            t_search += dt
            new = [c for c in cands if not any(ss.related(c.W, f.W, tol=1e-7) for f in found)]
            found += new
            print(json.dumps({"k": k, "n": n, "pattern": cands[0].pattern.name if cands else str(pat), "search_s": dt,
                              "found": len(cands), "new": len(new), "load": os.getloadavg()}), flush=True)
            for c in new:
                row = {"k": k, "n": n, "P": n * k, "pattern": c.pattern.name, "F": c.loss, "kind": c.kind,
                       "lambda_min": c.lambda_min, "step": c.step, "values": c.values.tolist()}
                t = time.perf_counter()
                iso = isotropy_pattern(c.W, tol=1e-9)
                row["isotropy"] = iso[0].name if iso else "other"
                row["isotropy_s"] = time.perf_counter() - t
                t = time.perf_counter()
                res = certify_symmetric(c)
                row["certify_s"] = time.perf_counter() - t
                cert = res.certificate
                row["verdict"], row["certified_as"], row["radius"] = cert.verdict, res.kind, res.radius
                if cert.verdict != "certified":
                    row["reason"] = cert.reason
                text = cert.to_json()
                t = time.perf_counter()
                check_certificate(text)
                row["kernel_s"] = time.perf_counter() - t
                row["bytes"] = len(text)
                row["maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
                row["load"] = os.getloadavg()
                rows.append(row)
                print(json.dumps(row), flush=True)
        ok = [r for r in rows if r["verdict"] == "certified"]
        summary = {"k": k, "n": n, "patterns": len(patterns), "starts": starts, "search_s": t_search,
                   "families": len(rows), "certified": len(ok),
                   "minima": sum(r["certified_as"] == "spurious local minimum" for r in ok),
                   "saddles": sum(r["certified_as"] == "strict saddle" for r in ok),
                   "F_minima": sorted(round(r["F"], 6) for r in ok if r["certified_as"] == "spurious local minimum"),
                   "load": os.getloadavg()}
        for key in ("certify_s", "kernel_s", "bytes", "maxrss_mb"):
            vals = [r[key] for r in ok]
            if vals:
                summary[key] = {"median": statistics.median(vals), "max": max(vals)}
        print(json.dumps({"summary": summary}), flush=True)
    return 0


def patterns(data: str, starts: int) -> int:
    """The isotropy of the published points and the symmetric search in their fixed spaces (see the module)."""
    from collections import Counter

    from proofkit.library.safran_shamir_symmetry import isotropy_pattern, symmetric_search

    cache: dict = {}
    rows, points = [], ss.published_points(data)
    for p in points:
        k, n, W = p["k"], p["n"], p["W"]
        got = isotropy_pattern(W, tol=1e-7)
        row = {"k": k, "n": n, "family": p["family"], "F": p["F"], "pattern": got[0].name if got else "other"}
        if got:
            pat = got[0]
            key = (k, n, pat.blocks)
            t = time.perf_counter()
            if key not in cache:  # more starts in larger fixed spaces
                cache[key] = symmetric_search(k, n, pat.blocks, starts=max(starts, 8 * pat.dimension), seed=k * 100 + n)
            row["search_s"] = time.perf_counter() - t
            row["dimension"] = pat.dimension
            row["found"] = len(cache[key])
            hits = [c for c in cache[key] if ss.related(W, c.W, tol=1e-6)]
            row["hit"] = bool(hits)
            if hits:
                row["kind"], row["F_found"] = hits[0].kind, hits[0].loss
        rows.append(row)
        print(json.dumps(row), flush=True)
    # a second round, 4 times the starts, for the patterns of the points not found (small basins in 18-27 dimensions)
    for row, p in zip(rows, points):
        if row["pattern"] != "other" and not row.get("hit"):
            got = isotropy_pattern(p["W"], tol=1e-7)
            key = (p["k"], p["n"], got[0].blocks)
            if not any(ss.related(p["W"], c.W, tol=1e-6) for c in cache[key]):
                more = symmetric_search(p["k"], p["n"], got[0].blocks, starts=4 * max(starts, 8 * got[0].dimension),
                                        seed=p["k"] * 100 + p["n"] + 1)
                cache[key] += [c for c in more if not any(ss.related(c.W, d.W, tol=1e-7) for d in cache[key])]
            hits = [c for c in cache[key] if ss.related(p["W"], c.W, tol=1e-6)]
            if hits:
                row.update(hit=True, second_round=True, kind=hits[0].kind, F_found=hits[0].loss)
    # a point whose symmetry its noise hides (a nearly flat direction: entries equal only to 1e-6) is found in a
    # larger group's fixed space, within 1e-5
    for row, p in zip(rows, points):
        if not row.get("hit"):
            other = [c for key, cands in cache.items() if key[:2] == (p["k"], p["n"]) for c in cands
                     if ss.related(p["W"], c.W, tol=1e-5)]
            if other:
                row["found_as"] = other[0].pattern.name
    summary = {"points": len(rows), "found": sum(bool(r.get("hit")) for r in rows),
               "found_in_another_pattern": [(r["k"], r["n"], r["family"], r["pattern"], r["found_as"]) for r in rows
                                            if "found_as" in r],
               "patterns": Counter(f"{r['pattern'].count('S')} blocks" + (" + units" if "unit" in r["pattern"] else "")
                                   for r in rows),
               "missed": [(r["k"], r["n"], r["family"], r["pattern"]) for r in rows
                          if not r.get("hit") and "found_as" not in r],
               "load": os.getloadavg()}
    print(json.dumps({"summary": summary}))
    return 0


def sizes(text: str) -> set[tuple[int, int]]:
    return {tuple(int(v) for v in part.split("-")) for part in text.split(",") if part}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("source", nargs="?", choices=("published", "own", "patterns"))
    ap.add_argument("--large", action="store_true", help="the symmetric search at (30, 30) and (50, 50) (see above)")
    ap.add_argument("--starts", type=int, default=0, help="--large, patterns: random starts per pattern (32, 48)")
    ap.add_argument("--blocks", default="", help="--large: only these p (Delta(S_p x S_(k-p)); k for Delta(S_k))")
    ap.add_argument("--data", default="../shared/data/safran_shamir_points.json")
    ap.add_argument("--sizes", default="")
    ap.add_argument("--limit", type=int, default=0, help="at most this many points per size (0: all)")
    ap.add_argument("--previous", type=int, default=0, help="run the previous path on the first N points")
    ap.add_argument("--repeat", type=int, default=1)
    a = ap.parse_args()
    import flint

    print(json.dumps({"machine": platform.processor() or platform.machine(), "python": platform.python_version(),
                      "numpy": np.__version__, "python-flint": flint.__version__, "cpus": os.cpu_count(),
                      "load": os.getloadavg(), "OPENBLAS_NUM_THREADS": os.environ.get("OPENBLAS_NUM_THREADS")}))
    if a.large == (a.source is not None):
        ap.error("give a source (published, own) or --large")
    if a.source == "patterns":
        return patterns(a.data, a.starts or 48)
    if a.large:
        return large(sizes(a.sizes or "30-30,50-50"), a.starts or 32,
                     {int(p) for p in a.blocks.split(",")} if a.blocks else None)
    wanted = sizes(a.sizes or "20-20")
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
