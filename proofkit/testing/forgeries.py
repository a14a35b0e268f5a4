"""Forged certificates that exploit wrong derivatives of a product with a factor on a constant branch.

Up to commit 010da8f the kernel evaluator (:mod:`proofkit.kernel.engine`, ``_mul``) put the derivative blocks
of a product ``m * q``, where ``m`` is a ``max``/``min``/piecewise node on a *constant* branch of the box
(no gradient, but a support), onto the wrong variables: for ``max(1, x0) * x1`` on a box with ``x0 < 1`` it
saw the gradient ``(1, 0)`` instead of ``(0, 1)``. Each function below builds, as an attacker would, a
certificate in the real format that the kernel of that commit accepted although its statement is false:

1. take a *surrogate* ``S``: an honest smooth function whose true derivatives are what the old evaluator
   saw for the attack function ``L`` on the box (and whose value at the centre is ``L``'s);
2. certify ``S`` with the genuine certifier (so every number of the evidence is right for ``S``);
3. replace the stored expression by ``L`` and recompute the hashes and bindings
   (``proofkit.testing.mutants.rehash``).

The kernel must reject every one of them (``tests/test_attacks.py``). Each builder returns the certificate
JSON text; :data:`FORGERIES` lists them with the false statement they carry.

Examples
--------
>>> from proofkit import check_certificate
>>> from proofkit.errors import CertificateRejected
>>> try:
...     check_certificate(strict_min_with_nonzero_gradient())
... except CertificateRejected:
...     print("rejected")
rejected
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import sympy

__all__ = ["strict_min_with_nonzero_gradient", "saddle_at_strict_min", "critical_point_without_zero",
           "not_local_min_at_global_min", "hard_tanh_network_at_noncritical_point", "FORGERIES"]


class _Dag:
    """A hand-written ``proofkit.dag/1`` graph (no printing, no symbolic folding)."""

    def __init__(self, names: list[str]) -> None:
        self.names = names
        self.nodes: list[list[Any]] = []

    def add(self, *node: Any) -> int:
        self.nodes.append(list(node))
        return len(self.nodes) - 1

    def var(self, k: int) -> int:
        return self.add("var", k)

    def const(self, q: str) -> int:
        return self.add("const", q)

    def sq(self, a: int) -> int:
        return self.add("pow", a, "2")

    def neg(self, a: int) -> int:
        return self.add("mul", self.const("-1"), a)

    def json(self, *outputs: int) -> dict[str, Any]:
        return {"format": "proofkit.dag/1", "inputs": list(self.names), "nodes": self.nodes, "outputs": list(outputs)}


def _swap(cert: Any, key: str, dag: dict[str, Any], drop: tuple[str, ...] = ()) -> str:
    from proofkit.testing.mutants import rehash

    if cert.verdict != "certified":
        raise RuntimeError(f"the surrogate was not certified: {cert.reason}")
    d = json.loads(cert.to_json())
    d["inputs"][key] = dag
    for k in drop:
        d["evidence"].pop(k, None)
    rehash(d)
    return json.dumps(d)


def _P(g: _Dag) -> int:
    """``max(1, x0) * x1``: equal to ``x1`` where ``x0 < 1``; the old evaluator put its gradient on ``x0``."""
    m = g.add("max", g.const("1"), g.var(0))
    return g.add("mul", m, g.var(1))


X = sympy.symbols("x0:3")
_F = X[0] ** 2 + X[1] ** 2 + X[2] ** 2


def strict_min_with_nonzero_gradient() -> str:
    """A strict ``local_min`` at 0 for ``L = |x|^2 + max(1, x0) x1 - x0``, whose gradient is ``(-1, 1, 0) + 2x``
    on the box (no critical point at all). Surrogate: ``|x|^2``."""
    from proofkit.certify import certify_strict_local_min

    c = certify_strict_local_min([_F.diff(v) for v in X], None, [0, 0, 0], sympy.Rational(1, 100), variables=list(X),
                                 loss=_F)
    g = _Dag(["x0", "x1", "x2"])
    out = g.add("add", g.sq(g.var(0)), g.sq(g.var(1)), g.sq(g.var(2)), _P(g), g.neg(g.var(0)))
    return _swap(c, "loss", g.json(out))


def saddle_at_strict_min() -> str:
    """A strict saddle at 0 for ``L = |x|^2 + 2 ((max(1, x0) x1 + x2)^2 - (x1 + x2)^2)``, which equals ``|x|^2``
    on the box: a strict minimum. Surrogate: ``|x|^2 + 2 ((x0 + x2)^2 - (x1 + x2)^2)``."""
    from proofkit import certify_saddle

    S = _F + 2 * ((X[0] + X[2]) ** 2 - (X[1] + X[2]) ** 2)
    c = certify_saddle(S, list(X), [0, 0, 0], radius=sympy.Rational(1, 100))
    g = _Dag(["x0", "x1", "x2"])
    b = g.add("add", _P(g), g.var(2))
    s = g.add("add", g.var(1), g.var(2))
    t = g.add("mul", g.const("2"), g.add("add", g.sq(b), g.neg(g.sq(s))))
    out = g.add("add", g.sq(g.var(0)), g.sq(g.var(1)), g.sq(g.var(2)), t)
    return _swap(c, "loss", g.json(out))


def critical_point_without_zero() -> str:
    """``critical_point`` (exactly one zero) for ``G = (max(1, x0) x1 - x1 + x2 - x2 + 1/1000, x1, x2)``, whose
    first component is the constant 1/1000 on the box. Surrogate: ``(x0 - x1 + 1/1000, x1, x2)``."""
    from proofkit.certify import certify_critical_point

    c = certify_critical_point([X[0] - X[1] + sympy.Rational(1, 1000), X[1], X[2]], None,
                               [sympy.Rational(-1, 1000), 0, 0], sympy.Rational(1, 100), variables=list(X))
    g = _Dag(["x0", "x1", "x2"])
    g0 = g.add("add", _P(g), g.neg(g.var(1)), g.var(2), g.neg(g.var(2)), g.const("1/1000"))
    return _swap(c, "gradient", g.json(g0, g.var(1), g.var(2)), drop=("K",))


def not_local_min_at_global_min() -> str:
    """``not_local_min`` (first order) on the box of radius 1/100 around 0 for ``L = |x|^2 + max(1, x0) x1 - x1``,
    which is ``|x|^2`` there: 0 is its strict global minimum. Surrogate: ``|x|^2 + x0 - x1``."""
    from proofkit import certify_not_local_min

    S = _F + X[0] - X[1]
    c = certify_not_local_min(S, list(X), [0, 0, 0], direction=[-1, 1, 0], radius=sympy.Rational(1, 100))
    g = _Dag(["x0", "x1", "x2"])
    out = g.add("add", g.sq(g.var(0)), g.sq(g.var(1)), g.sq(g.var(2)), _P(g), g.neg(g.var(1)))
    return _swap(c, "loss", g.json(out))


W, A, B = sympy.symbols("w a b")
LAMBDA = sympy.Rational(1, 10)
HARD_TANH_LOSS = (A * sympy.Max(-1, sympy.Min(1, 2 * W)) + B - 1) ** 2 + LAMBDA * (A**2 + W**2 + B**2)
"""One hard-tanh unit ``a * htanh(2 w) + b`` fitted to the target 1, with weight decay 1/10."""


def hard_tanh_network_at_noncritical_point() -> str:
    """A strict ``local_min`` of ``HARD_TANH_LOSS`` at ``(w, a, b) = (10/11, 0, 10/11)``, where the unit is
    saturated and the gradient is ``(2/11, -2/11, 0)``: not a critical point. Surrogate:
    ``(w - 10/11 + b - 1)^2 + (a^2 + w^2 + b^2)/10`` (the old evaluator saw ``d(a htanh)/dw = 1``)."""
    from proofkit.certify import certify_strict_local_min
    from proofkit.symbolic.dag import to_dag

    c0 = sympy.Rational(10, 11)
    S = (W - c0 + B - 1) ** 2 + LAMBDA * (A**2 + W**2 + B**2)
    V = [W, A, B]
    c = certify_strict_local_min([S.diff(v) for v in V], None, [c0, 0, c0], sympy.Rational(1, 100), variables=V, loss=S)
    return _swap(c, "loss", to_dag([HARD_TANH_LOSS], V))


FORGERIES: dict[str, tuple[Callable[[], str], str]] = {
    "strict local minimum where the gradient is (-1, 1, 0)": (strict_min_with_nonzero_gradient, "local_min"),
    "saddle at a strict minimum": (saddle_at_strict_min, "saddle"),
    "exactly one zero in a box without zeros": (critical_point_without_zero, "critical_point"),
    "not a local minimum around a strict global minimum": (not_local_min_at_global_min, "not_local_min"),
    "hard-tanh network with weight decay at a non-critical point": (hard_tanh_network_at_noncritical_point, "local_min"),
}
"""Name -> (builder, claim type) of every forgery of this module."""
