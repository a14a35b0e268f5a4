import json

import pytest
import sympy

from proofkit import Network
from proofkit.certify import certify_spurious_minimum
from proofkit.certify.search import find_spurious_minima
from proofkit.errors import CertificateRejected, InvalidInput
from proofkit.kernel import check_certificate
from proofkit.library.counterexamples import NARROW_SIGMOID_DATA, narrow_counterexample

x, y = sympy.symbols("x y")
WELL = (x**2 - 1) ** 2 + x / 4 + (y - x) ** 2  # minima near x = +-1, the one at +1 is spurious


def test_tilted_double_well_is_certified_and_rechecked():
    c = certify_spurious_minimum(WELL, [x, y], [0.97, 0.97], better_point=[-1.03, -1.03])
    assert c.verdict == "certified"
    assert check_certificate(c.to_json()).ok
    d = json.loads(c.to_json())
    d["inputs"]["better"] = ["97/100", "97/100"]  # a 'better' point that is not better
    from proofkit.certificate import input_hash

    d["input_hash"] = input_hash({k: v for k, v in d["inputs"].items() if k != "A"})
    with pytest.raises(CertificateRejected):
        check_certificate(json.dumps(d))


@pytest.mark.parametrize("point", [[0.0, 0.0], [-0.03, -0.03]])
def test_saddles_and_maxima_are_never_certified(point):
    # near x = 0 the well has a local maximum in x (a saddle of WELL)
    c = certify_spurious_minimum(WELL, [x, y], point, better_point=[-1.03, -1.03])
    assert c.verdict == "inconclusive"


def test_local_maximum_is_never_certified():
    f = -(x**2) - (y**2) + x**4 / 10
    assert certify_spurious_minimum(f, [x, y], [0, 0], global_value=-100).verdict == "inconclusive"


def test_shifted_centre_is_refused_without_refinement():
    c = certify_spurious_minimum(WELL, [x, y], [0.97, 0.97], better_point=[-1.03, -1.03], refine=False,
                                 radius=sympy.Rational(1, 10**12))
    assert c.verdict == "inconclusive"


def test_tiny_negative_hessian_eigenvalue_is_refused():
    eps = sympy.Rational(1, 10**9)
    f = x**2 - eps * y**2 + y**4  # at the origin: Hessian diag(2, -2 eps)
    c = certify_spurious_minimum(f, [x, y], [0, 0], global_value=-1, radius=sympy.Rational(1, 10**14))
    assert c.verdict == "inconclusive"


def test_better_point_that_is_not_better_fails():
    c = certify_spurious_minimum(WELL, [x, y], [0.97, 0.97], better_point=[0.9661, 0.9661])
    assert c.verdict == "inconclusive" and "not better" in c.reason


def test_bad_input():
    with pytest.raises(InvalidInput, match="coordinates"):
        certify_spurious_minimum(WELL, [x, y], [0.97], better_point=[-1, -1])
    with pytest.raises(InvalidInput, match="better_point"):
        certify_spurious_minimum(WELL, [x, y], [0.97, 0.97])
    with pytest.raises(InvalidInput, match="finite"):
        certify_spurious_minimum(WELL, [x, y], [float("nan"), 0.97], better_point=[-1, -1])
    with pytest.raises(InvalidInput, match="radius"):
        certify_spurious_minimum(WELL, [x, y], [0.97, 0.97], better_point=[-1, -1], radius=-1)
    kink = sympy.Abs(x) + (y - 1) ** 2
    c = certify_spurious_minimum(kink, [x, y], [0, 1], global_value=-1)
    assert c.verdict == "inconclusive" and "not analytic" in c.reason


def test_narrow_sigmoid_network_counterexample():
    certs = narrow_counterexample([1, 1, 1], "sigmoid", "sigmoid", NARROW_SIGMOID_DATA["X"], NARROW_SIGMOID_DATA["slopes"])
    assert certs and all(c.verdict == "certified" for c in certs)
    for c in certs:
        assert check_certificate(c).ok


def test_search_reports_nothing_for_a_convex_problem():
    net = Network([1, 1], activation="identity", output_activation="identity", bias=True)
    report = find_spurious_minima(net, [[0], [1], [2]], [0, 1, 3], starts=5)
    assert report.certified == []


def test_narrow_tanh_and_deep_sigmoid_counterexamples():
    from proofkit.library.counterexamples import tanh_counterexample

    for certs in (tanh_counterexample(),
                  narrow_counterexample([1, 1, 1, 1], "sigmoid", "sigmoid", NARROW_SIGMOID_DATA["X"],
                                        NARROW_SIGMOID_DATA["slopes"], 3)):
        assert certs and all(c.verdict == "certified" and check_certificate(c.to_json()).ok for c in certs)


def test_search_reports_starts_that_did_not_converge_and_why():
    x = sympy.Symbol("x")
    # unbounded below: every descent leaves the search region; nothing is silently nan
    rep = find_spurious_minima(-(x**2) + x**3 / 100, starts=4)
    assert rep.converged == 0 and rep.failures() == {"left the region": 4}
    assert rep.best_loss != rep.best_loss  # nan: no best point
    assert rep.start_outcomes == {"converged": 0, "left the region": 4}
    assert "start_outcomes={'converged': 0, 'left the region': 4}" in repr(rep) and "left the region" in rep._repr_html_()
    text = str(rep)
    assert "0 converged" in text and "4 left the region" in text and "no start converged" in text
    # a 1-1-1 sigmoid network started far outside the region (scale 100)
    net = Network([1, 1, 1], activation="sigmoid")
    rep = find_spurious_minima(net, [[1], [2]], [[2], [-1]], starts=3, scale=100.0)
    assert rep.failures() == {"started outside the region": 3} and "started outside the region" in str(rep)
    f = rep.failed_starts[0]
    assert len(f.start) == 4 and max(abs(v) for v in f.start) >= 50 and "max |x_i|" in f.detail


def test_search_summary_lists_certified_and_uncertified_candidates():
    x = sympy.Symbol("x")
    rep = find_spurious_minima((x**2 - 1) ** 2 + x / 4, starts=8, scale=1.5)
    assert rep.converged + len(rep.failed_starts) == rep.starts
    assert "certified spurious minima: 1" in rep.summary() and f"{rep.starts} starts" in str(rep)
    assert repr(rep).startswith("SearchReport(") and sum(rep.start_outcomes.values()) == rep.starts
