import random

import pytest
import sympy
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from proofkit.errors import (
    AssumptionViolated,
    DuplicateSamples,
    InvalidInput,
    NonFiniteInput,
    ShapeMismatch,
    UnknownName,
    UnknownParameter,
)
from proofkit.symbolic import Network, check_identity
from proofkit.symbolic.lazy import LazyMatrix

SMOOTH = ["sigmoid", "tanh", "softplus", "identity", "exp"]


def _data(d, m, N, rng):
    X = [[sympy.Rational(rng.randint(-4, 4), rng.randint(1, 3)) for _ in range(d)] for _ in range(N)]
    Y = [[sympy.Rational(rng.randint(-3, 3), 2) for _ in range(m)] for _ in range(N)]
    return X, Y


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow],
          phases=[Phase.explicit, Phase.reuse, Phase.generate])  # (shrinking a 20 s example took minutes)
@given(depth=st.integers(1, 3), widths=st.lists(st.integers(1, 4), min_size=4, max_size=4),
       act=st.sampled_from(SMOOTH), bias=st.booleans(), sigma_out=st.booleans(), seed=st.integers(0, 10**6))
def test_lemma_2_1_backprop_equals_direct_differentiation(depth, widths, act, bias, sigma_out, seed):
    rng = random.Random(seed)
    w = widths[: depth + 1]
    net = Network(w, activation=act, output_activation=act if sigma_out else "identity", bias=bias)
    X, Y = _data(w[0], w[-1], 2, rng)
    obj = net.loss(X, Y)
    res = check_identity(obj.backprop_gradient(), obj.gradient(), obj.params)
    if res.verdict != "proved":  # only beyond the reach of the kernel's exact engine within its default budget
        # (a depth-3 softplus network with 36 parameters needs ~90 s of exact gcds): undecided, never refuted
        assert res.verdict == "inconclusive" and res.detail.startswith("undecided") and len(obj.params) > 24, \
            res.detail


def test_lemma_2_1_delta_recursion_matches_direct_derivative_wrt_G():
    net = Network([2, 2, 1], activation="tanh")
    obj = net.loss([[1, 0], [0, 2]], [[1], [0]])
    # Delta_2 = dPhi/dG_2 computed directly: Phi as a function of G_2 entries
    g = sympy.symbols("g0 g1")
    phi = sum((gi - y) ** 2 for gi, y in zip(g, [1, 0]))
    G2 = obj.G(2)
    direct = sympy.Matrix([[sympy.diff(phi, g[i]).subs({g[0]: G2[0, 0], g[1]: G2[1, 0]})] for i in range(2)])
    assert check_identity(obj.Delta(2), direct).verdict == "proved"
    # gradient w.r.t. W_1 is X^T Delta_1
    X = sympy.Matrix([[1, 0], [0, 2]])
    grad = obj.gradient()
    gW1 = sympy.Matrix(2, 2, lambda a, j: grad[obj.params.index(net.weights[1][a, j]), 0])
    assert check_identity(X.T * obj.Delta(1), gW1).verdict == "proved"


def test_hessian_matches_sympy_hessian_exactly():
    net = Network([1, 2, 1], activation="sigmoid")
    obj = net.loss([[1], [2], [sympy.Rational(1, 3)]], [0, 1, 0])
    H = obj.hessian()
    ref = sympy.hessian(obj.expr, obj.params)
    assert isinstance(H, LazyMatrix)
    assert check_identity(H, ref, obj.params).verdict == "proved"
    assert H.is_symmetric()


def test_lazy_matrix_behaves_as_sympy():
    net = Network([1, 1, 1], activation="identity", bias=False)
    obj = net.loss([[1]], [[2]])
    H = obj.hessian()
    a, b = obj.params
    assert sympy.expand(H[0, 1] - (4 * a * b - 4)) == 0
    assert H.subs({a: 0, b: 0}) == sympy.Matrix([[0, -4], [-4, 0]])
    assert float(sympy.N(H.subs({a: 1, b: 1}))[0, 0]) == 2.0
    assert sympy.N(H).shape == (2, 2)
    assert sympy.latex(H, mat_str="bmatrix").startswith(r"\left[\begin{bmatrix}")
    assert sympy.Matrix(H).shape == (2, 2)
    assert H[:, 0].shape == (2, 1)
    with pytest.raises(IndexError):
        H[2, 0]


def test_block_hessian_selects_layers_and_params():
    net = Network([2, 3, 1], activation="sigmoid")
    obj = net.loss([[0, 1], [1, 0]], [0, 1])
    B = obj.block_hessian(layers=[2])
    assert B.shape == (4, 4)
    full = obj.hessian()
    idx = obj.select(layers=[2])
    assert check_identity(B, full.to_sympy().extract(idx, idx)).verdict == "proved"
    names = [p.name for p in net.layer_params(1)[:2]]
    assert obj.block_hessian(params=names).shape == (2, 2)


def test_jacobian_and_layer_matrices_shapes():
    net = Network([2, 3, 2], activation="tanh", output_activation="tanh")
    obj = net.loss([[0, 1], [1, 0], [1, 1]], [[0, 1], [1, 0], [0, 0]])
    assert obj.jacobian().shape == (6, len(obj.params))
    assert obj.F(0) == sympy.Matrix([[0, 1], [1, 0], [1, 1]])
    assert obj.G(1).shape == (3, 3) and obj.F(2).shape == (3, 2) and obj.Delta(1).shape == (3, 3)


def test_floats_are_taken_exactly_and_values_are_exact():
    net = Network([1, 1], activation="identity", bias=False)
    obj = net.loss([[0.1]], [[0]])
    assert obj.X[0][0] == sympy.Rational(3602879701896397, 36028797018963968)
    assert obj.value([1]) == obj.X[0][0] ** 2
    assert obj.value({"W^{(1)}_{11}": 2}, digits=10) == sympy.Float(4 * obj.X[0][0] ** 2, 10)


