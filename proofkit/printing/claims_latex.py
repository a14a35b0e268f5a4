"""LaTeX for claims, certificates and whole claim graphs (amsthm), and compiling it with pdflatex.

The report itself is built by :mod:`proofkit.printing.report`; this module keeps the
fragment-level helpers (one claim, one certificate) used by notebooks and ``_repr_latex_``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from proofkit.printing.mathtext import escape_latex as escape
from proofkit.printing.report import compile_pdf, marked_latex, report_document, statement_latex

if TYPE_CHECKING:  # pragma: no cover
    from proofkit.claims import Claim, ClaimGraph

__all__ = ["claim_fragment", "certificate_latex", "graph_document", "compile_pdf", "escape", "spurious_minimum_latex"]


def claim_fragment(claim: Claim, status: str | None = None, flagged: list[str] | None = None) -> str:
    """A claim as a self-contained amsthm-free LaTeX paragraph: bold heading, source, statement, status.

    Examples
    --------
    >>> from proofkit.claims import Claim
    >>> print(claim_fragment(Claim("T1", kind="theorem", statement="$1 + 1 = 2$", source="folklore")))
    \\textbf{Theorem (T1; folklore).} $1 + 1 = 2$
    """
    head = escape(claim.title or claim.label)
    if not claim.title:
        head = f"{claim.kind.capitalize()} ({head}"
        head += f"; {escape(claim.source)})" if claim.source else ")"
    elif claim.source:
        head += f" ({escape(claim.source)})"
    text = rf"\textbf{{{head}.}} " + (statement_latex(claim.statement) if claim.statement else r"\emph{(no statement)}")
    if status:
        text += rf" \textsf{{[{escape(status)}]}}"
    if flagged:
        text += r" \emph{Depends on refuted: " + escape(", ".join(flagged)) + "}"
    if claim.note:
        text += r" \emph{Remark:} " + marked_latex(claim.note)
    return text


def certificate_latex(cert: Any, title: str = "Certificate") -> str:
    """A certificate as LaTeX text: what it certifies, verdict, method, precision, margin, the values once."""
    from proofkit.printing.certificates import describe
    from proofkit.printing.report import _item_latex

    return "\n".join([rf"\paragraph{{{escape(title)}}}"] + [_item_latex(i) for i in describe(cert)])


def graph_document(graph: ClaimGraph, title: str | None = None, **kwargs: Any) -> str:
    """The complete LaTeX report (see :func:`proofkit.printing.report.report_document`; the title defaults to the
    graph's)."""
    return report_document(graph, title, **kwargs)


def spurious_minimum_latex(cert: Any, digits: int = 20) -> str:
    """LaTeX of a spurious-minimum certificate: the point (``digits`` digits), box radius, enclosures, data."""
    from proofkit.printing.certificates import describe
    from proofkit.printing.report import _item_latex

    wanted = {"box centre", "box radius", "better point", "loss", "lower bound of the loss on the box",
              "certified gap", "loss at the better point", "margin", "Krawczyk image"}
    return "\n".join(_item_latex(i) for i in describe(cert, min(digits, 16)) if i.caption in wanted)
