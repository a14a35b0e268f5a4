"""Certification and kernel re-check times of two checkouts side by side, in one run (A/B interleaved).

Each workload certifies with the public API of a checkout and re-checks the certificate's JSON with that
checkout's kernel, in a fresh process per measurement (imports excluded from the timings; the re-check is
repeated up to 20 times within 3 s and its fastest time kept); the two checkouts alternate, ``--repeats`` times,
so that the load of the shared machine falls on both alike. Prints the fastest seconds of each (the least
disturbed by other work) and the ratio new/old, with the load average before and after.

    python benchmarks/bench_kernel_compare.py --old /path/to/old/checkout [--repeats 3] [--only NAME]

(the new checkout is the one this script lives in.)
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

NEW = Path(__file__).resolve().parent.parent

#: name -> code that defines ``make()`` (returns a certificate) with the public API of both versions.
WORKLOADS = {
    "nonsingular float64 100x100": """
import numpy as np
from proofkit import certify_nonsingular
A = np.random.default_rng(1).standard_normal((100, 100))
make = lambda: certify_nonsingular(A)""",
    "positive_definite exact 40x40": """
from fractions import Fraction
from proofkit import certify_positive_definite
n = 40
A = [[Fraction(1, i + j + 1) + (n if i == j else 0) for j in range(n)] for i in range(n)]
make = lambda: certify_positive_definite(A)""",
    "eigenvalues 30x30": """
from proofkit import enclose_eigenvalues
A = [[(i * j + 1) % 7 + (10 * i if i == j else 0) for j in range(30)] for i in range(30)]
A = [[A[i][j] + A[j][i] for j in range(30)] for i in range(30)]
make = lambda: enclose_eigenvalues(A)""",
    "spurious minimum, 2 variables": """
import sympy
from proofkit import certify_spurious_minimum
x, y = sympy.symbols("x y")
f = (x**2 - 1) ** 2 + x / 4 + (y**2 - 1) ** 2 + y / 4
make = lambda: certify_spurious_minimum(f, [x, y], [0.97, 0.97], better_point=[-1.03, -1.03])""",
    "spurious minimum, network with 41 parameters": """
import sys
sys.path.insert(0, "benchmarks")
import bench_spurious as b
from proofkit import Network
from proofkit.certify import certify_spurious_minimum
X, ys = b.problem()
bad, good = b.two_minima(X, ys)
m = 40
obj = Network([1, 1, m], activation="sigmoid", output_activation="sigmoid", bias=False).loss(X, [[y] * m for y in ys])
make = lambda: certify_spurious_minimum(obj, None, [bad[0], *([bad[1]] * m)], better_point=[good[0], *([good[1]] * m)])""",
    "Safran-Shamir (6, 6) minimum": """
import numpy as np
from proofkit.library.safran_shamir import certify_minimum, search
W = search(6, 6, starts=400, seed=7)[0].W
make = lambda: certify_minimum(6, 6, W)""",
    "local_min on a manifold": """
import sympy
from proofkit import certify_local_min
x, y = sympy.symbols("x y")
make = lambda: certify_local_min((x * y - 1) ** 2 + 3, [x, y], [2, sympy.Rational(1, 2)], manifold={y: 1 / x})""",
    "degenerate saddle": """
import sympy
from proofkit import certify_saddle
x, y, z = sympy.symbols("x y z")
make = lambda: certify_saddle((1 - x * y * z) ** 2, [x, y, z], [0, 0, 0])""",
    "classification (strict maximum)": """
import sympy
from proofkit import classify_critical_point
x, y = sympy.symbols("x y")
make = lambda: classify_critical_point(-(x**2) - y**4 - y**2, [x, y], [0, 0])""",
    "identity (Lemma 2.1, sigmoid 2-3-1)": """
from proofkit.symbolic import Network
from proofkit.certify.identity import certify_identity
net = Network([2, 3, 1], activation="sigmoid")
obj = net.loss([[0, 1], [1, 0], [1, 1]], [[0], [1], [1]])
make = lambda: certify_identity(obj.backprop_gradient(), obj.gradient(), obj.params)""",
    "leibniz_witness N = 300": """
import random
import sympy
from proofkit.certify.leibniz import certify_leibniz_witness
from proofkit.symbolic.leibniz import leibniz_construction
rng = random.Random(1)
X = [[sympy.Rational(rng.randint(-10**6, 10**6), 997), sympy.Rational(rng.randint(-10**6, 10**6), 991)]
     for _ in range(300)]
con = leibniz_construction(X, [2, 299, 1], 1)
a0 = con.alpha0()["alpha0"]
make = lambda: certify_leibniz_witness(con, a0)""",
}

_CHILD = """
import json, time
{setup}
t0 = time.perf_counter()
cert = make()
t1 = time.perf_counter()
from proofkit.kernel import check_certificate
text = cert.to_json()
t2 = time.perf_counter()
rep = check_certificate(text)
best = time.perf_counter() - t2
for _ in range(19):
    if time.perf_counter() - t2 > 3:
        break
    t = time.perf_counter()
    check_certificate(text)
    best = min(best, time.perf_counter() - t)
print(json.dumps({{"certify": t1 - t0, "kernel": best, "verdict": cert.verdict, "ok": rep.ok, "kb": len(text) / 1000}}))
"""


def measure(tree: Path, setup: str) -> dict:
    env = {**os.environ, "PYTHONPATH": str(tree), "PROOFKIT_STRICT_CERTIFIERS": "0"}
    res = subprocess.run([sys.executable, "-c", _CHILD.format(setup=setup)], capture_output=True, text=True, cwd=tree,
                         env=env, timeout=1800)
    line = res.stdout.strip().splitlines()[-1] if res.stdout.strip() else ""
    try:
        return json.loads(line)
    except ValueError:
        return {"error": (res.stderr or res.stdout)[-300:]}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--old", required=True, help="the old checkout (its proofkit is imported from there)")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--only", default=None)
    args = ap.parse_args()
    old = Path(args.old).resolve()
    print("load before:", os.getloadavg(), flush=True)
    print(f"{'workload':48} {'certify old':>11} {'new':>8} {'ratio':>6} | {'kernel old':>10} {'new':>8} {'ratio':>6} | "
          "KB old/new, verdicts")
    for name, setup in WORKLOADS.items():
        if args.only and args.only not in name:
            continue
        runs: dict[str, list[dict]] = {"old": [], "new": []}
        for _ in range(args.repeats):
            for label, tree in (("old", old), ("new", NEW)):
                runs[label].append(measure(tree, setup))
        errors = [r["error"] for rs in runs.values() for r in rs if "error" in r]
        if errors:
            print(f"{name:48} ERROR {errors[0]!r}", flush=True)
            continue
        med = {k: {m: min(r[m] for r in rs) for m in ("certify", "kernel")} for k, rs in runs.items()}
        ratio = {m: med["new"][m] / med["old"][m] if med["old"][m] else float("nan") for m in ("certify", "kernel")}
        print(f"{name:48} {med['old']['certify']:11.3f} {med['new']['certify']:8.3f} {ratio['certify']:6.2f} | "
              f"{med['old']['kernel']:10.3f} {med['new']['kernel']:8.3f} {ratio['kernel']:6.2f} | "
              f"{runs['old'][0]['kb']:.1f}/{runs['new'][0]['kb']:.1f}, {runs['old'][0]['verdict']}/"
              f"{runs['new'][0]['verdict']}", flush=True)
    print("load after:", os.getloadavg())
    return 0


if __name__ == "__main__":
    sys.exit(main())
