"""Two number systems for array code written once: float64 (numpy) and Arb balls (numpy object arrays).

The vectorised evaluators (:mod:`proofkit.numeric.jets`, :mod:`proofkit.numeric.network_loss`) are written
against numpy's array operations — broadcasting, reshapes, transposes, ``*`` and ``+`` — which work both on
``float64`` arrays and on ``object`` arrays of ``flint.arb`` balls (numpy then calls the balls' own operators,
which round outward). What differs lives here: conversion of inputs, the elementary functions with their
domain checks, comparisons (decided or not), and matrix products, which in Arb go through
``flint.arb_mat`` (one call into C instead of a Python loop per entry).

* :class:`FloatArrays` — float64; results are guesses (no error bound), branches follow the point.
* :class:`ArbArrays` — balls at a fixed precision; every result encloses the exact value for every point of
  the input balls. A function outside its domain, or a comparison the balls do not decide, raises
  :class:`~proofkit.numeric.contexts.NotAnalyticHere`.

Examples
--------
>>> import flint
>>> with ArbArrays(64) as B:
...     x = B.asarray([flint.fmpq(1, 3), flint.fmpq(2)])
...     v, d1, d2 = B.unary("exp", x)
>>> v[1].overlaps(flint.arb(2).exp()), float(v[1].rad()) < 1e-18
(True, True)
>>> F = FloatArrays()
>>> F.unary("log", F.asarray([1.0, 2.0]))[1].tolist()
[1.0, 0.5]
"""

from __future__ import annotations

import math
from typing import Any

import flint
import numpy as np

from proofkit.numeric.contexts import NotAnalyticHere

__all__ = ["FloatArrays", "ArbArrays", "SMOOTH_FUNCTIONS"]

SMOOTH_FUNCTIONS = frozenset({"exp", "log", "sin", "cos", "tan", "tanh", "sinh", "cosh", "atan", "asin", "acos",
                              "erf"})


def _d12(name: str, a: Any, v: Any, one: Any, sqrt_pi: Any, sqrt: Any, cos: Any, sin: Any, cosh: Any,
         sinh: Any, exp: Any) -> tuple[Any, Any]:
    """First and second derivatives of ``name`` at ``a`` (``v = name(a)``), in any number system."""
    if name == "exp":
        return v, v
    if name == "log":
        inv = one / a
        return inv, -inv * inv
    if name == "sin":
        return cos(a), -v
    if name == "cos":
        return -sin(a), -v
    if name == "tan":
        d = one + v * v
        return d, 2 * v * d
    if name == "tanh":
        d = one - v * v
        return d, -2 * v * d
    if name == "sinh":
        return cosh(a), v
    if name == "cosh":
        return sinh(a), v
    if name == "atan":
        d = one / (one + a * a)
        return d, -2 * a * d * d
    if name in ("asin", "acos"):
        w = one - a * a
        d = one / sqrt(w)
        d2 = a * d / w
        return (d, d2) if name == "asin" else (-d, -d2)
    if name == "erf":
        d = 2 * exp(-a * a) / sqrt_pi
        return d, -2 * a * d
    raise ValueError(f"unknown function {name}")


