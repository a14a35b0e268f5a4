"""Where a claim's status comes from: one classification and one legend for every output.

The claim graph derives a *status* for each claim (``"fully established"``,
``"instance certified"``, ...). A reader needs to know more: was the result
taken from the literature (*cited*), proved in its source from recorded
dependencies (*proved in the source*), or checked here by certificates that
the trusted kernel re-checked (*machine-checked*)? This module answers that
from the public API of :class:`~proofkit.claims.ClaimGraph` (``statuses()``,
``claims``, ``certificates``, ``flagged()``), in one place, so that the PDF,
the SVG, the HTML pages, the Markdown summary and the command line all use
the same words, colours and legend.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from proofkit.claims import ClaimGraph

__all__ = ["Provenance", "PROVENANCE", "LEGEND_ORDER", "provenance", "provenances", "legend_rows"]


@dataclass(frozen=True)
class Kind:
    """One class of provenance: its short name, colour and what it means."""

    key: str
    name: str
    colour: str
    dark: bool
    meaning: str


#: The classes of provenance, in the order of the legend.
PROVENANCE: dict[str, Kind] = {k.key: k for k in (
    Kind("checked", "machine-checked", "#1b7837", True,
         "an instance certified by certificates that the trusted kernel re-checked"),
    Kind("proved", "proved in the source", "#92c5de", False,
         "proved in the cited source; the dependencies of its proof are recorded, the proof is not checked here"),
    Kind("cited", "cited", "#e0e0e0", False, "taken from the literature; not checked here"),
    Kind("refuted", "refuted", "#b2182b", True, "refuted by a certified counterexample or a certificate"),
    Kind("unmet", "hypotheses not met", "#fdb863", False,
         "the checker's data violate a hypothesis of the result (expected for the instances marked so)"),
    Kind("inconclusive", "inconclusive", "#fee0b6", False, "certificates could neither confirm nor refute"),
    Kind("failed", "failed", "#67001f", True, "a checker raised an error or the kernel rejected a certificate"),
    Kind("stale", "stale", "#c2a5cf", False,
         "has a checker, but its certificates are missing (never computed, or removed from the saved graph)"),
    Kind("open", "open", "#ffffff", False, "stated, not established (no proof recorded and no certificate)"),
)}
#: Legend order (keys of :data:`PROVENANCE`).
LEGEND_ORDER = tuple(PROVENANCE)

_FROM_STATUS = {"instance certified": "checked", "refuted": "refuted", "hypotheses not met": "unmet",
                "inconclusive": "inconclusive", "failed": "failed", "stale": "stale", "ready": "open",
                "stated": "open"}


@dataclass
class Provenance:
    """The provenance of one claim.

    Attributes
    ----------
    kind : Kind
        One of :data:`PROVENANCE`.
    status : str
        The graph's derived status (kept for machine-readable output).
    complete : bool
        Whether everything the claim rests on is established too (the graph's
        "fully established"); false when some dependency is open or refuted.
    checked_instances : list of str
        Labels of machine-checked instances of this claim.
    flagged : list of str
        Refuted claims this one depends on.
    expected : bool
        Whether the outcome is the one recorded as expected (e.g. a variant refuted on purpose).
    """

    kind: Kind
    status: str
    complete: bool = True
    checked_instances: list[str] = field(default_factory=list)
    flagged: list[str] = field(default_factory=list)
    expected: bool = False

    @property
    def name(self) -> str:
        return self.kind.name

    def detail(self) -> str:
        """One plain-text sentence (no mark-up) for tables and tooltips."""
        parts = [self.kind.name]
        if self.kind.key in ("proved", "cited") and not self.complete:
            parts.append("rests on claims that are not established")
        if self.checked_instances:
            n = len(self.checked_instances)
            parts.append(f"{n} machine-checked instance{'s' if n > 1 else ''}")
        if self.flagged:
            parts.append("depends on refuted " + ", ".join(self.flagged))
        if self.expected:
            parts.append("as expected")
        return "; ".join(parts)


def provenances(graph: ClaimGraph) -> dict[str, Provenance]:
    """The provenance of every claim of ``graph`` (in dependency order).

    Examples
    --------
    >>> from proofkit.claims import Claim, ClaimGraph
    >>> g = ClaimGraph()
    >>> g.add_claim(Claim("A", kind="assumption", statement="$x > 0$", established="cited"))
    >>> g.add_claim(Claim("T", kind="theorem", statement="$x^2 > 0$", uses=["A"], established="proof"))
    >>> {k: p.name for k, p in provenances(g).items()}
    {'A': 'cited', 'T': 'proved in the source'}
    """
    st = graph.statuses()
    instances: dict[str, list[str]] = {}
    for label, claim in graph.claims.items():
        if claim.instance_of and st.get(label) == "instance certified":
            instances.setdefault(claim.instance_of, []).append(label)
    refuted = {lab for lab, s in st.items() if s == "refuted"}
    out: dict[str, Provenance] = {}
    for label, status in st.items():
        claim = graph.claims[label]
        if status in ("fully established", "established"):
            key = "cited" if claim.established == "cited" else "proved"
        else:
            key = _FROM_STATUS.get(status, "open")
        out[label] = Provenance(PROVENANCE[key], status, complete=status != "established",
                                checked_instances=sorted(instances.get(label, [])),
                                flagged=sorted(graph.ancestors(label) & refuted) if refuted else [],
                                expected=claim.expected is not None and claim.expected == status)
    return out


def provenance(graph: ClaimGraph, label: str) -> Provenance:
    """The provenance of one claim (see :func:`provenances`)."""
    graph.claim(label)
    return provenances(graph)[label]


def legend_rows(used: set[str] | None = None) -> list[Kind]:
    """The legend, optionally restricted to the classes in ``used`` (keys)."""
    return [PROVENANCE[k] for k in LEGEND_ORDER if used is None or k in used]
