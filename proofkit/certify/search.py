"""Search for spurious local minima of any loss, then certify them.

Multi-start descent in float64 (gradients by the float engine, :mod:`proofkit.numeric.float_engine`;
scipy's BFGS), Newton refinement inside the certifier, de-duplication only modulo declared symmetries
(hidden-unit permutations and sign flips for a network), then :func:`certify_spurious_minimum` for
every candidate whose loss exceeds the best one found; distinct minima at equal loss are kept.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from proofkit.certificate import Certificate
from proofkit.certify.spurious import certify_spurious_minimum
from proofkit.convert import integer_in
from proofkit.errors import InvalidInput
from proofkit.progress import track
from proofkit.results import ResultDisplay

__all__ = ["SpuriousMinimum", "FailedStart", "SearchReport", "find_spurious_minima", "canonical_point"]

#: Descents leaving the box |x_i| < REGION are stopped and reported (saturating units run to infinity).
REGION = 50.0
#: A descent has converged when the gradient norm at its end is below this.
GRADIENT_TOL = 1e-6


@dataclass(repr=False)  # a summarised repr and Jupyter display: ResultDisplay
class SpuriousMinimum(ResultDisplay):
    """A candidate minimum, its loss, and the certificate comparing it with the best point found."""

    point: list[float]
    loss: float
    certificate: Certificate


@dataclass(repr=False)  # a summarised repr and Jupyter display: ResultDisplay
class FailedStart(ResultDisplay):
    """A start whose descent did not end at a critical point inside the search region, and why.

    ``why`` is ``"started outside the region"`` (the start had ``|x_i| >= 50``), ``"left the region"`` (some
    coordinate reached ``|x_i| >= 50``: the loss keeps decreasing towards infinity, typically saturating
    activations whose infimum is not attained), ``"not converged"`` (the descent stopped with a gradient
    norm ``>= 1e-6``) or ``"not finite"`` (the loss or its gradient overflowed); ``detail`` gives the numbers.
    """

    start: list[float]
    end: list[float]
    loss: float
    why: str
    detail: str


@dataclass(repr=False)  # a summarised repr and Jupyter display: ResultDisplay
class SearchReport(ResultDisplay):
    """What :func:`find_spurious_minima` found, including the starts that did not converge and why.

    ``start_outcomes`` counts the starts by outcome (``"converged"`` and the reasons of
    :class:`FailedStart`; shown in the repr and the notebook display), ``failed_starts`` has each
    failed start, and ``print(report)`` explains them (:meth:`summary`). ``best_loss`` is NaN (and
    ``best_point`` empty) when no start converged.
    """

    certified: list[SpuriousMinimum]
    candidates: list[tuple[float, list[float]]]
    best_point: list[float]
    best_loss: float
    starts: int
    uncertified: list[SpuriousMinimum] = field(default_factory=list)
    start_outcomes: dict[str, int] = field(default_factory=dict)
    failed_starts: list[FailedStart] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        if not self.start_outcomes:
            self.start_outcomes = {"converged": self.starts - len(self.failed_starts), **self.failures()}

    def reasons(self) -> list[tuple[float, str]]:
        """The loss of each candidate that did not certify and the certifier's reason."""
        return [(m.loss, m.certificate.reason) for m in self.uncertified]

    @property
    def converged(self) -> int:
        """How many starts ended at a critical point inside the search region."""
        return self.starts - len(self.failed_starts)

    def failures(self) -> dict[str, int]:
        """How many starts failed, by reason (see :class:`FailedStart`)."""
        out: dict[str, int] = {}
        for f in self.failed_starts:
            out[f.why] = out.get(f.why, 0) + 1
        return out

    def summary(self) -> str:
        """A few lines: starts (converged and failed, by reason), the best loss, candidates, certificates."""
        lines = [f"{self.starts} starts: {self.converged} converged to a critical point"]
        for why, count in sorted(self.failures().items(), key=lambda t: -t[1]):
            example = next(f for f in self.failed_starts if f.why == why)
            lines.append(f"  {count} {why}: {_WHY[why]} (e.g. {example.detail})")
        if not self.converged:
            lines.append("no start converged: best_loss is nan, and no candidate was found or certified "
                         "(try another scale, more starts, or a sampler near the region of interest)")
            return "\n".join(lines)
        lines.append(f"best loss {self.best_loss:.6g}; {len(self.candidates)} distinct critical points, "
                     f"{len(self.certified) + len(self.uncertified)} sent to the certifier above the best loss")
        lines.append(f"certified spurious minima: {len(self.certified)}" +
                     "".join(f"\n  loss {m.loss:.6g}" for m in self.certified))
        if self.uncertified:
            lines.append(f"not certified: {len(self.uncertified)}" +
                         "".join(f"\n  loss {loss:.6g}: {why[:160]}" for loss, why in self.reasons()))
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()


_WHY = {"started outside the region": f"the starting point already had |x_i| >= {REGION:g} (lower scale=, or "
                                      "a sampler inside the region)",
        "left the region": f"a coordinate reached |x_i| >= {REGION:g} while the loss kept decreasing (a minimum at "
                           "infinity, e.g. saturating activations, or a loss unbounded below)",
        "not converged": f"the descent stopped with a gradient norm >= {GRADIENT_TOL:g}",
        "not finite": "the loss or its gradient overflowed to a non-finite value"}


