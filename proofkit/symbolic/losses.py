"""Losses with the properties the theorems ask about.

Nguyen & Hein (2017), Assumption 3.2(3), asks of a loss ``l`` of the residual
``a = f - y`` that it be C^2 and that ``l'(a) = 0`` imply that ``a`` is a global
minimum of ``l``; Kawaguchi et al. (2019), Assumption 1, asks that
``q -> loss(q, y)`` be differentiable and convex. Each :class:`Loss` records
these properties, derived symbolically where possible.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cached_property
from typing import Any

import symengine as se
import sympy

from proofkit.convert import exact_constant, exact_expr
from proofkit.errors import AssumptionViolated, InvalidInput, UnknownName
from proofkit.numeric.contexts import ArbContext, NotAnalyticHere
from proofkit.numeric.program import compile_program
from proofkit.symbolic.activations import _analytic_on_reals
from proofkit.symbolic.properties import Property, cited, decide_positive, derived, unknown

__all__ = [
    "Loss",
    "loss",
    "squared",
    "pseudo_huber",
    "blake_zisserman",
    "corrupted_gaussian",
    "cauchy",
    "cross_entropy",
    "smoothed_hinge",
    "squared_hinge_pair",
    "LOSSES",
]

A = sympy.Symbol("a", real=True)
_AP = sympy.Symbol("a", positive=True)


_KINDS = {"residual", "margin", "softmax", "separable_pair"}


def _in_residual(expr: Any, argument: str) -> sympy.Expr | None:
    """``expr`` as a checked, exact expression in :data:`A` (any symbol named ``a`` is taken to be A).

    A loss written in another symbol would be a constant of the network output; that is an error, not a
    silently constant objective.
    """
    if expr is None:
        return None
    e = exact_expr(expr, argument)
    other = sorted(s.name for s in e.free_symbols if s.name != A.name)
    if other:
        raise InvalidInput(argument, f"an expression in the residual symbol {A.name} "
                           "(proofkit.symbolic.losses.A)", f"an expression in {other}")
    return e.xreplace({s: A for s in e.free_symbols})


def _certified_negative_at(expr: sympy.Expr, points: Sequence[Any]) -> Any | None:
    """A point among ``points`` where ``expr(a)`` is certified negative by Arb, or None."""
    prog = compile_program([expr], [A])
    for p in points:
        try:
            (v,) = prog.run(ArbContext(128), [p])
        except (NotAnalyticHere, ValueError):
            continue
        if v < 0:
            return p
    return None


class Loss:
    """A loss function with its properties.

    Parameters
    ----------
    name : str
        Name used in reports.
    kind : {"residual", "margin", "softmax", "separable_pair"}
        ``residual``: ``sum_j l(q_j - y_j)``; ``margin``: ``sum_j l(y_j q_j)``;
        ``softmax``: cross-entropy of ``softmax(q)`` against the row ``y``;
        ``separable_pair``: Theorem 5.3's ``l1`` on the true class (the argmax
        of the row ``y``) and ``l2`` on the others, of ``q_j - y_j``.
    l : sympy.Expr, optional
        The scalar function of :data:`A` for ``residual``/``margin``.
    known : dict, optional
        Properties from the literature.

    Examples
    --------
    >>> sq = squared()
    >>> sq.critical_implies_global.value, sq.convex.value
    (True, True)
    """

    def __init__(self, name: str, kind: str, l: sympy.Expr | None = None,  # noqa: E741
                 l2: sympy.Expr | None = None, known: dict[str, Property] | None = None) -> None:
        if not isinstance(name, str):
            raise InvalidInput("name", "a string", repr(name)[:60])
        if kind not in _KINDS:
            raise InvalidInput("kind", f"one of {sorted(_KINDS)}", repr(kind))
        if kind != "softmax" and l is None:
            raise InvalidInput("l", f"the scalar loss l(a) (required for kind {kind!r})", "None")
        if kind == "separable_pair" and l2 is None:
            raise InvalidInput("l2", "the second scalar loss l2(a) (required for kind 'separable_pair')", "None")
        self.name = name
        self.kind = kind
        self.l = _in_residual(l, "l")
        self.l2 = _in_residual(l2, "l2")
        l, l2 = self.l, self.l2
        self._known = dict(known or {})
        self._se = {}
        if l is not None:
            self._se["l"] = se.sympify(l)
        if l2 is not None:
            self._se["l2"] = se.sympify(l2)
        self._se_a = se.Symbol(A.name)

    def __repr__(self) -> str:
        return f"Loss({self.name!r})"

    def _apply(self, which: str, value: Any) -> Any:
        return self._se[which].subs({self._se_a: value})

    def sample_terms(self, q: Sequence[Any], y: Sequence[Any]) -> list[Any]:
        """The loss terms of one sample as symengine expressions.

        Parameters
        ----------
        q : sequence
            The network outputs for the sample (symengine expressions).
        y : sequence
            The targets of the sample (exact numbers).
        """
        ys = [se.sympify(v) for v in y]
        if self.kind == "residual":
            return [self._apply("l", qj - yj) for qj, yj in zip(q, ys)]
        if self.kind == "margin":
            return [self._apply("l", yj * qj) for qj, yj in zip(q, ys)]
        if self.kind == "softmax":
            lse = se.log(se.Add(*[se.exp(qj) for qj in q]))
            return [se.Add(*[yj * (lse - qj) for qj, yj in zip(q, ys)])]
        if self.kind == "separable_pair":
            true_class = max(range(len(ys)), key=lambda j: (ys[j], -j))
            return [self._apply("l" if j == true_class else "l2", qj - yj)
                    for j, (qj, yj) in enumerate(zip(q, ys))]
        raise InvalidInput("kind", "residual, margin, softmax or separable_pair", repr(self.kind))

    # -- properties ---------------------------------------------------------------
    @cached_property
    def twice_differentiable(self) -> Property:
        """``l`` is C^2."""
        if "twice_differentiable" in self._known:
            return self._known["twice_differentiable"]
        ok, why = _analytic_on_reals(self.l, A)
        if ok:
            return derived(True, f"analytic: {why}")
        return unknown(why)

    @cached_property
    def convex(self) -> Property:
        """Convex in the network output (Kawaguchi et al. 2019, Assumption 1)."""
        if "convex" in self._known:
            return self._known["convex"]
        d2 = sympy.simplify(sympy.diff(self.l, A, 2))
        if d2 == 0 or decide_positive(d2) is True or d2.is_nonnegative:
            return derived(True, f"l''(a) = {d2} >= 0")
        witness = _certified_negative_at(d2, [sympy.Rational(k, 2) for k in range(-12, 13)])
        if witness is not None:
            return derived(False, f"l''({witness}) < 0 (certified by ball arithmetic)")
        return unknown(f"could not decide the sign of l''(a) = {d2}")

    @cached_property
    def critical_implies_global(self) -> Property:
        """Assumption 3.2(3): ``l'(a) = 0`` implies ``a`` is a global minimum of ``l``."""
        if "critical_implies_global" in self._known:
            return self._known["critical_implies_global"]
        d1 = sympy.diff(self.l, A)
        right = decide_positive(d1.xreplace({A: _AP}))
        left = decide_positive(-d1.xreplace({A: -_AP}))
        if right is True and left is True:
            return derived(True, "l'(a) < 0 for a < 0 and l'(a) > 0 for a > 0, so a = 0 is the only "
                                 "critical point and the global minimum")
        return unknown(f"could not decide the sign of l'(a) = {d1} on both half-lines")

    @cached_property
    def satisfies_assumption_3_2(self) -> Property:
        """Assumption 3.2(3) of Nguyen & Hein (2017) as a whole."""
        parts = [self.twice_differentiable, self.critical_implies_global]
        if any(p.value is False for p in parts):
            bad = next(p for p in parts if p.value is False)
            return derived(False, bad.reason)
        if all(p.value is True for p in parts):
            return Property(True, "derived" if all(p.how == "derived" for p in parts) else "cited",
                            "C^2 and every critical point of l is a global minimum")
        return unknown("some property could not be established")

    def require(self, prop: str, theorem: str) -> None:
        """Raise :class:`AssumptionViolated` unless property ``prop`` holds."""
        value: Property = getattr(self, prop)
        if value.value is not True:
            raise AssumptionViolated(
                "loss", f"a loss that is {prop.replace('_', ' ')} ({theorem})",
                f"{self.name}: {value.reason}")


