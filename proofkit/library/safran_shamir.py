"""Safran & Shamir (2018): spurious minima of the two-layer ReLU teacher-student population loss.

Student ``x -> sum_{i<n} [w_i . x]_+``, teacher ``x -> sum_{j<k} [e_j . x]_+`` (``V = I_k``), Gaussian inputs:

``F(W) = 1/2 sum_{i,l} g(w_i, w_l) - sum_{i,j} g(w_i, e_j) + 1/2 sum_{j,m} g(e_j, e_m)``,
``g(u, v) = (sqrt(|u|^2 |v|^2 - (u.v)^2) + (pi - acos(u.v / (|u| |v|))) u.v) / (2 pi)`` (the arc-cosine kernel
``E[[u.x]_+ [v.x]_+]`` for ``x ~ N(0, I_k)``; ``F(W) = 1/2 E[(student(x) - teacher(x))^2]``).

* :func:`loss_dag` builds F directly as a ``proofkit.dag/1`` graph (shared squared norms, one term per pair:
  partially separable, each term depends on at most ``2k`` weights); :func:`loss_sympy` gives the sympy
  expression (small cases).
* :func:`loss_and_grad` evaluates F and its gradient in float64 for many points at once (numpy).
* :func:`search` runs batched gradient descent from Xavier-scale starts and Newton-polishes the runs that
  stall above 0 (candidate spurious minima).
* :func:`certify_minimum` certifies one candidate against the teacher itself (``W = I``, loss 0, enclosed by
  continuity at its kink) or, for ``n > k``, the teacher with one unit split in parts (loss 0);
  :func:`certify_point` certifies a given point as a spurious minimum or a strict saddle, polished first when
  needed; both store the recipe ``(k, n)`` and the kernel re-checks them through the structure of F.
* :func:`hessian` (float64, from the two-neuron blocks) and :func:`gradient_high` (Arb) serve the search and the
  polishing; :func:`published_points` reads the points published with Safran & Shamir's code.
* The search through F's symmetry (critical points with isotropy ``Delta(S_p1 x ... x S_pr)``, found in a fixed
  space of a few dimensions whatever k: the published families and beyond, to (50, 50)) is
  :mod:`proofkit.library.safran_shamir_symmetry` (:func:`~proofkit.library.safran_shamir_symmetry.symmetric_search`).

Examples
--------
>>> W = np.eye(3)
>>> float(loss_and_grad(W[None], 3)[0][0]) < 1e-15
True
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

import flint
import numpy as np

from proofkit.errors import InvalidInput
from proofkit.results import ResultDisplay

__all__ = ["claims", "DEFAULT_SIZES", "SEED_SIZES", "related",
           "loss_dag", "loss_sympy", "loss_and_grad", "hessian", "gradient_high", "teacher_point", "search", "Candidate",
           "certify_minimum", "certify_point", "published_points", "SafranShamirResult", "spurious_minimum"]


def _check_kn(k: Any, n: Any) -> tuple[int, int]:
    if not isinstance(k, int) or not isinstance(n, int) or k < 1 or n < 1:
        raise InvalidInput("k, n", "positive integers (teacher and student widths)", f"k={k!r}, n={n!r}")
    return k, n


def param_names(k: int, n: int) -> list[str]:
    """``w{i}_{t}``: the t-th input weight of student unit i (row-major, W is n x k)."""
    return [f"w{i}_{t}" for i in range(n) for t in range(k)]


class _Builder:
    def __init__(self) -> None:
        self.nodes: list[list[Any]] = []
        self.index: dict[tuple, int] = {}

    def add(self, *node: Any) -> int:
        key = tuple(node)
        if key not in self.index:
            self.nodes.append(list(node))
            self.index[key] = len(self.nodes) - 1
        return self.index[key]

    def const(self, q: Any) -> int:
        q = flint.fmpq(q)
        return self.add("const", str(q.p) if q.q == 1 else f"{q.p}/{q.q}")


def loss_dag(k: int, n: int) -> dict[str, Any]:
    """The population loss F for teacher width ``k`` and student width ``n`` as a ``proofkit.dag/1`` dict.

    Examples
    --------
    >>> d = loss_dag(2, 2)
    >>> d["format"], d["inputs"]
    ('proofkit.dag/1', ['w0_0', 'w0_1', 'w1_0', 'w1_1'])
    """
    k, n = _check_kn(k, n)
    b = _Builder()
    w = [[b.add("var", i * k + t) for t in range(k)] for i in range(n)]
    two, half, mhalf, m1 = b.const(2), b.const(flint.fmpq(1, 2)), b.const(flint.fmpq(-1, 2)), b.const(-1)
    pi = b.add("pi")
    sq = [b.add("add", *[b.add("pow", x, "2") for x in row]) if k > 1 else b.add("pow", row[0], "2") for row in w]

    def term(a: int, c: int, ab: int) -> int:
        # sqrt(ab - c^2) + (pi - acos(c / sqrt(ab))) c
        s = b.add("pow", b.add("add", ab, b.add("mul", m1, b.add("pow", c, "2"))), "1/2")
        cos = b.add("mul", c, b.add("pow", ab, "-1/2"))
        return b.add("add", s, b.add("mul", b.add("add", pi, b.add("mul", m1, b.add("acos", cos))), c))

    pair_terms = []
    for i in range(n):
        for l in range(i + 1, n):
            c = b.add("add", *[b.add("mul", w[i][t], w[l][t]) for t in range(k)]) if k > 1 \
                else b.add("mul", w[i][0], w[l][0])
            pair_terms.append(term(0, c, b.add("mul", sq[i], sq[l])))
    teacher_terms = [b.add("mul", m1, term(0, w[i][j], sq[i])) for i in range(n) for j in range(k)]
    terms = pair_terms + teacher_terms
    inv2pi = b.add("mul", half, b.add("pow", pi, "-1"))
    cross = b.add("mul", inv2pi, b.add("add", *terms)) if len(terms) > 1 else b.add("mul", inv2pi, terms[0])
    self_part = b.add("mul", b.const(flint.fmpq(1, 4)), b.add("add", *sq) if n > 1 else sq[0])
    const = b.add("add", b.const(flint.fmpq(k, 4)),
                  b.add("mul", b.const(flint.fmpq(k * (k - 1), 4)), b.add("pow", pi, "-1")))
    out = b.add("add", cross, self_part, const)
    del two, mhalf
    return {"format": "proofkit.dag/1", "inputs": param_names(k, n), "nodes": b.nodes, "outputs": [out]}


def loss_sympy(k: int, n: int) -> tuple[Any, list[Any]]:
    """F as a sympy expression and its parameter symbols (for small cases: the size grows like n^2 k)."""
    import sympy

    from proofkit.symbolic.dag import from_dag

    d = loss_dag(k, n)
    params = sympy.symbols(d["inputs"])
    return from_dag(d, params)[0], list(params)


def loss_and_grad(W: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """F and its gradient at a batch of points ``W`` of shape ``(B, n, k)`` (float64).

    Uses ``grad_u g(u, v) = (|v| sin(theta) u/|u| + (pi - theta) v) / (2 pi)``.
    """
    W = np.asarray(W, dtype=float)
    B, n, kk = W.shape
    if kk != k:
        raise InvalidInput("W", f"points of shape (B, n, {k})", f"shape {W.shape}")
    U = np.concatenate([W, np.broadcast_to(np.eye(k), (B, k, k))], axis=1)  # (B, n+k, k)
    s = np.concatenate([np.ones(n), -np.ones(k)])
    nw = np.linalg.norm(W, axis=2)  # (B, n)
    nu = np.linalg.norm(U, axis=2)  # (B, n+k)
    G = W @ U.transpose(0, 2, 1)  # (B, n, n+k)
    den = nw[:, :, None] * nu[:, None, :]
    cos = np.clip(G / np.where(den > 0, den, 1), -1.0, 1.0)
    idx = np.arange(n)
    cos[:, idx, idx] = 1.0
    th = np.arccos(cos)
    sin = np.sqrt(np.maximum(1 - cos * cos, 0.0))
    g = den * (sin + (math.pi - th) * cos) / (2 * math.pi)
    F = 0.5 * g[:, :, :n].sum(axis=(1, 2)) - g[:, :, n:].sum(axis=(1, 2)) + 0.5 * (k / 2 + k * (k - 1) / (2 * math.pi))
    coef_self = ((nu[:, None, :] * sin) * s).sum(axis=2)  # (B, n)
    unit = W / np.where(nw > 0, nw, 1)[:, :, None]
    grad = (coef_self[:, :, None] * unit + ((math.pi - th) * s) @ U) / (2 * math.pi)
    return F, grad


def hessian(W: np.ndarray) -> np.ndarray:
    """The Hessian of F at the point W (n x k) in float64, assembled from the two-neuron blocks (``P x P``,
    row-major parameters ``w_i,t``; the formulas of :mod:`proofkit.kernel.teacher_student`). Not rigorous: for
    searching, polishing and as the uncertified floor of the benchmarks.

    Examples
    --------
    >>> H = hessian(np.array([[1.0, 0.3], [0.2, 0.9]]))
    >>> H.shape, bool(np.allclose(H, H.T))
    ((4, 4), True)
    """
    W = np.asarray(W, dtype=float)
    if W.ndim != 2:
        raise InvalidInput("W", "an n x k array", f"shape {W.shape}")
    n, k = W.shape
    U = np.vstack([W, np.eye(k)])
    s = np.concatenate([np.ones(n), -np.ones(k)])
    a2, b2 = (W * W).sum(axis=1), (U * U).sum(axis=1)
    c = W @ U.T
    self_ = np.zeros((n, n + k), dtype=bool)
    self_[np.arange(n), np.arange(n)] = True
    ab2 = a2[:, None] * b2[None, :]
    with np.errstate(all="ignore"):
        D = np.sqrt(np.where(self_, 1.0, ab2 - c * c))
        phi = math.pi - np.arccos(np.clip(c / np.sqrt(ab2), -1.0, 1.0))
        p2, ia2 = 1 / D, 1 / a2
    p1 = D * ia2[:, None]
    p3 = c * p2 * ia2[:, None]
    beta = b2[None, :] * p2 * ia2[:, None] - 2 * p1 * ia2[:, None]
    S = np.where(self_, 0.0, s[None, :])
    O = np.einsum("ip,lq->iplq", W, W)
    Od = np.einsum("ip,iq->ipq", W, W)
    phis, p2s, p3s = phi[:, :n], p2[:, :n], p3[:, :n]
    H = p2s[:, None, :, None] * (O + O.transpose(0, 3, 2, 1)) - p3s[:, None, :, None] * Od[:, :, None, :] \
        - p3s.T[:, None, :, None] * Od.transpose(1, 0, 2)[None]
    idx = np.arange(k)
    H[:, idx, :, idx] += phis[None, :, :]
    z = (S * p3) @ U
    Q = np.einsum("im,mp,mq->ipq", S * p2, U, U)
    diag = ((math.pi + (S * p1).sum(axis=1))[:, None, None] * np.eye(k)[None] + (S * beta).sum(axis=1)[:, None, None] * Od
            - np.einsum("ip,iq->ipq", W, z) - np.einsum("ip,iq->ipq", z, W) + Q)
    i = np.arange(n)
    H[i, :, i, :] = diag
    return H.reshape(n * k, n * k) / (2 * math.pi)


def gradient_high(W: np.ndarray, prec: int = 128) -> np.ndarray:
    """The gradient of F at the point W (n x k floats, taken exactly) evaluated in Arb at ``prec`` bits and rounded to
    float64 (the higher-precision gradient of :func:`~proofkit.certify.polish.polish_critical_point`)."""
    W = np.asarray(W, dtype=float)
    n, k = W.shape
    with flint.ctx.workprec(prec):
        Wa = flint.arb_mat(W.tolist())
        Ua = flint.arb_mat(np.vstack([W, np.eye(k)]).tolist())
        C = Wa * Ua.transpose()
        sq = [sum((Ua[m, t] * Ua[m, t] for t in range(k)), flint.arb(0)) for m in range(n + k)]
        pi = flint.arb.pi()
        s1 = []
        Phi = flint.arb_mat(n, n + k)
        for i in range(n):
            acc = flint.arb(0)
            for m in range(n + k):
                if m == i:
                    continue
                sign = 1 if m < n else -1
                c, ab2 = C[i, m], sq[i] * sq[m]
                D = (ab2 - c * c).sqrt()
                acc += sign * D / sq[i]
                Phi[i, m] = sign * (pi - (c / ab2.sqrt()).acos())
            s1.append(acc)
        G = Phi * Ua
        out = np.empty((n, k))
        for i in range(n):
            for t in range(k):
                g = Wa[i, t] / 2 + (s1[i] * Wa[i, t] + G[i, t]) / (2 * pi)
                if not g.is_finite():
                    raise ArithmeticError("the gradient is not finite at this point (a unit at 0 or parallel vectors)")
                out[i, t] = float(g.mid())
    return out


def teacher_point(k: int, n: int) -> list[Any]:
    """A global minimiser (loss 0): ``W = I`` for ``n = k``; for ``n > k`` the last teacher unit is split
    into ``n - k + 1`` parts with dyadic weights 1/2, 1/4, ..., summing to 1 (ReLU is positively
    homogeneous). Dyadic entries are exact balls in Arb: the arguments of acos and sqrt are then exactly 1
    and 0, inside their domains, which the kernel's value-only enclosure requires."""
    k, n = _check_kn(k, n)
    if n < k:
        raise InvalidInput("n", f"at least k = {k} student units for a zero-loss point", str(n))
    W = [[flint.fmpq(0)] * k for _ in range(n)]
    for i in range(k - 1):
        W[i][i] = flint.fmpq(1)
    m = n - k + 1
    for j, i in enumerate(range(k - 1, n)):
        W[i][k - 1] = flint.fmpq(1, 2 ** min(j + 1, m - 1))
    return [x for row in W for x in row]


