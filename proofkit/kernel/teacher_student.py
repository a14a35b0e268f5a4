"""Safran & Shamir's teacher-student loss rebuilt from its recipe ``(k, n)`` and enclosed through its structure.

``F(W) = 1/2 sum_{i,l} g(w_i, w_l) - sum_{i,j} g(w_i, e_j) + 1/2 sum_{j,m} g(e_j, e_m)`` for the n rows ``w_i`` of W
(student units, ``n x k``) and the teacher ``e_1..e_k``, with the arc-cosine kernel
``g(u, v) = (D + (pi - theta) c) / (2 pi)``, ``a = |u|``, ``b = |v|``, ``c = u.v``, ``D = sqrt(a^2 b^2 - c^2)``,
``theta = acos(c / (a b))`` (MATH.md section 6; ``g(u, u) = a^2 / 2``). Wherever no unit is 0 and no two of the
vectors ``w_i, e_j`` are parallel, F is analytic with

* gradient ``grad_i = w_i / 2 + (1/2pi) [(sum_m s_m D_im / a_i^2) w_i + sum_m s_m (pi - theta_im) u_m]``,
* Hessian blocks ``2pi H_ii = (pi + sum_m s_m D/a^2) I + (sum_m s_m (b^2/(D a^2) - 2 D/a^4)) w_i w_i^T
  - (w_i z_i^T + z_i w_i^T) + sum_m s_m (1/D) u_m u_m^T`` with ``z_i = sum_m s_m c/(D a^2) u_m``, and
  ``2pi H_il = (pi - theta) I + (1/D)(w_i w_l^T + w_l w_i^T) - c/(D a_i^2) w_i w_i^T - c/(D a_l^2) w_l w_l^T``,

where m runs over the other students (``s_m = +1``) and the teacher units (``s_m = -1``), ``u_m`` is that vector and
every scalar is the one of the pair ``(w_i, u_m)``. :func:`enclose` evaluates these formulas in float64
midpoint-radius arithmetic (:mod:`proofkit.kernel.floatball`) over a box ``W +- r``: the per-pair scalars
vectorised, ``theta`` at the centre by Arb's ``acos`` (one call per pair) and over the box by the mean-value bound
``|theta(t) - theta(t0)| <= |t - t0| / min sin(theta)``, the P x P Hessian assembled from the pairs with O(P^2)
memory. Every returned ball contains the exact value, gradient or Hessian at every point of the box.
:class:`Recipe` is what the kernel's primitives (``krawczyk``, ``definite``, ``form_sign``, ``lower_bound``,
``enclose``) take in place of a stored expression: they decide in the float64 tier on these enclosures.

Examples
--------
>>> import numpy as np
>>> e = enclose(np.array([[1.0, 0.25], [0.5, 1.0]]), 0.0, order=1)
>>> e.grad[0].shape, bool(e.value[1] < 1e-14)
((2, 2), True)
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Any

import flint
import numpy as np

import proofkit.kernel.floatball as fb

__all__ = ["MAX_K", "MAX_N", "MAX_P", "Enclosure", "NotAnalytic", "Recipe", "check_sizes", "teacher_point", "enclose",
           "value_ball", "teacher_value"]

MAX_K = 60
MAX_N = 60
MAX_P = 3000  # parameters n k: the P x P float64 Hessian, its inverse and the temporaries stay below ~1 GB


class NotAnalytic(ValueError):
    """The box meets a point where F is not analytic (a unit at 0, or two of the vectors parallel)."""


def check_sizes(k: Any, n: Any) -> tuple[int, int]:
    """``(k, n)`` as integers with ``1 <= k <= MAX_K``, ``1 <= n <= MAX_N`` and ``n k <= MAX_P``, else ``ValueError``."""
    if isinstance(k, bool) or isinstance(n, bool) or not isinstance(k, int) or not isinstance(n, int) or \
            not (1 <= k <= MAX_K and 1 <= n <= MAX_N and n * k <= MAX_P):
        raise ValueError(f"teacher and student widths 1 <= k <= {MAX_K}, 1 <= n <= {MAX_N}, n k <= {MAX_P}, got "
                         f"({k!r}, {n!r})")
    return k, n


def teacher_point(k: int, n: int) -> np.ndarray:
    """A global minimiser (F = 0), n x k, exact dyadic float64 entries: ``W = I`` for ``n = k``; for ``n > k`` the
    last teacher unit is split into ``n - k + 1`` parts with weights 1/2, 1/4, ..., 2^-(n-k), 2^-(n-k) (ReLU is
    positively homogeneous: the student computes the teacher's function)."""
    check_sizes(k, n)
    if n < k:
        raise ValueError(f"a zero-loss point needs n >= k, got (k, n) = ({k}, {n})")
    W = np.zeros((n, k))
    W[np.arange(k - 1), np.arange(k - 1)] = 1.0
    m = n - k + 1
    for j, i in enumerate(range(k - 1, n)):
        W[i, k - 1] = 2.0 ** -min(j + 1, m - 1)
    return W


def _arb_float_ball(x: flint.arb) -> tuple[float, float]:
    """A float midpoint and radius whose ball contains the finite Arb ball x: ``m = float(mid)``, and the radius is
    one float step above ``float(|x - m| + rad)`` (a conversion with error below one step, whatever its rounding)."""
    if not x.is_finite():
        raise NotAnalytic("an Arb enclosure is not finite")
    m = float(x.mid())
    with flint.ctx.workprec(128):
        bound = (abs(x - flint.arb(m)) + x.rad()).upper()
    if bound.is_zero():
        return m, 0.0
    return m, math.nextafter(float(bound), math.inf)


with flint.ctx.workprec(128):
    _PI_ARB = flint.arb.pi()
PI = tuple(np.array(v) for v in _arb_float_ball(_PI_ARB))
INV2PI = tuple(np.array(v) for v in _arb_float_ball(1 / (2 * _PI_ARB)))
INV4PI = tuple(np.array(v) for v in _arb_float_ball(1 / (4 * _PI_ARB)))


def _acos_at(t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Balls containing ``acos(t)`` for exact floats t in [-1, 1] (Arb, one call each)."""
    flat = t.ravel().tolist()
    mids, rads = np.empty(len(flat)), np.empty(len(flat))
    with flint.ctx.workprec(64):
        for idx, v in enumerate(flat):
            mids[idx], rads[idx] = _arb_float_ball(flint.arb(v).acos())
    return mids.reshape(t.shape), rads.reshape(t.shape)


@dataclass
class _Pairs:
    """The per-pair scalars of ``(w_i, u_m)``, i a student, m a student (m != i) or a teacher unit: balls of shape
    (n, n + k), exact zeros on the self pairs (m = i)."""

    a2: Any
    b2: Any
    c: Any
    D: Any
    t_lo: np.ndarray  # bounds of c / (a b), clipped to [-1, 1]
    t_hi: np.ndarray


def _ball_rows(W: np.ndarray, r: Any, k: int) -> tuple[Any, Any]:
    Wb = fb.ball(W, np.broadcast_to(np.asarray(r, dtype=float), W.shape))
    return Wb, (np.vstack([Wb[0], np.eye(k)]), np.vstack([Wb[1], np.zeros((k, k))]))


def _mask(x: Any, self_: np.ndarray, fill: float = 0.0) -> Any:
    return np.where(self_, fill, x[0]), np.where(self_, 0.0, x[1])


def _pairs(Wb: Any, Ub: Any, self_: np.ndarray, strict: bool) -> _Pairs:
    sq = fb.mul(Wb, Wb)
    a2 = fb.sum_(sq, axis=1)
    b2 = fb.sum_(fb.mul(Ub, Ub), axis=1)
    if not (fb.lower_end(a2) > 0).all():
        raise NotAnalytic("a student unit may be 0 on the box")
    c = _mask(fb.matmul(Wb, (Ub[0].T, Ub[1].T)), self_)
    ab2 = fb.mul((a2[0][:, None], a2[1][:, None]), (b2[0][None, :], b2[1][None, :]))
    D2 = _mask(fb.sub(ab2, fb.mul(c, c)), self_, 1.0)
    # teacher pairs: a^2 - w_ij^2 = sum_(t != j) w_it^2, without the cancellation (1/D tight for w_i near e_j)
    n, off = Wb[0].shape[0], ~np.eye(Wb[0].shape[1], dtype=bool)[None]
    D2[0][:, n:], D2[1][:, n:] = fb.sum_((np.where(off, sq[0][:, None], 0.0), np.where(off, sq[1][:, None], 0.0)), 2)
    if strict:
        try:
            D = fb.sqrt(D2)
        except ValueError:
            raise NotAnalytic("two of the vectors w_i, e_j may be parallel on the box") from None
    else:
        D = fb.sqrt_nonneg(D2)
    ab = fb.sqrt(_mask(ab2, self_, 1.0))
    t = fb.mul(_mask(c, self_), fb.recip(ab))
    t_lo = np.clip(fb.lower_end(t), -1.0, 1.0)  # c / (a b) lies in [-1, 1] (Cauchy-Schwarz)
    t_hi = np.clip(fb.upper_end(t), -1.0, 1.0)
    return _Pairs(a2, b2, c, _mask(D, self_), t_lo, t_hi)


def _phi(P: _Pairs, t0: np.ndarray, acos0: Any, self_: np.ndarray) -> Any:
    """``pi - theta`` over the pairs' range of t: ``acos(t0)`` (Arb) widened by the mean-value bound
    ``|acos(t) - acos(t0)| <= |t - t0| / sqrt(1 - m^2)``, m the largest |xi| on the interval spanned by t0 and the
    pair's t-interval (``1 - m^2 = (1 - m)(1 + m)``, rounded down)."""
    lo, hi = np.minimum(P.t_lo, t0), np.maximum(P.t_hi, t0)
    m = np.maximum(np.abs(lo), np.abs(hi))
    one_minus = fb.down(np.maximum(fb.down(1.0 - m), 0.0) * fb.down(1.0 + m))
    sin_lo = fb.down(np.sqrt(np.maximum(one_minus, 0.0)))
    dev = fb.up(np.maximum(fb.up(np.abs(hi - t0)), fb.up(np.abs(t0 - lo))))  # >= max |t - t0|
    with np.errstate(divide="ignore", invalid="ignore"):
        widen = np.where(dev == 0, 0.0, fb.up(dev / np.where(sin_lo > 0, sin_lo, 0.0)))
    theta = (acos0[0], fb.up(acos0[1] + widen))
    return _mask(fb.sub((np.broadcast_to(PI[0], t0.shape), np.broadcast_to(PI[1], t0.shape)), theta), self_)


@dataclass
class Enclosure:
    """Balls ``(mid, rad)``: F and its gradient (n x k) at the centre, the gradient and Hessian (P x P, row-major
    parameters ``w_i,t``) over the whole box, and the box (centre W, radius r)."""

    value: Any
    grad: Any
    grad_box: Any
    hess_box: Any
    W: np.ndarray
    radius: np.ndarray


def _value_and_grad(Wb: Any, Ub: Any, P: _Pairs, phi: Any, k: int, self_: np.ndarray) -> tuple[Any, Any]:
    n = Wb[0].shape[0]
    s = np.concatenate([np.ones(n), -np.ones(k)])
    S = np.where(self_, 0.0, s[None, :])  # exact signs, 0 on the self pairs
    half_or_one = np.where(self_, 0.0, np.concatenate([np.full(n, 0.5), -np.ones(k)])[None, :])
    g = fb.add(P.D, fb.mul(phi, P.c))  # 2 pi g(w_i, u_m)
    rows = fb.sum_(fb.mul(g, fb.exact(half_or_one)), axis=1)
    pair_sum = fb.sum_((rows[0][None, :], rows[1][None, :]), axis=1)
    const = fb.add(fb.exact(np.array([k / 4])), fb.scale((INV4PI[0][None], INV4PI[1][None]), float(k * (k - 1))))
    quarter = fb.scale(fb.sum_((P.a2[0][None, :], P.a2[1][None, :]), axis=1), 0.25)
    value = fb.add(fb.add(quarter, fb.mul(pair_sum, (INV2PI[0][None], INV2PI[1][None]))), const)
    inv_a2 = fb.recip(P.a2)
    p1 = fb.mul(P.D, (inv_a2[0][:, None], inv_a2[1][:, None]))  # D / a^2
    s1 = fb.sum_(fb.mul(p1, fb.exact(S)), axis=1)
    term = fb.add(fb.mul((s1[0][:, None], s1[1][:, None]), Wb), fb.matmul(fb.mul(phi, fb.exact(S)), Ub))
    grad = fb.add(fb.scale(Wb, 0.5), fb.mul(term, INV2PI))
    return (value[0][0], value[1][0]), grad


def _hessian(Wb: Any, Ub: Any, P: _Pairs, phi: Any, k: int, self_: np.ndarray) -> Any:
    n = Wb[0].shape[0]
    s = np.concatenate([np.ones(n), -np.ones(k)])
    S = fb.exact(np.where(self_, 0.0, s[None, :]))
    inv_a2 = fb.recip(P.a2)
    ia = (inv_a2[0][:, None], inv_a2[1][:, None])
    p2 = _mask(fb.recip(_mask(P.D, self_, 1.0)), self_)  # 1 / D
    p1 = fb.mul(P.D, ia)  # D / a^2
    p3 = fb.mul(fb.mul(P.c, p2), ia)  # c / (D a^2)
    beta = fb.sub(fb.mul(fb.mul((P.b2[0][None, :], P.b2[1][None, :]), p2), ia), fb.scale(fb.mul(p1, ia), 2.0))
    # off-diagonal blocks (i, l), l a student: [i, p, l, q]
    Ob = fb.mul((Wb[0][:, :, None, None], Wb[1][:, :, None, None]), (Wb[0].T[None, None], Wb[1].T[None, None]))
    # Ob[i, p, q, l] = w_ip w_lq; as [i, p, l, q]:
    O = (Ob[0].transpose(0, 1, 3, 2), Ob[1].transpose(0, 1, 3, 2))
    Ot = (O[0].transpose(0, 3, 2, 1), O[1].transpose(0, 3, 2, 1))  # w_lp w_iq
    idx = np.arange(n)
    Od = (O[0][idx, :, idx, :], O[1][idx, :, idx, :])  # w_ip w_iq, (n, k, k)
    phis = (phi[0][:, :n], phi[1][:, :n])
    p2s, p3s = (p2[0][:, :n], p2[1][:, :n]), (p3[0][:, :n], p3[1][:, :n])
    eye = np.eye(k)
    T = fb.mul((phis[0][:, None, :, None], phis[1][:, None, :, None]), fb.exact(eye[None, :, None, :]))
    T = fb.add(T, fb.mul((p2s[0][:, None, :, None], p2s[1][:, None, :, None]), fb.add(O, Ot)))
    T = fb.sub(T, fb.mul((p3s[0][:, None, :, None], p3s[1][:, None, :, None]), (Od[0][:, :, None, :], Od[1][:, :, None, :])))
    T = fb.sub(T, fb.mul((p3s[0].T[:, None, :, None], p3s[1].T[:, None, :, None]),
                         (Od[0].transpose(1, 0, 2)[None], Od[1].transpose(1, 0, 2)[None])))
    # diagonal blocks
    z = fb.matmul(fb.mul(p3, S), Ub)  # (n, k)
    sp2 = fb.mul(p2, S)
    A = fb.mul((Ub[0].T[None], Ub[1].T[None]), (sp2[0][:, None, :], sp2[1][:, None, :]))  # (n, k, n + k)
    Q = fb.matmul(A, Ub)  # sum_m s p2 u_m u_m^T, (n, k, k)
    cI = fb.add((PI[0][None], PI[1][None]), fb.sum_(fb.mul(p1, S), axis=1))
    cB = fb.sum_(fb.mul(beta, S), axis=1)
    wz = fb.mul((Wb[0][:, :, None], Wb[1][:, :, None]), (z[0][:, None, :], z[1][:, None, :]))
    zw = (wz[0].transpose(0, 2, 1), wz[1].transpose(0, 2, 1))
    Dg = fb.mul((cI[0][:, None, None], cI[1][:, None, None]), fb.exact(eye[None]))
    Dg = fb.add(Dg, fb.mul((cB[0][:, None, None], cB[1][:, None, None]), Od))
    Dg = fb.sub(Dg, fb.add(wz, zw))
    Dg = fb.add(Dg, Q)
    Hm, Hr = T[0].copy(), T[1].copy()
    Hm[idx, :, idx, :], Hr[idx, :, idx, :] = Dg[0], Dg[1]
    P_ = n * k
    return fb.mul((Hm.reshape(P_, P_), Hr.reshape(P_, P_)), INV2PI)


def _setup(W: Any, r: Any) -> tuple[np.ndarray, np.ndarray, int, int]:
    W = np.asarray(W, dtype=float)
    if W.ndim != 2 or not np.isfinite(W).all():
        raise ValueError("W must be a finite n x k float64 array")
    n, k = W.shape
    check_sizes(k, n)
    rad = np.broadcast_to(np.asarray(r, dtype=float), W.shape).copy()
    if not (np.isfinite(rad).all() and (rad >= 0).all()):
        raise ValueError("the radius must be finite and non-negative")
    return W, rad, n, k


def enclose(W: Any, r: Any, order: int = 2) -> Enclosure:
    """Enclose F and its gradient at the centre W (n x k floats, exact), and (``order=2``) its gradient and Hessian
    over the box ``W +- r`` (r a float >= 0 or an n x k array).

    Raises :class:`NotAnalytic` when the box (or the centre) may meet a unit at 0 or two parallel vectors.

    Guarantee: for every point x of the box, ``|grad F(x) - grad_box.mid| <= grad_box.rad`` and
    ``|H F(x) - hess_box.mid| <= hess_box.rad`` entrywise, and the centre's value and gradient lie in
    ``value`` and ``grad`` (IEEE-754 round to nearest and the BLAS assumption of :mod:`~proofkit.kernel.floatball`).
    """
    W, rad, n, k = _setup(W, r)
    if not fb.environment_ok():
        raise ArithmeticError("float64 does not round to nearest with gradual underflow here")
    self_ = np.zeros((n, n + k), dtype=bool)
    self_[np.arange(n), np.arange(n)] = True
    with np.errstate(all="ignore"):
        Wc, Uc = _ball_rows(W, 0.0, k)
        Pc = _pairs(Wc, Uc, self_, strict=True)
        t0 = np.where(self_, 0.0, np.clip(Wc[0] @ Uc[0].T / np.sqrt(np.outer(Pc.a2[0], Pc.b2[0])), -1.0, 1.0))
        acos0 = _acos_at(t0)
        value, grad = _value_and_grad(Wc, Uc, Pc, _phi(Pc, t0, acos0, self_), k, self_)
        grad_box = hess_box = None
        if order == 2:
            Wb, Ub = _ball_rows(W, rad, k)
            Pb = _pairs(Wb, Ub, self_, strict=True)
            phib = _phi(Pb, t0, acos0, self_)
            _, grad_box = _value_and_grad(Wb, Ub, Pb, phib, k, self_)
            hess_box = _hessian(Wb, Ub, Pb, phib, k, self_)
    for x in (value, grad, grad_box, hess_box):
        if x is not None and not fb.is_finite(x):
            raise NotAnalytic("an enclosure is not finite (the box is too close to a point where F is not analytic)")
    return Enclosure(value, grad, grad_box, hess_box, W, rad)


def value_ball(W: Any) -> tuple[float, float]:
    """A ball ``(mid, rad)`` containing F at the point W (n x k floats, exact); parallel vectors are allowed (F is
    continuous there: e.g. the teacher point), a unit at 0 is not."""
    W, _, n, k = _setup(W, 0.0)
    if not fb.environment_ok():
        raise ArithmeticError("float64 does not round to nearest with gradual underflow here")
    self_ = np.zeros((n, n + k), dtype=bool)
    self_[np.arange(n), np.arange(n)] = True
    with np.errstate(all="ignore"):
        Wc, Uc = _ball_rows(W, 0.0, k)
        P = _pairs(Wc, Uc, self_, strict=False)
        lo, hi = _acos_at(P.t_hi), _acos_at(P.t_lo)  # acos is decreasing: theta in [acos(t_hi), acos(t_lo)]
        th_lo = fb.lower_end(lo)
        th_hi = fb.upper_end(hi)
        theta = (th_lo + (th_hi - th_lo) * 0.5, None)
        theta = (theta[0], fb.up(np.maximum(fb.up(np.abs(th_hi - theta[0])), fb.up(np.abs(theta[0] - th_lo)))))
        phi = _mask(fb.sub((np.broadcast_to(PI[0], theta[0].shape), np.broadcast_to(PI[1], theta[0].shape)), theta),
                    self_)
        value, _ = _value_and_grad(Wc, Uc, P, phi, k, self_)
    if not fb.is_finite(value):
        raise NotAnalytic("the value is not finite")
    return float(value[0]), float(value[1])


@functools.lru_cache(maxsize=64)
def teacher_value(k: int, n: int) -> tuple[float, float]:
    """:func:`value_ball` at :func:`teacher_point` (F = 0 there), computed once per ``(k, n)``."""
    return value_ball(teacher_point(k, n))


@dataclass(frozen=True)
class Recipe:
    """F for teacher width ``k`` and student width ``n``, given by its recipe (nothing of F is stored): what the
    kernel's primitives take in place of a stored expression. Its parameters are W (n x k) in row-major order."""

    k: int
    n: int

    def __post_init__(self) -> None:
        check_sizes(self.k, self.n)

    def _shape(self, xs: Any) -> np.ndarray:
        arr = np.asarray(xs, dtype=float)
        if arr.size != self.n * self.k:
            raise ValueError(f"F has {self.n * self.k} parameters, not {arr.size}")
        return arr.reshape(self.n, self.k)

    def box(self, centers: Any, radii: Any) -> Enclosure:
        """:func:`~proofkit.kernel.teacher_student.enclose` over ``centers +- radii`` (row-major, floats taken exactly)."""
        return enclose(self._shape(centers), self._shape(radii), order=2)

    def value_at(self, point: Any) -> tuple[float, float]:
        """A ball ``(mid, rad)`` containing F at the point (:func:`teacher_value`, cached, at the teacher point)."""
        W = self._shape(point)
        if self.n >= self.k and np.array_equal(W, teacher_point(self.k, self.n)):
            return teacher_value(self.k, self.n)
        return value_ball(W)

    def cost(self) -> float:
        """Estimated seconds of :meth:`box` and of the float64 Krawczyk test after it (measured; O(P^3))."""
        P = self.n * self.k
        return 3e-7 * self.n * (self.n + self.k) + 3e-7 * P * P + 4e-10 * P**3