def _failure(x0: np.ndarray, res: Any) -> FailedStart | None:
    """Why a descent from ``x0`` ending at ``res`` (scipy's result) is not a critical point in the region."""
    x, fun = np.asarray(res.x, dtype=float), float(res.fun)
    grad = np.asarray(res.jac, dtype=float)
    end = [float(v) for v in x]
    if not (np.all(np.isfinite(x)) and np.isfinite(fun) and np.all(np.isfinite(grad))):
        return FailedStart([float(v) for v in x0], end, fun, "not finite", f"loss {fun:.3g} after {res.nit} steps")
    if np.max(np.abs(x0), initial=0.0) >= REGION:
        return FailedStart([float(v) for v in x0], end, fun, "started outside the region",
                           f"max |x_i| = {np.max(np.abs(x0)):.3g} at the start")
    if np.max(np.abs(x), initial=0.0) >= REGION:
        return FailedStart([float(v) for v in x0], end, fun, "left the region",
                           f"loss {fun:.3g} with max |x_i| = {np.max(np.abs(x)):.3g} after {res.nit} steps")
    g = float(np.linalg.norm(grad))
    if g >= GRADIENT_TOL:
        return FailedStart([float(v) for v in x0], end, fun, "not converged",
                           f"gradient norm {g:.2e} at loss {fun:.3g} after {res.nit} steps: {res.message}")
    return None


def canonical_point(network: Any, x: np.ndarray) -> np.ndarray:
    """Sort the first hidden layer's units (and fix tanh's sign) so symmetric copies coincide."""
    if network.depth < 2:
        return x
    n0, n1, n2 = network.widths[0], network.widths[1], network.widths[2]
    bias = network.bias
    size1 = n0 * n1 + (n1 if bias else 0)
    W1 = x[: n0 * n1].reshape(n0, n1).copy()
    b1 = x[n0 * n1:size1].copy() if bias else np.zeros(n1)
    W2 = x[size1:size1 + n1 * n2].reshape(n1, n2).copy()
    if network.activations[0].name == "tanh":
        for j in range(n1):
            if (b1[j] if bias else W1[0, j]) < 0:
                W1[:, j], b1[j], W2[j, :] = -W1[:, j], -b1[j], -W2[j, :]
    order = np.lexsort(np.vstack([W2.T[::-1], b1, W1[::-1]]))
    out = x.copy()
    out[: n0 * n1] = W1[:, order].reshape(-1)
    if bias:
        out[n0 * n1:size1] = b1[order]
    out[size1:size1 + n1 * n2] = W2[order, :].reshape(-1)
    return out


def _as_tape(loss: Any, params: Any) -> tuple[Any, Any, list[str]]:
    """The loss (expression, Objective or DAG dict) as (what to certify, Tape, parameter names)."""
    from proofkit.certify.spurious import _loss_dag
    from proofkit.kernel import Tape, decode_dag

    dag, names = _loss_dag(loss, params)
    return (loss if not isinstance(loss, dict) else dag), Tape(decode_dag(dag, n_outputs=1)), names