@dataclass(repr=False)  # a summarised repr and Jupyter display: ResultDisplay
class Candidate(ResultDisplay):
    """A stalled descent run after Newton polishing: the point (n x k), its loss and gradient norm."""

    W: np.ndarray
    loss: float
    grad_norm: float


def newton_polish(W: np.ndarray, k: int, steps: int = 8) -> np.ndarray:
    """Newton steps in float64 with the analytic Hessian (:func:`hessian`) until they stop shrinking (at most
    ``steps``); see :func:`~proofkit.certify.polish.polish_critical_point`."""
    from proofkit.certify.polish import polish_critical_point

    W = np.asarray(W, dtype=float)
    return polish_critical_point(lambda x: loss_and_grad(x[None], k)[1][0], hessian, W, max_steps=steps).x


def related(A: np.ndarray, B: np.ndarray, tol: float = 1e-7) -> bool:
    """True when ``B`` is (numerically) ``A`` with permuted student units and permuted input coordinates
    (the declared symmetries of F: ``F(P W Q) = F(W)`` for permutation matrices P, Q, as ``V = I``).

    Permutations are proposed by assignment on sorted rows/columns, refined twice, and accepted only if
    ``P A Q`` matches ``B`` entrywise: unrelated points are never identified.

    Examples
    --------
    >>> A = np.array([[1.0, 0.2], [0.3, -1.0]])
    >>> related(A, A[::-1, ::-1]), related(A, A.T)
    (True, False)
    """
    from scipy.optimize import linear_sum_assignment

    if A.shape != B.shape:
        return False

    def match(X: np.ndarray, Y: np.ndarray) -> np.ndarray:
        cost = np.abs(X[:, None, :] - Y[None, :, :]).sum(axis=2)
        rows, cols = linear_sum_assignment(cost)
        perm = np.empty(len(rows), dtype=int)
        perm[cols] = rows
        return perm  # X[perm] ~ Y

    q = match(np.sort(A, axis=0).T, np.sort(B, axis=0).T)
    for _ in range(3):
        p = match(A[:, q], B)
        if np.allclose(A[p][:, q], B, atol=tol, rtol=0):
            return True
        q = match(A[p].T, B.T)
    return bool(np.allclose(A[p][:, q], B, atol=tol, rtol=0))


