"""What real landscapes contain: non-strict minima, degenerate saddles, eliminated minima (as claims).

* Nguyen & Hein's Theorem 3.8 on a wide network as a **full-space** statement: the zero-loss set
  near the interpolating point is the manifold ``v = phi(u)`` (layer-2 parameters as functions of the
  layer-1 ones, by Cramer's rule), and every point of it in an explicit box is a local minimum with
  value exactly 0 (a non-strict minimum, certified on the manifold: ``certify_local_min(..., manifold=...)``).
* Kawaguchi (2016): the origin of a deep linear network with three or more weight layers has a zero
  Hessian and is a saddle (degenerate, certified by exact curves); the shallow control (two weight
  layers) has a strict saddle there.
* Kawaguchi & Kaelbling (2020): the certified spurious minimum of a narrow sigmoid network becomes a
  certified "not a local minimum" of a modified objective with an exponential unit
  (:func:`modified_objective`).
"""

from __future__ import annotations

from typing import Any

import sympy

from proofkit.certificate import Certificate, fmpq_to_str
from proofkit.certify import certify_local_min, certify_not_local_min, certify_saddle, exact_rank
from proofkit.claims import Claim
from proofkit.claims.expect import Expected, dag_inputs, leibniz_inputs, loss_inputs, matrix_inputs
from proofkit.errors import AssumptionViolated

__all__ = ["claims", "theorem_3_8_full_space", "deep_linear_saddle", "deep_linear_network_saddle",
           "elimination_instance", "deep_linear_loss", "modified_objective", "DEEP_LINEAR_DATA",
           "theorem_3_8_full_space_expected", "deep_linear_saddle_expected", "deep_linear_network_saddle_expected",
           "elimination_expected"]

#: Scalar data of the deep linear examples: x = (1, 2), y = (1, 3).
DEEP_LINEAR_DATA = {"X": [1, 2], "Y": [1, 3]}


def theorem_3_8_full_space() -> list[Certificate]:
    """The zero-loss manifold of the wide sigmoid network of ``NH17:thm3.8:wide``: a non-strict minimum, value 0.

    Layer 1 comes from Lemma 4.3 (``rank [F_1, 1_N] = N`` certified), layer 2 interpolates. Near that
    point the zero-loss set is ``{(u, phi(u))}`` with ``phi(u) = [F_1(u), 1_N]^{-1} Y`` (Cramer's rule),
    ``u`` the nine layer-1 parameters; the certificate proves ``grad_v Phi(u, phi(u)) = 0`` and
    ``Phi(u, phi(u)) = 0`` exactly and a positive definite layer-2 block Hessian on a box ``U x V``.
    """
    from proofkit.library.checkers import DEFAULT_X, lemma_4_3_instance

    obj, first, upper, manifold = _full_space_data()
    cert = certify_local_min(obj, None, {**first, **upper}, manifold=manifold)
    return [lemma_4_3_instance(DEFAULT_X[:4], [2, 3, 1], 1, "sigmoid")[0], cert]


_FULL_SPACE: list[Any] = []


def _full_space_data() -> tuple[Any, dict[Any, Any], dict[Any, Any], dict[Any, sympy.Expr]]:
    """The objective, the interpolating point and the manifold v = phi(u) by Cramer's rule (once per process)."""
    from proofkit.library.checkers import DEFAULT_X, DEFAULT_Y, _interpolating_point

    if not _FULL_SPACE:
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
        _FULL_SPACE.append((obj, first, upper, dict(zip(layer2, phis))))
    return _FULL_SPACE[0]


