"""Old certificates still verify: the corpus of first-schema certificates (tests/data/kernel_corpus_v1)."""

import json
import pathlib

import pytest

from proofkit.errors import CertificateRejected
from proofkit.kernel import check_certificate

CORPUS = pathlib.Path(__file__).parent / "data" / "kernel_corpus_v1"
INDEX = json.loads((CORPUS / "index.json").read_text())


def test_the_corpus_covers_every_first_schema_claim_type_and_verdict():
    kinds = {(e["type"], e["verdict"]) for e in INDEX}
    types = {t for t, _ in kinds}
    assert len(types) == 24, sorted(types)  # (the 23 of commit 8a183fe, and teacher_student of f5af8c1)
    for t in ("nonsingular", "rank_at_least", "rank_deficient", "positive_definite", "identity"):
        assert (t, "refuted") in kinds
    assert any(e["source"] == "proofkit check" for e in INDEX)


@pytest.mark.parametrize("entry", INDEX, ids=[e["name"] for e in INDEX])
def test_every_old_certificate_verifies(entry):
    text = (CORPUS / f"{entry['name']}.json").read_text()
    matrix = json.loads((CORPUS / entry["matrix"]).read_text()) if "matrix" in entry else None
    rep = check_certificate(text, matrix=matrix)
    assert rep.ok and rep.verdict == entry["verdict"]


def test_mutants_of_old_certificates_are_rejected_unless_still_true():
    # the translation is outside the trusted logic: a first-schema certificate mutated field by field (hashes
    # recomputed the old way) must not slip a false statement through it
    from proofkit.testing.mutants import legacy_corpus, run_fuzz

    rep = run_fuzz(200, seed=20261207, corpus=legacy_corpus(), legacy=True)
    assert rep.tried == 200 and rep.escaped == [] and rep.accepted_wrongly == [] and rep.accepted_undecided == []
    assert rep.rejected > 100


def test_the_translation_keeps_what_the_old_certificate_says():
    from proofkit.kernel import upgrade

    old = json.loads((CORPUS / "spurious_local_min_on_slice.json").read_text())
    new = upgrade(old)
    assert new["schema"] == "proofkit.certificate/3" and new["reason"] is None and "margin" not in new
    assert new["claim"] == {"type": "local_min", "strict": True, "via": "krawczyk", "dimension": 2, "slice": True,
                            "fixed": ["y"], "compare": "better_point"}
    assert new["inputs"]["radii"][-1] == "0" and new["inputs"]["centers"][-1] == old["inputs"]["fixed"]["y"]
    assert new["inputs"]["better"][-1] == old["inputs"]["fixed"]["y"] and new["evidence"] == {"C": old["evidence"]["C"]}
    rep = check_certificate(json.dumps(old))
    assert rep.certificate.claim == new["claim"]  # the kernel reports the translated claim
    old["input_hash"] = "0" * 64  # the old hash is checked before the translation
    with pytest.raises(CertificateRejected, match="input_hash"):
        check_certificate(json.dumps(old))
