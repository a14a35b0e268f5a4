import pytest
import sympy

from proofkit.errors import AssumptionViolated, InvalidInput, UnknownName
from proofkit.symbolic.activations import Activation, T, activation, leaky_relu, softplus


@pytest.mark.parametrize("name, mu, gamma", [("sigmoid", 0, 1), ("tanh", -1, 1)])
def test_bounded_activations_satisfy_assumption_3_2a(name, mu, gamma):
    act = activation(name)
    assert act.analytic.value is True
    assert act.strictly_increasing.value is True and act.strictly_increasing.how == "derived"
    assert act.bounded.value is True
    assert act.limits == (mu, gamma)
    assert act.satisfies_assumption_3_2.value is True


def test_softplus_growth_constants_of_lemma_3_3():
    act = softplus(2)
    assert act.bounded.value is False
    rho = act.growth.data
    assert rho == (sympy.Rational(1, 2), 2, 1, sympy.log(2) / 2)
    assert act.satisfies_assumption_3_2.value is True
    # the constants really bound softplus on sample points
    for t in [-5, -1, sympy.Rational(-1, 3)]:
        assert act(t).evalf(30) <= (rho[0] * sympy.exp(rho[1] * t)).evalf(30)
    for t in [0, 1, 7]:
        assert act(t).evalf(30) <= (rho[2] * t + rho[3]).evalf(30)


def test_relu_fails_assumption_3_2_because_not_analytic():
    act = activation("relu")
    assert act.analytic.value is False
    assert act.strictly_increasing.value is False
    assert act.satisfies_assumption_3_2.value is False
    with pytest.raises(AssumptionViolated, match="analytic"):
        act.require("analytic", "Assumption 3.2(2)")


def test_exp_and_identity_are_neither_bounded_nor_type_2b():
    for name in ("exp", "identity"):
        prop = activation(name).satisfies_assumption_3_2
        assert prop.value is False, name


def test_user_defined_activation_properties_are_derived_not_hardcoded():
    x = sympy.Symbol("x")
    act = activation(x / sympy.sqrt(1 + x**2))
    assert act.strictly_increasing.how == "derived" and act.strictly_increasing.value is True
    assert act.limits == (-1, 1)
    assert act.satisfies_assumption_3_2.value is True
    # a non-monotone one is refuted with a witness
    wiggle = Activation("wiggle", sympy.sin(T))
    assert wiggle.strictly_increasing.value is False
    assert wiggle.satisfies_assumption_3_2.value is False


def test_leaky_relu_is_increasing_but_not_analytic():
    act = leaky_relu(sympy.Rational(1, 10))
    assert act.strictly_increasing.value is True
    assert act.analytic.value is False


def test_bad_activation_input():
    with pytest.raises(UnknownName, match="activation"):
        activation("swishy")
    with pytest.raises(InvalidInput, match="alpha"):
        softplus(-1)
    x, y = sympy.symbols("x y")
    with pytest.raises(InvalidInput, match="one variable"):
        activation(x + y)


def test_reciprocal_functions_are_rewritten_and_evaluable():
    from proofkit.numeric import ArbContext
    from proofkit.symbolic import Network

    act = activation(sympy.sech(sympy.Symbol("t")))
    assert act.expr == 1 / sympy.cosh(T)
    assert act.analytic.value is True
    obj = Network([1, 1, 1], activation=act).loss([[1]], [[0]])
    vals = obj.hessian().evaluate([1, 1, 0, 0], ArbContext(64))
    assert all(v.is_finite() for row in vals for v in row)


def test_unsupported_activation_nodes_are_named_errors():
    t = sympy.Symbol("t")
    for bad, node in ((sympy.Derivative(sympy.re(t), t), "Derivative"), (sympy.gamma(t), "gamma"),
                      (sympy.I * t, "ImaginaryUnit")):
        with pytest.raises(InvalidInput, match=node):
            activation(bad)
    with pytest.raises(InvalidInput, match="argument 'slope'"):
        leaky_relu(float("nan"))
    assert softplus(0.5).expr.has(sympy.Rational(1, 2))
    # a Piecewise activation is accepted but is not differentiable by Lemma 2.1's standard: a named error
    from proofkit.symbolic import Network

    pw = Activation("pw", sympy.Piecewise((t, t > 0), (0, True)), variable=t)
    with pytest.raises(AssumptionViolated):
        Network([1, 1, 1], activation=pw).loss([[1]], [[0]]).gradient()
