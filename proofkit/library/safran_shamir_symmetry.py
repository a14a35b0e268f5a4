"""Critical points of Safran & Shamir's loss F found through its symmetry (a search: nothing is certified here).

F(W) (:mod:`proofkit.library.safran_shamir`, W n x k, rows the student units) is invariant under permuting the
student units (rows) and under permuting the teacher directions together with the input coordinates (columns: the
teacher ``V = I_k`` is fixed), i.e. under ``W -> P W Q^T`` for permutation matrices P (n x n) and Q (k x k). The
gradient is equivariant, so at a point fixed by a subgroup H its gradient is fixed by H too: the critical points of
F restricted to the *fixed-point subspace* ``Fix(H)`` are critical points of F.

The minima published with Safran & Shamir's code (k <= 20) all have the isotropy observed by Arjevani & Field:
``H = Delta(S_p1 x … x S_pr)`` -- k split into diagonal blocks of sizes ``p1 + ... + pr = k``, each ``S_p``
permuting the p rows *and* the p columns of its block with the same permutation -- and, when ``n > k``, ``n - k``
further student units fixed by H. A point of ``Fix(H)`` is "diagonal plus constant" on every diagonal block,
constant on every off-diagonal block and on each extra unit's restriction to a block: it is determined by
``r^2 + #{p_i > 1} + (n - k) r`` numbers (5 for ``Delta(S_1 x S_(k-1))``, 6 for ``Delta(S_p x S_(k-p))``,
whatever k). :class:`IsotropyPattern` is such a group with its orbits on the entries of W;
:func:`isotropy_pattern` reads the pattern off a point (e.g. a published one);
:func:`symmetric_search` finds critical points of F in ``Fix(H)`` by multi-start BFGS and Newton's method on those
few numbers, then classifies each by the smallest eigenvalue of the full Hessian (a minimum of the restriction
can be a saddle of F).

Examples
--------
>>> pat = IsotropyPattern((1, 5))
>>> pat.k, pat.n, pat.dimension, pat.name
(6, 6, 5, 'Δ(S1×S5)')
>>> found = symmetric_search(6, 6, (1, 5), starts=16, seed=0)
>>> [(c.kind, round(c.loss, 6)) for c in found if c.kind == "minimum"][:1]
[('minimum', 0.025081)]
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from proofkit.errors import InvalidInput
from proofkit.results import ResultDisplay

__all__ = ["IsotropyPattern", "isotropy_pattern", "SymmetricCandidate", "symmetric_search", "symmetric_polish",
           "two_block_patterns", "certify_symmetric"]


@dataclass(frozen=True)
class IsotropyPattern:
    """The isotropy group ``Delta(S_p1 x … x S_pr)`` of F's symmetries, with ``extra`` further student units.

    The canonical layout of a point of ``Fix(H)`` (n x k, ``n = k + extra``): columns and the first k rows are split
    into the blocks in order (block b: rows and columns ``s_b .. s_b + p_b - 1``); row ``s_b + t`` is the partner of
    column ``s_b + t``; the last ``extra`` rows are the extra units. The orbits of H on the entries:

    * diagonal block b with ``p_b > 1``: its diagonal, and its off-diagonal entries (two orbits);
    * every other (row block, column block) pair, ``p_b = 1`` included: one orbit;
    * extra unit x and column block b: one orbit (row x restricted to block b).

    Attributes
    ----------
    blocks : tuple of int
        ``p1, ..., pr`` (positive, summing to k).
    extra : int
        ``n - k`` (>= 0).

    Examples
    --------
    >>> IsotropyPattern((2, 7), extra=1).orbit_index()[0].tolist()
    [0, 1, 2, 2, 2, 2, 2, 2, 2]
    """

    blocks: tuple[int, ...]
    extra: int = 0

    def __post_init__(self) -> None:
        b = self.blocks
        if not isinstance(b, tuple) or not b or any(isinstance(p, bool) or not isinstance(p, int) or p < 1 for p in b):
            raise InvalidInput("blocks", "a tuple of positive integers (the diagonal block sizes, summing to k)", repr(b))
        if isinstance(self.extra, bool) or not isinstance(self.extra, int) or self.extra < 0:
            raise InvalidInput("extra", "a non-negative integer (n - k)", repr(self.extra))

    @property
    def k(self) -> int:
        return sum(self.blocks)

    @property
    def n(self) -> int:
        return self.k + self.extra

    @property
    def dimension(self) -> int:
        """``dim Fix(H) = r^2 + #{p_i > 1} + extra r``."""
        r = len(self.blocks)
        return r * r + sum(p > 1 for p in self.blocks) + self.extra * r

    @property
    def name(self) -> str:
        """``Δ(S1×S19)``; with extra units ``Δ(S3×S16) + 1 unit``."""
        text = "Δ(" + "×".join(f"S{p}" for p in self.blocks) + ")"
        return text + (f" + {self.extra} unit{'s' if self.extra > 1 else ''}" if self.extra else "")

    def starts_of_blocks(self) -> list[int]:
        out, s = [], 0
        for p in self.blocks:
            out.append(s)
            s += p
        return out

    def orbit_index(self) -> np.ndarray:
        """The n x k array of orbit numbers ``0 .. dimension - 1`` (the order of :meth:`orbit_labels`)."""
        k, n = self.k, self.n
        idx = np.empty((n, k), dtype=np.int64)
        starts = self.starts_of_blocks()
        o = 0
        for a, (sa, pa) in enumerate(zip(starts, self.blocks)):
            for b, (sb, pb) in enumerate(zip(starts, self.blocks)):
                block = idx[sa:sa + pa, sb:sb + pb]
                if a == b and pa > 1:
                    block[...] = o + 1
                    np.fill_diagonal(block, o)
                    o += 2
                else:
                    block[...] = o
                    o += 1
        for x in range(self.extra):
            for sb, pb in zip(starts, self.blocks):
                idx[k + x, sb:sb + pb] = o
                o += 1
        return idx

    def orbit_labels(self) -> list[str]:
        """What each orbit is, in order: ``"diag b"`` (block b's diagonal; its single entry when ``p_b = 1``),
        ``"off b"`` (block b's off-diagonal entries), ``"a,b"`` (rows of block a, columns of block b), ``"unit x,b"``
        (extra unit x on the columns of block b); blocks and units numbered from 1."""
        out = []
        r = len(self.blocks)
        for a in range(r):
            for b in range(r):
                if a == b:
                    out += [f"diag {a + 1}"] + ([f"off {a + 1}"] if self.blocks[a] > 1 else [])
                else:
                    out.append(f"{a + 1},{b + 1}")
        for x in range(self.extra):
            out += [f"unit {x + 1},{b + 1}" for b in range(r)]
        return out

    def orbit_sizes(self) -> np.ndarray:
        return np.bincount(self.orbit_index().ravel(), minlength=self.dimension)

    def point(self, values: Any) -> np.ndarray:
        """The point of ``Fix(H)`` (n x k, canonical layout) whose entries on orbit o are ``values[o]``."""
        v = np.asarray(values, dtype=float)
        if v.shape != (self.dimension,):
            raise InvalidInput("values", f"{self.dimension} numbers (one per orbit)", f"shape {v.shape}")
        return v[self.orbit_index()]

    def values(self, W: Any) -> np.ndarray:
        """The orbit means of W (n x k, canonical layout): the orthogonal projection onto ``Fix(H)``."""
        W = np.asarray(W, dtype=float)
        if W.shape != (self.n, self.k):
            raise InvalidInput("W", f"an {self.n} x {self.k} array", f"shape {W.shape}")
        idx = self.orbit_index().ravel()
        return np.bincount(idx, weights=W.ravel(), minlength=self.dimension) / self.orbit_sizes()

    def contains(self, W: Any) -> bool:
        """True when W (canonical layout) lies exactly in ``Fix(H)``: every orbit's entries are the same float."""
        W = np.asarray(W, dtype=float)
        if W.shape != (self.n, self.k):
            return False
        idx = self.orbit_index()
        first = np.empty(self.dimension)
        first[idx.ravel()[::-1]] = W.ravel()[::-1]  # one entry of each orbit
        return bool(np.array_equal(first[idx], W))


    def merged(self, a: int, b: int) -> IsotropyPattern:
        """The pattern with blocks a and b (0-based) merged into one (a larger group, a smaller fixed space), listed
        by increasing size."""
        sizes = [p for i, p in enumerate(self.blocks) if i not in (a, b)] + [self.blocks[a] + self.blocks[b]]
        return IsotropyPattern(tuple(sorted(sizes)), self.extra)

    def coarser(self, values: Any, tol: float = 1e-9) -> IsotropyPattern | None:
        """A pattern with two blocks merged whose fixed space holds the point ``self.point(values)`` up to permutations
        (its isotropy is then larger than this group), within ``tol`` (sup norm, relative to ``1 + max |values|``);
        None if none does. A block of size 2 is "diagonal plus constant" for either matching of its rows and
        columns: both are tried."""
        import itertools

        v = np.asarray(values, dtype=float)
        if v.shape != (self.dimension,):
            raise InvalidInput("values", f"{self.dimension} numbers (one per orbit)", f"shape {v.shape}")
        W = self.point(v)
        lim = tol * (1 + float(np.abs(v).max(initial=0.0)))
        starts = self.starts_of_blocks()
        r = len(self.blocks)
        pieces = [list(range(s, s + p)) for s, p in zip(starts, self.blocks)]
        pairs = [c for c in range(r) if self.blocks[c] == 2]
        for flips in itertools.product((False, True), repeat=len(pairs)):
            row_pieces = [list(pc) for pc in pieces]
            for c, flip in zip(pairs, flips):
                if flip:
                    row_pieces[c].reverse()
            for a in range(r):
                for b in range(a + 1, r):
                    big = self.merged(a, b)
                    # the merged blocks side by side, all blocks by increasing size (big's layout; a stable sort)
                    order = sorted([c for c in range(r) if c not in (a, b)] + [(a, b)],
                                   key=lambda c: self.blocks[c[0]] + self.blocks[c[1]] if isinstance(c, tuple)
                                   else self.blocks[c])
                    unpack = [[c] if not isinstance(c, tuple) else list(c) for c in order]
                    cols = [j for g in unpack for c in g for j in pieces[c]]
                    rows = [i for g in unpack for c in g for i in row_pieces[c]] + list(range(self.k, self.n))
                    X = W[np.ix_(rows, cols)]
                    if np.abs(big.point(big.values(X)) - X).max() <= lim:
                        return big
        return None


