"""Differential fuzzing of the kernel's Taylor-series evaluator against mpmath and sympy.

The random expression trees of :mod:`proofkit.testing.engine_fuzz` (biased to kinks, constant branches and
domain edges) are expanded along random rational lines ``x0 + t d`` through points placed on and near their
kinks and domain edges, by the evaluator under test (:func:`proofkit.kernel.series_coefficients`) and by the
oracle: :meth:`~proofkit.testing.engine_fuzz.Oracle.branch_at` decides (in mpmath, with no proofkit code) the
branch the tree takes on a neighbourhood of ``x0`` and writes it as a smooth sympy expression; its Taylor
coefficients along the line are taken by ``mpmath.taylor`` at 60 digits.

A *violation* is a returned coefficient whose ball misses the oracle's value (beyond 1e-35 relative, the
oracle's own accuracy), an *exact zero* returned for a coefficient the oracle finds non-zero, or any expansion
returned at a point where the oracle finds a kink, a domain edge or no value. Refusals are always allowed.

Examples
--------
>>> run_taylor_fuzz(5, seed=1).violations
[]
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import mpmath
import sympy

from proofkit.testing.engine_fuzz import DPS, Oracle, OutOfScope, box_points, random_box, random_tree

__all__ = ["TaylorFuzzReport", "run_taylor_fuzz"]

_TOL = mpmath.mpf(10) ** -35


@dataclass
class TaylorFuzzReport:
    """Counts of one campaign of :func:`run_taylor_fuzz`."""

    seed: int
    cases: int = 0
    expanded: int = 0
    refusals: int = 0
    coefficients: int = 0
    exact_zeros: int = 0
    at_kinks: int = 0
    skipped: int = 0
    violations: list[dict] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> str:
        return (f"seed {self.seed}: {self.cases} lines ({self.expanded} expanded, {self.refusals} refused, "
                f"{self.at_kinks} through kinks/domain edges/undefined points); {self.coefficients} coefficients "
                f"compared ({self.exact_zeros} exact zeros); {self.skipped} skipped (oracle out of scope); "
                f"violations: {len(self.violations)}; {self.seconds:.1f} s")


def _dag_line(x0: tuple[Fraction, ...], d: list[Fraction]) -> dict[str, Any]:
    nodes: list[list[Any]] = [["var", 0]]
    outputs = []
    for p, v in zip(x0, d):
        nodes += [["const", _q(v)], ["mul", 0, len(nodes)], ["const", _q(p)]]
        nodes.append(["add", len(nodes) - 2, len(nodes) - 1])
        outputs.append(len(nodes) - 1)
    return {"format": "proofkit.dag/1", "inputs": ["t"], "nodes": nodes, "outputs": outputs}


def _q(q: Fraction) -> str:
    return str(q.numerator) if q.denominator == 1 else f"{q.numerator}/{q.denominator}"


def _truth(expr: Any, syms: Any, x0: tuple[Fraction, ...], d: list[Fraction], order: int) -> list[Any] | None:
    t = sympy.Symbol("t")
    g = expr.xreplace({s: sympy.Rational(p.numerator, p.denominator) + sympy.Rational(v.numerator, v.denominator) * t
                       for s, p, v in zip(syms, x0, d)})
    fn = sympy.lambdify(t, g, modules="mpmath")
    with mpmath.workdps(DPS):
        try:
            cs = mpmath.taylor(fn, 0, order)
        except (ZeroDivisionError, ValueError, OverflowError, TypeError):
            return None
        cs = [mpmath.mpmathify(c) for c in cs]
        if any(isinstance(c, mpmath.mpc) and abs(c.imag) > _TOL or not mpmath.isfinite(c) for c in cs):
            return None
        return [c.real if isinstance(c, mpmath.mpc) else c for c in cs]


def _misses(ball: Any, truth: Any) -> str | None:
    if ball.is_exact() and ball == 0:
        return None if abs(truth) <= _TOL else f"an exact zero where the truth is {mpmath.nstr(truth, 12)}"
    with mpmath.workdps(DPS + 20):
        mid, rad = mpmath.mpf(ball.mid().str(DPS + 20, radius=False)), mpmath.mpf(ball.rad().str(10, radius=False))
        if abs(mid - truth) > rad * (1 + mpmath.mpf(10) ** -8) + _TOL * (1 + abs(truth)):
            return f"{ball.str(40)} misses {mpmath.nstr(truth, 40)}"
    return None


def run_taylor_fuzz(cases: int, seed: int = 0, order: int = 4, prec: int = 192) -> TaylorFuzzReport:
    """Expand ``cases`` random trees along random lines through points on and near their kinks; compare."""
    from proofkit.errors import CertificateRejected
    from proofkit.kernel import decode_dag
    from proofkit.kernel import series_coefficients as coefficients

    rng = random.Random(seed)
    report = TaylorFuzzReport(seed)
    t0 = time.perf_counter()
    while report.cases < cases:
        tree = random_tree(rng)
        oracle = Oracle(tree)
        for x0 in box_points(rng, random_box(rng, tree), tree, 3):
            report.cases += 1
            d = [Fraction(rng.randint(-4, 4), rng.choice([1, 2, 3, 8])) for _ in range(tree.n_vars)]
            try:
                status, expr = oracle.branch_at(x0)
            except (OutOfScope, RecursionError):
                report.skipped += 1
                continue
            except Exception:  # noqa: BLE001  (sympy's own inconsistencies on odd trees: no truth, no judgement)
                report.skipped += 1
                continue
            try:
                got = coefficients(decode_dag(tree.dag_json()), decode_dag(_dag_line(x0, d)), order, prec)
            except CertificateRejected:  # (the evaluator's refusal: NoSeries)
                report.refusals += 1
                continue
            report.expanded += 1
            case = {"dag": tree.dag_json(), "x0": [_q(p) for p in x0], "d": [_q(v) for v in d]}
            if status != "smooth":
                report.at_kinks += 1
                if status != "ambiguous":
                    report.violations.append({**case, "problem": f"an expansion returned at a point: {status}"})
                continue
            try:
                truth = _truth(expr, oracle.syms, x0, d, order)
            except Exception:  # noqa: BLE001  (as above)
                truth = None
            if truth is None:
                report.skipped += 1
                continue
            for k, (ball, tk) in enumerate(zip(got, truth)):
                report.coefficients += 1
                report.exact_zeros += int(ball.is_exact() and ball == 0)
                problem = _misses(ball, tk)
                if problem is not None:
                    report.violations.append({**case, "problem": f"coefficient {k}: {problem}"})
            if report.cases >= cases:
                break
    report.seconds = time.perf_counter() - t0
    return report
