"""The kernel's facts: typed, frozen results that only the primitives construct (LCF style).

Every fact class checks in ``__post_init__`` that it was built with the kernel's private seal, which
only :mod:`proofkit.kernel.primitives` uses: a fact in hand was proved by a primitive. A fact records
the trust tier it rests on (:data:`TIERS`, strongest first): ``exact`` (rational arithmetic in FLINT),
``arb`` (Arb ball arithmetic), ``float64`` (IEEE-754 round to nearest with proven error bounds, under
the BLAS assumption of :func:`proofkit.kernel.linalg.float_ball_nonsingular`). A kernel report is
``nested`` when it rests on nested certificates too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from proofkit.kernel.cost import note_tier

__all__ = ["TIERS", "weakest", "Fact", "Krawczyk", "Definite", "Nonsingular", "Rank", "Sign", "ExactZero", "Series",
           "Bound", "Inertia", "Holds"]

TIERS = ("exact", "arb", "float64")
_SEAL = object()


def weakest(tiers: Any) -> str:
    """The weakest of some tiers (``exact`` for none)."""
    return max(tiers, key=TIERS.index, default="exact")


@dataclass(frozen=True, kw_only=True)
class Fact:
    """A proved fact; ``tier`` is what it rests on. Built only by the primitives (``seal``)."""

    tier: str
    seal: object = field(repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.seal is not _SEAL or self.tier not in TIERS:
            raise TypeError("facts are constructed only by the kernel's primitives")
        note_tier(self.tier)


@dataclass(frozen=True, kw_only=True)
class Krawczyk(Fact):
    """Exactly one zero of the map (the gradient in the ``free`` coordinates) in the box, and every member of
    ``J`` (its interval Jacobian over the whole box: the very object, not a copy) nonsingular."""

    J: Any
    free: tuple[int, ...]
    image: tuple[Any, ...]
    source: tuple[Any, ...] = ()  # (the function, the centres, the radii) the fact is about
    gradient: tuple[Any, ...] = ()  # (of a loss) its gradient over the box and its value at the centre
    value: Any = None


@dataclass(frozen=True, kw_only=True)
class Definite(Fact):
    """Every symmetric member of an interval matrix has the definiteness ``sign`` (+1 or -1); ``via`` says how."""

    sign: int
    via: str


@dataclass(frozen=True, kw_only=True)
class Nonsingular(Fact):
    """Every member of a matrix (or its enclosure) is invertible; ``via`` and ``measure`` say how."""

    via: str
    measure: Any = None


@dataclass(frozen=True, kw_only=True)
class Rank(Fact):
    """The exact rank of a rational matrix."""

    rank: int


@dataclass(frozen=True, kw_only=True)
class Sign(Fact):
    """The sign (-1, 0, +1) of a quantity ``of`` (a determinant, a quadratic form, a slope ...) and its value."""

    of: str
    sign: int
    value: Any


@dataclass(frozen=True, kw_only=True)
class ExactZero(Fact):
    """``count`` expressions ``what`` vanish identically (wherever defined), proved by the exact engine."""

    what: str
    count: int


@dataclass(frozen=True, kw_only=True)
class Series(Fact):
    """``L(theta(t)) - L(theta(0)) = c t^order + O(t^(order + 1))``; ``coefficient``: ``c`` or (tier arb) a ball on it."""

    order: int
    coefficient: Any


@dataclass(frozen=True, kw_only=True)
class Bound(Fact):
    """``what`` is enclosed by ``value`` (a ball; e.g. the lower bound of a loss over a box minus a better value)."""

    what: str
    value: Any


@dataclass(frozen=True, kw_only=True)
class Inertia(Fact):
    """The numbers of negative, zero and positive eigenvalues of a symmetric matrix (eigenvalues isolated)."""

    inertia: tuple[int, int, int]


@dataclass(frozen=True, kw_only=True)
class Holds(Fact):
    """An inequality ``what`` holds on a whole box or set, with the ``measure`` it was proved by."""

    what: str
    measure: Any = None
