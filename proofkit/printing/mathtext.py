"""Text with explicitly marked math, as segments that every output typesets the same way.

Every human-written text field of proofkit (a claim's title, note, proof and statement; the
captions of the reports) marks its math where it is written: ``$...$`` (or ``\\(...\\)``)
is LaTeX math, everything else is text, and ``\\$`` is a literal dollar sign. Printers never
guess: ``"Counterexample L8"`` is text, ``"lambda_0 > 0"`` is text (shown as written),
``"$\\lambda_0 > 0$"`` is math. Text that comes from data (hashes, method names, messages)
is passed through :func:`escape_text` (or given as a single text segment) so that a dollar
in it is never read as math.

A *segment* is ``("text", s)`` (plain text, not escaped) or ``("math", s)`` (LaTeX math, without
dollars). :func:`plain_segments` splits marked plain text; :func:`latex_segments` splits a LaTeX
statement, whose text parts are LaTeX text (``--``, ``\\emph{...}``). :func:`to_latex`,
:func:`to_html` and :func:`to_unicode` render segments for a LaTeX document (text escaped,
T1-safe), for HTML (math as MathML) and for plain Unicode (graph labels, tooltips, terminals).

Examples
--------
>>> plain_segments(r"violates $n_k \\ge N - 1$ of Theorem 3.8")
[('text', 'violates '), ('math', 'n_k \\\\ge N - 1'), ('text', ' of Theorem 3.8')]
>>> plain_segments("Counterexample L8, SHA-256 ...41c")
[('text', 'Counterexample L8, SHA-256 ...41c')]
"""

from __future__ import annotations

import html
import re

__all__ = ["plain_segments", "latex_segments", "to_latex", "to_html", "to_unicode", "plain_to_latex", "plain_to_html",
           "plain_to_unicode", "math_to_unicode", "statement_to_html", "escape_latex", "escape_text", "math", "mathml"]

_UNICODE_MATH = {"σ": r"\sigma", "λ": r"\lambda", "Δ": r"\Delta", "ρ": r"\rho", "μ": r"\mu", "γ": r"\gamma",
                 "α": r"\alpha", "β": r"\beta", "ε": r"\varepsilon", "π": r"\pi", "Φ": r"\Phi", "θ": r"\theta",
                 "≥": r"\ge", "≤": r"\le", "≠": r"\ne", "±": r"\pm", "×": r"\times", "∈": r"\in", "→": r"\to",
                 "⇒": r"\Rightarrow", "′": "'", "″": "''", "∞": r"\infty", "·": r"\cdot", "°": r"^\circ",
                 "∘": r"\circ", "∇": r"\nabla", "Ω": r"\Omega", "≈": r"\approx", "−": "-"}

_MATH = re.compile(r"(?<!\\)\$(.+?)(?<!\\)\$|\\\((.+?)\\\)", re.S)


def _split(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    for m in _MATH.finditer(text):
        if m.start() > pos:
            out.append(("text", text[pos:m.start()]))
        out.append(("math", m.group(1) if m.group(1) is not None else m.group(2)))
        pos = m.end()
    if pos < len(text):
        out.append(("text", text[pos:]))
    return out


def plain_segments(text: str) -> list[tuple[str, str]]:
    """Split marked plain text into text and math segments: ``$...$`` is math, ``\\$`` a literal dollar.

    Nothing else is read as math: ASCII such as ``n_k >= N - 1`` stays text, as written.

    Examples
    --------
    >>> plain_segments(r"$\\lambda_0 > 0$, certified")
    [('math', '\\\\lambda_0 > 0'), ('text', ', certified')]
    >>> plain_segments(r"costs \\$5")
    [('text', 'costs $5')]
    """
    return [(k, s.replace("\\$", "$") if k == "text" else s) for k, s in _split(str(text))]


def latex_segments(text: str) -> list[tuple[str, str]]:
    """Split LaTeX text at ``$...$`` (and ``\\(...\\)``) into text and math segments (text stays LaTeX).

    Examples
    --------
    >>> latex_segments("if $x > 0$ then")
    [('text', 'if '), ('math', 'x > 0'), ('text', ' then')]
    """
    return _split(str(text))


def escape_text(text: str) -> str:
    """Plain text from data (a message, a hash, a name) as marked text: its dollars are literal.

    Examples
    --------
    >>> plain_segments(escape_text("a $5 fee"))
    [('text', 'a $5 fee')]
    """
    return str(text).replace("$", "\\$")


def math(tex: str) -> str:
    """A LaTeX formula as marked text (``$tex$``).

    Examples
    --------
    >>> "width " + math("n_1 = 1")
    'width $n_1 = 1$'
    """
    return f"${tex}$"


_SPECIAL = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_\allowbreak{}",
            "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}", "<": r"\textless{}",
            ">": r"\textgreater{}", "|": r"\textbar{}"}


