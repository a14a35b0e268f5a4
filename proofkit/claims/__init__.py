"""Claims and the claim graph."""

from proofkit.claims.claim import KINDS, Claim
from proofkit.claims.graph import ESTABLISHED, STATUSES, CheckReport, ClaimGraph

__all__ = ["Claim", "ClaimGraph", "CheckReport", "ESTABLISHED", "KINDS", "STATUSES"]
