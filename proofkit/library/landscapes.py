"""What real landscapes contain: non-strict minima, degenerate saddles, eliminated minima (as claims).

* Nguyen & Hein's Theorem 3.8 on a wide network as a **full-space** statement: the zero-loss set
  near the interpolating point is the manifold ``v = phi(u)`` (layer-2 parameters as functions of the
  layer-1 ones, by Cramer's rule), and every point of it in an explicit box is a local minimum with
  value exactly 0 (MATH.md section 7).
* Kawaguchi (2016): the origin of a deep linear network with three or more layers has a zero
  Hessian and is a saddle (degenerate, certified by exact curves); the shallow control (two layers)
  has a strict saddle there.
* Kawaguchi & Kaelbling (2019): the certified spurious minimum of a narrow sigmoid network becomes a
  certified "not a local minimum" of the modified objective with an exponential unit (MATH.md section 4).
"""

from __future__ import annotations

from typing import Any

import sympy

from proofkit.certificate import Certificate
from proofkit.certify import certify_local_min, certify_not_local_min, certify_saddle, exact_rank
from proofkit.claims import Claim
from proofkit.errors import AssumptionViolated

__all__ = ["claims", "theorem_3_8_full_space", "deep_linear_saddle", "deep_linear_network_saddle",
           "elimination_instance", "deep_linear_loss",
           "modified_objective", "DEEP_LINEAR_DATA"]

#: Scalar data of the deep linear examples: x = (1, 2), y = (1, 3).
DEEP_LINEAR_DATA = {"X": [1, 2], "Y": [1, 3]}


def theorem_3_8_full_space() -> list[Certificate]:
    """The zero-loss manifold of the wide sigmoid network of ``NH17:thm3.8:wide``: a non-strict minimum, value 0.

    Layer 1 comes from Lemma 4.3 (``rank [F_1, 1_N] = N`` certified), layer 2 interpolates. Near that
    point the zero-loss set is ``{(u, phi(u))}`` with ``phi(u) = [F_1(u), 1_N]^{-1} Y`` (Cramer's rule),
    ``u`` the nine layer-1 parameters; the certificate proves ``grad_v Phi(u, phi(u)) = 0`` and
    ``Phi(u, phi(u)) = 0`` exactly and a positive definite layer-2 block Hessian on a box ``U x V``.
    """
    from proofkit.library.checkers import DEFAULT_X, DEFAULT_Y, _interpolating_point, lemma_4_3_instance

    obj, first, upper = _interpolating_point(DEFAULT_X[:4], DEFAULT_Y[:4], "sigmoid")
    layer2 = obj.network.layer_params(2)
    M = obj.F(1).row_join(sympy.ones(obj.N, 1))
    Y = sympy.Matrix([y[0] for y in obj.Y])
    D = M.det(method="berkowitz")
    phis = []
    for j in range(M.cols):
        Mj = M.copy()
        Mj[:, j] = Y
        phis.append(Mj.det(method="berkowitz") / D)
    cert = certify_local_min(obj, None, {**first, **upper}, manifold=dict(zip(layer2, phis)))
    return [lemma_4_3_instance(DEFAULT_X[:4], [2, 3, 1], 1, "sigmoid")[0], cert]


def deep_linear_loss(depth: int) -> tuple[sympy.Expr, list[sympy.Symbol]]:
    """The squared loss ``sum_i (y_i - W x_i)^2`` of ``depth`` scalar layers (``W``: their product) on DEEP_LINEAR_DATA."""
    ws = list(sympy.symbols(f"w1:{depth + 1}"))
    prod = sympy.Mul(*ws)
    return sympy.Add(*[(y - prod * x) ** 2 for x, y in zip(DEEP_LINEAR_DATA["X"], DEEP_LINEAR_DATA["Y"])]), ws