def theorem_3_8_full_space_expected() -> list[Expected]:
    """The declaration of :func:`theorem_3_8_full_space`: alpha_0 of the construction, and the manifold minimum
    of this objective on this manifold, its box centred at the layer-1 values (the tangent coordinates)."""
    from proofkit.library.checkers import DEFAULT_X, _lemma_4_3, _q

    con, alpha0 = _lemma_4_3(DEFAULT_X[:4], [2, 3, 1], 1, "sigmoid")
    a0, _ = leibniz_inputs(con, alpha0)
    obj, first, _, manifold = _full_space_data()
    params = list(obj.params)
    normal = sorted(params.index(p) for p in manifold)
    tangent = [i for i in range(len(params)) if i not in normal]
    centre = [fmpq_to_str(_q(first[params[i]])) for i in tangent]

    def centred(inputs: Any, earlier: Any) -> str | None:
        cs = inputs.get("centers") or []
        if len(cs) != len(params) or [cs[i] for i in tangent] != centre:
            return "its box is not centred at the constructed layer-1 parameters"
        return None

    inputs = {**loss_inputs(obj), "compare": "none", "tangent": tangent, "normal": normal,
              "manifold": dag_inputs([manifold[params[i]] for i in normal], [params[i] for i in tangent])}
    return [Expected("leibniz_alpha0", a0, what="alpha_0"),
            Expected("local_min", inputs, where=centred, what="the zero-loss manifold is a set of minima")]


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
    L, ws, H0 = _deep_linear(depth)
    rank = exact_rank(H0)
    saddle = certify_saddle(L, ws, [0] * depth)
    want = "strict" if depth == 2 else "degenerate"
    if saddle.certified and saddle.claim["kind"] != want:
        raise RuntimeError(f"expected a {want} saddle, got {saddle.claim['kind']}")
    return [rank, saddle]


def _deep_linear(depth: int) -> tuple[sympy.Expr, list[sympy.Symbol], sympy.Matrix]:
    if depth < 2:
        raise AssumptionViolated("depth", "at least two weight layers (a product of weights)", f"depth {depth}")
    L, ws = deep_linear_loss(depth)
    return L, ws, sympy.hessian(L, ws).subs({w: 0 for w in ws})


def _at_origin(inputs: Any, earlier: Any) -> str | None:
    at = inputs.get("point", inputs.get("centers"))
    return None if isinstance(at, list) and at and all(v == "0" for v in at) else "it is not at the origin"


def deep_linear_saddle_expected(depth: int) -> list[Expected]:
    """The declaration of :func:`deep_linear_saddle`: the rank of this Hessian, a saddle of this loss at 0."""
    L, ws, H0 = _deep_linear(depth)
    return [Expected("exact_rank", matrix_inputs(H0), what="the rank of the Hessian at 0"),
            Expected("saddle", loss_inputs(L, ws), where=_at_origin, what="the origin is a saddle")]


def _linear_network() -> tuple[Any, sympy.Matrix]:
    """The 2-2-2-1 linear network's objective and its exact Hessian at 0 (second derivatives by symengine)."""
    import symengine as se

    from proofkit.symbolic import Network

    net = Network([2, 2, 2, 1], activation="identity", output_activation="identity", bias=False)
    obj = net.loss([[1, 0], [0, 1], [1, 2]], [[1], [2], [3]])
    expr, ps = obj.expr_symengine, [se.Symbol(p.name) for p in obj.params]
    zero = {p: 0 for p in ps}
    return obj, sympy.Matrix(len(ps), len(ps), lambda i, j: sympy.Rational(str(expr.diff(ps[i]).diff(ps[j]).subs(zero))))


def deep_linear_network_saddle() -> list[Certificate]:
    """The origin of a linear network with widths 2-2-2-1 (three weight layers, ten parameters, N = 3)."""
    obj, H0 = _linear_network()
    return [exact_rank(H0), certify_saddle(obj, None, [0] * len(obj.params))]