def search(k: int, n: int, *, starts: int = 200, steps: int = 4000, lr: float = 0.5, seed: int = 0,
           scale: float | None = None, symmetric: bool = False, min_loss: float = 1e-6,
           prune_loss: float = 1e-4) -> list[Candidate]:
    """proofkit's own search for spurious minima: batched gradient descent from random starts.

    Starts are Gaussian with standard deviation ``scale`` (default Xavier, ``1/sqrt(k)``); with
    ``symmetric=True`` the starts are "diagonal plus constant" (the isotropy of Arjevani & Field). Runs that
    stall at loss above ``min_loss`` are Newton-polished and kept when their (finite-difference) Hessian is
    positive definite (runs below ``prune_loss`` after 500 steps are dropped as converging to a global
    minimum); distinct candidates (modulo permutations of the student units and of the input coordinates)
    are returned, lowest loss first.
    """
    k, n = _check_kn(k, n)
    rng = np.random.default_rng(seed)
    sd = 1 / math.sqrt(k) if scale is None else float(scale)
    W = rng.normal(0.0, sd, size=(starts, n, k))
    if symmetric:
        a, c = rng.uniform(0.5, 1.5, starts), rng.uniform(-0.3, 0.3, starts)
        W = W * 0.05 + (a[:, None, None] * np.eye(n, k)[None] + c[:, None, None])
    mom = np.zeros_like(W)
    for it in range(steps):
        F, g = loss_and_grad(W, k)
        if it % 250 == 249 and it >= 499:  # drop the runs already on their way to a global minimum (F -> 0)
            keep = np.isfinite(F) & (F > prune_loss)
            W, mom, g = W[keep], mom[keep], g[keep]
            if not len(W):
                return []
        mom = 0.9 * mom - lr * 0.1 * g
        W = W + mom
    F, g = loss_and_grad(W, k)
    out: list[Candidate] = []
    seen: list[np.ndarray] = []
    for b in np.argsort(F):
        if not np.isfinite(F[b]) or F[b] < min_loss:
            continue
        Wp = newton_polish(W[b], k)
        Fp, gp = loss_and_grad(Wp[None], k)
        gn = float(np.linalg.norm(gp))
        if not np.isfinite(Fp[0]) or Fp[0] < min_loss or gn > 1e-9:
            continue
        if np.linalg.eigvalsh(hessian(Wp))[0] <= 0:
            continue  # a saddle point, not a minimum
        if any(related(Wp, s) for s in seen):
            continue
        seen.append(Wp)
        out.append(Candidate(Wp, float(Fp[0]), gn))
    out.sort(key=lambda c: c.loss)
    return out


