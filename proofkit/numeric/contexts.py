"""Number systems behind one small interface (mpmath's context idea).

An expression is compiled once (:mod:`proofkit.numeric.program`) and then run
in any of these contexts:

``ArbContext``
    python-flint ball arithmetic at a given precision. Every operation obeys
    Arb's inclusion principle: for every real input inside the input balls the
    exact result lies inside the output ball. This is the rigorous engine.
``ExactContext``
    python-flint rationals (``fmpq``); only rational operations are allowed.
``MpmathContext``
    mpmath ``mpf`` at a given number of digits: high-precision evaluation and
    refinement, never the basis of a certificate.
``FloatContext``
    Python floats: fast approximate evaluation for searches.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator
from fractions import Fraction
from typing import Any

import flint
import mpmath

__all__ = [
    "NotAnalyticHere",
    "NotRational",
    "ArbContext",
    "ExactContext",
    "MpmathContext",
    "FloatContext",
    "arb_precision",
    "to_fmpq",
]


class NotAnalyticHere(ArithmeticError):
    """An enclosure met a point where the expression is not analytic.

    Raised when a ball straddles a kink or jump (``Max``, ``Abs``,
    ``Heaviside``, a ``Piecewise`` boundary) or leaves the domain of a
    function (``log`` at or below 0).
    """


class NotRational(ArithmeticError):
    """A transcendental operation was asked of the exact rational context."""


@contextlib.contextmanager
def arb_precision(bits: int) -> Iterator[None]:
    """Temporarily set python-flint's working precision to ``bits``.

    Examples
    --------
    >>> from flint import arb
    >>> with arb_precision(200):
    ...     x = arb(1) / 3
    >>> x.rad() < 2**-190
    True
    """
    old = flint.ctx.prec
    flint.ctx.prec = int(bits)
    try:
        yield
    finally:
        flint.ctx.prec = old


def to_fmpq(value: Any) -> flint.fmpq:
    """Convert an exactly representable number to ``fmpq``.

    Floats are taken as the exact binary numbers they are. Anything but the
    fast cases (fmpq, fmpz, bool, int, Fraction, float) goes through
    :func:`proofkit.convert.exact_scalar`.

    Raises
    ------
    ValueError
        NaN or an infinity (:class:`~proofkit.errors.NonFiniteInput`), or a
        value that is not a real number (:class:`~proofkit.errors.InvalidInput`).
    """
    if isinstance(value, flint.fmpq):
        return value
    if isinstance(value, flint.fmpz):
        return flint.fmpq(value)
    if isinstance(value, bool):
        return flint.fmpq(int(value))
    if isinstance(value, int):
        return flint.fmpq(value)
    if isinstance(value, Fraction):
        return flint.fmpq(value.numerator, value.denominator)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"not a finite number: {value!r}")
        n, d = value.as_integer_ratio()
        return flint.fmpq(n, d)
    # numpy scalars, Decimal, strings, sympy numbers: the one conversion of user input (named errors,
    # which are ValueErrors; numpy longdouble and complex numbers are rejected there)
    from proofkit.convert import exact_scalar

    return exact_scalar(value, "value")


def _sgn_name(node: Any) -> str:
    return type(node).__name__


class _Context:
    """Operations every context provides (the interface programs run against)."""

    name = "abstract"

    def rational(self, p: int, q: int) -> Any:  # pragma: no cover - interface
        raise NotImplementedError

    def from_input(self, value: Any) -> Any:  # pragma: no cover - interface
        raise NotImplementedError

    def add(self, terms: list[Any]) -> Any:
        acc = terms[0]
        for t in terms[1:]:
            acc = acc + t
        return acc

    def mul(self, factors: list[Any]) -> Any:
        acc = factors[0]
        for f in factors[1:]:
            acc = acc * f
        return acc

    def pow_int(self, base: Any, k: int) -> Any:
        if k >= 0:
            return base**k
        return self.rational(1, 1) / (base**(-k))


class ArbContext(_Context):
    """Rigorous ball arithmetic (python-flint ``arb``) at ``prec`` bits."""

    name = "arb"

    def __init__(self, prec: int = 64) -> None:
        self.prec = int(prec)

    def rational(self, p: int, q: int) -> flint.arb:
        return flint.arb(flint.fmpq(p, q))

    def from_input(self, value: Any) -> flint.arb:
        if isinstance(value, flint.arb):
            return value
        return flint.arb(to_fmpq(value))

    def constant(self, name: str) -> flint.arb:
        return {"pi": flint.arb.pi(), "E": flint.arb(1).exp()}[name]

    def pow_int(self, base: flint.arb, k: int) -> flint.arb:
        """Integer powers by repeated multiplication (python-flint's ``**`` is NaN on balls containing 0)."""
        if k < 0:
            return flint.arb(1) / self.pow_int(base, -k)
        if k % 2 == 0 and not (base > 0 or base < 0):
            base = abs(base)  # even powers are non-negative: keeps the enclosure tight around 0
        result = flint.arb(1)
        b = base
        while k:
            if k & 1:
                result = result * b
            k >>= 1
            if k:
                b = b * b
        return result

    def sqrt(self, x: flint.arb) -> flint.arb:
        if not x > 0:
            raise NotAnalyticHere("sqrt of a ball that is not certainly positive")
        return x.sqrt()

    def pow_real(self, base: flint.arb, e: flint.arb) -> flint.arb:
        if not base > 0:
            raise NotAnalyticHere("real power of a ball that is not certainly positive")
        return (e * base.log()).exp()

    def log(self, x: flint.arb) -> flint.arb:
        if not x > 0:
            raise NotAnalyticHere("log of a ball that is not certainly positive")
        return x.log()

    def func(self, name: str, x: flint.arb) -> flint.arb:
        if name == "acos" or name == "asin":
            if not (x > -1 and x < 1):
                raise NotAnalyticHere(f"{name} of a ball that touches or leaves [-1, 1]")
        return getattr(x, name)()

    def abs(self, x: flint.arb) -> flint.arb:
        if not (x > 0 or x < 0):
            raise NotAnalyticHere("Abs of a ball containing 0")
        return abs(x)

    def sign_of(self, x: flint.arb) -> int:
        if x > 0:
            return 1
        if x < 0:
            return -1
        if x == 0:
            return 0
        raise NotAnalyticHere("the sign of a ball containing 0 is undecided")

    def compare(self, a: flint.arb, b: flint.arb) -> int:
        return self.sign_of(a - b)


class ExactContext(_Context):
    """Exact rational arithmetic (python-flint ``fmpq``)."""

    name = "exact"

    def rational(self, p: int, q: int) -> flint.fmpq:
        return flint.fmpq(p, q)

    def from_input(self, value: Any) -> flint.fmpq:
        return to_fmpq(value)

    def constant(self, name: str) -> Any:
        raise NotRational(f"the constant {name} is not rational")

    def sqrt(self, x: Any) -> Any:
        raise NotRational("sqrt is not a rational operation")

    def pow_real(self, base: Any, e: Any) -> Any:
        raise NotRational("a non-integer power is not a rational operation")

    def log(self, x: Any) -> Any:
        raise NotRational("log is not a rational operation")

    def func(self, name: str, x: Any) -> Any:
        raise NotRational(f"{name} is not a rational operation")

    def abs(self, x: flint.fmpq) -> flint.fmpq:
        return x if x >= 0 else -x

    def sign_of(self, x: flint.fmpq) -> int:
        return (x > 0) - (x < 0)

    def compare(self, a: Any, b: Any) -> int:
        return self.sign_of(a - b)


class MpmathContext(_Context):
    """mpmath ``mpf`` arithmetic at ``dps`` decimal digits (evaluation, not proof)."""

    name = "mpmath"

    def __init__(self, dps: int = 50) -> None:
        self.dps = int(dps)

    def rational(self, p: int, q: int) -> Any:
        return mpmath.mpf(p) / q

    def from_input(self, value: Any) -> Any:
        if isinstance(value, mpmath.mpf):
            return value
        q = to_fmpq(value)
        return mpmath.mpf(int(q.p)) / int(q.q)

    def constant(self, name: str) -> Any:
        return {"pi": mpmath.pi, "E": mpmath.e}[name]()

    def sqrt(self, x: Any) -> Any:
        return mpmath.sqrt(x)

    def pow_real(self, base: Any, e: Any) -> Any:
        return mpmath.power(base, e)

    def log(self, x: Any) -> Any:
        return mpmath.log(x)

    def func(self, name: str, x: Any) -> Any:
        return getattr(mpmath, name)(x)

    def abs(self, x: Any) -> Any:
        return abs(x)

    def sign_of(self, x: Any) -> int:
        return int(mpmath.sign(x))

    def compare(self, a: Any, b: Any) -> int:
        return self.sign_of(a - b)


class FloatContext(_Context):
    """Plain double precision (searches only)."""

    name = "float"

    def rational(self, p: int, q: int) -> float:
        return p / q

    def from_input(self, value: Any) -> float:
        return float(value)

    def constant(self, name: str) -> float:
        return {"pi": math.pi, "E": math.e}[name]

    def sqrt(self, x: float) -> float:
        return math.sqrt(x)

    def pow_real(self, base: float, e: float) -> float:
        return base**e

    def log(self, x: float) -> float:
        return math.log(x)

    def func(self, name: str, x: float) -> float:
        try:
            return getattr(math, name)(x)
        except OverflowError:
            return math.inf

    def abs(self, x: float) -> float:
        return abs(x)

    def sign_of(self, x: float) -> int:
        return (x > 0) - (x < 0)

    def compare(self, a: float, b: float) -> int:
        return self.sign_of(a - b)
