"""The oracle of landscape claims in several variables (proofkit.testing.landscape_oracle), the non-smooth
certificates of the mutation fuzzer's corpus and the non-smooth family of the soundness suite."""

import copy
import json
import random

import pytest
import sympy

from proofkit.testing.forgeries import FORGERIES
from proofkit.testing.landscape_oracle import MEANINGS, judge, resolve
from proofkit.testing.mutants import nonsmooth_certificates, rehash, run_fuzz
from proofkit.testing.oracle import statement_holds


@pytest.fixture(scope="module")
def corpus():
    return [json.loads(c.to_json()) for c in nonsmooth_certificates()]


def _one(corpus, t, **claim):
    return copy.deepcopy(next(c for c in corpus if c["claim"]["type"] == t
                              and all(c["claim"].get(k) == v for k, v in claim.items())))


def test_genuine_nonsmooth_certificates_are_true(corpus):
    variants = {(c["claim"]["type"], c["claim"].get("via") or c["claim"].get("kind") or c["claim"].get("how"),
                 c["claim"].get("slice"), c["claim"].get("compare")) for c in corpus}
    assert len(variants) >= 9
    assert all(statement_holds(c) is True for c in corpus)


@pytest.mark.parametrize("name", list(FORGERIES))
def test_the_forgeries_of_finding_1_are_judged_false(name):
    assert statement_holds(json.loads(FORGERIES[name][0]())) is False


def test_false_landscape_statements(corpus):
    c = _one(corpus, "local_min", slice=False)
    c["inputs"]["centers"][0] = str(sympy.Rational(c["inputs"]["centers"][0]) + 1)  # the box misses x*
    assert judge(c) is False
    c = _one(corpus, "saddle")
    c["inputs"]["negative"], c["inputs"]["positive"] = c["inputs"]["positive"], c["inputs"]["negative"]
    assert judge(c) is False
    c = _one(corpus, "classification", kind="saddle")
    c["claim"]["kind"] = "strict local minimum"
    assert judge(c) is False
    c = _one(corpus, "not_local_min")
    c["inputs"]["direction"] = [str(-sympy.Rational(v)) for v in c["inputs"]["direction"]]  # an ascent direction
    assert judge(c) is False
    c = _one(corpus, "critical_point", slice=True)
    held = [i for i, r in enumerate(c["inputs"]["radii"]) if r == "0"]
    for i in held:  # the slice moved to another branch of the loss
        c["inputs"]["centers"][i] = str(sympy.Rational(c["inputs"]["centers"][i]) + 100)
    rehash(c)
    assert statement_holds(c) is not True


def test_branches_are_resolved_only_when_strictly_decided():
    x, y = sympy.symbols("x y", real=True)
    from fractions import Fraction as F

    box = {x: (F(0), F(1, 2)), y: (F(-1), F(1))}
    assert resolve(sympy.Max(1, x) * y, box) == y
    assert resolve(sympy.Piecewise((3, x < 1), (x, True)), box) == 3
    with pytest.raises(Exception, match="undecided|strict"):
        resolve(sympy.Max(F(1, 2), x), box)  # touches the kink at the box edge


def test_meanings_cover_the_landscape_claim_types():
    assert set(MEANINGS.values()) >= {"unique_zero", "strict_min", "strict_max", "strict_saddle",
                                      "descent_everywhere", "negative_curvature_box", "classification"}


def test_mutation_fuzzer_on_the_nonsmooth_corpus(corpus):
    rep = run_fuzz(400, seed=18, corpus=corpus)
    assert rep.escaped == [] and rep.accepted_wrongly == [] and rep.accepted_undecided == []
    assert rep.rejected > 200 and rep.accepted_still_true > 20


def test_soundness_family_of_nonsmooth_landscapes():
    from proofkit.testing.soundness import CASE_FAMILIES, Case, nonsmooth_landscapes

    assert CASE_FAMILIES["non-smooth landscapes"] is nonsmooth_landscapes
    rng = random.Random(7)
    conclusive = 0
    for _ in range(6):
        for case in nonsmooth_landscapes(rng):
            assert isinstance(case, Case)
            try:
                res = case.run()
            except NotImplementedError:  # sympy series of Max in certify_saddle / not_local_min (reported)
                continue
            if res.verdict != "inconclusive":
                conclusive += 1
                assert (res.verdict == "certified") == case.truth, case.claim
    assert conclusive >= 20


def test_descent_of_a_transcendental_loss_is_judged_by_interval_arithmetic(corpus):
    c = _one(corpus, "not_local_min")
    dag = c["inputs"]["loss"]
    k = len(dag["nodes"])
    dag["nodes"] += [["exp", dag["outputs"][0]]]  # exp(L): the same descent directions
    dag["outputs"] = [k]
    assert judge(copy.deepcopy(c)) is True
    dag["nodes"] += [["const", "-1"], ["mul", k + 1, dag["outputs"][0] - 1], ["exp", k + 2]]  # exp(-L): ascent
    dag["outputs"] = [k + 3]
    assert judge(c) is False
