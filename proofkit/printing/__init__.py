"""Printing: LaTeX with paper-ready defaults."""

from proofkit.printing.latex import LATEX_DEFAULTS, latex

__all__ = ["LATEX_DEFAULTS", "latex"]