def escape_latex(text: str) -> str:
    """Escape plain text for LaTeX (T1-safe: no bare ``<``, ``>`` or ``|``); Unicode math characters become math.

    Examples
    --------
    >>> escape_latex("50% of a_b")
    '50\\\\% of a\\\\_\\\\allowbreak{}b'
    """
    out = []
    for ch in str(text):
        if ch in _UNICODE_MATH and ch != "−":
            out.append(f"${_UNICODE_MATH[ch]}$")
        else:
            out.append(_SPECIAL.get(ch, ch))
    return "".join(out)


def to_latex(segments: list[tuple[str, str]]) -> str:
    """Segments as LaTeX text with inline math; a ``("code", s)`` segment (a hash) in monospace.

    Examples
    --------
    >>> to_latex([("text", "SHA-256 "), ("code", "9de0"), ("text", " of "), ("math", "A")])
    'SHA-256 \\\\texttt{9de0} of $A$'
    """
    out = []
    for k, s in segments:
        if k == "math":
            out.append(f"${s}$")
        elif k == "code":
            out.append(rf"\texttt{{{escape_latex(s)}}}")
        else:
            out.append(escape_latex(s))
    return "".join(out)


def plain_to_latex(text: str) -> str:
    """Marked plain text as LaTeX: ``$...$`` typeset as math, the rest escaped as text.

    Examples
    --------
    >>> plain_to_latex("exact rank $3 < 4$, Counterexample L8")
    'exact rank $3 < 4$, Counterexample L8'
    >>> plain_to_latex("n_k >= N")
    'n\\\\_\\\\allowbreak{}k \\\\textgreater{}= N'
    """
    return to_latex(plain_segments(text))


_OPENERS = r"(<mrow>|<mtd[^>]*>|<mo[^>]*>&#x000(?:28|5B|7B|2C|3D|3C|3E);</mo>|<mo[^>]*>&#x02(?:208|264|265|260|248);</mo>)"


def mathml(tex: str, display: bool = False) -> str:
    """MathML for a LaTeX formula (offline, by ``latex2mathml``), spaced as LaTeX spaces it: a minus sign after an
    opening bracket, a comma or a relation is a sign (no space after it), ``/`` is not spaced, ``\\pm`` is an
    operator.

    Examples
    --------
    >>> '<mo form="prefix">&#x02212;</mo><mi>x</mi>' in mathml(r"\\sigma(-x/2)")
    True
    """
    from latex2mathml.converter import convert

    out = convert(tex, display="block" if display else "inline")
    out = re.sub(r"<mi>(&#x000B1;|&#x02213;)</mi>", r"<mo>\1</mo>", out)
    out = out.replace("<mo>&#x0002F;</mo>", '<mo lspace="0" rspace="0">&#x0002F;</mo>')
    return re.sub(_OPENERS + r"<mo>(&#x02212;|&#x0002B;)</mo>", r'\1<mo form="prefix">\2</mo>', out)


_TEXT_LATEX = [("---", "\u2014"), ("--", "\u2013"), ("``", "\u201c"), ("''", "\u201d"), ("~", "\u00a0"),
               (r"\&", "&"), (r"\%", "%"), (r"\_", "_"), (r"\,", "\u2009"), (r"\ ", " "), (r"\#", "#"), (r"\$", "$")]


def _latex_text_to_plain(s: str) -> str:
    for a, b in _TEXT_LATEX:
        s = s.replace(a, b)
    s = re.sub(r"\\(?:emph|textit|textbf|textsf|mathrm|text)\{([^{}]*)\}", r"\1", s)
    return s


def to_html(segments: list[tuple[str, str]], *, latex_text: bool = False) -> str:
    """Segments as HTML: text escaped, math as MathML, code in ``<code>`` (``latex_text``: the text parts are
    LaTeX text)."""
    out = []
    for k, s in segments:
        if k == "math":
            out.append(mathml(s))
        elif k == "code":
            out.append(f"<code>{html.escape(s)}</code>")
        else:
            out.append(html.escape(_latex_text_to_plain(s) if latex_text else s))
    return "".join(out)


