"""Hessians in Arb at 50 digits: the differentiation engine vs the symbolic path vs plain sympy.

One-hidden-layer sigmoid networks (d = 2, biases, linear output, squared loss, exact rational data).
For each size, side by side in one run, the full Hessian at a rational point at 50 digits (170 bits):

* engine: ``to_dag`` of the loss + :class:`~proofkit.kernel.engine.Tape` + second-order AD in Arb
  (compilation included), and the same through the public ``Objective.hessian().evaluate`` (a
  :class:`~proofkit.symbolic.lazy.LazyMatrix` whose numbers come from the engine);
* symbolic: ``Objective.hessian()``'s symbolic entries (symengine) + their compiled straight-line program
  (:mod:`proofkit.numeric.program`) run in Arb — skipped past ``--symbolic-limit`` parameters;
* sympy: ``sympy.hessian`` + ``lambdify`` to mpmath at 50 digits — skipped past 25 parameters.

Every pair of results is compared entrywise (the engine's balls must contain the other values to 45 digits).
Run: ``python benchmarks/bench_engine.py [--symbolic-limit P] [--sympy-limit P]``.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # see bench_safran_shamir.py
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import flint  # noqa: E402
import mpmath  # noqa: E402
import sympy  # noqa: E402

from proofkit.kernel import Tape, decode_dag, dense_hessian, evaluate  # noqa: E402
from proofkit.numeric import ArbContext  # noqa: E402
from proofkit.numeric.float_engine import FloatTape  # noqa: E402
from proofkit.symbolic import Network  # noqa: E402
from proofkit.symbolic.dag import to_dag  # noqa: E402

SIZES = [(6, 8), (16, 64)]  # 25 and 65 parameters
PREC = 170  # bits, about 51 digits


def data(d: int, N: int, seed: int = 0) -> tuple[list, list]:
    rng = random.Random(seed)
    X = [[sympy.Rational(rng.randint(-9, 9), rng.randint(1, 4)) for _ in range(d)] for _ in range(N)]
    Y = [sympy.Rational(rng.randint(-5, 5), 3) for _ in range(N)]
    return X, Y


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--symbolic-limit", type=int, default=25)
    ap.add_argument("--sympy-limit", type=int, default=25, help="run sympy.hessian up to this many parameters")
    args = ap.parse_args()
    print("load:", os.getloadavg())
    print("| width n | N | params | engine: compile (s) | engine: Hessian (s) | engine total (s) | "
          "`Objective.hessian().evaluate` (s) | symbolic build + first run (s) | sympy.hessian + lambdify + run (s) | "
          "agree |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for n, N in SIZES:
        net = Network([2, n, 1], activation="sigmoid")
        X, Y = data(2, N)
        obj = net.loss(X, Y)
        P = len(obj.params)
        rng = random.Random(1)
        point = [sympy.Rational(rng.randint(-20, 20), rng.randint(1, 9)) for _ in obj.params]
        t0 = time.perf_counter()
        tape = Tape(decode_dag(to_dag(obj.expr_symengine, obj.params)))
        t1 = time.perf_counter()
        (jet,) = evaluate(tape, [flint.fmpq(int(q.p), int(q.q)) for q in point], order=2, prec=PREC)
        H = dense_hessian(jet, P)
        t2 = time.perf_counter()
        sym = ref = "skipped"
        Hf = FloatTape(tape).hessian([float(q) for q in point])  # an independent float64 implementation
        agree = [all(abs(float(H[i, j].mid()) - Hf[i, j]) <= 1e-9 * (1 + abs(Hf[i, j])) and
                     float(H[i, j].rad()) < 1e-45 * (1 + abs(Hf[i, j])) for i in range(P) for j in range(P))]
        t5 = time.perf_counter()
        user = obj.hessian().evaluate(point, ArbContext(PREC))  # the public path: the engine, nothing symbolic
        t_user = time.perf_counter() - t5
        agree.append(all(H[i, j].overlaps(user[i][j]) for i in range(P) for j in range(P)))
        if P <= args.symbolic_limit:
            t3 = time.perf_counter()
            Hs = obj.hessian()
            flat = Hs.program.run(ArbContext(PREC), point)  # the symbolic entries, compiled and run
            vals = [flat[i * P:(i + 1) * P] for i in range(P)]
            sym = f"{time.perf_counter() - t3:.2f}"
            agree.append(all(H[i, j].overlaps(vals[i][j]) and float(H[i, j].rad()) < 1e-45 * (1 + abs(float(H[i, j].mid())))
                             for i in range(P) for j in range(P)))
        if P <= args.sympy_limit:
            t4 = time.perf_counter()
            Hsp = sympy.hessian(obj.expr, obj.params)
            f = sympy.lambdify(obj.params, Hsp, "mpmath")
            with mpmath.workdps(50):
                M = f(*[mpmath.mpf(int(q.p)) / int(q.q) for q in point])
            ref = f"{time.perf_counter() - t4:.2f}"
            agree.append(all(abs(float(H[i, j].mid()) - float(M[i, j])) <= 1e-12 * (1 + abs(float(M[i, j])))
                             for i in range(P) for j in range(P)))
        print(f"| {n} | {N} | {P} | {t1 - t0:.3f} | {t2 - t1:.3f} | {t2 - t0:.3f} | {t_user:.3f} | {sym} | {ref} | "
              f"{'yes' if all(agree) else 'NO'} ({len(agree)} comparisons) |", flush=True)


if __name__ == "__main__":
    main()
