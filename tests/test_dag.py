"""The stored-expression format: exact encoding and the kernel's strict decoder."""

import copy

import pytest
import symengine as se
import sympy

from proofkit.errors import CertificateRejected, InvalidInput
from proofkit.kernel.dag import decode_dag, parse_rational
from proofkit.symbolic.dag import exact_rational_text, from_dag, to_dag

x, y = sympy.symbols("x y")


def test_floats_are_stored_as_the_binary_numbers_they_are():
    d = to_dag(x - 1.0000000000000002, [x])
    consts = [n[1] for n in d["nodes"] if n[0] == "const"]
    assert consts == ["-4503599627370497/4503599627370496"]
    assert from_dag(d, [x])[0] == x - sympy.Rational(4503599627370497, 4503599627370496)
    assert exact_rational_text(0.1) != "1/10"


def test_round_trip_of_every_supported_node():
    exprs = [sympy.exp(x) * sympy.log(y) + sympy.sin(x) ** 3 - sympy.sqrt(y) / 7,
             sympy.Max(x, y, 0) + sympy.Min(x, 2) + sympy.Abs(x) * sympy.sign(y),
             sympy.tanh(x) + sympy.atan(y) + sympy.acos(x) + sympy.erf(y) + sympy.cosh(x) + sympy.pi + sympy.E,
             sympy.Piecewise((x, (x < 0) & (y >= 1)), (y**2, sympy.Not(x > 3)), (1, True)),
             sympy.Heaviside(x) + sympy.Heaviside(y, 0)]
    back = from_dag(to_dag(exprs, [x, y]), [x, y])
    for a, b in zip(exprs, back, strict=True):
        assert sympy.simplify(a - b) == 0


def test_symengine_expressions_and_shared_subexpressions():
    sx, sy = se.symbols("x y")
    e = se.exp(sx * sy) + (sx * sy) ** 2 + se.RealDouble(0.1) * sx
    d = to_dag(e, [x, y])
    assert sum(1 for n in d["nodes"] if n[0] == "mul" and n[1:] in ([0, 1], [1, 0])) <= 1
    back = from_dag(d, [x, y])[0]
    assert sympy.expand(back - (sympy.exp(x * y) + (x * y) ** 2 + sympy.Rational(0.1) * x)) == 0


@pytest.mark.parametrize("bad", [sympy.Derivative(sympy.re(x), x), sympy.re(x), sympy.sech(x),
                                 sympy.Function("f")(x), x + sympy.Symbol("z"), sympy.oo * x, sympy.I * x])
def test_unsupported_nodes_are_named_errors(bad):
    with pytest.raises(InvalidInput, match="expression"):
        to_dag(bad, [x])


def test_deep_expression_does_not_hit_the_recursion_limit():
    sx = se.Symbol("x")
    e = sx
    for k in range(5000):
        e = se.sin(e) if k % 2 else e + k
    d = to_dag(e, [x])
    assert len(d["nodes"]) > 5000


GOOD = {"format": "proofkit.dag/1", "inputs": ["x"], "nodes": [["var", 0], ["const", "1/2"], ["mul", 0, 1]],
        "outputs": [2]}


def _mutants():
    out = []
    for path, value in [(("format",), "proofkit.dag/2"), (("inputs",), ["x", "x"]), (("nodes", 2, 1), 2),
                        (("nodes", 2, 1), -1), (("nodes", 2, 1), True), (("nodes", 1, 1), "2/4"),
                        (("nodes", 1, 1), "0.5"), (("nodes", 1, 1), "1/0"), (("nodes", 1, 1), 1),
                        (("nodes", 1, 1), "+1"), (("nodes", 2, 0), "div"), (("nodes", 0, 1), 1),
                        (("outputs",), [3]), (("outputs",), []), (("nodes",), []),
                        (("nodes", 1, 1), "9" * 50_000)]:
        m = copy.deepcopy(GOOD)
        target = m
        for k in path[:-1]:
            target = target[k]
        target[path[-1]] = value
        out.append(m)
    extra = copy.deepcopy(GOOD)
    extra["hash"] = "x"
    out += [extra, None, [], "text", {**GOOD, "nodes": [["var", 0], ["lt", 0, 0], ["add", 0, 1]]},
            {**GOOD, "nodes": [["var", 0], ["piecewise", 0, 0]], "outputs": [1]},
            {**GOOD, "nodes": [["var", 0], ["exp", 0, 0]], "outputs": [1]},
            {**GOOD, "nodes": [["var", 0], ["true"]], "outputs": [1]}]
    return out


@pytest.mark.parametrize("bad", _mutants())
def test_decoder_rejects_malformed_graphs(bad):
    with pytest.raises(CertificateRejected):
        decode_dag(bad)


def test_decoder_accepts_the_good_graph_and_checks_counts():
    assert decode_dag(GOOD, n_inputs=1, n_outputs=1).outputs == (2,)
    with pytest.raises(CertificateRejected):
        decode_dag(GOOD, n_inputs=2)
    assert parse_rational("-7/3") == sympy.Rational(-7, 3) or str(parse_rational("-7/3")) == "-7/3"
