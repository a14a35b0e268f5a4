"""Activation functions with the properties the loss-surface theorems ask about.

Each :class:`Activation` is a sympy expression in one real variable ``t``
together with the properties of Nguyen & Hein (2017), Assumption 3.2(2):
analytic on R, strictly increasing, bounded with limits ``mu < gamma``, or of
type (2b) with growth constants ``rho1..rho4``. Properties are established
symbolically where possible (also for user-defined activations) and otherwise
marked as cited, stated by the user, or unknown.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import Any

import symengine as se
import sympy

from proofkit.convert import exact_constant, exact_expr
from proofkit.errors import AssumptionViolated, InvalidInput, UnknownName
from proofkit.symbolic.properties import (
    Property,
    cited,
    decide_positive,
    derived,
    stated,
    unknown,
)

__all__ = [
    "Activation",
    "activation",
    "sigmoid",
    "tanh",
    "softplus",
    "exponential",
    "identity",
    "relu",
    "leaky_relu",
    "ACTIVATIONS",
]

T = sympy.Symbol("t", real=True)

#: Functions analytic on all of R (composition of analytic maps is analytic).
_ENTIRE = (sympy.exp, sympy.sin, sympy.cos, sympy.sinh, sympy.cosh, sympy.tanh, sympy.atan, sympy.erf)
_NON_ANALYTIC = (sympy.Abs, sympy.Max, sympy.Min, sympy.Heaviside, sympy.sign, sympy.Piecewise,
                 sympy.floor, sympy.ceiling)


def _analytic_on_reals(expr: sympy.Expr, t: sympy.Symbol) -> tuple[bool | None, str]:
    """Decide whether ``expr`` is real-analytic in ``t`` on all of R."""
    if not expr.has(t):
        return True, "constant"
    if isinstance(expr, _NON_ANALYTIC):
        return False, f"{type(expr).__name__} is not analytic at its switching points"
    if expr.is_Symbol:
        return True, "identity"
    if expr.is_Add or expr.is_Mul:
        for a in expr.args:
            ok, why = _analytic_on_reals(a, t)
            if ok is not True:
                return ok, why
        return True, "sums and products of analytic functions"
    if expr.is_Pow:
        base, e = expr.args
        ok, why = _analytic_on_reals(base, t)
        if ok is not True:
            return ok, why
        if e.has(t):
            if decide_positive(base) is True:
                ok, why = _analytic_on_reals(e, t)
                return ok, why
            return None, f"power {expr} with a variable exponent and a base not known positive"
        if e.is_Integer and e >= 0:
            return True, "polynomial power"
        if decide_positive(base) is True:
            return True, f"power of the positive expression {base}"
        if e.is_Integer:
            return None, f"cannot show that {base} never vanishes"
        return None, f"cannot show that {base} stays positive"
    if isinstance(expr, sympy.log):
        (arg,) = expr.args
        ok, why = _analytic_on_reals(arg, t)
        if ok is not True:
            return ok, why
        if decide_positive(arg) is True:
            return True, f"log of the positive analytic expression {arg}"
        return None, f"cannot show that {arg} stays positive"
    if isinstance(expr, _ENTIRE):
        ok, why = _analytic_on_reals(expr.args[0], t)
        return ok, (f"{type(expr).__name__} is entire" if ok is True else why)
    return None, f"no analyticity rule for {type(expr).__name__}"


class Activation:
    """An activation function sigma with its properties.

    Parameters
    ----------
    name : str
        Short name used in reports (``"sigmoid"``).
    expr : sympy.Expr
        sigma(t) as an expression in ``T`` (``Symbol("t", real=True)``) or in
        the symbol given as ``variable``.
    variable : sympy.Symbol, optional
        The variable of ``expr`` when it is not ``T``.
    latex_name : str, optional
        How the function is written in LaTeX (``"\\sigma"``).
    growth_constants : tuple of 4 numbers, optional
        ``(rho1, rho2, rho3, rho4)`` of Assumption 3.2(2b), stated by the user.
    known : dict, optional
        Properties from the literature, keyed by property name (built-ins).

    Examples
    --------
    >>> import sympy
    >>> t = sympy.Symbol("t", real=True)
    >>> act = Activation("arctan", sympy.atan(t), variable=t)
    >>> act.strictly_increasing.value, act.bounded.value, act.limits
    (True, True, (-pi/2, pi/2))
    """

    def __init__(
        self,
        name: str,
        expr: sympy.Expr,
        *,
        variable: sympy.Symbol | None = None,
        latex_name: str | None = None,
        growth_constants: tuple[Any, Any, Any, Any] | None = None,
        known: dict[str, Property] | None = None,
    ) -> None:
        if not isinstance(name, str):
            raise InvalidInput("name", "a string", repr(name)[:60])
        expr = exact_expr(expr, "expr")
        if variable is not None:
            if not isinstance(variable, sympy.Symbol):
                raise InvalidInput("variable", "a sympy Symbol", repr(variable)[:60])
            expr = expr.xreplace({variable: T})
        free = expr.free_symbols - {T}
        if free:
            raise InvalidInput("expr", "an expression in one variable t",
                               f"an expression with the extra symbols {sorted(map(str, free))}")
        self.name = name
        self.expr = expr
        self.latex_name = latex_name or rf"\operatorname{{{name}}}"
        self._growth = growth_constants
        self._known = dict(known or {})
        self._se_expr = se.sympify(expr)
        self._se_t = se.Symbol(T.name)

    def __repr__(self) -> str:
        return f"Activation({self.name!r}, {self.expr})"

    # -- evaluation ----------------------------------------------------------
    def __call__(self, x: Any) -> sympy.Expr:
        """sigma(x) as a sympy expression (a float argument is its exact binary value)."""
        return self.expr.xreplace({T: exact_expr(x, "x", strict=False)})

    def symengine(self, x: Any) -> Any:
        """sigma(x) as a symengine expression (used to build large objectives fast)."""
        if self.is_identity:
            return x
        return self._se_expr.xreplace({self._se_t: x}) if hasattr(self._se_expr, "xreplace") \
            else self._se_expr.subs({self._se_t: x})

    def derivative(self, order: int = 1) -> sympy.Expr:
        """The ``order``-th derivative of sigma as an expression in ``t``."""
        return sympy.diff(self.expr, T, order)

    @property
    def is_identity(self) -> bool:
        return self.expr == T

    # -- properties -----------------------------------------------------------
    @cached_property
    def analytic(self) -> Property:
        """Real-analytic on all of R (Assumption 3.2(2))."""
        if "analytic" in self._known:
            return self._known["analytic"]
        ok, why = _analytic_on_reals(self.expr, T)
        if ok is None:
            return unknown(why)
        return derived(ok, why)

    @cached_property
    def differentiable(self) -> Property:
        """Continuously differentiable (needed by Lemma 2.1)."""
        if "differentiable" in self._known:
            return self._known["differentiable"]
        if self.analytic.value is True:
            return derived(True, "analytic functions are C^infinity")
        return unknown("not established")

    @cached_property
    def strictly_increasing(self) -> Property:
        """Strictly increasing on R, established by sigma'(t) > 0 for all real t."""
        if "strictly_increasing" in self._known:
            return self._known["strictly_increasing"]
        d = sympy.simplify(self.derivative())
        verdict = decide_positive(d)
        if verdict is True:
            return derived(True, f"sigma'(t) = {d} > 0 for all real t")
        if verdict is False:
            return derived(False, f"sigma'(t) = {d} is never positive")
        witness = self._monotonicity_witness()
        if witness is not None:
            a, b = witness
            return derived(False, f"sigma({a}) >= sigma({b}) although {a} < {b} (exact or certified by Arb)")
        return unknown(f"could not decide the sign of sigma'(t) = {d}")

    def _monotonicity_witness(self) -> tuple[sympy.Rational, sympy.Rational] | None:
        """Exact points a < b with sigma(a) >= sigma(b): equal rationals, or a certified decrease."""
        from proofkit.numeric.contexts import ArbContext, NotAnalyticHere
        from proofkit.numeric.program import compile_program

        pts = [sympy.Rational(k, 2) for k in range(-8, 9)]
        vals = [self(p) for p in pts]
        prog = compile_program([self.expr], [T])
        for a, b, va, vb in zip(pts, pts[1:], vals, vals[1:]):
            if va.is_Rational and vb.is_Rational:
                if vb <= va:
                    return a, b
                continue
            try:
                (fa,), (fb,) = prog.run(ArbContext(128), [a]), prog.run(ArbContext(128), [b])
            except (NotAnalyticHere, ValueError):
                continue
            if fb - fa < 0:
                return a, b
        return None

    @cached_property
    def limits(self) -> tuple[sympy.Expr, sympy.Expr]:
        """``(mu, gamma)``: the limits of sigma at -infinity and +infinity."""
        return (sympy.limit(self.expr, T, -sympy.oo), sympy.limit(self.expr, T, sympy.oo))

    @cached_property
    def bounded(self) -> Property:
        """Bounded on R (Assumption 3.2(2a)); ``data`` holds ``(mu, gamma)``."""
        if "bounded" in self._known:
            return self._known["bounded"]
        if self.strictly_increasing.value is not True:
            return unknown("boundedness is derived from monotonicity and the limits")
        mu, gamma = self.limits
        if mu.is_finite and gamma.is_finite:
            return derived(True, f"increasing with finite limits mu = {mu}, gamma = {gamma}", (mu, gamma))
        return derived(False, f"limits at -oo/+oo are {mu}, {gamma}")

    @cached_property
    def growth(self) -> Property:
        """Type (2b) of Assumption 3.2; ``data`` holds ``(rho1, rho2, rho3, rho4)``."""
        if "growth" in self._known:
            return self._known["growth"]
        mu, _ = self.limits
        if mu != 0:
            return derived(False, f"|sigma(t)| -> {sympy.Abs(mu)} != 0 as t -> -oo, "
                                  "so no bound rho1 exp(rho2 t) holds")
        slope = sympy.limit(self.expr / T, T, sympy.oo)
        if slope is sympy.oo:
            return derived(False, "sigma(t)/t -> oo as t -> oo, so no affine bound rho3 t + rho4 holds")
        if self._growth is not None:
            return stated(True, "growth constants given by the user, not verified", tuple(self._growth))
        return unknown("no growth constants given")

    @cached_property
    def satisfies_assumption_3_2(self) -> Property:
        """Assumption 3.2(2) of Nguyen & Hein (2017) as a whole."""
        parts = {"analytic": self.analytic, "strictly increasing": self.strictly_increasing}
        for label, prop in parts.items():
            if prop.value is False:
                return derived(False, f"not {label}: {prop.reason}")
        if self.bounded.value is True:
            kind = "(2a) bounded"
        elif self.growth.value is True:
            kind = "(2b) exponential/affine growth"
        elif self.bounded.value is False and self.growth.value is False:
            return derived(False, f"neither bounded ({self.bounded.reason}) nor of type (2b) "
                                  f"({self.growth.reason})")
        else:
            return unknown("could not establish boundedness or type (2b)")
        if all(p.value is True for p in parts.values()):
            hows = {p.how for p in (*parts.values(), self.bounded if "2a" in kind else self.growth)}
            how = "derived" if hows == {"derived"} else ("stated" if "stated" in hows else "cited")
            return Property(True, how, f"analytic, strictly increasing, {kind}")
        return unknown("some property could not be established")

    def require(self, prop: str, theorem: str) -> None:
        """Raise :class:`AssumptionViolated` unless property ``prop`` holds.

        Parameters
        ----------
        prop : str
            ``"analytic"``, ``"differentiable"``, ``"strictly_increasing"``,
            ``"bounded"`` or ``"satisfies_assumption_3_2"``.
        theorem : str
            The assumption being applied, named in the message.
        """
        value: Property = getattr(self, prop)
        if value.value is not True:
            raise AssumptionViolated(
                "activation", f"an activation that is {prop.replace('_', ' ')} ({theorem})",
                f"{self.name}, for which this is {'false' if value.value is False else 'not established'}:"
                f" {value.reason}")