def plain_to_html(text: str) -> str:
    """Marked plain text as HTML with MathML.

    Examples
    --------
    >>> plain_to_html("Counterexample L8 & more")
    'Counterexample L8 &amp; more'
    """
    return to_html(plain_segments(text))


def statement_to_html(text: str) -> str:
    """A LaTeX statement (text with ``$...$``) as HTML with MathML."""
    return to_html(latex_segments(text), latex_text=True)


# -- Unicode (graph labels, tooltips, terminal) ---------------------------------------------------------
_SUB = str.maketrans("0123456789+-=()aeijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ")
_SUP = str.maketrans("0123456789+-=()nT", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿᵀ")
_SYMBOLS = {r"\operatorname{rank}": "rank", r"\Rightarrow": "⇒", r"\varepsilon": "ε", r"\approx": "≈",
            r"\infty": "∞", r"\times": "×", r"\cdot": "·", r"\tanh": "tanh", r"\ge": "≥", r"\le": "≤", r"\ne": "≠",
            r"\geq": "≥", r"\leq": "≤", r"\neq": "≠", r"\pm": "±", r"\in": "∈", r"\to": "→", r"\det": "det",
            r"\exp": "exp", r"\log": "log", r"\min": "min", r"\max": "max", r"\circ": "∘", r"\nabla": "∇",
            r"\quad": " ", r"\,": " ", r"\;": " ", r"\!": "", r"\ ": " ", r"\left": "", r"\right": ""}
_GREEK = {"alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "zeta": "ζ", "eta": "η",
          "theta": "θ", "kappa": "κ", "lambda": "λ", "mu": "μ", "nu": "ν", "xi": "ξ", "pi": "π", "rho": "ρ",
          "sigma": "σ", "tau": "τ", "phi": "φ", "chi": "χ", "psi": "ψ", "omega": "ω", "Gamma": "Γ", "Delta": "Δ",
          "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ", "Pi": "Π", "Sigma": "Σ", "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω"}


def _script(s: str, table: dict[int, int], mark: str) -> str:
    t = s.translate(table)
    ok = all(ord(c) > 127 or c in "+-=()" for c in t)
    return t if ok else f"{mark}({s})" if len(s) > 1 else f"{mark}{s}"


def math_to_unicode(tex: str) -> str:
    """A LaTeX formula as Unicode text (Greek letters, relations, sub- and superscripts, a true minus sign).

    Examples
    --------
    >>> math_to_unicode(r"\\lambda_0 \\ge N - 1")
    'λ₀ ≥ N − 1'
    """
    s = tex
    for a, b in sorted(_SYMBOLS.items(), key=lambda kv: -len(kv[0])):
        s = re.sub(re.escape(a) + (r"(?![A-Za-z])" if a[-1].isalpha() else ""), b, s)
    s = re.sub(r"\\(?:mathrm|text|mathit|mathbf|operatorname)\{([^{}]*)\}", r"\1", s)
    s = re.sub(r"\\([A-Za-z]+)", lambda m: _GREEK.get(m.group(1), m.group(1)), s)
    s = re.sub(r"_\{([^{}]*)\}|_(\w)", lambda m: _script(m.group(1) if m.group(1) is not None else m.group(2),
                                                          _SUB, "_"), s)
    s = re.sub(r"\^\{([^{}]*)\}|\^(\w)", lambda m: _script(m.group(1) if m.group(1) is not None else m.group(2),
                                                            _SUP, "^"), s)
    s = s.replace("{", "").replace("}", "").replace("\\", "")
    s = re.sub(r"\s*([≥≤≠×·±→∈⇒≈=<>])\s*", r" \1 ", s)  # relations and products spaced as in print
    s = re.sub(r"(?<=[\w)\]}′])\s*-\s*(?=[\w(\\])", " - ", s)  # a binary minus between operands
    return re.sub(r" {2,}", " ", s).strip().replace("-", "\u2212")


def to_unicode(segments: list[tuple[str, str]]) -> str:
    """Segments as Unicode text: math via :func:`math_to_unicode`, text as it is."""
    return "".join(math_to_unicode(s) if k == "math" else s for k, s in segments)


def plain_to_unicode(text: str) -> str:
    """Marked plain text as Unicode text (for graph labels, tooltips and terminals): no backslash or dollar remains.

    Examples
    --------
    >>> plain_to_unicode(r"$\\lambda_0 > 0$, certified")
    'λ₀ > 0, certified'
    """
    return to_unicode(plain_segments(text))
