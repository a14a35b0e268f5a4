"""The landscape claims of the library (proofkit.library.landscapes)."""

import pytest
import sympy

from proofkit.errors import AssumptionViolated
from proofkit.kernel import check_certificate
from proofkit.library import landscapes, seed_graph

LABELS = ("NH17:thm3.8:wide-full", "K16:deep-linear", "K16:deep-linear:depth3", "K16:deep-linear:depth4",
          "K16:deep-linear:widths-2221",
          "K16:deep-linear:shallow", "KK19:elimination:instance")


def test_claims_are_in_the_seed_graph():
    g = seed_graph()
    for label in LABELS:
        assert label in g
    assert g.claims["NH17:thm3.8:wide-full"].instance_of == "NH17:thm3.8"
    assert g.claims["KK19:elimination:instance"].instance_of == "KK19:elimination"


@pytest.mark.parametrize("depth, kind, order", [(2, "strict", None), (3, "degenerate", 3), (4, "degenerate", 4)])
def test_deep_linear_origin(depth, kind, order):
    rank, saddle = landscapes.deep_linear_saddle(depth)
    assert rank.claim["rank"] == (2 if depth == 2 else 0)
    assert saddle.certified and saddle.claim["kind"] == kind and saddle.claim.get("order") == order
    if kind == "degenerate":  # L(t, ..., t) - L(0) = -2 (sum x y) t^depth = -14 t^depth
        assert saddle.inputs["negative"]["coefficient"] == "-14"
    for c in (rank, saddle):
        assert check_certificate(c.to_json()).ok


def test_a_single_layer_has_no_saddle_to_show():
    with pytest.raises(AssumptionViolated, match="depth"):
        landscapes.deep_linear_saddle(1)


def test_modified_objective_derivative_in_a():
    th = sympy.Symbol("th")
    L, params = landscapes.modified_objective([th, 2 * th], [1, 2], [1, 1], [th], lam=3)
    a, w, b = params[1:]
    d = sympy.diff(L, a).subs({a: 0})
    expected = 2 * (th - 1) * sympy.exp(w + b) + 2 * (2 * th - 1) * sympy.exp(2 * w + b)
    assert sympy.simplify(d - expected) == 0
    assert L.subs(a, 0) == (th - 1) ** 2 + (2 * th - 1) ** 2


def test_deep_linear_network_with_vector_widths():
    rank, saddle = landscapes.deep_linear_network_saddle()
    assert rank.claim["rank"] == 0 and saddle.certified and saddle.claim["order"] == 3
    assert check_certificate(saddle.to_json()).ok
