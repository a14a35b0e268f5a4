"""Three-valued properties with the reason they hold.

A property of an activation or a loss (analytic, strictly increasing, convex,
...) is never a bare boolean: it carries how it was established, so that a
report can say "derived symbolically: sigma'(t) = ... > 0" rather than
"True".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sympy

__all__ = ["Property", "derived", "cited", "stated", "unknown", "decide_positive"]


@dataclass(frozen=True)
class Property:
    """A property value with its provenance.

    Attributes
    ----------
    value : bool or None
        ``True``/``False`` when established, ``None`` when unknown.
    how : str
        ``"derived"`` (established here, symbolically or by a certified
        witness), ``"cited"`` (a published result), ``"stated"`` (asserted by
        the user, not verified) or ``"unknown"``.
    reason : str
        A human-readable justification.
    data : Any
        Extra values (limits, growth constants) when relevant.
    """

    value: bool | None
    how: str
    reason: str
    data: Any = None

    def __bool__(self) -> bool:
        return self.value is True

    def __str__(self) -> str:
        v = {True: "yes", False: "no", None: "unknown"}[self.value]
        return f"{v} ({self.how}: {self.reason})"


def derived(value: bool, reason: str, data: Any = None) -> Property:
    """A property established by proofkit itself."""
    return Property(value, "derived", reason, data)


def cited(value: bool, reason: str, data: Any = None) -> Property:
    """A property taken from the literature."""
    return Property(value, "cited", reason, data)


def stated(value: bool, reason: str, data: Any = None) -> Property:
    """A property asserted by the user and not verified."""
    return Property(value, "stated", reason, data)


def unknown(reason: str) -> Property:
    """A property proofkit could neither establish nor refute."""
    return Property(None, "unknown", reason)


def decide_positive(expr: sympy.Expr) -> bool | None:
    """Try to decide ``expr > 0`` for all real values of its symbols.

    Tries sympy's assumption system on the expression, on its rewrite in
    terms of ``exp`` and on simplified forms. Returns ``None`` when undecided.
    The symbols of ``expr`` must carry the assumptions that hold (e.g.
    ``real=True``).
    """
    candidates = [expr]
    try:
        rewritten = expr.rewrite(sympy.exp)
        candidates += [rewritten, sympy.simplify(rewritten), sympy.factor(sympy.together(rewritten))]
    except Exception:  # sympy may fail to rewrite exotic functions: undecided, not wrong
        pass
    for c in candidates:
        if c.is_positive is True:
            return True
    for c in candidates:
        if c.is_nonpositive is True:
            return False
    return None
