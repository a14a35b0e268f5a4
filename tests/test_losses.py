import pytest

from proofkit.errors import InvalidInput, UnknownName
from proofkit.symbolic.losses import LOSSES, loss, pseudo_huber, smoothed_hinge

ROBUST = ["pseudo_huber", "blake_zisserman", "corrupted_gaussian", "cauchy"]


@pytest.mark.parametrize("name", ["squared", *ROBUST])
def test_lemma_3_3_losses_satisfy_assumption_3_2_3_by_derivation(name):
    l = loss(name)
    assert l.critical_implies_global.value is True
    assert l.critical_implies_global.how == "derived"
    assert l.twice_differentiable.value is True
    assert l.satisfies_assumption_3_2.value is True


@pytest.mark.parametrize("name, convex", [("squared", True), ("pseudo_huber", True), ("cauchy", False),
                                          ("blake_zisserman", False), ("corrupted_gaussian", False)])
def test_convexity_derived_or_refuted_with_certified_witness(name, convex):
    prop = loss(name).convex
    assert prop.value is convex
    assert prop.how == "derived"


def test_piecewise_losses_are_not_c2():
    assert smoothed_hinge(2).twice_differentiable.value is False
    assert smoothed_hinge(3).twice_differentiable.value is True
    assert loss("squared_hinge_pair").satisfies_assumption_3_2.value is False


def test_every_registered_loss_builds():
    for name in LOSSES:
        assert loss(name).name.startswith(name.split("(")[0])


def test_bad_loss_input():
    with pytest.raises(UnknownName, match="loss"):
        loss("l7")
    with pytest.raises(InvalidInput, match="delta"):
        pseudo_huber(0)
    with pytest.raises(InvalidInput, match="p"):
        smoothed_hinge(1)


def test_custom_loss_in_another_symbol_raises_instead_of_a_constant_objective():
    import sympy

    from proofkit.symbolic import Loss, Network

    b = sympy.Symbol("b")
    with pytest.raises(InvalidInput, match="argument 'l'.*residual symbol a.*\\['b'\\]"):
        Loss("mine", "residual", b**2)
    with pytest.raises(InvalidInput, match="argument 'l2'"):
        Loss("pair", "separable_pair", sympy.Symbol("a") ** 2, b)
    with pytest.raises(InvalidInput, match="argument 'kind'"):
        Loss("mine", "quadratic", sympy.Symbol("a") ** 2)
    mine = Loss("mine", "residual", sympy.Symbol("a", positive=True) ** 2)  # any symbol named a is the residual
    obj = Network([1, 1], activation="identity", bias=False).loss([[1]], [[2]], mine)
    assert obj.expr.free_symbols == set(obj.params)
    assert mine.convex.value is True


def test_loss_constants_are_exact_binary_numbers():
    import sympy

    binary = sympy.Rational(3602879701896397, 36028797018963968)  # the double nearest to 0.1
    assert pseudo_huber(0.1).l == pseudo_huber(binary).l
    assert pseudo_huber("0.1").l == pseudo_huber(sympy.Rational(1, 10)).l != pseudo_huber(0.1).l
    for bad in (float("nan"), 1j, -1, "x"):
        with pytest.raises(InvalidInput, match="argument 'delta'"):
            pseudo_huber(bad)
