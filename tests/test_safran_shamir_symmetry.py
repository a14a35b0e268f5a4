"""Safran & Shamir's loss through its symmetry: fixed spaces, isotropy read off points, the symmetric search against
the published families, certification of what it finds, and the sweep kind ``safran_shamir_symmetric``."""

import copy

import numpy as np
import pytest
from published_points import published as _published

from proofkit.errors import InvalidInput
from proofkit.kernel import check_certificate
from proofkit.library.safran_shamir import loss_and_grad, related
from proofkit.library.safran_shamir_symmetry import (
    IsotropyPattern,
    certify_symmetric,
    isotropy_pattern,
    symmetric_search,
    two_block_patterns,
)


def _random_symmetries(pattern, rng):
    """A random element (p, q) of Delta(S_p1 x ... x S_pr): the same permutation of each block's rows and columns."""
    p, q = np.arange(pattern.n), np.arange(pattern.k)
    for s, size in zip(pattern.starts_of_blocks(), pattern.blocks):
        perm = s + rng.permutation(size)
        p[s:s + size], q[s:s + size] = perm, perm
    return p, q


def test_patterns_count_their_orbits_and_round_trip():
    for blocks, extra in (((1, 5), 0), ((2, 7), 0), ((3, 3), 1), ((1, 2, 4, 13), 0), ((1, 1, 2, 2, 8), 1), ((6,), 0)):
        pat = IsotropyPattern(blocks, extra)
        idx = pat.orbit_index()
        r = len(blocks)
        assert pat.dimension == r * r + sum(p > 1 for p in blocks) + extra * r == idx.max() + 1
        assert sorted(np.unique(idx).tolist()) == list(range(pat.dimension)) and len(pat.orbit_labels()) == pat.dimension
        v = np.arange(1.0, pat.dimension + 1)
        W = pat.point(v)
        assert W.shape == (pat.n, pat.k) and np.array_equal(pat.values(W), v) and pat.contains(W)
        # the orbits are the group's: every element fixes every point of Fix(H)
        rng = np.random.default_rng(len(blocks))
        for _ in range(5):
            p, q = _random_symmetries(pat, rng)
            assert np.array_equal(W[p][:, q], W)
        if pat.dimension < pat.n * pat.k:
            W2 = W.copy()
            W2[0, -1] += 1.0
            assert not pat.contains(W2)
    assert IsotropyPattern((1, 5)).name == "Δ(S1×S5)" and IsotropyPattern((3, 16), 1).name == "Δ(S3×S16) + 1 unit"
    assert [p.blocks for p in two_block_patterns(5)] == [(1, 4), (2, 3)]
    for bad in ((), (0, 3), (2.0, 1), [1, 2]):
        with pytest.raises(InvalidInput, match="blocks"):
            IsotropyPattern(bad)
    with pytest.raises(InvalidInput, match="extra"):
        IsotropyPattern((2, 2), -1)
    with pytest.raises(InvalidInput, match="values"):
        IsotropyPattern((2, 2)).point([1.0, 2.0])


@pytest.mark.parametrize("blocks,extra", [((1, 5), 0), ((2, 4), 1), ((1, 2, 3), 0)])
def test_the_gradient_at_a_point_of_the_fixed_space_lies_in_it(blocks, extra):
    """The fact the search rests on: grad F is equivariant, so it is fixed by H at a point fixed by H."""
    pat = IsotropyPattern(blocks, extra)
    rng = np.random.default_rng(7)
    W = pat.point(rng.normal(0, 0.5, pat.dimension))
    _, G = loss_and_grad(W[None], pat.k)
    G = G[0]
    assert np.abs(G - pat.point(pat.values(G))).max() < 1e-14 * (1 + np.abs(G).max())
    assert np.abs(G).max() > 1e-3  # not trivially 0
    W2 = W + rng.normal(0, 1e-2, W.shape)  # off the fixed space: the gradient leaves it too
    _, G2 = loss_and_grad(W2[None], pat.k)
    assert np.abs(G2[0] - pat.point(pat.values(G2[0]))).max() > 1e-5


def test_isotropy_read_off_published_points_and_random_ones():
    for task_id, name in (("ss-6-6-f0", "Δ(S1×S5)"), ("ss-9-9-f1", "Δ(S2×S7)"), ("ss-10-11-f0", "Δ(S1×S9) + 1 unit"),
                          ("ss-12-12-f4", "Δ(S6×S6)")):
        _, W = _published(task_id)
        pat, rows, cols = isotropy_pattern(W)
        assert pat.name == name
        X = W[rows][:, cols]
        assert np.abs(pat.point(pat.values(X)) - X).max() < 1e-7  # the published point is within 1e-7 of Fix(H)
    rng = np.random.default_rng(0)
    pat, rows, cols = isotropy_pattern(rng.normal(size=(5, 4)))  # no symmetry: the trivial group
    assert pat.blocks == (1, 1, 1, 1) and pat.extra == 1 and pat.dimension == 20
    A = IsotropyPattern((2, 4)).point([-0.8, 0.1, 0.2, 0.3, 1.0, -0.03])
    p, q = rng.permutation(6), rng.permutation(6)
    pat, rows, cols = isotropy_pattern(A[p][:, q])
    assert pat.blocks == (2, 4) and np.allclose(A[p][:, q][rows][:, cols], A)
    assert isotropy_pattern(A[:4]) is None  # n < k


