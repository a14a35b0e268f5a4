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


# -- hostile arguments of the landscape certifiers and the search (each once raised a raw exception) --------------
_y = sympy.Symbol("y")
_SADDLE = x**2 - _y**2
_DW = (x**2 - 1) ** 2 + x / 4
_ROT = (t, [x * sympy.cos(t) - _y * sympy.sin(t), x * sympy.sin(t) + _y * sympy.cos(t)])
_CON = lambda: leibniz_construction([[0], [1], [3]], [1, 2, 1], 1)  # noqa: E731


def _lifted(**kw: Any) -> Any:
    return pk.certify_lifted_minimum(**{"loss": (x**2 + _y**2 - 1) ** 2, "params": [x, _y], "point": [1, 0],
                                        "fixed": [_y], "symmetry": _ROT, **kw})


def _search(**kw: Any) -> Any:
    return pk.find_spurious_minima(**{"loss": _DW, "starts": 2, **kw})


HOSTILE_ARGUMENTS: dict[str, tuple[str, Callable[[], Any]]] = {
    "certify_local_min params 0-d array": ("params", lambda: pk.certify_local_min(_SADDLE, np.array(1.0), [0, 0])),
    "certify_local_min params object": ("params", lambda: pk.certify_local_min(_SADDLE, object(), [0, 0])),
    "certify_local_min loss float16 nan": ("loss", lambda: pk.certify_local_min(np.float16("nan"), [x], [0])),
    "certify_local_min point set": ("point", lambda: pk.certify_local_min(_SADDLE, [x, _y], {0, 1})),
    "certify_saddle radius 2-D": ("radius", lambda: pk.certify_saddle(_SADDLE, [x, _y], [0, 0], radius=np.eye(2))),
    "certify_saddle direction set": ("direction", lambda: pk.certify_saddle(x**3 + _y**2, [x, _y], [0, 0],
                                                                           direction={1, 2})),
    "certify_saddle curve not rational": ("curve", lambda: pk.certify_saddle(x**3 + _y**2, [x, _y], [0, 0],
                                                                            curve=[sympy.sin(t), t])),
    "certify_saddle curve string": ("curve", lambda: pk.certify_saddle(x**3 + _y**2, [x, _y], [0, 0], curve="tt")),
    "certify_not_local_min radius array": ("radius", lambda: pk.certify_not_local_min(
        x + _y**2, [x, _y], [0, 0], radius=np.array([2**62, -1], dtype=np.int64))),
    "classify_critical_point residuals bool": ("residuals", lambda: pk.classify_critical_point(
        _SADDLE, [x, _y], [0, 0], residuals=True)),
    "classify_critical_point symmetry nan": ("symmetry", lambda: pk.classify_critical_point(
        _SADDLE, [x, _y], [0, 0], symmetry=float("nan"))),
    "certify_lifted_minimum fixed None": ("fixed", lambda: _lifted(fixed=None)),
    "certify_lifted_minimum fixed 0-d": ("fixed", lambda: _lifted(fixed=np.array(1))),
    "certify_lifted_minimum symmetry number": ("symmetry", lambda: _lifted(symmetry=2**64)),
    "certify_lifted_minimum radius 0-d nan": ("radius", lambda: _lifted(radius=np.array(float("nan")))),
    "certify_spurious_minimum fixed list": ("fixed", lambda: pk.certify_spurious_minimum(
        _DW, [x], [1], global_value=0, fixed=[x])),
    "certify_spurious_minimum point object": ("point", lambda: pk.certify_spurious_minimum(
        _DW, [x], object(), global_value=0)),
    "certify_spurious_minimum point 2-D": ("point", lambda: pk.certify_spurious_minimum(
        _DW, [x], np.ones((1, 1)), global_value=0)),
    "certify_spurious_minimum max_prec huge": ("max_prec", lambda: pk.certify_spurious_minimum(
        _DW, [x], [1], global_value=0, max_prec=10**9)),
    "certify_spurious_minimum refine": ("refine", lambda: pk.certify_spurious_minimum(
        _DW, [x], [1], global_value=0, refine="no")),
    "certify_spurious_minimum malformed DAG": ("loss", lambda: pk.certify_spurious_minimum(
        {"format": "proofkit.dag/1", "inputs": ["x"], "nodes": [["var", 7]], "outputs": [0]}, None, [1],
        global_value=0)),
    "certify_critical_point fixed number": ("fixed", lambda: pk.certify_critical_point(
        [_DW.diff(x)], None, [1], 0.1, variables=[x], fixed=3)),
    "certify_critical_point variables 0-d": ("variables", lambda: pk.certify_critical_point(
        [_DW.diff(x)], None, [1], 0.1, variables=np.array(1))),
    "certify_critical_point max_prec numpy huge": ("max_prec", lambda: pk.certify_critical_point(
        [_DW.diff(x)], None, [1], 0.1, variables=[x], max_prec=np.uint64(2**64 - 1))),
    "certify_strict_local_min loss list": ("loss", lambda: pk.certify_strict_local_min(
        [_DW.diff(x)], None, [1], 0.1, variables=[x], loss=[x])),
    "certify_strict_local_min loss nan": ("loss", lambda: pk.certify_strict_local_min(
        [_DW.diff(x)], None, [1], 0.1, variables=[x], loss=np.float16("nan"))),
    "certify_identity lhs 0-d array": ("lhs", lambda: certify_identity(np.array(x), [x], [x])),
    "certify_identity variables 0-d": ("variables", lambda: certify_identity([x], [x], np.array(1))),
    "certify_identity prec": ("prec", lambda: certify_identity([x], [x], [x], prec=float("inf"))),
    "certify_leibniz_witness construction": ("construction", lambda: __import__(
        "proofkit.certify.leibniz", fromlist=["x"]).certify_leibniz_witness(None, 40)),
    "certify_leibniz_alpha0 prec": ("prec", lambda: __import__(
        "proofkit.certify.leibniz", fromlist=["x"]).certify_leibniz_alpha0(_CON(), 40, prec="128")),
    "certify_leibniz_alpha0 alpha0 nan": ("alpha0", lambda: __import__(
        "proofkit.certify.leibniz", fromlist=["x"]).certify_leibniz_alpha0(_CON(), float("nan"))),
    "certify_nonsingular max_prec huge": ("max_prec", lambda: pk.certify_nonsingular([[1]], max_prec=2**20)),
    "certify_nonsingular backend list": ("backend", lambda: pk.certify_nonsingular([[1]], backend=["exact"])),
    "enclose_det max_prec nan": ("max_prec", lambda: pk.enclose_det([[1]], max_prec=float("nan"))),
    "certify_indefinite max_prec": ("max_prec", lambda: pk.certify_indefinite([[1]], max_prec=None)),
    "enclose_eigenvalues max_prec": ("max_prec", lambda: pk.enclose_eigenvalues([[1]], max_prec=10**400)),
    "find_spurious_minima sampler": ("sampler", lambda: _search(sampler=2.0)),
    "find_spurious_minima symmetry": ("symmetry", lambda: _search(symmetry="none")),
    "find_spurious_minima symmetry wrong shape": ("symmetry", lambda: _search(symmetry=lambda v: v[:0])),
    "find_spurious_minima seed negative": ("seed", lambda: _search(seed=-1)),
    "find_spurious_minima starts huge": ("starts", lambda: _search(starts=10**400)),
    "find_spurious_minima scale huge": ("scale", lambda: _search(scale=10**400)),
    "find_spurious_minima tol huge": ("tol", lambda: _search(tol=10**400)),
}


