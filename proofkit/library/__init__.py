"""The seed library: results on loss surfaces as one claim graph with instance checkers.

Examples
--------
>>> g = seed_graph()
>>> g.status("NH17:lemma2.1")
'fully established'
"""

from __future__ import annotations

from proofkit.claims import ClaimGraph
from proofkit.library import counterexamples, kawaguchi, landscapes, nguyen_hein, safran_shamir, yu_chen

__all__ = ["seed_graph", "TITLE", "no_certificates"]

#: The title of the seed library's report.
TITLE = "Results on neural-network loss surfaces: claims, proofs and certificates"


def no_certificates() -> list:
    """The declaration of a claim without checker (cited, or proved in its source): it holds no certificate."""
    return []


def seed_graph() -> ClaimGraph:
    """Build the seed claim graph (no checker has run yet; call ``check()``).

    Every claim declares the certificates it may hold (:mod:`proofkit.claims.expect`): its checker's, or none at
    all for a claim without checker, so that no certificate moved into a saved copy of this graph counts.
    """
    g = ClaimGraph(title=TITLE)
    for module in (nguyen_hein, yu_chen, kawaguchi, counterexamples, landscapes):
        g.add_claims(module.claims())
    g.add_claims(safran_shamir.claims(safran_shamir.SEED_SIZES))
    for claim in g.claims.values():
        if claim.checker is None and claim.expects is None:
            claim.expects = no_certificates
    g.validate()
    return g
