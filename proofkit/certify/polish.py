"""Polish a candidate critical point by Newton's method before certifying it (a search step: nothing is certified).

A point found by gradient descent or read from a paper has a gradient of 1e-10 or so: Krawczyk's test then needs
a box at least as wide as the Newton step, and may fail there because the Hessian varies too much across it.
:func:`polish_critical_point` moves the point to (the float64 point nearest) a critical point: Newton steps in
float64 until they stop shrinking, then, when that is not enough, steps with a gradient evaluated in higher
precision (the last float64 Hessian solves for the correction; the point is kept in float64). Certifiers call it
first when the Newton step at the given point is large for the radius they aim at.

Examples
--------
>>> import numpy as np
>>> grad = lambda x: np.array([4 * x[0] ** 3 - 4 * x[0] + 0.25])     # a tilted double well
>>> hess = lambda x: np.array([[12 * x[0] ** 2 - 4]])
>>> p = polish_critical_point(grad, hess, [0.97])
>>> bool(abs(grad(p.x)[0]) < 1e-14), p.precision
(True, 'float64')
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from proofkit.errors import InvalidInput

__all__ = ["Polished", "polish_critical_point"]


@dataclass
class Polished:
    """The polished point and how it was reached.

    Attributes
    ----------
    x : numpy.ndarray
        The point (float64; the input's shape).
    step : float
        ``max |H(x)^-1 g(x)|``: the size of the next Newton step at ``x`` (an estimate of the distance to the
        critical point; ``inf`` when the Hessian is singular in float64).
    grad_norm : float
        ``max |g(x)|`` as evaluated (by the higher-precision gradient when one was used).
    float_steps, high_steps : int
        Newton steps taken in float64 and with the higher-precision gradient.
    precision : str
        ``"float64"`` or ``"high"`` (the higher-precision gradient was needed).
    history : list of float
        The step sizes, in order.
    """

    x: np.ndarray
    step: float
    grad_norm: float
    float_steps: int = 0
    high_steps: int = 0
    precision: str = "float64"
    history: list[float] = field(default_factory=list)


def _vector(v: Any, n: int, what: str) -> np.ndarray:
    out = np.asarray(v, dtype=float).reshape(-1)
    if out.shape != (n,):
        raise InvalidInput(what, f"{n} numbers", f"shape {np.shape(v)}")
    return out


def polish_critical_point(gradient: Callable[[np.ndarray], Any], hessian: Callable[[np.ndarray], Any], x0: Any, *,
                          tol: float = 0.0, max_steps: int = 30, high_gradient: Callable[[np.ndarray], Any] | None = None,
                          high_steps: int = 4, fixed_hessian: bool = False) -> Polished:
    """Newton's method for a zero of ``gradient``, in float64 and then, if needed, with a higher-precision gradient.

    Parameters
    ----------
    gradient, hessian : callable
        ``gradient(x)`` (n numbers) and ``hessian(x)`` (n x n) at a float64 point x of x0's shape.
    x0 : array_like
        The starting point (floats; any shape, kept).
    tol : float
        Stop as soon as the Newton step is at most ``tol`` (sup norm). With 0, run until the steps stop
        shrinking (the float64 floor).
    max_steps : int
        At most this many float64 steps.
    high_gradient : callable, optional
        The gradient evaluated more precisely (e.g. in Arb or double-double), rounded to float64 numbers. Used only
        when the float64 steps end above ``tol``: ``x <- x - H(x)^-1 g_high(x)`` rounded to float64, until x no
        longer changes or the step is at most ``tol`` (at most ``high_steps`` times).
    high_steps : int
    fixed_hessian : bool
        Factorise the Hessian at ``x0`` once and reuse it for every step (the chord method: linear instead of
        quadratic convergence, but one factorisation; for points already near a critical point).

    Returns
    -------
    Polished
        The best point seen (smallest Newton step), never worse than ``x0`` by that measure.

    Guarantee
    ---------
    None: this is a search step. Whatever it returns, a certifier proves its own claim about its own box.

    Examples
    --------
    >>> p = polish_critical_point(lambda x: 2 * (x - 1.5), lambda x: 2 * np.eye(2), [0.0, 3.0])
    >>> p.x.tolist(), p.step
    ([1.5, 1.5], 0.0)
    """
    x = np.array(x0, dtype=float)
    if not np.isfinite(x).all():
        raise InvalidInput("x0", "finite numbers", "non-finite values")
    if not isinstance(max_steps, int) or max_steps < 0 or not isinstance(high_steps, int) or high_steps < 0:
        raise InvalidInput("max_steps", "non-negative integers (max_steps, high_steps)", f"{max_steps!r}, {high_steps!r}")
    shape, n = x.shape, x.size
    factor: list[Any] = []

    def newton(xf: np.ndarray, g: np.ndarray) -> tuple[np.ndarray | None, float]:
        from scipy.linalg import lu_factor, lu_solve

        with np.errstate(all="ignore"):
            if not factor or not fixed_hessian:
                H = np.asarray(hessian(xf.reshape(shape)), dtype=float).reshape(n, n)
                if not np.isfinite(H).all():
                    return None, float("inf")
                factor[:] = [lu_factor(H, check_finite=False)]
            if not np.isfinite(g).all():
                return None, float("inf")
            s = lu_solve(factor[0], g, check_finite=False)
        return (s, float(np.abs(s).max(initial=0.0))) if np.isfinite(s).all() else (None, float("inf"))

    cur = x.reshape(-1)
    g = _vector(gradient(cur.reshape(shape)), n, "gradient(x)")
    s, size = newton(cur, g)
    best = Polished(cur.reshape(shape).copy(), size, float(np.abs(g).max(initial=0.0)), history=[size])
    steps = 0
    while s is not None and size > tol and steps < max_steps:
        nxt = cur - s
        steps += 1
        g = _vector(gradient(nxt.reshape(shape)), n, "gradient(x)")
        s2, size2 = newton(nxt, g)
        best.history.append(size2)
        if not size2 < size:  # the float64 floor (or divergence): keep the best point
            if size2 <= best.step:
                best.x, best.step, best.grad_norm = nxt.reshape(shape).copy(), size2, float(np.abs(g).max())
            break
        cur, s, size = nxt, s2, size2
        best.x, best.step, best.grad_norm = cur.reshape(shape).copy(), size, float(np.abs(g).max())
    best.float_steps = steps
    if high_gradient is None or best.step <= tol:
        return best
    cur = best.x.reshape(-1).copy()
    for _ in range(high_steps):
        gh = _vector(high_gradient(cur.reshape(shape)), n, "high_gradient(x)")
        s, size = newton(cur, gh)
        best.history.append(size)
        best.high_steps += 1
        best.precision = "high"
        if s is None:
            break
        best.x, best.step, best.grad_norm = cur.reshape(shape).copy(), size, float(np.abs(gh).max())
        nxt = cur - s
        if size <= tol or np.array_equal(nxt, cur):
            break
        cur = nxt
    return best
