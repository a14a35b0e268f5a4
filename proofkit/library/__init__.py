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

__all__ = ["seed_graph", "TITLE"]

#: The title of the seed library's report.
TITLE = "Results on neural-network loss surfaces: claims, proofs and certificates"


def seed_graph() -> ClaimGraph:
    """Build the seed claim graph (no checker has run yet; call ``check()``)."""
    g = ClaimGraph(title=TITLE)
    for module in (nguyen_hein, yu_chen, kawaguchi, counterexamples, landscapes):
        g.add_claims(module.claims())
    g.add_claims(safran_shamir.claims(safran_shamir.SEED_SIZES))
    g.validate()
    return g