def _positive(value: Any, name: str) -> sympy.Expr:
    v = exact_constant(value, name)
    if v.is_positive is not True:
        raise InvalidInput(name, "a positive number", repr(value))
    return v


def squared() -> Loss:
    """``l(a) = a^2``."""
    return Loss("squared", "residual", A**2)


def pseudo_huber(delta: Any = 1) -> Loss:
    """``2 delta^2 (sqrt(1 + a^2/delta^2) - 1)`` (Lemma 3.3)."""
    d = _positive(delta, "delta")
    return Loss("pseudo_huber", "residual", 2 * d**2 * (sympy.sqrt(1 + A**2 / d**2) - 1))


def blake_zisserman(delta: Any = 1) -> Loss:
    """``-log(exp(-a^2) + delta)`` (Lemma 3.3)."""
    d = _positive(delta, "delta")
    return Loss("blake_zisserman", "residual", -sympy.log(sympy.exp(-A**2) + d))


def corrupted_gaussian(alpha: Any = "1/2", w: Any = 2) -> Loss:
    """``-log(alpha exp(-a^2) + (1 - alpha) exp(-a^2/w^2)/w)`` (Lemma 3.3)."""
    al = _positive(alpha, "alpha")
    if (al < 1) is not sympy.true:
        raise InvalidInput("alpha", "a number in (0, 1)", repr(alpha))
    ww = _positive(w, "w")
    return Loss("corrupted_gaussian", "residual",
                -sympy.log(al * sympy.exp(-A**2) + (1 - al) * sympy.exp(-A**2 / ww**2) / ww))