@dataclass(repr=False)  # a summarised repr and Jupyter display: ResultDisplay
class SafranShamirResult(ResultDisplay):
    """A certified (or not) spurious minimum of F for widths (k, n), with timings."""

    k: int
    n: int
    loss: float
    certificate: Any
    search_seconds: float
    certify_seconds: float


def certify_point(k: int, n: int, W: Any, *, kind: str = "auto", radius: Any = None, polish: str = "auto") -> Any:
    """Certify the critical point of F at (or near) the point ``W`` (n x k, floats taken exactly): a spurious local
    minimum or a strict saddle, whichever the Hessian at W indicates (or ``kind``).

    The box is centred at W itself when the Newton step there is small, else (or when the kernel does not accept
    that box) at W polished by Newton's method (:func:`~proofkit.certify.polish.polish_critical_point`); the
    result says how far W lies from the certified critical point. The certificate stores the recipe ``(k, n)``
    and the kernel re-checks it through the structure of F (rule ``teacher_student``, float64 with proven
    bounds). See :func:`~proofkit.certify.teacher_student.certify_teacher_student_point`.

    Returns
    -------
    PointResult
        ``certificate``, ``kind``, ``polished``, ``distance``, ``radius``, ``contains_point``, ``statement``.

    Guarantee
    ---------
    A ``certified`` certificate proves that F has exactly one critical point in its box and that it is a strict
    local minimum with F > 0 = F(teacher) on the box (spurious), or a strict saddle.

    Examples
    --------
    >>> W = search(6, 6, starts=400, seed=7)[0].W
    >>> res = certify_point(6, 6, W)
    >>> res.certificate.verdict, res.kind, res.contains_point
    ('certified', 'spurious local minimum', True)
    """
    from proofkit.certify.teacher_student import certify_teacher_student_point

    k, n = _check_kn(k, n)
    return certify_teacher_student_point(k, n, W, kind=kind, radius=radius, polish=polish)


