"""Value, gradient and Hessian of a network's training loss, vectorised over the samples.

The loss of a fully connected network (Nguyen & Hein 2017, Section 2: ``F_0 = X``,
``G_k = F_{k-1} W_k + 1 b_k^T``, ``F_k = sigma_k(G_k)``) summed over N samples,
``Phi(theta) = sum_i loss(F_L[i, :], Y[i, :])``, evaluated layer by layer: every quantity is an array over
the samples (N x n_k), every sum over the samples is a matrix product. The same code runs in float64 (numpy)
and in Arb balls (numpy object arrays of ``flint.arb``, products by ``flint.arb_mat``; see
:mod:`proofkit.numeric.arrays`).

The Hessian
-----------
For a computation ``v_i = phi_i(children)`` with adjoints ``abar_i = dPhi/dv_i`` (reverse mode) and
gradients ``grad v_j`` with respect to the parameters (forward mode),

    Hess Phi = sum_i abar_i sum_{j,k in children(i)} (d^2 phi_i / dv_j dv_k) grad v_j grad v_k^T,

because the second differential obeys ``d^2 v_i = sum_j (dphi_i/dv_j) d^2 v_j + q_i`` with the quadratic
form ``q_i = sum_{j,k} (d^2 phi_i/dv_j dv_k) dv_j dv_k`` and ``d^2 theta = 0``: this linear recursion is
solved for the output by the adjoints, ``d^2 Phi = sum_i abar_i q_i``. Sums (``G_k`` is linear in ``b_k``
and, for k = 1, in ``W_1``) contribute nothing; the non-linear operations are

1. the loss of each sample in its outputs: ``J^T diag(l'') J`` over all (sample, output) pairs, J the
   Jacobian of the outputs ``F_L`` (Nm x P) — the Gauss-Newton term; for the softmax cross-entropy
   ``J^T diag(s p) J - U^T diag(s) U`` with ``U_i = p_i^T J_i`` and ``s_i = sum_j Y_ij``;
2. each activation: ``sum_{i,j} (A_k sigma_k''(G_k))_{ij} grad G_k[i,j] grad G_k[i,j]^T`` with
   ``A_k = dPhi/dF_k``;
3. each product ``F_{k-1}[i,c] W_k[c,j]`` (k >= 2): ``sum_i Delta_k[i,j] (grad F_{k-1}[i,c] e_{W_k[c,j]}^T
   + transposed)`` with ``Delta_k = dPhi/dG_k``.

Together 2 and 3 are the ``sum_i r_i Hess f_i`` term. ``grad G_k[i,j]`` is stored as its own layer's part
(``F~_{k-1}[i, :]`` on the column ``W_k[:, j], b_k[j]``, never materialised) and a dense part over the earlier
layers' parameters (N x n_k x P_{<k}); every contraction over the samples is one matrix product.

In Arb the result encloses the exact Hessian at every point of the parameter balls: every step is a finite
composition of ball operations and ``arb_mat`` products, each enclosing its exact result (the activation's and
the loss's derivatives come from :class:`~proofkit.numeric.jets.ScalarFunction`, with the same guarantee).
In float64 the result is a guess (no error bound is claimed).

Examples
--------
>>> import flint, sympy
>>> from proofkit.numeric.jets import ScalarFunction
>>> from proofkit.symbolic.dag import to_dag
>>> t, a = sympy.symbols("t a")
>>> net = NetworkLoss([1, 1, 1], [ScalarFunction(to_dag(sympy.tanh(t), [t]), "tanh"), None], True,
...                   X=[[1]], Y=[[2]], kind="residual", loss=ScalarFunction(to_dag(a**2, [a]), "square"))
>>> value, grad, H = net.float64([0.5, 0.0, 1.0, 0.0])
>>> round(float(value), 12), H.shape
(2.365083637994, (4, 4))
>>> H[0, 0] > 0
np.True_
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import flint
import numpy as np

from proofkit.numeric.arrays import ArbArrays, FloatArrays
from proofkit.numeric.jets import ScalarFunction

__all__ = ["NetworkLoss", "LossDerivatives", "LOSS_KINDS"]

LOSS_KINDS = ("residual", "margin", "softmax", "separable_pair")


class LossDerivatives(NamedTuple):
    """Value, gradient (length P) and Hessian (P x P) of a loss; ``None`` where not asked for.

    float64: a float, a numpy vector, a numpy matrix. Arb: an ``arb``, a list of ``arb``, an ``arb_mat``.
    """

    value: Any
    gradient: Any
    hessian: Any


class NetworkLoss:
    """The training loss of a fully connected network on fixed exact data.

    Parameters
    ----------
    widths : sequence of int
        ``[d, n_1, ..., n_L = m]``.
    activations : sequence of ScalarFunction or None
        One per layer 1..L; ``None`` is the identity.
    bias : bool
        Whether every layer has a bias (parameters per layer: ``W_k`` row-major, then ``b_k``).
    X, Y : rows of exact rationals
        N x d inputs and N x m targets (``flint.fmpq``, ``int`` or anything ``flint.fmpq`` accepts exactly).
    kind : {"residual", "margin", "softmax", "separable_pair"}
        The per-sample loss (see :class:`proofkit.symbolic.losses.Loss`): ``sum_j l(q_j - y_j)``,
        ``sum_j l(y_j q_j)``, the cross-entropy of ``softmax(q)`` against ``y``, or ``l`` on the true class
        (the first maximal ``y_j``) and ``l2`` on the others, of ``q_j - y_j``.
    loss, loss2 : ScalarFunction, optional
        ``l`` (and ``l2`` for ``separable_pair``).
    """

    def __repr__(self) -> str:
        return (f"NetworkLoss(widths={self.widths}, bias={self.bias}, loss={self.kind!r}, N={self.N}, "
                f"parameters={self.n_params})")

    def __init__(self, widths: Sequence[int], activations: Sequence[ScalarFunction | None], bias: bool, X: Any,
                 Y: Any, kind: str, loss: ScalarFunction | None = None, loss2: ScalarFunction | None = None) -> None:
        self.widths = [int(w) for w in widths]
        self.L = len(self.widths) - 1
        if self.L < 1 or len(activations) != self.L:
            raise ValueError("one activation per layer is needed")
        if kind not in LOSS_KINDS or (kind != "softmax" and loss is None) or (kind == "separable_pair" and loss2 is None):
            raise ValueError(f"loss kind {kind!r} with its scalar functions")
        self.activations = list(activations)
        self.bias = bool(bias)
        self.kind, self.loss, self.loss2 = kind, loss, loss2
        self.X = [[flint.fmpq(v) for v in row] for row in X]
        self.Y = [[flint.fmpq(v) for v in row] for row in Y]
        self.N = len(self.X)
        if len(self.Y) != self.N or any(len(r) != self.widths[0] for r in self.X) or \
                any(len(r) != self.widths[-1] for r in self.Y):
            raise ValueError("X must be N x d and Y N x m")
        aug = 1 if self.bias else 0
        self.sizes = [(self.widths[k - 1] + aug) * self.widths[k] for k in range(1, self.L + 1)]
        self.offsets = [0]
        for s in self.sizes:
            self.offsets.append(self.offsets[-1] + s)
        self.n_params = self.offsets[-1]
        if kind == "separable_pair":
            true = [max(range(len(r)), key=lambda j, r=r: (r[j], -j)) for r in self.Y]
            self._true = np.zeros((self.N, self.widths[-1]), dtype=bool)
            self._true[np.arange(self.N), true] = True
        self._data: dict[Any, tuple[Any, Any, Any]] = {}

    # -- public entry points -------------------------------------------------------------------------------
    def float64(self, theta: Any, order: int = 2, gradient: bool = True) -> LossDerivatives:
        """Value, gradient (unless ``gradient=False``) and Hessian (``order=2``) in float64 at ``theta``
        (guesses: no error bound)."""
        theta = np.asarray(theta, dtype=float).reshape(-1)
        with np.errstate(all="ignore"):
            return self._evaluate(theta, FloatArrays(), order, gradient)

    def arb(self, theta: Sequence[Any], prec: int, order: int = 2, gradient: bool = True) -> LossDerivatives:
        """Enclosures at ``prec`` bits over the parameter balls ``theta`` (exact rationals or ``arb``); the
        gradient is left out with ``gradient=False``, the Hessian with ``order=1``.

        Guarantee
        ---------
        The value, every gradient entry and every Hessian entry contain the exact ones of ``Phi`` at every
        point of the box ``theta``; where an activation or the loss is not analytic on the box (a domain
        boundary, a kink) :class:`~proofkit.numeric.contexts.NotAnalyticHere` is raised instead.
        """
        with ArbArrays(prec) as B:
            return self._evaluate(B.asarray(list(theta)), B, order, gradient)

    # -- the computation ------------------------------------------------------------------------------------
    def _data_for(self, B: Any) -> _Data:
        """The data in the number system of ``B`` (cached per number system and precision)."""
        key = (B.name, getattr(B, "prec", 53))
        if key not in self._data:
            X = B.asarray(self.X) if B.name == "arb" else np.array([[int(q.p) / int(q.q) for q in r] for r in self.X])
            Y = B.asarray(self.Y) if B.name == "arb" else np.array([[int(q.p) / int(q.q) for q in r] for r in self.Y])
            Xt = self._augment(X, B)
            self._data[key] = _Data(Xt, Y, B.to_mat(Xt), B.to_mat(np.ascontiguousarray(Xt.T)),
                                    B.to_mat(_pair_products(Xt)))
        return self._data[key]

    def _augment(self, F: Any, B: Any) -> Any:
        return np.concatenate([F, B.ones((F.shape[0], 1))], axis=1) if self.bias else F

    def _layer(self, theta: Any, k: int) -> Any:
        aug = 1 if self.bias else 0
        return theta[self.offsets[k - 1]:self.offsets[k]].reshape(self.widths[k - 1] + aug, self.widths[k])

    def _evaluate(self, theta: Any, B: Any, order: int, want_gradient: bool = True) -> LossDerivatives:
        if theta.shape != (self.n_params,):
            raise ValueError(f"expected {self.n_params} parameters, got {theta.shape}")
        data = self._data_for(B)
        Y = data.Y
        L = self.L
        Ft: list[Any] = [data.Xt]  # F~_k: F_k with a column of ones when biased (k < L)
        S: list[Any] = [None]  # sigma_k'(G_k) (None: identity)
        T: list[Any] = [None]  # sigma_k''(G_k) (None: identity)
        FL = None
        for k in range(1, L + 1):
            G = B.matmul(data.Xt_mat if k == 1 else Ft[k - 1], self._layer(theta, k))
            act = self.activations[k - 1]
            if act is None:
                F, s, t = G, None, None
            else:
                F, s, t = act.jet(G, B)
            S.append(s)
            T.append(t)
            if k < L:
                Ft.append(self._augment(F, B))
            else:
                FL = F
        value, Lq, Lqq = self._loss_jets(FL, Y, B)
        if order == 0:
            return LossDerivatives(value, None, None)
        A: list[Any] = [None] * (L + 1)  # A_k = dPhi/dF_k
        D: list[Any] = [None] * (L + 1)  # Delta_k = dPhi/dG_k
        A[L] = Lq
        for k in range(L, 0, -1):
            D[k] = A[k] if S[k] is None else A[k] * S[k]
            if k > 1:
                Wt = self._layer(theta, k)[: self.widths[k - 1]].T
                # an outer product (one output) by broadcasting, else one matrix product
                A[k - 1] = D[k] * Wt[0][None, :] if Wt.shape[0] == 1 else B.matmul(D[k], Wt)
        grad = None
        if want_gradient or order == 1:
            grad = np.concatenate([B.matmul(data.XtT_mat if k == 1 else Ft[k - 1].T, D[k]).reshape(-1)
                                   for k in range(1, L + 1)])
            grad = grad if B.name == "float64" else grad.tolist()
        if order == 1:
            return LossDerivatives(value, grad, None)
        H = _HessianSum(self.n_params, B)
        R = self._pre_activation_jacobians(theta, Ft, S, B)
        self._loss_term(H, R, Ft, S, Lqq, B)
        for k in range(1, L + 1):
            if T[k] is not None:
                self._activation_term(H, k, A[k] * T[k], R, Ft, data.Q_mat if k == 1 else _pair_products(Ft[k - 1]), B)
            if k >= 2:
                self._product_term(H, k, D[k], R, Ft, S, B, data.XtT_mat if k == 2 else None)
        return LossDerivatives(value, grad, H.result())

    def _loss_jets(self, Q: Any, Y: Any, B: Any) -> tuple[Any, Any, Any]:
        """``(sum of the losses, dl/dq (N x m), d2l/dq2)``; the last is N x m (diagonal) or, for softmax,
        ``(s p, p, s)`` with ``p`` the softmax rows and ``s`` the row sums of Y."""
        if self.kind == "softmax":
            if B.name == "float64":
                mx = Q.max(axis=1, keepdims=True)
                E = np.exp(Q - mx)
                tot = E.sum(axis=1, keepdims=True)
                lse = mx + np.log(tot)
            else:
                E = B.unary("exp", Q)[0]
                tot = E.sum(axis=1, keepdims=True)
                lse = B.unary("log", tot)[0]
            p = E / tot
            s = Y.sum(axis=1, keepdims=True)
            value = (s * lse).sum() - (Y * Q).sum()
            return value, s * p - Y, (s * p, p, s[:, 0])
        if self.kind == "margin":
            v, d1, d2 = self.loss.jet(Y * Q, B)
            return v.sum(), Y * d1, Y * Y * d2
        a = Q - Y
        if self.kind == "residual":
            v, d1, d2 = self.loss.jet(a, B)
            return v.sum(), d1, d2
        true = self._true  # separable_pair: l on the true class, l2 on the others
        v, d1, d2 = (B.zeros(a.shape) for _ in range(3))
        for mask, f in ((true, self.loss), (~true, self.loss2)):
            if mask.any():
                v[mask], d1[mask], d2[mask] = f.jet(a[mask], B)
        return v.sum(), d1, d2

    def _pre_activation_jacobians(self, theta: Any, Ft: list, S: list, B: Any) -> list[Any]:
        """``R[k][i, j, p] = dG_k[i,j] / dtheta_p`` over the parameters of the layers before k (k >= 2)."""
        R: list[Any] = [None, None]
        N = self.N
        for k in range(2, self.L + 1):
            W = self._layer(theta, k)[: self.widths[k - 1]]  # n_{k-1} x n_k
            SW = W[None, :, :] if S[k - 1] is None else S[k - 1][:, :, None] * W[None, :, :]  # i, c, j
            if SW.shape[0] != N:
                SW = np.broadcast_to(SW, (N,) + SW.shape[1:])
            own = Ft[k - 2][:, None, :, None] * SW.transpose(0, 2, 1)[:, :, None, :]  # i, j, a, c
            parts = [own.reshape(N, self.widths[k], self.sizes[k - 2])]
            if k >= 3:
                M = R[k - 1] if S[k - 1] is None else R[k - 1] * S[k - 1][:, :, None]  # i, c, p
                Pp = M.shape[2]
                prev = B.matmul(M.transpose(0, 2, 1).reshape(N * Pp, -1), W).reshape(N, Pp, -1).transpose(0, 2, 1)
                parts.insert(0, prev)
            R.append(np.concatenate(parts, axis=2))
        return R

    def _loss_term(self, H: _HessianSum, R: list, Ft: list, S: list, Lqq: Any, B: Any) -> None:
        """1. ``J^T (d2 l / dq2) J`` with J the Jacobian of the outputs."""
        L, N, m = self.L, self.N, self.widths[-1]
        SL = S[L]
        own = B.zeros((N, m, Ft[L - 1].shape[1], m))
        for o in range(m):
            own[:, o, :, o] = Ft[L - 1] if SL is None else Ft[L - 1] * SL[:, o, None]
        parts = [own.reshape(N, m, self.sizes[L - 1])]
        if L >= 2:
            parts.insert(0, R[L] if SL is None else R[L] * SL[:, :, None])
        J = np.concatenate(parts, axis=2)
        J2 = J.reshape(N * m, self.n_params)
        if self.kind == "softmax":
            sp, p, s = Lqq
            H.add_gram(J2, sp.reshape(-1))
            U = (p[:, :, None] * J).sum(axis=1)
            H.add_gram(U, -s)
            return
        H.add_gram(J2, _constant_or(Lqq.reshape(-1)))

    def _activation_term(self, H: _HessianSum, k: int, w: Any, R: list, Ft: list, Qk: Any, B: Any) -> None:
        """2. ``sum_{i,j} w[i,j] grad G_k[i,j] grad G_k[i,j]^T`` with ``w = (dPhi/dF_k) sigma_k''(G_k)``."""
        n, at = self.widths[k], Ft[k - 1].shape[1]
        off = self.offsets[k - 1]
        C = B.matmul(w.T, Qk).reshape(n, at, at)  # own x own, one (at x at) block per unit j
        j, a, b = np.meshgrid(np.arange(n), np.arange(at), np.arange(at), indexing="ij")
        H.add_entries(off + a * n + j, off + b * n + j, C)
        if k >= 2:
            Rk = R[k]
            Pp = Rk.shape[2]
            H.add_gram(Rk.reshape(-1, Pp), w.reshape(-1), size=Pp)
            Z = np.stack([B.matmul(Rk[:, jj, :].T, w[:, jj, None] * Ft[k - 1]) for jj in range(n)])  # j, p, a
            jj, p, a = np.meshgrid(np.arange(n), np.arange(Pp), np.arange(at), indexing="ij")
            H.add_entries(p, off + a * n + jj, Z, symmetric=True)

    def _product_term(self, H: _HessianSum, k: int, Dk: Any, R: list, Ft: list, S: list, B: Any,
                      FtT: Any = None) -> None:
        """3. the products ``F_{k-1}[i,c] W_k[c,j]``: ``sum_i Delta_k[i,j] grad F_{k-1}[i,c]`` on ``W_k[c,j]``."""
        N, nk, nc = self.N, self.widths[k], self.widths[k - 1]
        off_k, off_c = self.offsets[k - 1], self.offsets[k - 2]
        Sc = S[k - 1]
        M2 = (Dk[:, None, :] if Sc is None else Sc[:, :, None] * Dk[:, None, :])
        M2 = np.broadcast_to(M2, (N, nc, nk)).reshape(N, nc * nk)
        at = Ft[k - 2].shape[1]
        Z = B.matmul(Ft[k - 2].T if FtT is None else FtT, M2).reshape(at, nc, nk)  # a, c, j: on (theta_{k-1}(a, c), W_k[c, j])
        a, c, j = np.meshgrid(np.arange(at), np.arange(nc), np.arange(nk), indexing="ij")
        H.add_entries(off_c + a * nc + c, off_k + c * nk + j, Z, symmetric=True)
        if k >= 3:
            M3 = R[k - 1] if Sc is None else Sc[:, :, None] * R[k - 1]  # i, c, p
            Pp = M3.shape[2]
            Z3 = B.matmul(M3.reshape(N, nc * Pp).T, Dk).reshape(nc, Pp, nk)
            c, p, j = np.meshgrid(np.arange(nc), np.arange(Pp), np.arange(nk), indexing="ij")
            H.add_entries(p, off_k + c * nk + j, Z3, symmetric=True)


class _Data(NamedTuple):
    Xt: Any  # X with a column of ones when biased (N x d~)
    Y: Any
    Xt_mat: Any  # the same and its transpose as the products take them (arb_mat in Arb)
    XtT_mat: Any
    Q_mat: Any  # X~[i, a] X~[i, b] (N x d~^2)


def _pair_products(Ft: Any) -> Any:
    """``Q[i, a*n + b] = Ft[i, a] Ft[i, b]`` (N x n^2)."""
    N, n = Ft.shape
    return (Ft[:, :, None] * Ft[:, None, :]).reshape(N, n * n)


def _constant_or(w: Any) -> Any:
    """One number when every entry of ``w`` is the same exact number (e.g. l'' = 2 for the squared loss)."""
    if not len(w):
        return w
    first = w[0]
    if w.dtype == object:
        if first.rad() == 0 and all(x.rad() == 0 and x.mid() == first.mid() for x in w.tolist()):
            return first
        return w
    return first if np.all(w == first) else w


class _HessianSum:
    """A P x P sum of Gram products and scattered entries (numpy in float64; in Arb an ``arb_mat`` that the
    first full-size Gram product becomes, plus a dictionary of scattered entries added at the end)."""

    def __init__(self, P: int, B: Any) -> None:
        self.P, self.B = P, B
        self.arb = B.name == "arb"
        self.dense: Any = None if self.arb else np.zeros((P, P))
        self.entries: dict[tuple[int, int], Any] = {}

    def add_gram(self, A: Any, w: Any, size: int | None = None) -> None:
        size = self.P if size is None else size
        if not self.arb:
            self.dense[:size, :size] += self.B.gram(A, w)
            return
        G = self.B.gram_mat(A, w)
        if size == self.P:
            self.dense = G if self.dense is None else self.dense + G
            return
        self.add_entries(*np.meshgrid(np.arange(size), np.arange(size), indexing="ij"), self.B.from_mat(G))

    def add_entries(self, rows: Any, cols: Any, vals: Any, symmetric: bool = False) -> None:
        rows, cols = np.ravel(rows), np.ravel(cols)
        vals = np.ravel(vals)
        if not self.arb:
            np.add.at(self.dense, (rows, cols), vals)
            if symmetric:
                np.add.at(self.dense, (cols, rows), vals)
            return
        e = self.entries
        for r, c, v in zip(rows.tolist(), cols.tolist(), vals.tolist()):
            e[(r, c)] = e[(r, c)] + v if (r, c) in e else v
            if symmetric:
                e[(c, r)] = e[(c, r)] + v if (c, r) in e else v

    def result(self) -> Any:
        if not self.arb:
            return self.dense
        H = self.dense if self.dense is not None else flint.arb_mat(self.P, self.P)
        for (r, c), v in self.entries.items():
            H[r, c] = H[r, c] + v
        return H
