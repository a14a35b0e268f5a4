"""Search for spurious local minima of a network's loss, then certify them.

Multi-start descent in float64 (exact gradients compiled by symengine, scipy's BFGS), Newton
refinement at high precision (mpmath, inside the certifier), de-duplication modulo hidden-unit
permutations (and sign flips for odd activations), then :func:`certify_spurious_minimum` for
every candidate whose loss exceeds the best one found.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import symengine as se

from proofkit.certificate import Certificate
from proofkit.certify.spurious import certify_spurious_minimum
from proofkit.errors import InvalidInput

__all__ = ["SpuriousMinimum", "SearchReport", "find_spurious_minima", "canonical_point"]


@dataclass
class SpuriousMinimum:
    """A candidate minimum, its loss, and the certificate comparing it with the best point found."""

    point: list[float]
    loss: float
    certificate: Certificate


@dataclass
class SearchReport:
    """What :func:`find_spurious_minima` found."""

    certified: list[SpuriousMinimum]
    candidates: list[tuple[float, list[float]]]
    best_point: list[float]
    best_loss: float
    starts: int


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


def find_spurious_minima(network: Any, X: Any, Y: Any, loss: str = "squared", *, starts: int = 40, seed: int = 0,
                         scale: float = 2.0, max_certify: int = 6, tol: float = 1e-6) -> SearchReport:
    """Multi-start search for local minima with loss above the best one found; certify each.

    Parameters
    ----------
    network : Network
    X, Y : array-like
        Exact data (one sample per row).
    starts : int
        Number of random starting points (normal with standard deviation ``scale``).
    max_certify : int
        At most this many distinct candidates are sent to the certifier (highest loss first).
    tol : float
        Candidates within ``tol`` (relative) of the best loss are treated as global.

    Returns
    -------
    SearchReport
        ``certified`` holds the certified counterexamples to "every local minimum is global".
    """
    from scipy.optimize import minimize

    from proofkit.symbolic.network import Network

    if not isinstance(network, Network):
        raise InvalidInput("network", "a proofkit Network", type(network).__name__)
    for name, value in (("starts", starts), ("max_certify", max_certify)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise InvalidInput(name, "a positive integer", repr(value))
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise InvalidInput("seed", "an integer", repr(seed))
    for name, value in (("scale", scale), ("tol", tol)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not np.isfinite(value) or value <= 0:
            raise InvalidInput(name, "a positive finite number", repr(value))
    obj = network.loss(X, Y, loss)
    params = [se.Symbol(p.name) for p in obj.params]
    grad = [obj.expr_symengine.diff(p) for p in params]
    fg = se.Lambdify(params, [obj.expr_symengine, *grad])

    def value_and_grad(v: np.ndarray) -> tuple[float, np.ndarray]:
        out = np.asarray(fg(v), dtype=float).reshape(-1)
        return float(out[0]), out[1:]

    rng = np.random.default_rng(seed)
    found: list[tuple[float, np.ndarray]] = []
    for _ in range(starts):
        x0 = rng.normal(scale=scale, size=len(params))
        with np.errstate(all="ignore"):
            res = minimize(value_and_grad, x0, jac=True, method="BFGS", options={"gtol": 1e-11, "maxiter": 5000})
        if np.all(np.isfinite(res.x)) and np.linalg.norm(res.jac) < 1e-6 and np.max(np.abs(res.x)) < 50:
            found.append((float(res.fun), canonical_point(network, res.x)))
    if not found:
        return SearchReport([], [], [], float("nan"), starts)
    found.sort(key=lambda t: t[0])
    distinct: list[tuple[float, np.ndarray]] = []
    for val, x in found:
        if not any(abs(val - v) <= 1e-8 * (1 + abs(v)) and np.allclose(x, y, atol=1e-4) for v, y in distinct):
            distinct.append((val, x))
    best_val, best_x = distinct[0]
    candidates = [(v, x) for v, x in distinct if v > best_val + tol * (1 + abs(best_val))]
    certified = []
    by_value: dict[float, tuple[float, np.ndarray]] = {}
    for val, x in sorted(candidates, key=lambda t: -t[0]):
        by_value.setdefault(round(val, 8), (val, x))  # one representative per loss value (flat valleys repeat)
    for val, x in list(by_value.values())[:max_certify]:
        cert = certify_spurious_minimum(obj, None, [float(v) for v in x], better_point=[float(v) for v in best_x])
        if cert.verdict == "certified":
            certified.append(SpuriousMinimum([float(v) for v in x], val, cert))
    return SearchReport(certified, [(v, [float(a) for a in x]) for v, x in distinct], [float(v) for v in best_x],
                        best_val, starts)