def _make(name: str, expr: sympy.Expr, latex_name: str, **known: Property) -> Activation:
    return Activation(name, expr, latex_name=latex_name, known=known)


def sigmoid() -> Activation:
    """The logistic sigmoid ``1/(1+exp(-t))`` (bounded, mu=0, gamma=1)."""
    return _make("sigmoid", 1 / (1 + sympy.exp(-T)), r"\sigma")


def tanh() -> Activation:
    """The hyperbolic tangent (bounded, mu=-1, gamma=1)."""
    return _make("tanh", sympy.tanh(T), r"\tanh")


def softplus(alpha: Any = 1) -> Activation:
    """Softplus ``(1/alpha) log(1 + exp(alpha t))``, type (2b) (Lemma 3.3).

    Parameters
    ----------
    alpha : positive number
        Sharpness; the growth constants are ``rho1 = 1/alpha, rho2 = alpha,
        rho3 = 1, rho4 = log(2)/alpha`` (Nguyen & Hein 2017, Lemma 3.3).
    """
    a = exact_constant(alpha, "alpha")
    if a.is_positive is not True:
        raise InvalidInput("alpha", "a positive number", repr(alpha))
    rho = (1 / a, a, sympy.Integer(1), sympy.log(2) / a)
    return _make(f"softplus({a})" if a != 1 else "softplus", sympy.log(1 + sympy.exp(a * T)) / a,
                 r"\operatorname{softplus}",
                 growth=cited(True, "Nguyen & Hein 2017, Lemma 3.3", rho))