def deep_linear_network_saddle_expected() -> list[Expected]:
    """The declaration of :func:`deep_linear_network_saddle`: the rank of this Hessian, a saddle at 0."""
    obj, H0 = _linear_network()
    return [Expected("exact_rank", matrix_inputs(H0), what="the rank of the Hessian at 0"),
            Expected("saddle", loss_inputs(obj), where=_at_origin, what="the origin is a saddle")]


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
    from proofkit.library.counterexamples import NARROW_SIGMOID_DATA, narrow_counterexample

    X, slopes = NARROW_SIGMOID_DATA["X"], NARROW_SIGMOID_DATA["slopes"]
    spurious = narrow_counterexample([1, 1, 1], "sigmoid", "sigmoid", X, slopes)[0]
    L, params, theta, outputs, Y = _elimination_objective()
    names = [p.name for p in theta]
    if spurious.inputs["loss"]["inputs"] != names:
        raise RuntimeError("the counterexample's parameters are not the network's")
    centre = [sympy.Rational(c) for c in spurious.inputs["centers"]] + [0, 0, 0]
    radius = [sympy.Rational(r) for r in spurious.inputs["radii"]] + [0, 0, 0]
    residual = sum((o - y).subs(dict(zip(theta, centre[:2]))) for o, y in zip(outputs, Y))
    sign = 1 if float(residual) > 0 else -1
    cert = certify_not_local_min(L, params, centre, radius=radius, direction=[0, 0, -sign, 0, 0])
    return [spurious, cert]


def _elimination_objective() -> tuple[sympy.Expr, list[sympy.Symbol], list[sympy.Symbol], list[sympy.Expr], list[Any]]:
    from proofkit.library.counterexamples import NARROW_SIGMOID_DATA, _targets
    from proofkit.symbolic import Network

    X, slopes = NARROW_SIGMOID_DATA["X"], NARROW_SIGMOID_DATA["slopes"]
    Y = [row[0] for row in _targets([x[0] for x in X], slopes)]
    net = Network([1, 1, 1], activation="sigmoid", output_activation="sigmoid", bias=False)
    theta = list(net.params)

    def sig(z: sympy.Expr) -> sympy.Expr:
        return 1 / (1 + sympy.exp(-z))

    outputs = [sig(theta[1] * sig(theta[0] * xi[0])) for xi in X]
    L, params = modified_objective(outputs, [xi[0] for xi in X], Y, theta)
    return L, params, theta, outputs, Y


def elimination_expected() -> list[Expected]:
    """The declaration of :func:`elimination_instance`: a spurious minimum of the narrow network's loss, then
    "not a local minimum" of the modified objective on that very box extended by a = w = b = 0."""
    from proofkit.library.counterexamples import NARROW_SIGMOID_DATA, narrow_expected

    L, params, *_ = _elimination_objective()
    spurious = narrow_expected([1, 1, 1], "sigmoid", "sigmoid", NARROW_SIGMOID_DATA["X"],
                               NARROW_SIGMOID_DATA["slopes"])[0]

    def on_the_spurious_box(inputs: Any, earlier: Any) -> str | None:
        first = (earlier[0].get("inputs") or {}) if earlier else {}
        want = {"centers": [*first.get("centers", []), "0", "0", "0"], "radii": [*first.get("radii", []), "0", "0", "0"]}
        return None if all(inputs.get(k) == v for k, v in want.items()) else \
            "its box is not the spurious minimum's box extended by a = w = b = 0"

    return [Expected(spurious.claim_type, spurious.inputs, where=spurious.where, what="the spurious minimum"),
            Expected("not_local_min", loss_inputs(L, params), where=on_the_spurious_box,
                     what="not a local minimum of the modified objective")]


