"""Certified counterexamples to "every local minimum is global" for narrow networks (n_1 < N - 1)."""

from __future__ import annotations

import math
from functools import partial
from typing import Any

import sympy

from proofkit.certificate import Certificate
from proofkit.claims import Claim
from proofkit.claims.expect import Expected, full_space, spurious_loss_inputs
from proofkit.errors import AssumptionViolated
from proofkit.symbolic import Network

__all__ = ["claims", "NARROW_SIGMOID_DATA", "NARROW_TANH_DATA", "narrow_counterexample", "tanh_counterexample",
           "narrow_expected", "tanh_expected"]

R = sympy.Rational


def _targets(xs: list[sympy.Rational], slopes: tuple[float, float], depth: int = 1) -> list[list[sympy.Rational]]:
    """Targets sigma^depth(w1 x) on the first half of the samples and sigma^depth(w2 x) on the second, rounded to
    3 digits: bounded per-sample wells in two different places (the mechanism of Auer, Herbster & Warmuth 1996)."""
    half = len(xs) // 2
    out = []
    for i, x in enumerate(xs):
        v = (slopes[0] if i < half else slopes[1]) * float(x)
        for _ in range(depth):
            v = 1 / (1 + math.exp(-v))
        out.append([R(round(v, 3)).limit_denominator(1000)])
    return out


#: N = 4 samples in R; widths [1, 1, 1] give n_1 = 1 < N - 1 = 3.
NARROW_SIGMOID_DATA = {"X": [[R(1)], [R(3, 2)], [R(6)], [R(13, 2)]], "slopes": (2.0, -0.5)}


def narrow_counterexample(widths: list[int], activation: str, output_activation: str, X: list[list[sympy.Rational]],
                          slopes: tuple[float, float], target_depth: int = 1, seed: int = 0) -> list[Certificate]:
    """Search (seeded) and certify spurious local minima of a narrow network; the certificates of the found ones."""
    net, Y = _narrow(widths, activation, output_activation, X, slopes, target_depth)
    return _search_and_certify(net, X, Y, starts=30, scale=2.0, seed=seed)


def _narrow(widths: list[int], activation: str, output_activation: str, X: list[list[sympy.Rational]],
            slopes: tuple[float, float], target_depth: int) -> tuple[Network, list[list[sympy.Rational]]]:
    N = len(X)
    if max(widths[1:-1]) >= N - 1:
        raise AssumptionViolated("widths", f"a narrow network (every n_k < N - 1 = {N - 1})", f"widths {widths}")
    Y = _targets([x[0] for x in X], slopes, depth=target_depth)
    return Network(widths, activation=activation, output_activation=output_activation, bias=False), Y


def narrow_expected(widths: list[int], activation: str, output_activation: str, X: list[list[sympy.Rational]],
                    slopes: tuple[float, float], target_depth: int = 1, seed: int = 0) -> list[Expected]:
    """The declaration of :func:`narrow_counterexample`: certified spurious minima (anywhere) of the network's
    squared loss on the data, each compared with a better point."""
    net, Y = _narrow(widths, activation, output_activation, X, slopes, target_depth)
    return [Expected("local_min", spurious_loss_inputs(net.loss(X, Y)), many=True, where=full_space,
                     what="a spurious minimum of the narrow network's loss")]


#: N = 7 samples in R for a tanh network with biases and a linear output (n_1 = 1 < N - 1 = 6).
NARROW_TANH_DATA = {"X": [[R(x, 2)] for x in (-8, -4, 0, 2, 4, 7, 8)],
                    "Y": [[R(y, 4)] for y in (0, 3, -3, 1, -6, -3, -4)]}


def tanh_counterexample(seed: int = 0) -> list[Certificate]:
    """A certified spurious local minimum of ``x -> v tanh(w x + b) + c`` on :data:`NARROW_TANH_DATA`."""
    return _search_and_certify(_tanh_network(), NARROW_TANH_DATA["X"], NARROW_TANH_DATA["Y"], starts=40, scale=1.0,
                               seed=seed)


def _tanh_network() -> Network:
    return Network([1, 1, 1], activation="tanh", output_activation="identity", bias=True)