def test_bad_input_is_named():
    net = Network([2, 2, 1])
    with pytest.raises(ShapeMismatch, match="'X'.*2 columns"):
        net.loss([[1, 2, 3]], [1])
    with pytest.raises(ShapeMismatch, match="'Y'"):
        net.loss([[1, 2], [3, 4]], [1])
    with pytest.raises(NonFiniteInput, match="X"):
        net.loss([[float("nan"), 1]], [1])
    with pytest.raises(NonFiniteInput, match="Y"):
        net.loss([[1, 1]], [float("inf")])
    with pytest.raises(DuplicateSamples, match="Assumption 3.2\\(1\\).*rows 0 and 2"):
        net.loss([[1, 2], [0, 1], [1, 2]], [0, 1, 0], require_distinct=True)
    with pytest.raises(UnknownName, match="activation"):
        Network([1, 1], activation="sigmoidal")
    with pytest.raises(UnknownName, match="loss"):
        net.loss([[1, 2]], [0], loss="hinge-ish")
    obj = net.loss([[1, 2]], [0])
    with pytest.raises(UnknownParameter, match="W\\^\\{\\(9\\)\\}"):
        obj.hessian(["W^{(9)}_{11}"])
    with pytest.raises(UnknownParameter, match="layer"):
        obj.block_hessian(layers=[3])
    with pytest.raises(InvalidInput, match="coordinates"):
        obj.value([1, 2])
    with pytest.raises(InvalidInput, match="widths"):
        Network([2])
    relu_obj = Network([1, 2, 1], activation="relu").loss([[1]], [0])
    with pytest.raises(AssumptionViolated, match="C\\^1"):
        relu_obj.hessian()


def test_integer_data_of_every_numpy_dtype_stay_exact():
    import numpy as np

    net = Network([1, 1], activation="identity", bias=False)
    for dtype in (np.int8, np.int64, np.uint64):
        obj = net.loss(np.array([[3]], dtype=dtype), np.array([[2**40 + 1]], dtype=np.int64))
        assert obj.Y[0][0] == 2**40 + 1
    big = np.array([[2**62 + 1]], dtype=np.int64)
    assert net.loss(big, [[0]]).X[0][0] == 2**62 + 1  # not 2**62, its float64 rounding
    with pytest.raises(InvalidInput, match="argument 'X'.*longdouble"):
        net.loss(np.array([[1]], dtype=np.longdouble), [[0]])
    with pytest.raises(InvalidInput, match="argument 'Y'"):
        net.loss([[1]], [[1j]])


def test_objective_points_are_exact_and_checked():
    net = Network([1, 1], activation="identity", bias=False)
    obj = net.loss([[1]], [[2]])
    assert obj.value([0.1]) == (sympy.Rational(3602879701896397, 36028797018963968) - 2) ** 2
    with pytest.raises(InvalidInput, match="point"):
        obj.value([float("nan")])
    with pytest.raises(InvalidInput, match="point"):
        obj.value(5)


def test_derivatives_are_evaluated_by_the_engine_without_building_symbolic_entries():
    import flint

    from proofkit.certify import matrix_at
    from proofkit.numeric import ArbContext, FloatContext
    from proofkit.numeric.contexts import NotAnalyticHere

    net = Network([2, 3, 1], activation="tanh")
    obj = net.loss([[1, 2], [3, -1], [0, 1]], [1, 0, sympy.Rational(1, 2)])
    H, g = obj.hessian(), obj.gradient()
    pt = [sympy.Rational(k - 6, 7) for k in range(len(obj.params))]
    He = H.evaluate(pt, ArbContext(200))
    ge = g.evaluate(pt, ArbContext(200))
    assert H._built is None and g._built is None  # nothing symbolic was built for the numbers
    assert max(v.rad() for row in He for v in row) < 1e-50
    # the same entries from the symbolic program (built on demand now) lie inside the engine's balls
    P = H.program.run(ArbContext(200), pt)
    n = len(obj.params)
    assert all(He[i][j].overlaps(P[i * n + j]) for i in range(n) for j in range(n))
    assert all(ge[i][0].overlaps(v) for i, v in enumerate(g.program.run(ArbContext(200), pt)))
    Hf = H.evaluate([float(v) for v in pt], FloatContext())
    assert all(abs(Hf[i][j] - float(He[i][j].mid())) < 1e-12 for i in range(n) for j in range(n))
    # a block, over a box, and through matrix_at
    B = obj.hessian(obj.network.layer_params(2))
    idx = obj.select(obj.network.layer_params(2))
    Bb = B.evaluate([flint.arb(flint.fmpq(v.p, v.q), 1e-6) for v in pt], ArbContext(64))
    assert all(Bb[a][b].contains(He[i][j]) for a, i in enumerate(idx) for b, j in enumerate(idx))
    assert matrix_at(B, pt, prec=128).shape == (len(idx), len(idx))
    # a kink inside the box is refused, not enclosed wrongly
    x, y = sympy.symbols("x y")
    fk = sympy.Max(x, 0) * x * y
    Hk = LazyMatrix.derivatives(fk, [x, y], "hessian", [0, 1], lambda: sympy.hessian(fk, [x, y]).tolist())
    with pytest.raises(NotAnalyticHere):
        Hk.evaluate([flint.arb(0, 1e-3), flint.arb(1)], ArbContext(64))
    assert Hk.evaluate([flint.arb(1, 1e-3), flint.arb(1)], ArbContext(64))[0][0].contains(2)