@pytest.mark.parametrize("case", sorted(HOSTILE_ARGUMENTS))
def test_hostile_arguments_of_certifiers(case: str) -> None:
    argument, f = HOSTILE_ARGUMENTS[case]
    with pytest.raises(pk.errors.InvalidInput) as info:  # a named error about the argument, not a kernel rejection
        f()
    assert argument in str(info.value), f"the message does not name {argument!r}: {info.value}"


# losses that are not analytic at the point: each certifier says so (inconclusive), no raw KinkInBox/NotImplementedError
_KINKED = {"max": sympy.Max(x**2, _y**2) - 2 * _y**2, "abs": sympy.Abs(x) ** 3 - _y**4,
           "piecewise": sympy.Piecewise((x**3, x > 0), (-(x**3), True)) - _y**4, "min": sympy.Min(x, _y) ** 3,
           "pole": 1 / x + _y**2}
_AT_THE_POINT: dict[str, Callable[[Any], Any]] = {
    "certify_not_local_min": lambda L: pk.certify_not_local_min(L, [x, _y], [0, 0]),
    "certify_not_local_min direction": lambda L: pk.certify_not_local_min(L, [x, _y], [0, 0], direction=[0, 1]),
    "certify_not_local_min curve": lambda L: pk.certify_not_local_min(L, [x, _y], [0, 0], curve=[t, t**2]),
    "certify_not_local_min radius": lambda L: pk.certify_not_local_min(L, [x, _y], [0, 0], radius=0.1),
    "certify_saddle": lambda L: pk.certify_saddle(L, [x, _y], [0, 0]),
    "classify_critical_point": lambda L: pk.classify_critical_point(L, [x, _y], [0, 0]),
    "classify_critical_point curve": lambda L: pk.classify_critical_point(L, [x, _y], [0, 0], curve=[t, t**2]),
    "certify_local_min": lambda L: pk.certify_local_min(L, [x, _y], [0, 0]),
    "certify_lifted_minimum": lambda L: pk.certify_lifted_minimum(L, [x, _y], [0, 0], [_y], _ROT),
}