def cauchy(delta: Any = 1) -> Loss:
    """``delta^2 log(1 + a^2/delta^2)`` (Lemma 3.3)."""
    d = _positive(delta, "delta")
    return Loss("cauchy", "residual", d**2 * sympy.log(1 + A**2 / d**2))


def cross_entropy() -> Loss:
    """Cross-entropy with softmax: ``-sum_j y_j log softmax(q)_j`` (targets are a row of Y)."""
    return Loss("cross_entropy", "softmax", known={
        "convex": cited(True, "log-sum-exp is convex; Kawaguchi et al. 2019, Assumption 1"),
        "twice_differentiable": cited(True, "analytic in q"),
        "critical_implies_global": cited(True, "convex in q, so every critical point is a global "
                                               "minimum (the infimum need not be attained)"),
    })


def smoothed_hinge(p: int = 2) -> Loss:
    """``max(0, 1 - y q)^p`` with integer ``p >= 2`` (Kawaguchi et al. 2019); labels y in {-1, 1}."""
    if not (isinstance(p, int) and not isinstance(p, bool) and p >= 2):
        raise InvalidInput("p", "an integer >= 2", repr(p))
    return Loss(f"smoothed_hinge({p})", "margin", sympy.Max(0, 1 - A)**p, known={
        "convex": cited(True, "a power >= 1 of the convex non-negative function max(0, 1-a)"),
        "twice_differentiable": cited(p >= 3, f"max(0, 1-a)^{p} is C^{p - 1} and not C^{p} at a = 1"),
        "critical_implies_global": cited(True, "convex, so every critical point is a global minimum"),
    })


def squared_hinge_pair() -> Loss:
    """Theorem 5.3's pair: ``l1(a) = a^2`` for a <= 0 else 0 (true class), ``l2(a) = a^2`` for a >= 0 else 0.

    The true class of a sample is the argmax of its row of ``Y``.
    """
    l1 = sympy.Piecewise((A**2, A <= 0), (0, True))
    l2 = sympy.Piecewise((0, A <= 0), (A**2, True))
    return Loss("squared_hinge_pair", "separable_pair", l1, l2, known={
        "convex": cited(True, "each of l1, l2 is the square of a non-negative convex function"),
        "twice_differentiable": cited(False, "C^1 but not C^2 at a = 0 (Assumption 5.2 asks C^1)"),
        "critical_implies_global": cited(True, "Nguyen & Hein 2017, Assumptions 5.2"),
    })


#: Registry of built-in losses by name.
LOSSES: dict[str, Callable[[], Loss]] = {
    "squared": squared,
    "pseudo_huber": pseudo_huber,
    "blake_zisserman": blake_zisserman,
    "corrupted_gaussian": corrupted_gaussian,
    "cauchy": cauchy,
    "cross_entropy": cross_entropy,
    "smoothed_hinge": smoothed_hinge,
    "squared_hinge_pair": squared_hinge_pair,
}


def loss(spec: Any) -> Loss:
    """Resolve a loss from a name or a :class:`Loss`.

    Examples
    --------
    >>> loss("cauchy").convex.value
    False
    """
    if isinstance(spec, Loss):
        return spec
    if isinstance(spec, str):
        try:
            return LOSSES[spec]()
        except KeyError:
            raise UnknownName("loss", f"one of {sorted(LOSSES)} or a Loss", repr(spec)) from None
    raise InvalidInput("loss", "a name or a Loss", repr(spec))
