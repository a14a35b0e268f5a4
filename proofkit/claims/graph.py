"""The claim graph: structure (:mod:`proofkit.claims.structure`), checker runs
(:mod:`proofkit.claims.runner`), files (:mod:`proofkit.claims.persistence`).

Statuses are derived from the claims, the certificates the kernel accepted for the claims
they are bound to, and the checkers' outcomes; they are computed once per change and never
typed in or loaded from a file.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from proofkit.certificate import Certificate, canonical_json
from proofkit.claims import persistence as store
from proofkit.claims.runner import CheckReport, attach, run_checks
from proofkit.claims.structure import ESTABLISHED, STATUSES, GraphStructure

__all__ = ["ClaimGraph", "CheckReport", "STATUSES", "ESTABLISHED", "GRAPH_SCHEMA"]

GRAPH_SCHEMA = store.GRAPH_SCHEMA


class ClaimGraph(GraphStructure):
    """Claims with their dependencies and kernel-checked certificates.

    Examples
    --------
    >>> from proofkit.claims import Claim
    >>> g = ClaimGraph()
    >>> g.add_claim(Claim("A", kind="assumption", statement="$x > 0$", established="cited"))
    >>> g.add_claim(Claim("T", kind="theorem", statement="$x^2 > 0$", uses=["A"], established="proof"))
    >>> g.status("T")
    'fully established'
    """

    def __repr__(self) -> str:
        """How many claims, by status (``proofkit.printing.display.graph_text``)."""
        from proofkit.printing.display import graph_text

        return graph_text(self)

    def _repr_html_(self) -> str:
        from proofkit.printing.display import graph_html

        return graph_html(self)

    def attach(self, label: str, certificate: Certificate) -> bool:
        """Bind a certificate to a claim and attach it; the kernel re-checks it (a rejection marks the claim failed)."""
        return attach(self, label, certificate)

    def check(self, *, force: bool = False, progress: Callable[[int, int, str], None] | None = None) -> CheckReport:
        """Run the checkers whose claim, checker code or dependencies changed (see :func:`.runner.run_checks`)."""
        return run_checks(self, force=force, progress=progress)

    def to_dict(self) -> dict[str, Any]:
        return store.graph_to_dict(self)

    def to_json(self) -> str:
        """Canonical JSON of the whole graph (claims, certificates, checker outcomes, keys)."""
        return canonical_json(self.to_dict())

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write atomically: a temporary file in the same folder, then a rename."""
        store.save_text(path, self.to_json())

    @classmethod
    def from_json(cls, text: str, checkers: dict[str, Callable[[], Any]] | None = None) -> ClaimGraph:
        """Rebuild a graph; every stored certificate is re-checked by the kernel and against its binding."""
        g = cls()
        store.graph_from_json(g, text, checkers)
        return g

    @classmethod
    def load(cls, path: str | os.PathLike[str], checkers: dict[str, Callable[[], Any]] | None = None) -> ClaimGraph:
        """Load a saved graph (validated; certificates re-checked; bad ones mark their claim failed)."""
        return cls.from_json(store.read_text(path), checkers)

    def merge_results(self, other: ClaimGraph) -> None:
        """Take certificates, keys and outcomes from ``other`` for unchanged claims (for incremental runs); results
        that contradict a checker's declaration are dropped (``self.discarded`` says why) and re-run by :meth:`check`."""
        store.merge_results(self, other)

    def adopt_code(self, code: ClaimGraph) -> list[str]:
        """Give unchanged claims the checkers and declarations of ``code`` (e.g. the seed library) and compare their
        certificates with the declarations; returns the labels adopted (see :func:`.persistence.adopt_code`)."""
        return store.adopt_code(self, code)

    def _repr_svg_(self) -> str:
        from proofkit.printing.graphviz import to_svg

        return to_svg(self)