def claims() -> list[Claim]:
    return [
        Claim("NH17:thm3.8:wide-full", kind="instance", title="Theorem 3.8 on a wide network, full space",
              statement=r"$N=4$, widths $(2,3,1)$, sigmoid: near the interpolating point the zero-loss set is the "
                        r"manifold $v=\phi(u)=[F_1(u),1_N]^{-1}Y$ (layer 2 as a function of layer 1); "
                        r"$\nabla_v\Phi(u,\phi(u))=0$ and $\Phi(u,\phi(u))=0$ exactly, the layer-2 block Hessian is "
                        r"positive definite on a box $U\times V$ with $\phi(U)\subset V$: every point of the manifold "
                        r"over $U$ is a (non-strict) local minimum of $\Phi$ in all 13 parameters, with value $0$.",
              instance_of="NH17:thm3.8", checker=theorem_3_8_full_space, expects=theorem_3_8_full_space_expected),
        Claim("K16:deep-linear", kind="theorem", title="Deep linear networks: saddles",
              source="Kawaguchi 2016, Theorem 2.3 and Corollary 2.4",
              statement=r"For the squared loss of a deep linear network (under the paper's rank conditions on the "
                        r"data) every local minimum is global and every other critical point is a saddle; with two "
                        r"weight layers the Hessian has a negative eigenvalue at every saddle, with three or more "
                        r"there are saddles at which it has none (e.g. the origin, where the Hessian vanishes).",
              established="cited"),
        Claim("K16:deep-linear:depth3", kind="instance", title="The origin of a linear network with three weight layers",
              statement=r"$L=\sum_i(y_i-w_3w_2w_1x_i)^2$, $x=(1,2)$, $y=(1,3)$: the Hessian at $0$ has exact rank "
                        r"$0$ and $L(t,t,t)-L(0)=-14t^3+O(t^4)$: a degenerate saddle.",
              instance_of="K16:deep-linear", checker=lambda: deep_linear_saddle(3),
              expects=lambda: deep_linear_saddle_expected(3)),
        Claim("K16:deep-linear:depth4", kind="instance", title="The origin of a linear network with four weight layers",
              statement=r"$L=\sum_i(y_i-w_4w_3w_2w_1x_i)^2$: zero Hessian at $0$, leading terms $\mp14t^4$ along "
                        r"$(t,t,t,\pm t)$: a degenerate saddle of order 4.",
              instance_of="K16:deep-linear", checker=lambda: deep_linear_saddle(4),
              expects=lambda: deep_linear_saddle_expected(4)),
        Claim("K16:deep-linear:widths-2221", kind="instance", title="The origin of a 2-2-2-1 linear network",
              statement=r"Ten weights, $N=3$: the Hessian at $0$ has exact rank $0$, and along a sign pattern of the "
                        r"weights $L(t\theta)-L(0)=ct^3+O(t^4)$ with $c\ne0$ exactly: a degenerate saddle.",
              instance_of="K16:deep-linear", checker=deep_linear_network_saddle,
              expects=deep_linear_network_saddle_expected),
        Claim("K16:deep-linear:shallow", kind="instance", title="The shallow control (two weight layers)",
              statement=r"$L=\sum_i(y_i-w_2w_1x_i)^2$: the Hessian at $0$ is $\begin{bmatrix}0&-14\\-14&0\end{bmatrix}$ "
                        r"(rank 2, indefinite): a strict saddle.",
              instance_of="K16:deep-linear", checker=lambda: deep_linear_saddle(2),
              expects=lambda: deep_linear_saddle_expected(2)),
        Claim("KK19:elimination:instance", kind="instance", title="Elimination: a spurious minimum removed",
              statement=r"For the narrow sigmoid network $f(x;\theta)=\sigma(\theta_2\sigma(\theta_1x))$ and data of the "
                        r"sigmoid counterexample, with its certified spurious minimum $\theta^*$ in the box $B$, add one "
                        r"exponential unit with a skip connection from the input and a regulariser on its output weight: "
                        r"$\tilde L(\theta,a,w,b)=\sum_i(f(x_i;\theta)+a e^{wx_i+b}-y_i)^2+a^2$. Then "
                        r"$\partial\tilde L/\partial a\ne0$ (certified sign) at every $(\theta,0,0,0)$, $\theta\in B$: "
                        r"$(\theta^*,0,0,0)$ is not a local minimum of $\tilde L$.",
              instance_of="KK19:elimination", checker=elimination_instance, expects=elimination_expected,
              note="the regulariser's weight is 1; the certificate is about the modified objective exactly as written "
                   "here"),
    ]