@pytest.mark.parametrize("loss", sorted(_KINKED))
@pytest.mark.parametrize("func", sorted(_AT_THE_POINT))
def test_loss_not_analytic_at_the_point_is_inconclusive(func: str, loss: str) -> None:
    c = _AT_THE_POINT[func](_KINKED[loss])
    assert c.verdict == "inconclusive"
    assert pk.check_certificate(c.to_json()).ok


def test_kink_at_the_point_names_the_node() -> None:
    c = pk.classify_critical_point(_KINKED["abs"], [x, _y], [0, 0])
    assert c.claim["reason_code"] == "not analytic" and "not analytic at the point" in c.reason and "abs" in c.reason
    c = pk.certify_saddle(_KINKED["max"], [x, _y], [0, 0])
    assert "max switches" in c.reason
    c = pk.certify_not_local_min(_KINKED["min"], [x, _y], [0, 0], curve=[t, t**2])
    assert "min at a kink" in c.reason  # the Taylor series in Arb refuses the kink; sympy never expands Min


def test_search_with_a_kink_near_a_candidate_does_not_raise() -> None:
    # the refinement's high-precision step meets the kink of Max at 5 (the minimum of the well is far from it)
    rep = pk.find_spurious_minima(_DW + sympy.Max(0, x - 5) * sympy.E, starts=6, scale=1.5)
    assert len(rep.certified) == 1


def test_numpy_integers_beyond_2_53_stay_exact() -> None:
    big = np.array([2**62 + 1, 2**63 + 1], dtype=np.uint64)
    c = pk.certify_not_local_min(x**2 * _y - _y**4, [x, _y], big)
    assert c.certified and c.inputs["centers"] == [str(2**62 + 1), str(2**63 + 1)]


def test_precision_bounds() -> None:
    assert pk.certify_nonsingular([[1, 2], [3, 4]], max_prec=np.int64(65536)).certified
    with pytest.raises(pk.errors.InvalidInput, match="max_prec.*53..65536"):
        pk.certify_nonsingular([[1, 2], [3, 4]], max_prec=65537)