@pytest.mark.parametrize("task_id,blocks", [("ss-6-6-f0", (1, 5)), ("ss-8-8-f0", (1, 7)), ("ss-9-9-f0", (1, 8)),
                                            ("ss-9-9-f1", (2, 7)), ("ss-8-9-f0", (1, 7))])
def test_the_symmetric_search_finds_the_published_families(task_id, blocks):
    task, W = _published(task_id)
    k, n = task["inputs"]["k"], task["inputs"]["n"]
    found = symmetric_search(k, n, blocks, starts=24, seed=5)
    hits = [c for c in found if related(W, c.W, tol=1e-6)]
    assert len(hits) == 1, [c.loss for c in found]
    c = hits[0]
    assert c.kind == "minimum" and c.lambda_min > 0 and abs(c.loss - float.fromhex(task["inputs"]["F"])) < 1e-9
    assert c.pattern.contains(c.W) and c.step < 1e-12 and c.grad_norm < 1e-13
    assert c.W.shape == (n, k) and np.array_equal(c.W, c.pattern.point(c.values))


def test_larger_isotropy_is_recognised_and_dropped_on_request():
    all_ = symmetric_search(8, 8, (2, 6), starts=24, seed=2)
    sym = [c for c in all_ if c.coarser]
    assert sym and all(c.coarser == "Δ(S8)" for c in sym)  # W = -a I + b J (some with the 2-block's rows swapped)
    for c in sym:
        pat, _, _ = isotropy_pattern(c.W, tol=1e-9)
        assert pat.blocks == (8,)
    proper = symmetric_search(8, 8, (2, 6), starts=24, seed=2, proper=True)
    assert len(proper) == len(all_) - len(sym) and not any(c.coarser for c in proper)


def test_bad_search_input_is_named():
    with pytest.raises(InvalidInput, match="blocks"):
        symmetric_search(6, 6, (2, 3))
    with pytest.raises(InvalidInput, match="k, n"):
        symmetric_search(6, 5, (1, 5))
    with pytest.raises(InvalidInput, match="starts"):
        symmetric_search(6, 6, (1, 5), starts=0)
    with pytest.raises(InvalidInput, match="candidate"):
        certify_symmetric("not a candidate")


@pytest.fixture(scope="module")
def found_16():
    """Critical points of F at (16, 16) with isotropy Delta(S5 x S11): minima and saddles."""
    return symmetric_search(16, 16, (5, 11), starts=24, seed=16, proper=True)


def test_minima_and_saddles_found_in_the_fixed_space_are_certified_in_the_full_space(found_16):
    kinds = {c.kind for c in found_16}
    assert kinds == {"minimum", "saddle"}
    for c in (next(c for c in found_16 if c.kind == "minimum"), next(c for c in found_16 if c.kind == "saddle")):
        res = certify_symmetric(c)
        cert = res.certificate
        assert cert.verdict == "certified", cert.reason
        assert res.kind == ("spurious local minimum" if c.kind == "minimum" else "strict saddle")
        assert not res.polished and res.distance == 0.0 and res.contains_point
        assert check_certificate(cert.to_json()).ok and len(cert.to_json()) < 20_000


def test_sweep_kind_certifies_and_binds_to_the_fixed_space():
    from proofkit.sweep.binding import derive_record
    from proofkit.sweep.execute import execute

    task = {"id": "sym-9", "kind": "safran_shamir_symmetric", "inputs": {"k": 9, "blocks": [2, 7], "starts": 16,
                                                                          "seed": 1}}
    rec = execute(task)
    assert rec["outcome"] == "certified", rec
    v = rec["values"]
    assert v["certified_minima"] >= 1 and any(abs(f - 0.037489) < 1e-6 for f in v["F"])
    assert derive_record(task, rec["certificates"]).outcome == "certified"
    # the same certificates are not about another group's fixed space, nor another size
    other = copy.deepcopy(task)
    other["inputs"]["blocks"] = [3, 6]
    d = derive_record(other, rec["certificates"])
    assert d.outcome == "rejected" and "fixed space" in d.problems[0]
    bigger = copy.deepcopy(task)
    bigger["inputs"]["n"] = 10
    bigger["inputs"]["blocks"] = [2, 7]
    assert derive_record(bigger, rec["certificates"]).outcome == "rejected"


def test_sweep_kind_names_bad_inputs():
    from proofkit.sweep.kinds import decode_inputs

    good = {"k": 6, "blocks": [1, 5]}
    for change, field in (({"blocks": [1, 4]}, "blocks"), ({"blocks": [0, 6]}, "blocks"), ({"blocks": "1,5"}, "blocks"),
                          ({"n": 5}, "n"), ({"k": 61}, "k"), ({"proper": "yes"}, "proper"), ({"starts": 0}, "starts")):
        with pytest.raises(InvalidInput, match=field):
            decode_inputs("safran_shamir_symmetric", {**good, **change})
    _, args = decode_inputs("safran_shamir_symmetric", good)
    assert args["n"] == 6 and args["blocks"] == (1, 5) and args["proper"] is True