def deep_linear_saddle(depth: int) -> list[Certificate]:
    """The origin of a deep linear network: its exact Hessian rank and a saddle certificate.

    For ``depth >= 3`` the Hessian at 0 is the zero matrix (exact rank 0) and the saddle is degenerate
    (order ``depth`` along ``(t, ..., t)``); for ``depth = 2`` the Hessian is indefinite and the saddle strict.
    """
    if depth < 2:
        raise AssumptionViolated("depth", "at least two weight layers (a product of weights)", f"depth {depth}")
    L, ws = deep_linear_loss(depth)
    H0 = sympy.hessian(L, ws).subs({w: 0 for w in ws})
    rank = exact_rank(H0)
    saddle = certify_saddle(L, ws, [0] * depth)
    want = "strict" if depth == 2 else "degenerate"
    if saddle.certified and saddle.claim["kind"] != want:
        raise RuntimeError(f"expected a {want} saddle, got {saddle.claim['kind']}")
    return [rank, saddle]


def deep_linear_network_saddle() -> list[Certificate]:
    """The origin of a linear network with widths 2-2-2-1 (three weight layers, ten parameters, N = 3)."""
    from proofkit.symbolic import Network

    net = Network([2, 2, 2, 1], activation="identity", output_activation="identity", bias=False)
    obj = net.loss([[1, 0], [0, 1], [1, 2]], [[1], [2], [3]])
    zero = {p: 0 for p in obj.params}
    rank = exact_rank(sympy.hessian(obj.expr, obj.params).subs(zero))
    return [rank, certify_saddle(obj, None, [0] * len(obj.params))]


def modified_objective(outputs: list[sympy.Expr], X: list[Any], Y: list[Any], params: list[sympy.Symbol],
                       lam: Any = 1) -> tuple[sympy.Expr, list[sympy.Symbol]]:
    """Kawaguchi & Kaelbling's modified squared loss ``sum_i (f(x_i) + a exp(w x_i + b) - y_i)^2 + lam a^2``.

    ``outputs`` are the network outputs ``f(x_i; theta)`` (scalar inputs and outputs); returns the
    modified objective and its parameters ``theta + [a, w, b]``.
    """
    a, w, b = sympy.symbols("a_e w_e b_e")
    terms = [(f + a * sympy.exp(w * x + b) - y) ** 2 for f, x, y in zip(outputs, X, Y)]
    return sympy.Add(*terms) + sympy.Rational(lam) * a**2, [*params, a, w, b]


def elimination_instance() -> list[Certificate]:
    """The narrow sigmoid counterexample's spurious minimum is no local minimum of the modified objective.

    With the certified box B of the spurious minimum theta* (widths 1-1-1, N = 4), the certificate
    shows ``dL~/da < 0`` at every point ``(theta, a = 0, w = 0, b = 0)``, theta in B: moving ``a`` lowers
    the modified loss, so ``(theta*, 0, 0, 0)`` is not a local minimum (not even critical).
    """
    from proofkit.library.counterexamples import NARROW_SIGMOID_DATA, _targets, narrow_counterexample
    from proofkit.symbolic import Network

    X, slopes = NARROW_SIGMOID_DATA["X"], NARROW_SIGMOID_DATA["slopes"]
    spurious = narrow_counterexample([1, 1, 1], "sigmoid", "sigmoid", X, slopes)[0]
    Y = [row[0] for row in _targets([x[0] for x in X], slopes)]
    net = Network([1, 1, 1], activation="sigmoid", output_activation="sigmoid", bias=False)
    theta = list(net.params)

    def sig(z: sympy.Expr) -> sympy.Expr:
        return 1 / (1 + sympy.exp(-z))

    outputs = [sig(theta[1] * sig(theta[0] * xi[0])) for xi in X]
    L, params = modified_objective(outputs, [xi[0] for xi in X], Y, theta)
    names = [p.name for p in theta]
    if spurious.inputs["variables"] != names:
        raise RuntimeError("the counterexample's parameters are not the network's")
    centre = [sympy.Rational(c) for c in spurious.inputs["centers"]] + [0, 0, 0]
    radius = [sympy.Rational(r) for r in spurious.inputs["radii"]] + [0, 0, 0]
    residual = sum((o - y).subs(dict(zip(theta, centre[:2]))) for o, y in zip(outputs, Y))
    sign = 1 if float(residual) > 0 else -1
    cert = certify_not_local_min(L, params, centre, radius=radius, direction=[0, 0, -sign, 0, 0])
    return [spurious, cert]


