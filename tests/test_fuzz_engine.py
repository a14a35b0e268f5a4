"""The kernel evaluator against an independent differentiator: a fixed-seed fuzzing sample and the corpus.

``benchmarks/fuzz_engine.py`` runs the long campaign; this file runs a small fixed-seed sample of it and
replays every DAG that ever failed (``tests/data/engine_fuzz_corpus.json``), each with its box and the truth
at its sample points.
"""

import json
import pathlib
from fractions import Fraction

import pytest

from proofkit.testing.engine_fuzz import Oracle, Tree, check_corpus_entry, load_engine, run_engine_fuzz

CORPUS = json.loads((pathlib.Path(__file__).parent / "data" / "engine_fuzz_corpus.json").read_text())


def test_fixed_seed_sample_has_no_violation():
    rep = run_engine_fuzz(8_000, seed=20261207)
    assert not rep.violations, rep.violations[0]["problems"]
    # the sample exercises what it claims to: derivatives on boxes and points, refusals at kinks
    assert rep.evaluations >= 8_000 and rep.trees >= 40
    assert rep.with_derivatives > 2000 and rep.derivative_checks > 4000 and rep.refusals > 500
    assert rep.by_mode["boxv"][1] > 200 and rep.by_mode["box2"][1] > 200 and rep.value_only_at_nonsmooth > 100


@pytest.mark.parametrize("k", range(len(CORPUS)), ids=[f"corpus{k}" for k in range(len(CORPUS))])
def test_corpus_replays_without_violation(k):
    entry = CORPUS[k]
    enclosed, problems = check_corpus_entry(entry)
    assert not problems, (entry["origin"], problems)
    if entry.get("expect_enclosure"):
        assert enclosed


def test_corpus_holds_the_finding_1_cases():
    origins = [e["origin"] for e in CORPUS]
    assert sum("finding 1" in o for o in origins) >= 7 and sum("010da8f" in o for o in origins) >= 10


def _reintroduce_finding_1(tmp_path):
    """The current evaluator with finding 1 put back (the other factor's blocks used without lifting)."""
    import proofkit.kernel.engine as engine

    src = pathlib.Path(engine.__file__).read_text()
    lifted = "g, h = _lift(tape, i, k, c, G, H, m, order)"
    assert lifted in src
    path = tmp_path / "engine_with_finding_1.py"
    path.write_text(src.replace(lifted, "g, h = G[c], H[c]"))
    return load_engine(str(path))


def test_the_corpus_and_the_fuzzer_catch_finding_1(tmp_path):
    broken = _reintroduce_finding_1(tmp_path)
    caught = sum(bool(check_corpus_entry(e, broken)[1]) for e in CORPUS if "finding 1" in e["origin"])
    assert caught >= 5
    rep = run_engine_fuzz(3000, seed=1, engine=broken)
    assert rep.violations


def test_oracle_on_known_functions():
    # max(1, x0) * x1 (nodes written as in proofkit.dag/1)
    tree = Tree(2, [("const", Fraction(1)), ("var", 0), ("max", 0, 1), ("var", 1), ("mul", 2, 3)], 4)
    o = Oracle(tree)
    t = o.truth((Fraction(1, 5), Fraction(3, 2)))
    assert t.defined and t.differentiable and t.value == Fraction(3, 2) and t.grad == [0, 1]
    assert t.hess == [[0, 0], [0, 0]]
    t = o.truth((Fraction(2), Fraction(3)))
    assert t.grad == [3, 2] and t.hess == [[0, 1], [1, 0]]
    kink = o.truth((Fraction(1), Fraction(3)))
    assert kink.defined and not kink.differentiable and kink.value == 3
    # log(x0 - 1/2): undefined at and below 1/2
    tree = Tree(1, [("var", 0), ("const", Fraction(-1, 2)), ("add", 0, 1), ("log", 2)], 3)
    assert not Oracle(tree).truth((Fraction(1, 2),)).defined
    assert not Oracle(tree).truth((Fraction(0),)).defined
    # sqrt(x0) at 0: defined (a closed domain edge), not differentiable
    tree = Tree(1, [("var", 0), ("pow", 0, Fraction(1, 2))], 1)
    t = Oracle(tree).truth((Fraction(0),))
    assert t.defined and not t.differentiable and t.value == 0
    # piecewise at its boundary: the exact semantics of the comparison decide the value
    tree = Tree(1, [("var", 0), ("const", Fraction(1)), ("le", 0, 1), ("const", Fraction(5)), ("true",),
                    ("piecewise", 1, 2, 3, 4)], 5)
    t = Oracle(tree).truth((Fraction(1),))
    assert t.value == 1 and not t.differentiable


def test_the_oracle_and_the_generator_use_no_proofkit_code():
    import inspect

    from proofkit.testing import engine_fuzz as ef

    for obj in (ef.Tree, ef._Gen, ef.random_tree, ef.Oracle, ef.random_box, ef.box_points):
        code = [line for line in inspect.getsource(obj).splitlines() if not line.strip().startswith(('"', "#"))]
        words = ("import proofkit", "from proofkit", "flint", "kernel.", "engine.", "Tape", "evaluate(")
        assert not any(word in line for line in code for word in words), obj


def test_float_twin_agrees_with_the_oracle():
    from proofkit.testing.engine_fuzz import run_float_fuzz

    compared, problems = run_float_fuzz(60, seed=3)
    assert compared > 150 and problems == [], problems[:3]