def certify_minimum(k: int, n: int, W: Any, *, radius: Any = None) -> Any:
    """Certify that ``W`` (n x k, floats taken exactly) is near a spurious local minimum of F (F > 0 = F(teacher)).

    Refine first: when the Newton step at W is not small for the box, W is polished (Newton in float64, then with
    an Arb gradient) before the box is chosen; the box contains W whenever the kernel accepts such a box. The
    certificate stores the recipe ``(k, n)`` (a few KB), and the kernel re-checks it through the structure of F
    (:func:`certify_point` with ``kind="spurious local minimum"``; :func:`certify_point` also returns how far W
    lies from the certified minimum).

    Guarantee
    ---------
    ``certified`` proves that a box around ``W`` (or around W polished) contains exactly one critical point of F,
    that the Hessian of F is positive definite on the whole box, and that F on the box exceeds F = 0 at the
    teacher point (:func:`teacher_point`): a spurious local minimum.

    Examples
    --------
    >>> certify_minimum(6, 6, search(6, 6, starts=400, seed=7)[0].W).verdict
    'certified'
    """
    k, n = _check_kn(k, n)
    W = np.asarray(W, dtype=float)
    if W.shape != (n, k):
        raise InvalidInput("W", f"an {n} x {k} array", f"shape {W.shape}")
    return certify_point(k, n, W, kind="spurious local minimum", radius=radius).certificate