def claims() -> list[Claim]:
    return [
        Claim("NH17:thm3.8:wide-full", kind="instance", title="Theorem 3.8 on a wide network, full space",
              statement=r"$N=4$, widths $(2,3,1)$, sigmoid: near the interpolating point the zero-loss set is the "
                        r"manifold $v=\phi(u)=[F_1(u),1_N]^{-1}Y$ (layer 2 as a function of layer 1); "
                        r"$\nabla_v\Phi(u,\phi(u))=0$ and $\Phi(u,\phi(u))=0$ exactly, the layer-2 block Hessian is "
                        r"positive definite on a box $U\times V$ with $\phi(U)\subset V$: every point of the manifold "
                        r"over $U$ is a (non-strict) local minimum of $\Phi$ in all 13 parameters, with value $0$.",
              instance_of="NH17:thm3.8", checker=theorem_3_8_full_space),
        Claim("K16:deep-linear", kind="theorem", title="Deep linear networks: saddles (Kawaguchi 2016)",
              source="Kawaguchi 2016, Deep learning without poor local minima (NeurIPS), Thm 2.3 and Cor. 2.4",
              note="recorded as we recall the paper (it is not among the seeds); the instances below do not depend "
                   "on the exact numbering: each certifies its own saddle",
              statement=r"For deep linear networks every critical point that is not a global minimum is a saddle; "
                        r"with three or more layers there are saddles whose Hessian has no negative eigenvalue "
                        r"(e.g. the origin, where the Hessian vanishes).", established="cited"),
        Claim("K16:deep-linear:depth3", kind="instance", title="The origin of a 3-layer linear network",
              statement=r"$L=\sum_i(y_i-w_3w_2w_1x_i)^2$, $x=(1,2)$, $y=(1,3)$: the Hessian at $0$ has exact rank "
                        r"$0$ and $L(t,t,t)-L(0)=-14t^3+O(t^4)$: a degenerate saddle.",
              instance_of="K16:deep-linear", checker=lambda: deep_linear_saddle(3)),
        Claim("K16:deep-linear:depth4", kind="instance", title="The origin of a 4-layer linear network",
              statement=r"$L=\sum_i(y_i-w_4w_3w_2w_1x_i)^2$: zero Hessian at $0$, leading terms $\mp14t^4$ along "
                        r"$(t,t,t,\pm t)$: a degenerate saddle of order 4.",
              instance_of="K16:deep-linear", checker=lambda: deep_linear_saddle(4)),
        Claim("K16:deep-linear:widths-2221", kind="instance", title="The origin of a 2-2-2-1 linear network",
              statement=r"Ten weights, $N=3$: the Hessian at $0$ has exact rank $0$, and along a sign pattern of the "
                        r"weights $L(t\theta)-L(0)=ct^3+O(t^4)$ with $c\ne0$ exactly: a degenerate saddle.",
              instance_of="K16:deep-linear", checker=deep_linear_network_saddle),
        Claim("K16:deep-linear:shallow", kind="instance", title="The shallow control (two layers)",
              statement=r"$L=\sum_i(y_i-w_2w_1x_i)^2$: the Hessian at $0$ is $\begin{pmatrix}0&-14\\-14&0\end{pmatrix}$ "
                        r"(rank 2, indefinite): a strict saddle.",
              instance_of="K16:deep-linear", checker=lambda: deep_linear_saddle(2)),
        Claim("KK19:elimination:instance", kind="instance", title="Elimination: a spurious minimum removed",
              statement=r"For the narrow sigmoid network of CE:sigmoid-narrow and its certified spurious minimum "
                        r"$\theta^*\in B$, the modified objective $\tilde L=\sum_i(f(x_i;\theta)+a e^{wx_i+b}-y_i)^2+a^2$ "
                        r"has $\partial\tilde L/\partial a\ne0$ (certified sign) at every $(\theta,0,0,0)$, $\theta\in B$: "
                        r"$(\theta^*,0,0,0)$ is not a local minimum of $\tilde L$.",
              instance_of="KK19:elimination", checker=elimination_instance,
              note="the modified objective is the form stated in MATH.md section 4 (lambda = 1)"),
    ]
