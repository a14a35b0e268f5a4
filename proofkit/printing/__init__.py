"""Printing: LaTeX with paper-ready defaults, the PDF report, the graph, the HTML blueprint.

* :func:`latex` (with ``notation="network"``) and :class:`ProofkitLatexPrinter`;
* :func:`~proofkit.printing.report.report_document` and :func:`~proofkit.printing.report.compile_pdf`;
* :func:`~proofkit.printing.graphviz.to_dot` and :func:`~proofkit.printing.graphviz.to_svg`;
* :func:`~proofkit.printing.html.write_html`;
* :func:`provenances`: where each status comes from, with the one legend every output uses;
* :mod:`~proofkit.printing.statements`: claims and kernel reports in words (the kernel makes none).
"""

from proofkit.printing import statements  # noqa: F401  (registers the certificates' "reason" hook)
from proofkit.printing.latex import LATEX_DEFAULTS, ProofkitLatexPrinter, latex
from proofkit.printing.provenance import PROVENANCE, provenances

__all__ = ["LATEX_DEFAULTS", "PROVENANCE", "ProofkitLatexPrinter", "latex", "provenances"]