def published_points(path: Any) -> list[dict[str, Any]]:
    """The points published with Safran & Shamir's code (``safran_shamir_points.json``: ``k``, ``n``, ``family``,
    ``runs``, ``F`` and ``W`` as k x n float64 hex text, columns the student units) with ``W`` decoded exactly to an
    n x k float64 array (rows the student units, as everywhere in this module)."""
    import json
    from pathlib import Path

    data = json.loads(Path(path).read_text())
    out = []
    for p in data["points"]:
        W = np.array([[float.fromhex(x) for x in row] for row in p["W"]], dtype=float).T
        out.append({**p, "W": W})
    return out


def spurious_minimum(k: int, n: int, *, starts: int = 200, seed: int = 0, **kw: Any) -> SafranShamirResult | None:
    """Search for a spurious minimum of F for widths (k, n) and certify the lowest-loss candidate that certifies."""
    t0 = time.perf_counter()
    cands = search(k, n, starts=starts, seed=seed, **kw)
    t1 = time.perf_counter()
    for c in cands:
        cert = certify_minimum(k, n, c.W)
        if cert.verdict == "certified":
            return SafranShamirResult(k, n, c.loss, cert, t1 - t0, time.perf_counter() - t1)
    return None


def _checker(k: int, n: int, starts: int, seed: int) -> Any:
    res = spurious_minimum(k, n, starts=starts, seed=seed)
    if res is None:
        raise RuntimeError(f"the seeded search found no certifiable spurious minimum for (k, n) = ({k}, {n})")
    return res.certificate


def _expected(k: int, n: int, starts: int, seed: int) -> list[Any]:
    """The declaration of :func:`_checker`: one spurious minimum of F for (k, n), anywhere (the kernel compares it
    with the teacher point, F = 0)."""
    from proofkit.certify.teacher_student import teacher_student_inputs
    from proofkit.claims.expect import Expected

    return [Expected("teacher_student", teacher_student_inputs(k, n, "spurious local minimum"),
                     what=f"a spurious minimum of F for (k, n) = ({k}, {n})")]


#: (k, n, starts, seed): sizes whose seeded search finds a spurious minimum quickly on the reference machine.
DEFAULT_SIZES = ((6, 6, 400, 7), (8, 8, 48, 808), (10, 10, 30, 1010))

#: The sizes in :func:`proofkit.library.seed_graph` (search, certification and kernel re-check about 1 s).
SEED_SIZES = ((8, 8, 48, 808),)


def claims(sizes: Any = DEFAULT_SIZES) -> list[Any]:
    """The statements "every local minimum of F is global" for each (k, n), and the certified counterexamples.

    Each counterexample's checker runs proofkit's own search (seeded) and returns the certificate comparing
    the spurious minimum with the teacher; the kernel's ``teacher_student`` rule re-checks it from the recipe
    ``(k, n)`` (F rebuilt and enclosed through its structure). :data:`SEED_SIZES` are in the seed graph.
    """
    from functools import partial

    from proofkit.claims import Claim

    out = []
    for k, n, starts, seed in sizes:
        key = f"SS18:all-minima-global:{k}-{n}"
        out.append(Claim(key, kind="conjecture", title=f"Every local minimum is global (ReLU teacher-student, ${k = }$, "
                                                       f"${n = }$)",
                         statement=rf"For the population loss $F(W)=\frac12\mathbb{{E}}_{{x\sim N(0,I_{{{k}}})}}\bigl[("
                                   rf"\sum_{{i\le {n}}}[w_i^{{\mathsf T}}x]_+-\sum_{{j\le {k}}}[x_j]_+)^2\bigr]$ of a "
                                   rf"student with $n={n}$ ReLU units and the teacher $W=I$ with $k={k}$, every local "
                                   rf"minimum of $F$ is global ($F=0$).", expected="refuted"))
        out.append(Claim(f"SS18:spurious:{k}-{n}", kind="counterexample",
                         title=f"A certified spurious local minimum of $F$ (${k = }$, ${n = }$)",
                         source="Safran & Shamir 2018 (found and certified by proofkit)",
                         statement=rf"A strict local minimum of $F$ for $k={k}$, $n={n}$ in an explicit box, with $F$ "
                                   r"on the box above $F=0$ at the teacher $W=I$.",
                         refutes=[key], checker=partial(_checker, k, n, starts, seed),
                         expects=partial(_expected, k, n, starts, seed)))
    return out
