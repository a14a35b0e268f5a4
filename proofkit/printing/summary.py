"""A Markdown summary of a claim graph: coverage table and one line per claim."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from proofkit.claims import ClaimGraph

__all__ = ["markdown_summary", "status_table"]


def status_table(graph: ClaimGraph) -> list[tuple[str, str, str, str]]:
    """Rows ``(label, kind, status, note)`` in dependency order."""
    st = graph.statuses()
    rows = []
    for label in graph.order():
        note = graph.failures.get(label) or graph.unmet.get(label) or ""
        flagged = graph.flagged(label)
        if flagged:
            note = (note + "; " if note else "") + "depends on refuted " + ", ".join(flagged)
        rows.append((label, graph.claims[label].kind, st[label], note))
    return rows


def markdown_summary(graph: ClaimGraph, title: str = "Claims") -> str:
    """Markdown: the legend of provenance, a coverage table by provenance, and every claim with its
    number in its source, provenance and note.

    Examples
    --------
    >>> from proofkit.claims import Claim, ClaimGraph
    >>> g = ClaimGraph()
    >>> g.add_claim(Claim("A", kind="assumption", title="Assumption 1", statement="$x > 0$", established="cited"))
    >>> "| A | Assumption 1 | cited |" in markdown_summary(g)
    True
    """
    from proofkit.printing.graphviz import plain_to_unicode
    from proofkit.printing.provenance import legend_rows, provenances
    from proofkit.printing.sources import number_claims

    prov = provenances(graph)
    nums = number_claims(graph)
    counts: dict[str, int] = {}
    for p in prov.values():
        counts[p.kind.key] = counts.get(p.kind.key, 0) + 1
    used = legend_rows(set(counts))
    lines = [f"# {title}", "", "| " + " | ".join(k.name for k in used) + " | total |",
             "|" + "---|" * (len(used) + 1), "| " + " | ".join(str(counts[k.key]) for k in used) + f" | {len(graph)} |",
             "", "Legend: " + "; ".join(f"**{k.name}**: {k.meaning}" for k in used) + ".", "",
             "| claim | number | provenance | note |", "|---|---|---|---|"]
    for label, _kind, _status, note in status_table(graph):
        detail = prov[label].detail()
        lines.append(f"| {label} | {nums[label].heading} | {detail} | "
                     f"{plain_to_unicode(note).replace('|', '/')[:200]} |")
    return "\n".join(lines) + "\n"
