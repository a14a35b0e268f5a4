"""Math in the HTML documentation as MathML, converted at build time: no JavaScript, no network.

Sphinx's default HTML math renderer (``sphinx.ext.mathjax``) writes ``\\(…\\)`` and loads MathJax from
a CDN, so a reader without network (or a copy of the site opened from disk) sees raw LaTeX. This
extension registers the HTML math renderer ``"mathml"``: every ``math`` and ``math_block`` node
(MyST ``$…$``/``$$…$$``, ``amsmath`` environments, ``:math:`` in docstrings, notebook ``text/latex``
outputs) is converted to MathML by ``latex2mathml`` (a proofkit dependency) while the site is built,
and the browser lays it out natively (Chromium ≥ 109, Firefox, Safari).

What ``latex2mathml`` does not know is not left to render as garbage: an unknown command (it would
show as ``\\foo``), an unknown environment (silently dropped) or an ``&`` outside an alignment is a
Sphinx warning at the formula's location, which the ``-W`` build turns into an error. ``aligned``,
``gathered``, ``equation`` and the numbered amsmath environments are rewritten to forms it knows, and
``\\mathbb``/``\\mathcal``/``\\mathbf`` letters become the Unicode mathematical alphanumerics (MathML
Core browsers ignore ``mathvariant`` other than ``normal``).

Enable with ``extensions = [..., "mathml_math"]`` and ``html_math_renderer = "mathml"``.
"""

from __future__ import annotations

import html
import re
import unicodedata
import xml.etree.ElementTree as ET
from functools import cache
from typing import Any

from docutils import nodes
from sphinx.locale import _
from sphinx.util import logging
from sphinx.util.math import get_node_equation_number

__all__ = ["tex_to_mathml", "MathConversionError", "setup"]

logger = logging.getLogger(__name__)

#: Environments latex2mathml converts (checked in tests/test_docs.py); others are rewritten or rejected.
SUPPORTED_ENVIRONMENTS = frozenset({
    "matrix", "pmatrix", "bmatrix", "Bmatrix", "vmatrix", "Vmatrix", "smallmatrix", "cases", "array",
    "align*", "split", "substack",
})
#: Rewrites to supported environments (same layout): name -> (begin, end).
_REWRITE_ENVIRONMENTS = {
    "aligned": (r"\begin{align*}", r"\end{align*}"),
    "alignedat": (r"\begin{align*}", r"\end{align*}"),
    "align": (r"\begin{align*}", r"\end{align*}"),
    "flalign": (r"\begin{align*}", r"\end{align*}"),
    "flalign*": (r"\begin{align*}", r"\end{align*}"),
    "gathered": (r"\begin{array}{c}", r"\end{array}"),
    "gather": (r"\begin{array}{c}", r"\end{array}"),
    "gather*": (r"\begin{array}{c}", r"\end{array}"),
    "multline": (r"\begin{array}{c}", r"\end{array}"),
    "multline*": (r"\begin{array}{c}", r"\end{array}"),
    "equation": ("", ""),
    "equation*": ("", ""),
}
_DROP = re.compile(r"\\(?:label|tag)\{[^{}]*\}|\\(?:nonumber|notag)\b")
_ENV = re.compile(r"\\(begin|end)\{([^{}]*)\}(\{[^{}]*\})?")
_STYLED = re.compile(r'<(mi|mn) mathvariant="([a-z-]+)">([^<])</\1>')
_VARIANT_NAMES = {
    "double-struck": "DOUBLE-STRUCK", "script": "SCRIPT", "bold-script": "BOLD SCRIPT", "fraktur": "FRAKTUR",
    "bold-fraktur": "BOLD FRAKTUR", "bold": "BOLD", "bold-italic": "BOLD ITALIC", "sans-serif": "SANS-SERIF",
    "bold-sans-serif": "SANS-SERIF BOLD", "monospace": "MONOSPACE",
}


class MathConversionError(ValueError):
    """A formula that latex2mathml cannot convert faithfully."""


def _rewrite_environments(tex: str) -> str:
    def repl(m: re.Match[str]) -> str:
        kind, name, argument = m.group(1), m.group(2), m.group(3) or ""
        if name not in _REWRITE_ENVIRONMENTS:
            return m.group(0)
        begin, end = _REWRITE_ENVIRONMENTS[name]
        if name == "alignedat":  # \begin{alignedat}{2}: the column count is not an argument of align*
            argument = ""
        return (begin if kind == "begin" else end) + argument

    return _ENV.sub(repl, _DROP.sub("", tex))


@cache
def _styled_letter(ch: str, variant: str) -> str | None:
    """The Unicode mathematical alphanumeric for ``ch`` in ``variant`` (𝔼 for E, double-struck), or None."""
    style = _VARIANT_NAMES.get(variant)
    try:
        name = unicodedata.name(ch)
    except ValueError:
        return None
    if style is None:
        return None
    base = (name.replace("LATIN CAPITAL LETTER ", "CAPITAL ").replace("LATIN SMALL LETTER ", "SMALL ")
            .replace("GREEK CAPITAL LETTER ", "CAPITAL ").replace("GREEK SMALL LETTER ", "SMALL "))
    # Letters encoded before the Mathematical Alphanumeric block (ℝ, ℬ, ℭ) have shorter names.
    candidates = [f"MATHEMATICAL {style} {base}", f"{style} {base}"]
    if variant == "fraktur":
        candidates.append(f"BLACK-LETTER {base}")
    for candidate in candidates:
        try:
            return unicodedata.lookup(candidate)
        except KeyError:
            continue
    return None


def _unicode_variants(mathml: str) -> str:
    def repl(m: re.Match[str]) -> str:
        tag, variant, ch = m.groups()
        styled = _styled_letter(html.unescape(ch), variant)
        return f"<{tag}>{styled}</{tag}>" if styled else m.group(0)

    return _STYLED.sub(repl, mathml)


