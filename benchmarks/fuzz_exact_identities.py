"""Differential fuzzing of the kernel's exact engine on identities: many random cases of the generators of
``tests/test_exact_identities.py`` (exponentials and logarithms of constants and sums with near-misses; random
piecewise-linear expressions against true rewrites and other expressions), each judged first by the independent
oracle (sympy exact arithmetic at rational points and on switching lines, mpmath at 60 digits).

A case the oracle finds false that the engine proves is a soundness bug: it is printed and the exit status is 1.
Also printed: how many true cases were proved (completeness, not required).

    python benchmarks/fuzz_exact_identities.py --cases 2000 --seed 1
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests"))

import test_exact_identities as T  # noqa: E402  (the generators and the oracle)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=500)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    t0 = time.perf_counter()
    bad, true_total, true_proved, false_total = [], 0, 0, 0
    for k in range(args.cases):
        if k % 2 == 0:
            vs = [T.x, T.y][: rng.randint(1, 2)]
            arg = T._rand_exponent(rng, vs)
            ctx = T._rand_rational(rng, 1, 4) * rng.choice(vs) + T._rand_rational(rng)
            lhs = T.Add(T.Mul(ctx, T.E(arg)), 1)
            true_rhs = T.Add(T.Mul(ctx, T._split_exp(rng, arg)), 1)
            false_rhs = T.Add(T.Mul(ctx, T._perturb_exp(rng, arg)), 1)
            if T._differs(lhs, true_rhs, vs, rng) is False:
                true_total += 1
                true_proved += T.proves(lhs, true_rhs, vs)
            if T._differs(lhs, false_rhs, vs, rng):
                false_total += 1
                if T.proves(lhs, false_rhs, vs):
                    bad.append((lhs, false_rhs))
        else:
            e = T._rand_pl(rng, 2)
            true_rhs = T._pl_rewrite(e)
            if not T._pl_values_differ(e, true_rhs, rng):
                true_total += 1
                true_proved += T.proves(e, true_rhs, [T.x, T.y])
            for cand in (T._rand_pl(rng, 2), e + T.R(1, 1000) * T.sympy.Max(0, T.x - 3), e.subs(T.x, T.x + T.R(1, 7))):
                if T._pl_values_differ(e, cand, rng):
                    false_total += 1
                    if T.proves(e, cand, [T.x, T.y]):
                        bad.append((e, cand))
    print(f"{args.cases} cases in {time.perf_counter() - t0:.0f} s (load {os.getloadavg()[0]:.1f}): "
          f"{true_proved}/{true_total} true identities proved, {false_total} false ones, {len(bad)} of them proved")
    for lhs, rhs in bad:
        print("UNSOUND:", lhs, "=", rhs)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
