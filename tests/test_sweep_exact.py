"""The task-file expression grammar (proofkit.sweep.exact): every operation of the stored-expression format is
writable, conditions stand only in Piecewise, inverse hyperbolic functions are read as their logarithms."""

from __future__ import annotations

import mpmath
import pytest
import sympy

from proofkit.errors import InvalidInput
from proofkit.kernel import dag as kernel_dag
from proofkit.sweep import exact
from proofkit.sweep.execute import execute
from proofkit.symbolic.dag import to_dag


def _kernel_operations() -> set[str]:
    """Every operation the kernel's decoder accepts, read from its operation tables (not listed here by hand)."""
    leaves_and_arithmetic = {"var", "const", "pi", "E", "add", "mul", "pow"}
    return set(kernel_dag.UNARY_OPS) | set(kernel_dag.NONSMOOTH_OPS) | set(kernel_dag.CONDITION_OPS) \
        | leaves_and_arithmetic


@pytest.mark.parametrize("op", sorted(_kernel_operations()))
def test_every_kernel_operation_is_writable_in_a_task_file(op):
    assert op in exact.SPELLINGS, f"the kernel's operation {op!r} has no spelling in the task-file grammar"
    text, at, want = exact.SPELLINGS[op]
    expr = exact.expression(text, "loss")
    x, y = sympy.symbols("x y")
    assert expr.subs({x: sympy.Rational(at[0]), y: sympy.Rational(at[1])}) == sympy.sympify(want), text
    if op in exact.NORMALISED_CONDITIONS:  # sympy stores an equivalent condition (checked by the value above)
        return
    params = sorted(expr.free_symbols, key=lambda s: s.name)
    stored = kernel_dag.decode_dag(to_dag([expr], params))
    assert op in {node[0] for node in stored.nodes}, f"{text!r} does not store the operation {op!r}"


def test_the_operation_tables_are_the_decoders():
    """The enumeration above must cover every operation the decoder knows: an operation the decoder accepts but
    the tables omit would escape the test. Every other name is rejected by the decoder."""
    ops = _kernel_operations()
    for op in ("acosh", "relu", "Max", "sqrt"):
        assert op not in ops
        with pytest.raises(Exception, match="unknown operation"):
            kernel_dag.decode_dag({"format": kernel_dag.DAG_FORMAT, "inputs": ["x"],
                                   "nodes": [["var", 0], [op, 0]], "outputs": [1]})


@pytest.mark.parametrize("name, value, reference", [
    ("asin", "1/3", mpmath.asin), ("acos", "1/3", mpmath.acos), ("asinh", "-2", mpmath.asinh),
    ("acosh", "5/2", mpmath.acosh), ("atanh", "1/3", mpmath.atanh), ("sec", "1/3", mpmath.sec),
    ("coth", "2", mpmath.coth), ("sign", "-3", mpmath.sign),
])
def test_functions_read_with_their_real_values(name, value, reference):
    expr = exact.expression(f"{name}(x)", "loss")
    x = sympy.Symbol("x")
    assert not expr.has(sympy.asinh, sympy.acosh, sympy.atanh, sympy.sec, sympy.coth)
    q = sympy.Rational(value)
    got = expr.subs(x, q).evalf(40)
    with mpmath.workdps(50):
        want = reference(mpmath.mpf(int(q.p)) / int(q.q))
        assert abs(mpmath.mpf(str(got)) - want) < mpmath.mpf(10) ** -35


def test_piecewise_heaviside_and_comparisons():
    x, y = sympy.symbols("x y")
    e = exact.expression("Piecewise((x, x > 0), (-x/2, True)) + Heaviside(y, 1)", "loss")
    assert e.subs({x: -2, y: 0}) == 2
    e = exact.expression("Piecewise((1, And(x >= 0, Not(y < 1))), (0, True))", "loss")
    assert e.subs({x: 0, y: 1}) == 1 and e.subs({x: 0, y: sympy.Rational(1, 2)}) == 0
    for bad, match in [("x > 0", "scalar"), ("exp(x > 0)", "Piecewise conditions"), ("x == 1", "'=='"),
                       ("Piecewise((x, x), (1, True))", "a condition"), ("True", "scalar"),
                       ("Piecewise((x, x > 0), (1, True)) > 1", "scalar"), ("x < 1 < 2", "loss")]:
        with pytest.raises(InvalidInput, match=match):
            exact.expression(bad, "loss")


def test_new_functions_reach_a_certifier_through_a_task():
    # the critical point is (sin(1/2), tanh(1/4)); the task gives decimals near it
    rec = execute({"kind": "critical_point", "inputs": {"loss": "(asin(x) - 1/2)**2 + (atanh(y) - 1/4)**2",
                                                        "variables": ["x", "y"],
                                                        "point": ["0.479425538604203", "0.2449186624037092"],
                                                        "radius": "1e-9"}})
    assert rec["outcome"] == "certified", rec["message"]
    assert all(k["ok"] for k in rec["kernel"])
