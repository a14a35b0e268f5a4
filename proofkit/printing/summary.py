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
    """Markdown with a coverage table (established / certified / refuted / open) and every claim's status."""
    cov = graph.coverage()
    established = cov["fully established"] + cov["established"]
    open_ = cov["stated"] + cov["ready"] + cov["inconclusive"]
    lines = [f"# {title}", "", "| established | instance certified | refuted | failed | hypotheses not met | open | total |",
             "|---|---|---|---|---|---|---|",
             f"| {established} | {cov['instance certified']} | {cov['refuted']} | {cov['failed']} | "
             f"{cov['hypotheses not met']} | {open_} | {len(graph)} |", "",
             "| claim | kind | status | note |", "|---|---|---|---|"]
    for label, kind, status, note in status_table(graph):
        lines.append(f"| {label} | {kind} | {status} | {note.replace('|', '/')[:200]} |")
    return "\n".join(lines) + "\n"