def two_block_patterns(k: int, n: int | None = None) -> list[IsotropyPattern]:
    """``Delta(S_p x S_(k-p))`` for ``p`` from 1 to ``k // 2`` (and ``n - k`` extra units): the isotropy of every family of
    the published minima but a handful (see :func:`isotropy_pattern`)."""
    n = k if n is None else n
    if not (isinstance(k, int) and isinstance(n, int) and 2 <= k <= n):
        raise InvalidInput("k, n", "integers 2 <= k <= n", f"({k!r}, {n!r})")
    return [IsotropyPattern((p, k - p), n - k) for p in range(1, k // 2 + 1)]


# -- reading the pattern off a point -----------------------------------------------------------------------------------

class _Union:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, x: int) -> int:
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def join(self, a: int, b: int) -> None:
        self.parent[self.find(a)] = self.find(b)

    def classes(self) -> list[list[int]]:
        out: dict[int, list[int]] = {}
        for x in range(len(self.parent)):
            out.setdefault(self.find(x), []).append(x)
        return list(out.values())


def _symmetries(W: np.ndarray, tol: float) -> list[tuple[np.ndarray, np.ndarray]]:
    """Pairs (p, q) of permutations with ``W[p][:, q] = W`` (within tol): for every transposition of two rows (of two
    columns), the column (row) permutation that restores W, found by assignment, when there is one."""
    from scipy.optimize import linear_sum_assignment

    n, k = W.shape
    out = []
    for i in range(n):
        for i2 in range(i + 1, n):
            p = np.arange(n)
            p[[i, i2]] = [i2, i]
            A = W[p]
            r, c = linear_sum_assignment(np.abs(A[:, :, None] - W[:, None, :]).sum(axis=0))
            q = np.empty(k, dtype=np.int64)
            q[c] = r
            if np.abs(A[:, q] - W).max() <= tol:
                out.append((p, q))
    for j in range(k):
        for j2 in range(j + 1, k):
            q = np.arange(k)
            q[[j, j2]] = [j2, j]
            A = W[:, q]
            r, c = linear_sum_assignment(np.abs(A[:, None, :] - W[None, :, :]).sum(axis=2))
            p = np.empty(n, dtype=np.int64)
            p[c] = r
            if np.abs(A[p] - W).max() <= tol:
                out.append((p, q))
    return out


def isotropy_pattern(W: Any, tol: float = 1e-7) -> tuple[IsotropyPattern, np.ndarray, np.ndarray] | None:
    """The pattern ``Delta(S_p1 x … x S_pr)`` (+ extra units) of the symmetries of the point W (n x k), with the row
    and column orders that bring W to the pattern's canonical layout, or None when W's symmetries are not of that form.

    The symmetries are those generated by the transpositions of two rows (or two columns) that some permutation of
    the columns (rows) undoes within ``tol`` (found by assignment); their orbits on the entries are compared with the
    pattern's. Blocks are listed by increasing size.

    Returns
    -------
    (IsotropyPattern, rows, cols) or None
        ``W[rows][:, cols]`` is in the canonical layout, within ``tol`` of ``Fix(H)``.

    Examples
    --------
    >>> W = IsotropyPattern((2, 4)).point([-0.8, 0.1, 0.2, 0.2, 1.0, -0.03])
    >>> pat, rows, cols = isotropy_pattern(W[::-1])
    >>> pat.name, bool(np.allclose(W[::-1][rows][:, cols], W))
    ('Δ(S2×S4)', True)
    """
    W = np.asarray(W, dtype=float)
    if W.ndim != 2 or not np.isfinite(W).all():
        raise InvalidInput("W", "a finite n x k array", f"shape {W.shape}")
    n, k = W.shape
    if n < k:
        return None
    gens = _symmetries(W, tol)
    rows, cols, pairs = _Union(n), _Union(k), _Union(n * k)
    ii, jj = np.meshgrid(np.arange(n), np.arange(k), indexing="ij")
    for p, q in gens:
        for i in range(n):
            rows.join(i, int(p[i]))
        for j in range(k):
            cols.join(j, int(q[j]))
        src, dst = (ii * k + jj).ravel(), (p[ii] * k + q[jj]).ravel()
        for a, b in zip(src.tolist(), dst.tolist()):
            pairs.join(a, b)
    col_orbits = sorted(cols.classes(), key=lambda c: (len(c), c))
    row_orbits = rows.classes()
    pair_of = np.array([pairs.find(x) for x in range(n * k)]).reshape(n, k)
    # partner rows of each column orbit: a row orbit of the same size whose entries on it split into a perfect
    # matching (the diagonal) and the rest; size-1 column orbits take size-1 row orbits in any order
    used: set[int] = set()
    row_order: list[int] = []
    col_order: list[int] = []
    for C in col_orbits:
        found = None
        for ri, R in enumerate(row_orbits):
            if ri in used or len(R) != len(C):
                continue
            if len(C) == 1:
                found = (ri, list(R), list(C))
                break
            sub = pair_of[np.ix_(R, C)]
            labels = np.unique(sub)
            if labels.size != 2:
                continue
            for lab in labels:
                mask = sub == lab
                if (mask.sum(axis=0) == 1).all() and (mask.sum(axis=1) == 1).all():
                    partner = [C[int(np.argmax(mask[t]))] for t in range(len(R))]
                    found = (ri, list(R), partner)
                    break
            if found:
                break
        if found is None:
            return None
        used.add(found[0])
        row_order += found[1]
        col_order += found[2]
    rest = [R for ri, R in enumerate(row_orbits) if ri not in used]
    if any(len(R) != 1 for R in rest):
        return None
    row_order += [R[0] for R in rest]
    pat = IsotropyPattern(tuple(len(C) for C in col_orbits), len(rest))
    r_idx, c_idx = np.array(row_order), np.array(col_order)
    # the symmetries' orbits must be exactly the pattern's (none finer, none coarser)
    mine = pair_of[np.ix_(r_idx, c_idx)].ravel()
    theirs = pat.orbit_index().ravel()
    a_to_b: dict[int, int] = {}
    b_to_a: dict[int, int] = {}
    for a, b in zip(mine.tolist(), theirs.tolist()):
        if a_to_b.setdefault(a, b) != b or b_to_a.setdefault(b, a) != a:
            return None
    return pat, r_idx, c_idx


# -- the search in Fix(H) ---------------------------------------------------------------------------------------------

@dataclass(repr=False)  # a summarised repr and Jupyter display: ResultDisplay
class SymmetricCandidate(ResultDisplay):
    """A critical point of F in ``Fix(H)`` (found, not certified).

    Attributes
    ----------
    pattern : IsotropyPattern
    values : numpy.ndarray
        One number per orbit (``pattern.point(values)`` is W).
    W : numpy.ndarray
        The point, n x k in the pattern's canonical layout (exactly in ``Fix(H)``).
    loss : float
        F at W (float64).
    grad_norm : float
        ``max |grad F(W)|`` (float64).
    step : float
        The size (sup norm) of the next Newton step in ``Fix(H)``.
    lambda_min : float
        The smallest eigenvalue of the full float64 Hessian at W (nan when not computed).
    kind : str
        ``"minimum"`` (lambda_min > 0), ``"saddle"`` or ``""`` (not classified).
    coarser : str
        The name of a pattern with two blocks merged whose fixed space also holds W (its isotropy is larger than
        ``pattern``), or ``""``.
    """

    pattern: IsotropyPattern
    values: np.ndarray
    W: np.ndarray
    loss: float
    grad_norm: float
    step: float
    lambda_min: float = float("nan")
    kind: str = ""
    coarser: str = ""


class _Restricted:
    """F on ``Fix(H)`` in the orthonormal coordinates ``theta_o = v_o sqrt(|o|)`` (the Frobenius metric of W)."""

    def __init__(self, pattern: IsotropyPattern) -> None:
        self.pattern = pattern
        self.idx = pattern.orbit_index()
        self.flat = self.idx.ravel()
        self.sizes = pattern.orbit_sizes().astype(float)
        self.root = np.sqrt(self.sizes)
        self.d = pattern.dimension

    def W(self, v: np.ndarray) -> np.ndarray:
        return v[self.idx]

    def grad_v(self, v: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
        """F, the gradient with respect to the orbit values ``v`` (sums over each orbit), and the full gradient."""
        from proofkit.library.safran_shamir import loss_and_grad

        F, G = loss_and_grad(self.W(v)[None], self.pattern.k)
        return float(F[0]), np.bincount(self.flat, weights=G[0].ravel(), minlength=self.d), G[0]

    def fun_theta(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        with np.errstate(all="ignore"):
            F, gv, _ = self.grad_v(theta / self.root)
        if not (np.isfinite(F) and np.isfinite(gv).all()):
            return math.inf, np.zeros(self.d)
        return F, gv / self.root

    def hessian_v(self, v: np.ndarray) -> np.ndarray:
        """``E^T H E`` (E the n k x d orbit indicator matrix): the Hessian with respect to ``v``, from the full
        float64 Hessian of :func:`~proofkit.library.safran_shamir.hessian` summed over orbits."""
        from proofkit.library.safran_shamir import hessian

        H = hessian(self.W(v))
        E = np.zeros((self.flat.size, self.d))
        E[np.arange(self.flat.size), self.flat] = 1.0
        return E.T @ (H @ E)


def symmetric_polish(pattern: IsotropyPattern, values: Any, *, max_steps: int = 30, high_steps: int = 3
                     ) -> tuple[np.ndarray, float]:
    """Newton's method for a critical point of F restricted to ``Fix(H)``, in the orbit values: float64 steps with
    the Hessian ``E^T H E`` until they stop shrinking, then steps with the gradient evaluated in Arb
    (:func:`~proofkit.library.safran_shamir.gradient_high`, summed over orbits). Returns the values and the size of
    the last Newton step (sup norm). The point ``pattern.point(values)`` lies exactly in ``Fix(H)``.

    Guarantee
    ---------
    None: a search step. A certifier proves its own claim about its own box.
    """
    from proofkit.certify.polish import polish_critical_point
    from proofkit.library.safran_shamir import gradient_high

    R = _Restricted(pattern)

    def high(v: np.ndarray) -> np.ndarray:
        return np.bincount(R.flat, weights=gradient_high(R.W(v)).ravel(), minlength=R.d)

    p = polish_critical_point(lambda v: R.grad_v(v)[1], R.hessian_v, np.asarray(values, dtype=float),
                              max_steps=max_steps, high_gradient=high, high_steps=high_steps)
    return p.x, p.step


def _starts(pattern: IsotropyPattern, count: int, rng: np.random.Generator) -> np.ndarray:
    """Random orbit values: each block's diagonal of random sign and size 0.5-1.2 (units aligned with, or against,
    their teacher direction, as in the published families), off-diagonal and cross-block orbits N(0, 0.12^2),
    extra units N(0, 0.25^2)."""
    out = rng.normal(0.0, 0.25, size=(count, pattern.dimension))
    for o, lab in enumerate(pattern.orbit_labels()):
        if lab.startswith("diag"):
            sign = np.where(rng.random(count) < 0.5, -1.0, 1.0)
            out[:, o] = sign * rng.uniform(0.5, 1.2, count)
        elif not lab.startswith("unit"):
            out[:, o] *= 0.5
    return out


def symmetric_search(k: int, n: int, blocks: Sequence[int], *, starts: int = 32, seed: int = 0, min_loss: float = 1e-6,
                     classify: bool = True, proper: bool = False, max_iter: int = 3000) -> list[SymmetricCandidate]:
    """Critical points of F in the fixed-point subspace of ``Delta(S_p1 x … x S_pr)`` (``blocks = (p1, ..., pr)``,
    summing to k; ``n - k`` extra units): multi-start BFGS on F restricted to ``Fix(H)`` (a function of
    :attr:`IsotropyPattern.dimension` numbers), Newton's method there to the float64 floor and beyond
    (:func:`symmetric_polish`), then the full Hessian's smallest eigenvalue says whether each is a minimum of F or a
    saddle. Points with ``F < min_loss`` (the global minima) or whose units come near 0 are dropped; the others are
    distinct modulo permutations of the units and of the coordinates, lowest F first.

    Parameters
    ----------
    k, n : int
        Teacher and student widths (``n >= k``).
    blocks : sequence of int
        The diagonal block sizes (summing to k), e.g. ``(1, k - 1)``.
    starts, seed : int
        Random starts (see the module) and the seed of their generator.
    min_loss : float
    classify : bool
        Compute the full Hessian's smallest eigenvalue (``eigvalsh`` of the n k x n k float64 Hessian).
    proper : bool
        Drop the points whose isotropy is visibly larger: those in the fixed space of the pattern with two blocks
        merged (:meth:`IsotropyPattern.coarser`; e.g. ``W = a I + b J`` lies in every ``Fix(Delta(S_p x S_(k-p)))``).
    max_iter : int
        BFGS iterations per start.

    Returns
    -------
    list of SymmetricCandidate
        Each W in the pattern's canonical layout, exactly in ``Fix(H)``.

    Examples
    --------
    >>> c = symmetric_search(9, 9, (2, 7), starts=24, seed=1)
    >>> [round(x.loss, 6) for x in c if x.kind == "minimum"]
    [0.037489, 0.061527, 0.072483]
    """
    from scipy.optimize import minimize

    from proofkit.library.safran_shamir import hessian, related

    if not (isinstance(k, int) and isinstance(n, int) and 1 <= k <= n):
        raise InvalidInput("k, n", "integers 1 <= k <= n", f"({k!r}, {n!r})")
    blocks = tuple(blocks)
    pattern = IsotropyPattern(blocks, n - k)
    if pattern.k != k:
        raise InvalidInput("blocks", f"block sizes summing to k = {k}", repr(blocks))
    if not isinstance(starts, int) or starts < 1:
        raise InvalidInput("starts", "a positive integer", repr(starts))
    rng = np.random.default_rng(seed)
    R = _Restricted(pattern)
    found: list[np.ndarray] = []
    for v0 in _starts(pattern, starts, rng):
        with np.errstate(all="ignore"):
            res = minimize(R.fun_theta, v0 * R.root, jac=True, method="BFGS",
                           options={"gtol": 1e-11, "maxiter": max_iter})
        v = res.x / R.root
        F = float(res.fun)
        if not np.isfinite(F) or F < min_loss:
            continue
        if any(np.abs(v - u).max() < 1e-6 for u in found):
            continue
        found.append(v)
    out: list[SymmetricCandidate] = []
    for v in found:
        W = R.W(v)
        if np.linalg.norm(W, axis=1).min() < 1e-3:
            continue
        with np.errstate(all="ignore"):
            try:
                v, step = symmetric_polish(pattern, v)
            except (ArithmeticError, np.linalg.LinAlgError, ValueError):
                continue
        W = R.W(v)
        F, _, G = R.grad_v(v)
        if not (np.isfinite(F) and F >= min_loss and np.isfinite(G).all() and step < 1e-6):
            continue
        if any(related(W, c.W, tol=1e-7) for c in out):
            continue
        big = pattern.coarser(v)
        if proper and big is not None:
            continue
        cand = SymmetricCandidate(pattern, v, W, F, float(np.abs(G).max()), step, coarser=big.name if big else "")
        if classify:
            with np.errstate(all="ignore"):
                H = hessian(W)
            if np.isfinite(H).all():
                cand.lambda_min = float(np.linalg.eigvalsh(H)[0])
                cand.kind = "minimum" if cand.lambda_min > 0 else "saddle"
        out.append(cand)
    out.sort(key=lambda c: c.loss)
    return out


def certify_symmetric(candidate: SymmetricCandidate, *, radii: Sequence[float] = (0.0, 1e-10, 1e-8)) -> Any:
    """Certify a critical point found in ``Fix(H)``: a spurious local minimum (``kind = "minimum"``) or a strict
    saddle, in a box centred at the candidate's point itself (exactly in ``Fix(H)``; never moved by polishing), with
    :func:`~proofkit.certify.teacher_student.certify_teacher_student_point` (rule ``teacher_student``: the full
    n k-dimensional gradient and Hessian enclosed through the two-neuron blocks).

    Radii are tried in order until the kernel accepts a box: 0 stands for the default (1.5 times the Newton step,
    at least ``1e-9 (1 + max |W|)``), the others are multiplied by ``1 + max |W|``.

    Returns
    -------
    PointResult
        See :func:`~proofkit.certify.teacher_student.certify_teacher_student_point`; the last attempt when none
        is certified.

    Guarantee
    ---------
    ``certified``: the box (centre in ``Fix(H)``, one radius for every coordinate, hence mapped to itself by H)
    contains exactly one critical point of F -- fixed by H, since H permutes the critical points in the box -- and
    it is a strict local minimum with F above the teacher's F = 0 (a spurious minimum), or a strict saddle.

    Examples
    --------
    >>> c = symmetric_search(6, 6, (1, 5), starts=16, seed=0)[0]
    >>> certify_symmetric(c).certificate.verdict
    'certified'
    """
    from proofkit.certify.teacher_student import certify_teacher_student_point

    if not isinstance(candidate, SymmetricCandidate) or candidate.kind not in ("minimum", "saddle"):
        raise InvalidInput("candidate", "a classified SymmetricCandidate (kind minimum or saddle)", repr(candidate)[:60])
    pat = candidate.pattern
    kind = "spurious local minimum" if candidate.kind == "minimum" else "strict saddle"
    scale = 1.0 + float(np.abs(candidate.W).max())
    res = None
    for r in radii:
        radius = None if not r else float(r * scale)
        res = certify_teacher_student_point(pat.k, pat.n, candidate.W, kind=kind, radius=radius, polish="never")
        if res.certificate.verdict == "certified":
            break
    return res