def find_spurious_minima(loss: Any, X: Any = None, Y: Any = None, loss_name: str = "squared", *,
                         params: Any = None, sampler: Callable[[np.random.Generator, int], np.ndarray] | None = None,
                         symmetry: Callable[[np.ndarray], np.ndarray] | None = None, starts: int = 40, seed: int = 0,
                         scale: float = 2.0, max_certify: int = 6, tol: float = 1e-6) -> SearchReport:
    """Multi-start search for local minima with loss above the best one found; certify each.

    Parameters
    ----------
    loss : Network, Objective, expression or ``proofkit.dag/1`` dict
        A :class:`~proofkit.Network` (then ``X``, ``Y`` and ``loss_name`` make its loss, and the declared
        symmetries are its hidden-unit permutations and, for tanh, sign flips), or any loss.
    X, Y : array-like
        Exact data (one sample per row), only with a Network.
    params : sequence of symbols, optional
        The parameter order of an expression.
    sampler : callable ``(rng, n) -> array of n coordinates``, optional
        Draws a starting point (default: normal with standard deviation ``scale``).
    symmetry : callable, optional
        Maps a point to a canonical representative of its orbit under the declared symmetries of the loss;
        points are identified only when their canonical forms agree (default: none for a general loss).
    starts : int
        Number of starting points (float64 BFGS with the engine's gradient).
    max_certify : int
        At most this many distinct candidates are sent to the certifier (highest loss first).
    tol : float
        Candidates within ``tol`` (relative) of the best loss are treated as global.

    Returns
    -------
    SearchReport
        ``certified`` holds the certified counterexamples to "every local minimum is global";
        ``uncertified`` the other candidates sent to the certifier, each with the certifier's reason.

    Examples
    --------
    >>> import sympy
    >>> x = sympy.Symbol("x")
    >>> rep = find_spurious_minima((x**2 - 1)**2 + x / 4, starts=8, scale=1.5)
    >>> len(rep.certified), round(rep.best_loss, 6)
    (1, -0.253791)
    """
    from scipy.optimize import minimize

    from proofkit.numeric.float_engine import FloatTape

    starts = integer_in(starts, "starts", 1, 10**6)
    max_certify = integer_in(max_certify, "max_certify", 1, 10**6)
    seed = integer_in(seed, "seed", 0, 2**128)
    for name, value in (("sampler", sampler), ("symmetry", symmetry)):
        if value is not None and not callable(value):
            raise InvalidInput(name, "a function (or None)", type(value).__name__)
    for name, value in (("scale", scale), ("tol", tol)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < abs(value) < 1e300 or value < 0:
            raise InvalidInput(name, "a positive finite number (below 1e300)", repr(value)[:40])
    if hasattr(loss, "widths") and hasattr(loss, "loss"):
        network = loss
        target = network.loss(X, Y, loss_name)
        canon = symmetry or (lambda v: canonical_point(network, v))
    else:
        if X is not None or Y is not None:
            raise InvalidInput("network", "a proofkit Network when data X, Y are given", type(loss).__name__)
        target, canon = loss, (symmetry or (lambda v: v))
    target, tape, names = _as_tape(target, params)
    ft = FloatTape(tape)
    n = len(names)

    value_and_grad = ft.scalar_value_and_grad()

    rng = np.random.default_rng(seed)
    draw = sampler or (lambda r, m: r.normal(scale=scale, size=m))
    found: list[tuple[float, np.ndarray]] = []

    def escaping(intermediate_result: Any) -> None:
        # runs leaving |x| < 50 are reported below: stop them now (saturating activations run to maxiter)
        if not np.all(np.abs(intermediate_result.x) < REGION):
            raise StopIteration

    failed: list[FailedStart] = []
    for _ in track(range(starts), "search: local descents", unit="start"):
        try:
            x0 = np.asarray(draw(rng, n), dtype=float).reshape(-1)
        except (TypeError, ValueError) as exc:
            raise InvalidInput("sampler", f"a function (rng, n) -> {n} finite numbers", str(exc)[:80]) from None
        if x0.shape != (n,) or not np.all(np.isfinite(x0)):
            raise InvalidInput("sampler", f"finite starting points with {n} coordinates", f"shape {x0.shape}")
        with np.errstate(all="ignore"):
            res = minimize(value_and_grad, x0, jac=True, method="BFGS", options={"gtol": 1e-11, "maxiter": 5000},
                           callback=escaping)
        why = _failure(x0, res)
        if why is None:
            found.append((float(res.fun), _canonical(canon, res.x, n)))
        else:
            failed.append(why)
    if not found:
        return SearchReport([], [], [], float("nan"), starts, failed_starts=failed)
    found.sort(key=lambda t: t[0])
    distinct: list[tuple[float, np.ndarray]] = []
    for val, x in found:
        if not any(abs(val - v) <= 1e-8 * (1 + abs(v)) and np.allclose(x, y, atol=1e-4) for v, y in distinct):
            distinct.append((val, x))
    best_val, best_x = distinct[0]
    candidates = [(v, x) for v, x in distinct if v > best_val + tol * (1 + abs(best_val))]
    certified, uncertified = [], []
    # distinct minima at equal loss are all kept; the certifier sees one per loss value first (flat valleys
    # repeat one value many times), then the others
    rank: dict[float, int] = {}
    order = []
    for val, x in sorted(candidates, key=lambda t: -t[0]):
        key = round(val, 8)
        rank[key] = rank.get(key, -1) + 1
        order.append((rank[key], -val, val, x))
    order.sort(key=lambda t: (t[0], t[1]))
    for _, _, val, x in track(order[:max_certify], "search: certifying candidates", unit="candidate"):
        cert = certify_spurious_minimum(target, params if not isinstance(target, dict) else None,
                                        [float(v) for v in x], better_point=[float(v) for v in best_x])
        if cert.verdict == "certified":
            certified.append(SpuriousMinimum([float(v) for v in x], val, cert))
        else:
            uncertified.append(SpuriousMinimum([float(v) for v in x], val, cert))
    return SearchReport(certified, [(v, [float(a) for a in x]) for v, x in distinct], [float(v) for v in best_x],
                        best_val, starts, uncertified, failed_starts=failed)


def _canonical(canon: Callable[[np.ndarray], np.ndarray], x: np.ndarray, n: int) -> np.ndarray:
    """The declared symmetry's representative of ``x`` (checked: n finite numbers)."""
    try:
        y = np.asarray(canon(np.array(x, dtype=float)), dtype=float).reshape(-1)
    except (TypeError, ValueError) as exc:
        raise InvalidInput("symmetry", f"a function mapping a point to a point of {n} coordinates",
                           str(exc)[:80]) from None
    if y.shape != (n,) or not np.all(np.isfinite(y)):
        raise InvalidInput("symmetry", f"a function mapping a point to a point of {n} finite coordinates",
                           f"shape {y.shape}")
    return y