class FloatArrays:
    """float64 arrays (searches and guesses: nothing here is rigorous)."""

    name = "float64"
    dtype = float

    def asarray(self, values: Any) -> np.ndarray:
        """A float64 array from numbers (rationals are rounded to nearest)."""
        return np.asarray(values, dtype=float)

    def number(self, q: Any) -> float:
        """One exact rational (``flint.fmpq``) as the nearest float."""
        q = flint.fmpq(q)
        return int(q.p) / int(q.q)

    def constant(self, name: str) -> float:
        return {"pi": math.pi, "E": math.e}[name]

    def zeros(self, shape: Any) -> np.ndarray:
        return np.zeros(shape)

    def ones(self, shape: Any) -> np.ndarray:
        return np.ones(shape)

    def unary(self, name: str, a: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(f(a), f'(a), f''(a))`` elementwise."""
        with np.errstate(all="ignore"):
            if name == "erf":
                from scipy.special import erf

                v = erf(a)
            else:
                v = getattr(np, {"atan": "arctan", "asin": "arcsin", "acos": "arccos"}.get(name, name))(a)
            d1, d2 = _d12(name, a, v, 1.0, math.sqrt(math.pi), np.sqrt, np.cos, np.sin, np.cosh, np.sinh, np.exp)
        return v, d1, d2

    def power(self, a: np.ndarray, q: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(a**q, q a**(q-1), q(q-1) a**(q-2))`` for an exact rational exponent ``q``."""
        q = flint.fmpq(q)
        with np.errstate(all="ignore"):
            if q.q == 1:
                p = int(q.p)
                if p == 2:
                    return a * a, 2 * a, np.full(np.shape(a), 2.0)
                v = a ** p
                d1 = p * a ** (p - 1) if p else np.zeros(np.shape(a))
                d2 = p * (p - 1) * a ** (p - 2) if p not in (0, 1) else np.zeros(np.shape(a))
                return v, d1, d2
            e = int(q.p) / int(q.q)
            v = np.power(a, e)
            return v, e * v / a, e * (e - 1) * v / (a * a)

    def compare(self, op: str, a: Any, b: Any) -> tuple[np.ndarray, np.ndarray]:
        """``(surely true, surely false)`` masks of ``a op b`` (always decided in float64)."""
        t = {"lt": np.less, "le": np.less_equal, "gt": np.greater, "ge": np.greater_equal}[op](a, b)
        return t, ~t

    def sign(self, a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(a > 0, a < 0)`` masks; zero counts as positive (a branch is always taken in float64)."""
        return a >= 0, a < 0

    def matmul(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return a @ b

    def to_mat(self, a: np.ndarray) -> np.ndarray:
        """The matrix form products take (in float64 the array itself)."""
        return a

    def gram(self, a: np.ndarray, w: Any) -> np.ndarray:
        """``a^T diag(w) a`` (``w`` a vector or a scalar)."""
        return a.T @ (a * (w[:, None] if np.ndim(w) else w))

    def check_finite(self, x: Any, what: str) -> None:
        """Nothing: float64 results are guesses, their consumers check them."""


class ArbArrays:
    """Object arrays of ``flint.arb`` balls at ``prec`` bits (use inside ``with``); products through
    ``flint.arb_mat``.

    Every operation encloses its exact result for every point of its input balls (Arb's inclusion
    principle, elementwise; ``arb_mat`` products are Arb's own rigorous matrix products).
    """

    name = "arb"
    dtype = object

    def __init__(self, prec: int) -> None:
        self.prec = int(prec)
        self._zero = flint.arb(0)
        self._one = flint.arb(1)
        self._saved: list[int] = []

    def __enter__(self) -> ArbArrays:
        """Work at :attr:`prec` bits inside the ``with`` block (the conversions and operations use
        python-flint's current precision)."""
        self._saved.append(flint.ctx.prec)
        flint.ctx.prec = self.prec
        return self

    def __exit__(self, *exc: Any) -> None:
        flint.ctx.prec = self._saved.pop()

    # -- conversion ---------------------------------------------------------------------------------
    def asarray(self, values: Any) -> np.ndarray:
        """An object array of balls from exact rationals (``fmpq``, int) or balls (call inside the precision)."""
        arr = np.asarray(values, dtype=object)
        flat = [v if isinstance(v, flint.arb) else flint.arb(flint.fmpq(v) if not isinstance(v, flint.fmpq) else v)
                for v in arr.ravel().tolist()]
        out = np.empty(len(flat), dtype=object)
        out[:] = flat
        return out.reshape(arr.shape)

    def number(self, q: Any) -> flint.arb:
        return flint.arb(flint.fmpq(q))

    def constant(self, name: str) -> flint.arb:
        return flint.arb.pi() if name == "pi" else flint.arb(1).exp()

    def zeros(self, shape: Any) -> np.ndarray:
        return np.full(shape, self._zero, dtype=object)

    def ones(self, shape: Any) -> np.ndarray:
        return np.full(shape, self._one, dtype=object)

    @staticmethod
    def _map(f: Any, a: np.ndarray, nout: int = 1) -> Any:
        return np.frompyfunc(f, 1, nout)(a) if np.ndim(a) else f(a)

    # -- elementary functions -----------------------------------------------------------------------
    def map(self, name: str, a: Any) -> Any:
        """The ball method ``name`` (``"exp"``, ``"tanh"``; ``"log"`` only where the caller knows every ball is
        positive) elementwise, one C call per ball, no domain check."""
        return np.frompyfunc(getattr(flint.arb, name), 1, 1)(a) if np.ndim(a) else getattr(a, name)()

    def unary(self, name: str, a: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(f(a), f'(a), f''(a))`` elementwise, refusing balls that reach outside the domain."""
        flat = a.ravel().tolist() if np.ndim(a) else [a]
        if name == "log" and not all(x > 0 for x in flat):
            raise NotAnalyticHere("log of a ball that is not certainly positive")
        if name in ("asin", "acos") and not all(x > -1 and x < 1 for x in flat):
            raise NotAnalyticHere(f"{name} of a ball that touches or leaves (-1, 1)")
        one = self._one
        sqrt_pi = flint.arb.pi().sqrt()

        def f(x: Any) -> tuple[Any, Any, Any]:
            v = getattr(x, name)()
            d1, d2 = _d12(name, x, v, one, sqrt_pi, lambda t: t.sqrt(), lambda t: t.cos(), lambda t: t.sin(),
                          lambda t: t.cosh(), lambda t: t.sinh(), lambda t: t.exp())
            return v, d1, d2

        out = self._map(f, a, 3)
        self.check_finite(out[0], f"{name}")
        return out

    def power(self, a: np.ndarray, q: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(a**q, q a**(q-1), q(q-1) a**(q-2))`` for an exact rational ``q`` (balls must avoid the poles)."""
        q = flint.fmpq(q)
        flat = a.ravel().tolist() if np.ndim(a) else [a]
        p, r = int(q.p), int(q.q)
        if r == 1:
            if p == 2:
                two = flint.arb(2)
                return a * a, two * a, np.full(np.shape(a), two, dtype=object) if np.ndim(a) else two
            if p < 0 and not all(x > 0 or x < 0 for x in flat):
                raise NotAnalyticHere(f"a negative power {p} of a ball containing 0")

            def f(x: Any) -> tuple[Any, Any, Any]:
                return _ipow(x, p), (p * _ipow(x, p - 1) if p else self._zero), \
                    (p * (p - 1) * _ipow(x, p - 2) if p not in (0, 1) else self._zero)
        else:
            if not all(x > 0 for x in flat):
                raise NotAnalyticHere(f"the power {p}/{r} of a ball that is not certainly positive")
            qa = flint.arb(q)
            qa1 = flint.arb(q - 1)

            def f(x: Any) -> tuple[Any, Any, Any]:
                v = _ipow(x.sqrt() if r == 2 else x.root(r), p)
                inv = self._one / x
                d1 = v * inv * qa
                return v, d1, d1 * inv * qa1
        out = self._map(f, a, 3)
        self.check_finite(out[0], "a power")
        return out

    # -- decisions ----------------------------------------------------------------------------------
    def compare(self, op: str, a: Any, b: Any) -> tuple[np.ndarray, np.ndarray]:
        """``(surely true, surely false)`` masks of ``a op b``, decided only where the balls are strictly apart
        (at a branch boundary the derivatives of a branch are not those of the function)."""
        below = np.frompyfunc(lambda x, y: bool(x < y), 2, 1)(a, b).astype(bool)
        above = np.frompyfunc(lambda x, y: bool(x > y), 2, 1)(a, b).astype(bool)
        return (below, above) if op in ("lt", "le") else (above, below)

    def sign(self, a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(certainly > 0, certainly < 0)`` masks."""
        return (np.frompyfunc(lambda x: bool(x > 0), 1, 1)(a).astype(bool),
                np.frompyfunc(lambda x: bool(x < 0), 1, 1)(a).astype(bool))

    # -- products -----------------------------------------------------------------------------------
    @staticmethod
    def to_mat(a: Any) -> flint.arb_mat:
        """A 2-d object array as an ``arb_mat`` (an ``arb_mat`` is returned as it is)."""
        if isinstance(a, flint.arb_mat):
            return a
        r, c = a.shape
        return flint.arb_mat(r, c, a.ravel().tolist()) if r and c else flint.arb_mat(r, c)

    @staticmethod
    def from_mat(m: flint.arb_mat) -> np.ndarray:
        out = np.empty(m.nrows() * m.ncols(), dtype=object)
        out[:] = m.entries()
        return out.reshape(m.nrows(), m.ncols())

    def matmul(self, a: Any, b: Any) -> np.ndarray:
        """``a @ b`` by one ``arb_mat`` product (either factor may already be an ``arb_mat``)."""
        return self.from_mat(self.to_mat(a) * self.to_mat(b))

    def gram_mat(self, a: np.ndarray, w: Any) -> flint.arb_mat:
        """``a^T diag(w) a`` as an ``arb_mat`` (one product; ``w`` a vector or one ball)."""
        am = self.to_mat(a)
        if np.ndim(w) == 0:
            return (am.transpose() * am) * w
        return am.transpose() * self.to_mat(a * w[:, None])

    def gram(self, a: np.ndarray, w: Any) -> np.ndarray:
        return self.from_mat(self.gram_mat(a, w))

    def check_finite(self, x: Any, what: str) -> None:
        """Raise :class:`NotAnalyticHere` unless every ball of ``x`` is finite."""
        flat = x.ravel().tolist() if np.ndim(x) else [x]
        if not all(v.is_finite() for v in flat):
            raise NotAnalyticHere(f"a non-finite enclosure of {what}")


def _ipow(a: Any, p: int) -> Any:
    """``a**p`` for an integer ``p`` by repeated multiplication (python-flint's ``**`` is NaN on balls
    containing 0); even powers of a ball containing 0 start from ``|a|`` (a tighter, still valid enclosure)."""
    if p < 0:
        return flint.arb(1) / _ipow(a, -p)
    if p % 2 == 0 and p and not (a > 0 or a < 0):
        a = abs(a)
    result, base = flint.arb(1), a
    while p:
        if p & 1:
            result = result * base
        p >>= 1
        if p:
            base = base * base
    return result
