"""LaTeX with paper-ready defaults, through one printer for expressions and proofkit objects.

:class:`ProofkitLatexPrinter` is a sympy ``LatexPrinter`` with ``_print_Certificate``,
``_print_Claim``, ``_print_ClaimGraph``, ``_print_LazyMatrix``, ``_print_Network`` and
``_print_IdentityCheck`` (sympy-style dispatch on the class name); :func:`latex` uses it, and
the objects' ``_repr_latex_`` delegate to :func:`repr_latex`. With ``notation="network"``
gradients and Hessian blocks of an Objective print in the papers' notation
(:mod:`proofkit.printing.network_notation`).
"""

from __future__ import annotations

from typing import Any

import sympy
from sympy.printing.latex import LatexPrinter

from proofkit.errors import InvalidInput

__all__ = ["latex", "LATEX_DEFAULTS", "ProofkitLatexPrinter", "repr_latex", "repr_html"]

#: Defaults for :func:`latex`; any sympy ``latex`` setting may be overridden per call.
LATEX_DEFAULTS: dict[str, Any] = {
    "mat_str": "bmatrix",
    "mat_delim": "",
    "mul_symbol": None,
    "fold_short_frac": False,
}
_NOTATIONS = (None, "expanded", "network")


class ProofkitLatexPrinter(LatexPrinter):
    """sympy's LaTeX printer, extended to proofkit's objects (text-mode LaTeX for claims, certificates, graphs)."""

    _default_settings = {**LatexPrinter._default_settings, "notation": None, "layout": "aligned",
                         "form": "entries"}
    printmethod = "_proofkit_latex"

    def _print_LazyMatrix(self, m: Any) -> str:
        if self._settings.get("notation") == "network" and getattr(m, "origin", None) is not None:
            from proofkit.printing.network_notation import network_latex

            if self._settings.get("form") == "generic":
                from proofkit.printing.block_formulas import generic_latex

                return generic_latex(m)

            return network_latex(m, layout=self._settings.get("layout", "aligned"))
        return self._print(m.to_sympy())

    def _print_BlockFormula(self, formula: Any) -> str:
        return formula.latex()

    def _print_Certificate(self, cert: Any) -> str:
        from proofkit.printing.claims_latex import certificate_latex

        return certificate_latex(cert, "Certificate")

    def _print_Claim(self, claim: Any) -> str:
        from proofkit.printing.claims_latex import claim_fragment

        return claim_fragment(claim)

    def _print_ClaimGraph(self, graph: Any) -> str:
        from proofkit.printing.report import report_document

        return report_document(graph)

    def _print_Network(self, net: Any) -> str:
        acts = ", ".join(rf"\mathrm{{{a.name}}}" for a in net.activations)
        widths = ", ".join(map(str, net.widths))
        return (rf"\text{{network }} \mathbb{{R}}^{{{net.widths[0]}}} \to \mathbb{{R}}^{{{net.widths[-1]}}},\ "
                rf"(n_0, \dots, n_{{{net.depth}}}) = ({widths}),\ \sigma_1, \dots, \sigma_{{{net.depth}}} = {acts}"
                + (r",\ \text{with biases}" if net.bias else ""))

    def _print_IdentityCheck(self, res: Any) -> str:
        return rf"\text{{identity {res.verdict} ({res.method})}}"


def latex(obj: Any, notation: str | None = None, **settings: Any) -> str:
    """LaTeX for an expression, a matrix or a proofkit object.

    Parameters
    ----------
    obj : expression, matrix, LazyMatrix, Certificate, Claim, ClaimGraph, Network, IdentityCheck
        What to print. Claims and certificates give text-mode LaTeX; a claim graph gives the
        complete report document.
    notation : {None, "expanded", "network"}
        ``"network"``: a gradient or Hessian (block) of an Objective in the papers' notation
        (σ, σ′, σ″, pre-activations ``g``, outputs ``f``, residuals ``r``), one entry per line,
        in an ``aligned`` environment (``layout="align"``: an ``align*`` environment that may break
        across pages). Default: the expanded expression.
    form : {"entries", "generic"}
        With ``notation="network"``: ``"entries"`` (default) prints each entry of the matrix;
        ``"generic"`` prints the generic formula of each layer (pair) with symbolic indices
        (:mod:`proofkit.printing.block_formulas`), e.g. ``∂²Φ/∂W^{(1)}_{pj}∂W^{(2)}_{j'k}``.

    Examples
    --------
    >>> latex(sympy.Matrix([[0, sympy.Symbol("x")], [sympy.Symbol("x"), 0]]))
    '\\\\begin{bmatrix}0 & x\\\\\\\\x & 0\\\\end{bmatrix}'
    """
    if notation not in _NOTATIONS:
        raise InvalidInput("notation", f"one of {_NOTATIONS}", repr(notation))
    form = settings.get("form", "entries")
    if form not in ("entries", "generic"):
        raise InvalidInput("form", "'entries' or 'generic'", repr(form))
    if form == "generic" and notation != "network":
        raise InvalidInput("form", "form='generic' together with notation='network'", f"notation={notation!r}")
    opts = {**LATEX_DEFAULTS, **settings, "notation": notation}
    return ProofkitLatexPrinter(opts).doprint(obj)


def repr_latex(obj: Any) -> str:
    """The ``_repr_latex_`` of proofkit objects (math mode, for Jupyter)."""
    name = type(obj).__name__
    if name in ("Certificate", "Claim"):
        from proofkit.printing.certificates import claim_sentence

        if name == "Certificate":
            from proofkit.printing.certificates import marked_segments

            parts = [rf"\text{{{_text(s)}}}" if k == "text" else s
                     for k, s in marked_segments(f"{obj.verdict}: {claim_sentence(obj.claim)}")]
            return "$" + " ".join(parts) + "$"
        return rf"$\text{{{_text(obj.title or obj.label)}}}$"
    return f"${latex(obj)}$"


def _text(s: str) -> str:
    return "".join("\\" + ch if ch in "&%$#_{}" else ch for ch in s)


def repr_html(obj: Any) -> str:
    """HTML (with MathML) for a certificate or a claim, for Jupyter."""
    import html

    from proofkit.printing.certificates import describe
    from proofkit.printing.html import _item_html
    from proofkit.printing.mathtext import statement_to_html

    if type(obj).__name__ == "Certificate":
        return "<table>" + "".join(_item_html(i) for i in describe(obj)) + "</table>"
    title = html.escape(obj.title or obj.label)
    return f"<p><b>{title}.</b> {statement_to_html(obj.statement)}</p>"


_ = sympy  # re-exported for the doctest


def _register_display_hooks() -> None:
    from proofkit.certificate import DISPLAY_HOOKS
    from proofkit.printing.display import certificate_latex

    DISPLAY_HOOKS.setdefault("latex", certificate_latex)  # every item, the evidence (a refutation's witness) too
    DISPLAY_HOOKS.setdefault("html", repr_html)


_register_display_hooks()