_NS = "http://www.w3.org/1998/Math/MathML"
_ROW_LIKE = {f"{{{_NS}}}{t}" for t in ("math", "mrow", "mtd", "mstyle", "msqrt", "mpadded", "mphantom", "menclose")}
_SCRIPTED = {f"{{{_NS}}}{t}" for t in ("msub", "msup", "msubsup", "munder", "mover", "munderover")}


def _is_word(el: ET.Element) -> bool:
    """A function name (``sin``, ``rank``, ``acos``) as latex2mathml writes it, possibly with scripts."""
    if el.tag in _SCRIPTED and len(el):
        return _is_word(el[0])
    return el.tag in (f"{{{_NS}}}mi", f"{{{_NS}}}mo") and bool(re.fullmatch(r"[A-Za-z]{2,}", el.text or ""))


def _tex_spacing(mathml: str) -> str:
    """TeX's spacing where latex2mathml's differs: ``\\sin\\theta`` is "sin θ", not "sinθ";
    ``\\operatorname{acos}(x)`` has no gap before the parenthesis (latex2mathml writes the name as an
    ``mo``, which browsers space like a relation); ``1/10`` has no spaces around the slash."""
    ET.register_namespace("", _NS)
    root = ET.fromstring(mathml)
    changed = False
    for el in root.iter():
        if el.tag == f"{{{_NS}}}mo" and re.fullmatch(r"[A-Za-z]{2,}", el.text or ""):
            el.tag = f"{{{_NS}}}mi"  # an operator name, not a relation
            el.attrib.pop("movablelimits", None)
            changed = True
        elif el.tag == f"{{{_NS}}}mo" and el.text == "/" and not el.attrib:
            el.attrib.update(lspace="0em", rspace="0em")  # TeX's / is an ordinary symbol: 1/10, not 1 / 10
            changed = True
    for parent in list(root.iter()):
        if parent.tag not in _ROW_LIKE:
            continue  # inserting a child into msub/mfrac/... would change what its arguments are
        children = list(parent)
        for i in range(len(children) - 1, -1, -1):
            nxt = children[i + 1] if i + 1 < len(children) else None
            if _is_word(children[i]) and nxt is not None and nxt.tag != f"{{{_NS}}}mo":
                parent.insert(i + 1, ET.Element(f"{{{_NS}}}mspace", {"width": "0.1667em"}))
                changed = True
    return ET.tostring(root, encoding="unicode", short_empty_elements=True) if changed else mathml


def tex_to_mathml(tex: str, display: bool) -> str:
    """MathML for a LaTeX formula, or :class:`MathConversionError` naming what latex2mathml does not know.

    Examples
    --------
    >>> tex_to_mathml(r"\\mathbb E[x]", display=False)[:60]
    '<math xmlns="http://www.w3.org/1998/Math/MathML" display="in'
    >>> "𝔼" in tex_to_mathml(r"\\mathbb E[x]", display=False)
    True
    """
    from latex2mathml.converter import convert

    source = _rewrite_environments(tex.strip())
    unknown = sorted({m.group(2) for m in _ENV.finditer(source)} - SUPPORTED_ENVIRONMENTS)
    if unknown:
        raise MathConversionError(f"unsupported LaTeX environment(s) {unknown} in {tex!r}")
    if r"\\" in source and r"\begin" not in source:  # several lines: align them like MathJax's split
        source = r"\begin{split}" + source + r"\end{split}"
    try:
        out = convert(source, display="block" if display else "inline")
    except Exception as exc:  # latex2mathml raises its own exception types for malformed input
        raise MathConversionError(f"latex2mathml cannot convert {tex!r}: {type(exc).__name__}: {exc}") from exc
    commands = sorted(set(re.findall(r"<m[io]>(\\[A-Za-z]+)</m[io]>", out)))
    if commands:
        raise MathConversionError(f"unknown LaTeX command(s) {commands} in {tex!r}")
    if re.search(r"<m[io]>&amp;</m[io]>|<m[io]>&</m[io]>", out):
        raise MathConversionError(f"'&' outside an alignment environment in {tex!r}")
    return _tex_spacing(_unicode_variants(out))


def _convert(translator: Any, node: nodes.Element, tex: str, display: bool) -> str:
    try:
        return tex_to_mathml(tex, display)
    except MathConversionError as exc:
        logger.warning("math not converted to MathML: %s", exc, location=node, type="mathml")
        return f'<code class="math-source">{html.escape(tex)}</code>'


def html_visit_math(self: Any, node: nodes.math) -> None:
    self.body.append(self.starttag(node, "span", "", CLASS="math notranslate nohighlight"))
    self.body.append(_convert(self, node, node.astext(), display=False))
    self.body.append("</span>")
    raise nodes.SkipNode


def html_visit_displaymath(self: Any, node: nodes.math_block) -> None:
    self.body.append(self.starttag(node, "div", CLASS="math notranslate nohighlight"))
    if node.get("number") and not node.get("nowrap"):
        number = get_node_equation_number(self, node)
        self.body.append(f'<span class="eqno">({number})')
        self.add_permalink_ref(node, _("Link to this equation"))
        self.body.append("</span>")
    text = node.astext()
    parts = [text] if node.get("nowrap") else [p for p in text.split("\n\n") if p.strip()]
    for part in parts:
        self.body.append(_convert(self, node, part, display=True))
    self.body.append("</div>\n")
    raise nodes.SkipNode


def setup(app: Any) -> dict[str, Any]:
    app.add_html_math_renderer("mathml", (html_visit_math, None), (html_visit_displaymath, None))
    app.add_css_file("mathml.css")
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
