"""Old certificates still verify: the corpus of first-schema certificates (tests/data/kernel_corpus_v1)."""

import json
import pathlib

import pytest

from proofkit.kernel import check_certificate

CORPUS = pathlib.Path(__file__).parent / "data" / "kernel_corpus_v1"
INDEX = json.loads((CORPUS / "index.json").read_text())


def test_the_corpus_covers_every_first_schema_claim_type_and_verdict():
    kinds = {(e["type"], e["verdict"]) for e in INDEX}
    types = {t for t, _ in kinds}
    assert len(types) == 23, sorted(types)
    for t in ("nonsingular", "rank_at_least", "rank_deficient", "positive_definite", "identity"):
        assert (t, "refuted") in kinds
    assert any(e["source"] == "proofkit check" for e in INDEX)


@pytest.mark.parametrize("entry", INDEX, ids=[e["name"] for e in INDEX])
def test_every_old_certificate_verifies(entry):
    text = (CORPUS / f"{entry['name']}.json").read_text()
    matrix = json.loads((CORPUS / entry["matrix"]).read_text()) if "matrix" in entry else None
    rep = check_certificate(text, matrix=matrix)
    assert rep.ok and rep.verdict == entry["verdict"]