def tanh_expected(seed: int = 0) -> list[Expected]:
    """The declaration of :func:`tanh_counterexample`."""
    loss = _tanh_network().loss(NARROW_TANH_DATA["X"], NARROW_TANH_DATA["Y"])
    return [Expected("local_min", spurious_loss_inputs(loss), many=True, where=full_space,
                     what="a spurious minimum of the tanh network's loss")]


def _search_and_certify(net: Network, X: list[list[Any]], Y: list[list[Any]], *, starts: int, scale: float,
                        seed: int) -> list[Certificate]:
    from proofkit.certify.search import find_spurious_minima

    report = find_spurious_minima(net, X, Y, starts=starts, seed=seed, scale=scale, max_certify=6)
    if not report.certified:
        raise RuntimeError("the seeded search found no certifiable spurious minimum")
    return [s.certificate for s in report.certified]


def _refuted_pair(key: str, model: str, arch: str, widths_note: str, data: str, checker: Any, expects: Any,
                  note: str = r"violates $n_k \ge N - 1$ of Theorem 3.8") -> list[Claim]:
    """The statement "every local minimum is global" for one architecture and data set, and the
    counterexample claim whose certificates refute it."""
    conjecture = f"CE:all-minima-global:{key}"
    return [
        Claim(conjecture, kind="conjecture", title=f"Every local minimum is global ({arch})",
              statement=rf"For ${model}$ and the data below, every local minimum of the squared loss is global.",
              uses=["NH17:ass3.2"], expected="refuted", note=widths_note),
        Claim(f"CE:{key}", kind="counterexample", title=f"A certified spurious local minimum ({arch})",
              statement=data + ": a strict local minimum in an explicit box whose loss exceeds, by a certified gap, "
                               "the loss at a better point.",
              refutes=[conjecture], checker=checker, expects=expects, note=note),
    ]


def claims() -> list[Claim]:
    X = NARROW_SIGMOID_DATA["X"]
    slopes = NARROW_SIGMOID_DATA["slopes"]
    return [
        *_refuted_pair("sigmoid-narrow", r"x\mapsto\sigma(w_2\sigma(w_1x))", "sigmoid, widths 1-1-1, $N = 4$",
                       "$n_1 = 1 < N - 1 = 3$: the width hypothesis of Theorem 3.8 fails",
                       r"$X=(1,3/2,6,13/2)$, targets $\sigma(2x)$ on the first two samples and $\sigma(-x/2)$ on the "
                       r"last two (3 digits)",
                       partial(narrow_counterexample, [1, 1, 1], "sigmoid", "sigmoid", X, slopes),
                       partial(narrow_expected, [1, 1, 1], "sigmoid", "sigmoid", X, slopes),
                       r"violates $n_k \ge N - 1$ of Theorem 3.8 (and Yu & Chen's width condition)"),
        *_refuted_pair("sigmoid-deep", r"x\mapsto\sigma(w_3\sigma(w_2\sigma(w_1x)))",
                       "deep sigmoid, widths 1-1-1-1, $N = 4$", "every hidden width is $1 < N - 1 = 3$",
                       r"$X=(1,3/2,6,13/2)$, targets $\sigma^3(2x)$ and $\sigma^3(-x/2)$ (3 digits)",
                       partial(narrow_counterexample, [1, 1, 1, 1], "sigmoid", "sigmoid", X, slopes, 3),
                       partial(narrow_expected, [1, 1, 1, 1], "sigmoid", "sigmoid", X, slopes, 3)),
        *_refuted_pair("tanh-narrow", r"x\mapsto v\tanh(wx+b)+c", "tanh, widths 1-1-1 with biases, $N = 7$",
                       "$n_1 = 1 < N - 1 = 6$", r"$X=(-4,-2,0,1,2,7/2,4)$, $Y=(0,3/4,-3/4,1/4,-3/2,-3/4,-1)$",
                       tanh_counterexample, tanh_expected,
                       r"violates $n_k \ge N - 1$ of Theorem 3.8 (and Yu & Chen's width condition)"),
    ]
