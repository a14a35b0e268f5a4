"""Differential fuzzing of the kernel's Taylor-series evaluator against mpmath and sympy.

The random expression trees of :mod:`proofkit.testing.engine_fuzz` (biased to kinks, constant branches and
domain edges) are expanded along random rational lines ``x0 + t d`` and parabolas ``x0 + t d + t^2 e`` through
points placed on and near their kinks and domain edges, by the evaluator under test
(:func:`proofkit.kernel.series_coefficients`) and by the oracle: :meth:`~proofkit.testing.engine_fuzz.Oracle.branch_at`
decides (in mpmath, with no proofkit code) the branch the tree takes on a neighbourhood of ``x0`` and writes it as a
smooth sympy expression; its Taylor coefficients along the curve are taken by ``mpmath.taylor`` at 60 digits.

A *violation* is a returned coefficient whose ball misses the oracle's value (beyond 1e-35 relative, the
oracle's own accuracy), an *exact zero* returned for a coefficient the oracle finds non-zero (at 60 digits and
again, stably, at 120: numerical differentiation leaves noise far above 1e-35 beside coefficients of 1e60), or any
expansion returned at a point where the oracle finds a kink, a domain edge or no value. Refusals are always allowed.

Examples
--------
>>> run_taylor_fuzz(5, seed=1).violations
[]
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from functools import partial
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


def _dag_line(x0: tuple[Fraction, ...], d: list[Fraction], e: list[Fraction] | None = None) -> dict[str, Any]:
    """The curve ``x0 + t d (+ t^2 e)`` as a graph in ``t``."""
    nodes: list[list[Any]] = [["var", 0], ["mul", 0, 0]] if e and any(e) else [["var", 0]]
    outputs = []
    for p, v, w in zip(x0, d, e or [Fraction(0)] * len(d)):
        nodes += [["const", _q(v)], ["mul", 0, len(nodes)], ["const", _q(p)]]
        nodes.append(["add", len(nodes) - 2, len(nodes) - 1])
        if w:
            nodes += [["const", _q(w)], ["mul", 1, len(nodes)]]
            nodes.append(["add", len(nodes) - 3, len(nodes) - 1])
        outputs.append(len(nodes) - 1)
    return {"format": "proofkit.dag/1", "inputs": ["t"], "nodes": nodes, "outputs": outputs}


def _q(q: Fraction) -> str:
    return str(q.numerator) if q.denominator == 1 else f"{q.numerator}/{q.denominator}"


def _truth(expr: Any, syms: Any, x0: tuple[Fraction, ...], d: list[Fraction], e: list[Fraction], order: int,
           dps: int = DPS) -> list[Any] | None:
    t = sympy.Symbol("t")
    g = expr.xreplace({s: sympy.Rational(p.numerator, p.denominator) + sympy.Rational(v.numerator, v.denominator) * t
                       + sympy.Rational(w.numerator, w.denominator) * t**2 for s, p, v, w in zip(syms, x0, d, e)})
    fn = sympy.lambdify(t, g, modules="mpmath")
    with mpmath.workdps(dps):
        try:
            cs = mpmath.taylor(fn, 0, order)
        except (ZeroDivisionError, ValueError, OverflowError, TypeError):
            return None
        cs = [mpmath.mpmathify(c) for c in cs]
        if any(isinstance(c, mpmath.mpc) and abs(c.imag) > _TOL or not mpmath.isfinite(c) for c in cs):
            return None
        return [c.real if isinstance(c, mpmath.mpc) else c for c in cs]


def _finer(expr: Any, syms: Any, x0: tuple[Fraction, ...], d: list[Fraction], e: list[Fraction], order: int,
           k: int) -> Any:
    """The oracle's coefficient ``k`` at twice the digits (None: no value)."""
    try:
        cs = _truth(expr, syms, x0, d, e, order, 2 * DPS)
    except Exception:  # noqa: BLE001  (sympy's own inconsistencies, as in run_taylor_fuzz)
        return None
    return None if cs is None else cs[k]


def _misses(ball: Any, truth: Any, finer: Callable[[], Any] | None = None) -> str | None:
    """Why ``ball`` fails to hold ``truth`` (None: it holds it). An exact zero against a non-zero ``truth`` is a
    violation only if ``finer()`` (the truth recomputed at twice the digits) does not collapse: the oracle's
    numerical differentiation leaves noise far above 1e-35 beside large coefficients."""
    if ball.is_exact() and ball == 0:
        if abs(truth) <= _TOL:
            return None
        again = finer() if finer is not None else truth
        if again is not None and abs(again) < abs(truth) * mpmath.mpf(10) ** -20:
            return None
        return f"an exact zero where the truth is {mpmath.nstr(truth, 12)}"
    if not _outside(ball, truth):
        return None
    again = finer() if finer is not None else None  # (beside huge coefficients mpmath.taylor's noise at 60 digits
    if again is not None and not _outside(ball, again):  # exceeds 1e-35 relative: the finer truth decides)
        return None
    return f"{ball.str(40)} misses {mpmath.nstr(truth if again is None else again, 40)}"


def _outside(ball: Any, truth: Any) -> bool:
    with mpmath.workdps(2 * DPS + 20):
        mid = mpmath.mpf(ball.mid().str(2 * DPS + 20, radius=False))
        rad = mpmath.mpf(ball.rad().str(10, radius=False))
        return abs(mid - truth) > rad * (1 + mpmath.mpf(10) ** -8) + _TOL * (1 + abs(truth))


def run_taylor_fuzz(cases: int, seed: int = 0, order: int = 4, prec: int = 192, curved: float = 0.0) -> TaylorFuzzReport:
    """Expand ``cases`` random trees along random lines through points on and near their kinks; compare.

    ``curved``: the probability that a coordinate of a curve also gets a ``t^2`` term (0: straight lines only).
    """
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
            e = [Fraction(rng.randint(-3, 3), rng.choice([1, 2, 5])) if curved and rng.random() < curved else Fraction(0)
                 for _ in range(tree.n_vars)]
            try:
                status, expr = oracle.branch_at(x0)
            except (OutOfScope, RecursionError):
                report.skipped += 1
                continue
            except Exception:  # noqa: BLE001  (sympy's own inconsistencies on odd trees: no truth, no judgement)
                report.skipped += 1
                continue
            try:
                got = coefficients(decode_dag(tree.dag_json()), decode_dag(_dag_line(x0, d, e)), order, prec)
            except CertificateRejected:  # (the evaluator's refusal: NoSeries)
                report.refusals += 1
                continue
            report.expanded += 1
            case = {"dag": tree.dag_json(), "x0": [_q(p) for p in x0], "d": [_q(v) for v in d], "e": [_q(w) for w in e]}
            if status != "smooth":
                report.at_kinks += 1
                if status != "ambiguous":
                    report.violations.append({**case, "problem": f"an expansion returned at a point: {status}"})
                continue
            try:
                truth = _truth(expr, oracle.syms, x0, d, e, order)
            except Exception:  # noqa: BLE001  (as above)
                truth = None
            if truth is None:
                report.skipped += 1
                continue
            for k, (ball, tk) in enumerate(zip(got, truth)):
                report.coefficients += 1
                report.exact_zeros += int(ball.is_exact() and ball == 0)
                problem = _misses(ball, tk, partial(_finer, expr, oracle.syms, x0, d, e, order, k))
                if problem is not None:
                    report.violations.append({**case, "problem": f"coefficient {k}: {problem}"})
            if report.cases >= cases:
                break
    report.seconds = time.perf_counter() - t0
    return report