def exponential() -> Activation:
    """``exp(t)``: analytic and increasing, but neither bounded nor of type (2b)."""
    return _make("exp", sympy.exp(T), r"\exp")


def identity() -> Activation:
    """The identity (a linear layer)."""
    return _make("identity", T, r"\operatorname{id}")


def relu() -> Activation:
    """``max(0, t)``: not analytic, so it violates Assumption 3.2(2)."""
    return _make("relu", sympy.Max(0, T), r"\operatorname{ReLU}",
                 differentiable=derived(False, "not differentiable at 0"))


def leaky_relu(slope: Any = "1/100") -> Activation:
    """``max(slope*t, t)`` for ``0 < slope < 1``: strictly increasing, not analytic."""
    s = exact_constant(slope, "slope")
    if not (s.is_positive is True and (s < 1) is sympy.true):
        raise InvalidInput("slope", "a number in (0, 1)", repr(slope))
    return _make(f"leaky_relu({s})", sympy.Max(s * T, T), r"\operatorname{LReLU}",
                 differentiable=derived(False, "not differentiable at 0"),
                 strictly_increasing=derived(True, f"slopes {s} and 1 are positive"))


#: Registry of built-in activations by name.
ACTIVATIONS: dict[str, Callable[[], Activation]] = {
    "sigmoid": sigmoid,
    "tanh": tanh,
    "softplus": softplus,
    "exp": exponential,
    "identity": identity,
    "linear": identity,
    "relu": relu,
    "leaky_relu": leaky_relu,
}


def activation(spec: Any) -> Activation:
    """Resolve an activation from a name, an :class:`Activation` or a sympy expression in ``t``.

    Examples
    --------
    >>> activation("tanh").limits
    (-1, 1)
    """
    if isinstance(spec, Activation):
        return spec
    if spec is None:
        return identity()
    if isinstance(spec, str):
        try:
            return ACTIVATIONS[spec]()
        except KeyError:
            raise UnknownName("activation", f"one of {sorted(ACTIVATIONS)} or an Activation",
                              repr(spec)) from None
    if isinstance(spec, sympy.Expr):
        spec = exact_expr(spec, "activation")
        free = list(spec.free_symbols)
        if len(free) != 1:
            raise InvalidInput("activation", "an expression in exactly one variable", str(spec))
        return Activation(str(spec), spec, variable=free[0])
    raise InvalidInput("activation", "a name, an Activation or a sympy expression", repr(spec))
