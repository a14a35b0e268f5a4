"""Every public function, fed every class of bad input, raises a named proofkit error naming the argument.

A raw exception from numpy, sympy, symengine or python-flint (or a crash of the interpreter) is a failure;
so is a silent success on input that has no meaning (a complex matrix, a float80 array, ...).
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
import sympy

import proofkit as pk
from proofkit.certify import as_cert_matrix, certify_identity, certify_relu_linear_region, matrix_record
from proofkit.errors import ProofkitError
from proofkit.numeric import compile_program
from proofkit.symbolic import rank_over_q, to_fmpq_mat
from proofkit.symbolic.activations import leaky_relu, softplus
from proofkit.symbolic.leibniz import leibniz_construction
from proofkit.symbolic.losses import pseudo_huber

x, t = sympy.symbols("x t")
a = sympy.Symbol("a")

# -- bad matrices -------------------------------------------------------------------------------------------------
BAD_MATRICES: dict[str, Any] = {
    "longdouble array": np.eye(2, dtype=np.longdouble),
    "complex array": np.eye(2, dtype=complex),
    "complex entry": [[1, 1j], [0, 1]],
    "numpy complex scalar": [[np.complex128(1 + 1j), 0], [0, 1]],
    "longdouble scalar": [[np.longdouble(1), 0], [0, 1]],
    "object array of strings": np.array([["a", 1], [0, 1]], dtype=object),
    "string array": np.array([["1", "2"], ["3", "4"]]),
    "nan": [[float("nan"), 0], [0, 1]],
    "inf array": np.array([[np.inf, 0], [0, 1.0]]),
    "ragged": [[1, 2], [3]],
    "empty": [],
    "3-D": np.zeros((2, 2, 2)),
    "None entry": [[None, 1], [0, 1]],
    "a string": "[[1, 2], [3, 4]]",
    "None": None,
    "sympy nan": [[sympy.nan, 0], [0, 1]],
    "imaginary unit": [[sympy.I, 0], [0, 1]],
    "unsupported node": [[sympy.Derivative(sympy.re(x), x).subs(x, 1), 0], [0, 1]],
}

MATRIX_FUNCTIONS: dict[str, Callable[[Any], Any]] = {
    "certify_nonsingular": pk.certify_nonsingular,
    "certify_full_rank": pk.certify_full_rank,
    "certify_rank_at_least": lambda A: pk.certify_rank_at_least(A, 1),
    "certify_rank_deficient": pk.certify_rank_deficient,
    "exact_rank": pk.exact_rank,
    "enclose_det": pk.enclose_det,
    "enclose_eigenvalues": pk.enclose_eigenvalues,
    "certify_positive_definite": pk.certify_positive_definite,
    "certify_indefinite": pk.certify_indefinite,
    "exact_det": pk.exact_det,
    "exact_kernel": pk.exact_kernel,
    "is_nondegenerate_on": lambda A: pk.is_nondegenerate_on(A, [0]),  # its argument is called H
    "rank_over_q": rank_over_q,
    "to_fmpq_mat": to_fmpq_mat,
    "as_cert_matrix": as_cert_matrix,
    "matrix_record": matrix_record,
}

# data matrices X (one sample per row; argument name "X")
DATA_FUNCTIONS: dict[str, Callable[[Any], Any]] = {
    "Network.loss": lambda X: pk.Network([2, 1], activation="identity").loss(X, [[1], [2]]),
    "leibniz_construction": lambda X: leibniz_construction(X, [2, 2, 1], 1),
    "certify_relu_linear_region": lambda X: certify_relu_linear_region(X, [1, 1, 0], [0.1, 0.1, 0.1], 1),
}

# -- bad expressions ----------------------------------------------------------------------------------------------
BAD_EXPRESSIONS: dict[str, Any] = {
    "Derivative(re(x), x)": sympy.Derivative(sympy.re(x), x),
    "complex": sympy.I * x,
    "undefined function": sympy.Function("f")(x),
    "Integral": sympy.Integral(x, x),
    "nan": sympy.nan * x,
    "oo": sympy.oo + x,
    "zoo": sympy.zoo,
    "gamma": sympy.gamma(x),
    "None": None,
    "matrix": sympy.Matrix([[x]]),
    "Piecewise with an unsupported condition": sympy.Piecewise((x, sympy.Eq(sympy.Mod(x, 2), 0)), (0, True)),
}


def _tx(e: Any) -> Any:
    """The same bad expression in the activation variable t."""
    return e.subs(x, t) if isinstance(e, sympy.Basic) and not isinstance(e, sympy.MatrixBase) else e


EXPRESSION_FUNCTIONS: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "check_identity (lhs)": ("lhs", lambda e: pk.check_identity(e, x)),
    "check_identity (rhs)": ("rhs", lambda e: pk.check_identity(x, e)),
    "certify_identity": ("lhs", lambda e: certify_identity([e], [x], [x])),
    "Activation": ("expr", lambda e: pk.Activation("s", _tx(e))),
    "activation": ("activation", lambda e: pk.activation(_tx(e)) if isinstance(e, sympy.Basic) and not
                   isinstance(e, sympy.MatrixBase) else pk.activation(e)),
    "Loss": ("l", lambda e: pk.Loss("l", "residual", e.subs(x, a) if hasattr(e, "subs") and not
                                  isinstance(e, sympy.MatrixBase) else e)),
    "certify_critical_point": ("grad", lambda e: pk.certify_critical_point([e], None, [1], 0.1, variables=[x])),
    "certify_strict_local_min": ("grad", lambda e: pk.certify_strict_local_min([e], None, [1], 0.1,
                                                                               variables=[x])),
    "certify_spurious_minimum": ("loss", lambda e: pk.certify_spurious_minimum(e, [x], [1], global_value=0)),
    "compile_program": ("exprs", lambda e: compile_program([e], [x])),
    "LazyMatrix": ("rows", lambda e: pk.LazyMatrix([[e]], [x])),
    "matrix_at": ("M", lambda e: pk.matrix_at(sympy.Matrix([[e]]) if not isinstance(e, sympy.MatrixBase)
                                             else e, {x: 1})),
    "symbolic_det (nan only)": ("A", lambda e: __import__("proofkit").symbolic.symbolic_det([[e]])),
}

# -- bad numbers (points, radii, constants) -----------------------------------------------------------------------
BAD_NUMBERS: dict[str, Any] = {
    "nan": float("nan"),
    "inf": float("inf"),
    "complex": 1 + 2j,
    "numpy longdouble": np.longdouble(1) / 3,
    "numpy complex": np.complex64(1),
    "string": "abc",
    "None": None,
    "sympy symbol": sympy.Symbol("y"),
    "sympy oo": sympy.oo,
    "list": [1, 2],
}

_f = (x**2 - 1) ** 2


def _objective() -> Any:
    return pk.Network([1, 1], activation="identity", bias=False).loss([[1]], [[2]])


POINT_FUNCTIONS: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "certify_critical_point x0": ("x0", lambda v: pk.certify_critical_point([_f.diff(x)], None, [v], 0.1,
                                                                           variables=[x])),
    "certify_critical_point radius": ("radius", lambda v: pk.certify_critical_point([_f.diff(x)], None, [1], v,
                                                                                  variables=[x])),
    "certify_spurious_minimum point": ("point", lambda v: pk.certify_spurious_minimum(_f, [x], [v], global_value=0)),
    "certify_spurious_minimum better_point": ("better_point", lambda v: pk.certify_spurious_minimum(
        _f, [x], [1], better_point=[v])),
    "certify_spurious_minimum global_value": ("global_value", lambda v: pk.certify_spurious_minimum(
        _f, [x], [1], global_value=v)),
    "Objective.value": ("point", lambda v: _objective().value([v])),
    "Objective.point": ("point", lambda v: _objective().point({"W^{(1)}_{11}": v})),
    "matrix_at": ("point", lambda v: pk.matrix_at(sympy.Matrix([[x]]), {x: v})),
    "softplus alpha": ("alpha", lambda v: softplus(v)),
    "leaky_relu slope": ("slope", lambda v: leaky_relu(v)),
    "pseudo_huber delta": ("delta", lambda v: pseudo_huber(v)),
    "nonconvexity_example": ("point", lambda v: pk.nonconvexity_example({"x": v})),
    "certify_relu_linear_region radii": ("radii", lambda v: certify_relu_linear_region([[1]], [1, 0], [v, 0.1], 1)),
    "leibniz_construction beta": ("beta", lambda v: leibniz_construction([[0], [1], [3]], [1, 2, 1], 1, beta=v)),
}


def _named(argument: str, f: Callable[[], Any]) -> None:
    with pytest.raises(ProofkitError) as info:
        f()
    assert argument in str(info.value), f"the message does not name {argument!r}: {info.value}"


@pytest.mark.parametrize("bad", sorted(BAD_MATRICES))
@pytest.mark.parametrize("func", sorted(MATRIX_FUNCTIONS))
def test_bad_matrix(func: str, bad: str) -> None:
    _named("H" if func == "is_nondegenerate_on" else "A", lambda: MATRIX_FUNCTIONS[func](BAD_MATRICES[bad]))


@pytest.mark.parametrize("bad", sorted(set(BAD_MATRICES) - {"unsupported node", "imaginary unit", "sympy nan"}))
@pytest.mark.parametrize("func", sorted(DATA_FUNCTIONS))
def test_bad_data(func: str, bad: str) -> None:
    _named("X", lambda: DATA_FUNCTIONS[func](BAD_MATRICES[bad]))


@pytest.mark.parametrize("bad", sorted(BAD_EXPRESSIONS))
@pytest.mark.parametrize("func", sorted(EXPRESSION_FUNCTIONS))
def test_bad_expression(func: str, bad: str) -> None:
    argument, f = EXPRESSION_FUNCTIONS[func]
    if func.startswith("symbolic_det") and bad not in ("nan", "oo", "zoo", "None"):
        pytest.skip("a symbolic determinant accepts any sympy node")
    if (func, bad) in (("activation", "None"), ("certify_identity", "matrix"), ("matrix_at", "matrix")):
        pytest.skip("valid input: None is the identity activation; [Matrix([[x]])] is the 1x1 matrix [[x]]")
    _named(argument, lambda: f(BAD_EXPRESSIONS[bad]))


@pytest.mark.parametrize("bad", sorted(BAD_NUMBERS))
@pytest.mark.parametrize("func", sorted(POINT_FUNCTIONS))
def test_bad_number(func: str, bad: str) -> None:
    argument, f = POINT_FUNCTIONS[func]
    _named(argument, lambda: f(BAD_NUMBERS[bad]))


# -- inputs that are unusual but valid: exact results, never a raw exception ---------------------------------------
def test_huge_fraction_is_exact() -> None:
    big = Fraction(10**400, 3)
    assert pk.certify_nonsingular([[big, 0], [0, 1]]).verdict == "certified"
    assert pk.certify_nonsingular([[big, big], [big, big]]).verdict == "refuted"
    assert pk.certify_rank_at_least([[big, 1], [2 * big, 2]], 1).verdict == "certified"
    assert pk.certify_positive_definite([[big, 0], [0, 1]]).verdict == "certified"
    assert pk.certify_indefinite([[big, 0], [0, -1]]).verdict == "certified"
    assert pk.exact_det([[big, 0], [0, 3]]) == 10**400
    c = pk.certify_critical_point([x - big], None, [big], 1, variables=[x])
    assert c.verdict in ("certified", "inconclusive")


def test_custom_loss_in_another_symbol_is_an_error() -> None:
    b = sympy.Symbol("b")
    with pytest.raises(pk.errors.InvalidInput, match="'l'.*residual symbol a"):
        pk.Loss("mine", "residual", b**2)
    # the same loss in a plain Symbol("a") is the residual
    obj = pk.Network([1, 1], activation="identity", bias=False).loss([[1]], [[2]], pk.Loss("mine", "residual", a**2))
    assert obj.expr.free_symbols == set(obj.params)


def test_sech_is_rewritten_not_rejected() -> None:
    act = pk.Activation("sech", sympy.sech(t), variable=t)
    assert act.analytic.value is True
    obj = pk.Network([1, 1, 1], activation=act).loss([[1]], [[0]])
    assert obj.gradient().evaluate([1, 1, 0, 0], __import__("proofkit").numeric.ArbContext(64))


def test_singular_hessian_in_newton_refinement_is_inconclusive() -> None:
    y = sympy.Symbol("y")
    for f, pt in (((x * y - 1) ** 2 + 1, [1, 1]), (x**4 + 1, [0]), (sympy.exp(-x**2), [40])):
        variables = sorted(f.free_symbols, key=lambda s: s.name)
        c = pk.certify_spurious_minimum(f, variables, pt, global_value=0)
        assert c.verdict == "inconclusive"


# -- other arguments of the public functions --------------------------------------------------------------------------
def _net() -> Any:
    return pk.Network([1, 1], activation="identity", bias=False)


OTHER_ARGUMENTS: dict[str, tuple[str, Callable[[], Any]]] = {
    "Network widths string": ("widths", lambda: pk.Network("12")),
    "Network widths float": ("widths", lambda: pk.Network([1.5, 1])),
    "Network widths zero": ("widths", lambda: pk.Network([1, 0])),
    "Network activation object": ("activation", lambda: pk.Network([1, 1, 1], activation=object())),
    "Network.loss Y complex": ("Y", lambda: _net().loss([[1]], np.array([[1j]]))),
    "Network.loss Y longdouble": ("Y", lambda: _net().loss([[1]], np.array([[1]], dtype=np.longdouble))),
    "Network.loss loss object": ("loss", lambda: _net().loss([[1]], [[1]], loss=3)),
    "find_spurious_minima network": ("network", lambda: pk.find_spurious_minima("net", [[1]], [[1]])),
    "find_spurious_minima starts": ("starts", lambda: pk.find_spurious_minima(_net(), [[1]], [[1]], starts="3")),
    "find_spurious_minima X nan": ("X", lambda: pk.find_spurious_minima(_net(), [[float("nan")]], [[1]])),
    "find_spurious_minima scale": ("scale", lambda: pk.find_spurious_minima(_net(), [[1]], [[1]], scale=float("inf"))),
    "LazyMatrix.subs key": ("subs", lambda: pk.LazyMatrix([[x]], [x]).subs({1: 2})),
    "LazyMatrix.subs value": ("subs", lambda: pk.LazyMatrix([[x]], [x]).subs({x: sympy.I})),
    "Objective.select params": ("params", lambda: _objective().hessian(params=["nope"])),
    "Objective.value digits": ("digits", lambda: _objective().value([1], digits=-1)),
    "check_identity variables": ("variables", lambda: pk.check_identity(x, x, variables=["x"])),
    "check_identity trials": ("trials", lambda: pk.check_identity(x, x, trials="8")),
    "certify_rank_at_least r": ("r", lambda: pk.certify_rank_at_least([[1, 0], [0, 1]], 2.0)),
    "certify_nonsingular backend": ("backend", lambda: pk.certify_nonsingular([[1]], backend="fast")),
    "certify_positive_definite max_prec": ("max_prec", lambda: pk.certify_positive_definite([[1]], max_prec="a")),
    "certify_positive_definite exact_limit": ("exact_limit",
                                              lambda: pk.certify_positive_definite([[1]], exact_limit=None)),
    "certify_critical_point variables": ("variables", lambda: pk.certify_critical_point([x], None, [0], 1,
                                                                                     variables=[1])),
    "certify_spurious_minimum params": ("params", lambda: pk.certify_spurious_minimum(x**2, [x, x], [0, 0],
                                                                                    global_value=0)),
    "certify_spurious_minimum fixed": ("fixed", lambda: pk.certify_spurious_minimum(x**2, [x], [0], global_value=0,
                                                                                  fixed={x: 1j})),
    "is_nondegenerate_on indices": ("indices", lambda: pk.is_nondegenerate_on([[1]], [1])),
    "leibniz_construction k": ("k", lambda: leibniz_construction([[0], [1], [3]], [1, 2, 1], "1")),
    "leibniz_construction widths": ("widths", lambda: leibniz_construction([[0], [1], [3]], [1.0, 2, 1], 1)),
    "Activation variable": ("variable", lambda: pk.Activation("s", t, variable="t")),
    "Loss name": ("name", lambda: pk.Loss(3, "residual", a**2)),
}


@pytest.mark.parametrize("case", sorted(OTHER_ARGUMENTS))
def test_bad_other_arguments(case: str) -> None:
    argument, f = OTHER_ARGUMENTS[case]
    _named(argument, f)
