"""Plain text with ASCII math (``n_k >= N - 1``, ``lambda_0 > 0``) and LaTeX text with ``$...$`` as
segments of text and math, so that every output can typeset the math as math.

A *segment* is ``("text", s)`` (plain text, not escaped) or ``("math", s)`` (LaTeX math, without
dollars). :func:`plain_segments` finds the math in plain text (notes, titles, reasons, margins);
:func:`latex_segments` splits a LaTeX statement at its dollars. :func:`to_latex` renders segments
for a LaTeX document (text escaped, T1-safe), :func:`to_html` for HTML (math as MathML).
"""

from __future__ import annotations

import html
import re

__all__ = ["plain_segments", "latex_segments", "to_latex", "to_html", "plain_to_latex", "plain_to_html",
           "statement_to_html", "escape_latex", "mathml"]

_GREEK = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa", "lambda", "mu",
          "nu", "xi", "pi", "rho", "sigma", "tau", "phi", "chi", "psi", "omega", "Gamma", "Delta", "Theta", "Lambda",
          "Xi", "Pi", "Sigma", "Phi", "Psi", "Omega"]
_FUNCS = {"rank": r"\operatorname{rank}", "det": r"\det", "tanh": r"\tanh", "exp": r"\exp", "log": r"\log",
          "min": r"\min", "max": r"\max", "sigma": r"\sigma", "sqrt": r"\sqrt"}
_OPS = {">=": r"\ge", "<=": r"\le", "!=": r"\ne", "==": "=", "=>": r"\Rightarrow", "->": r"\to", "<": "<", ">": ">",
        "=": "=", "+": "+", "-": "-", "*": r"\cdot", "/": "/", "+/-": r"\pm"}
_UNICODE_MATH = {"σ": r"\sigma", "λ": r"\lambda", "Δ": r"\Delta", "ρ": r"\rho", "μ": r"\mu", "γ": r"\gamma",
                 "α": r"\alpha", "β": r"\beta", "ε": r"\varepsilon", "π": r"\pi", "Φ": r"\Phi", "θ": r"\theta",
                 "≥": r"\ge", "≤": r"\le", "≠": r"\ne", "±": r"\pm", "×": r"\times", "∈": r"\in", "→": r"\to",
                 "⇒": r"\Rightarrow", "′": "'", "″": "''", "∞": r"\infty", "·": r"\cdot", "°": r"^\circ",
                 "∘": r"\circ", "∇": r"\nabla", "Ω": r"\Omega", "≈": r"\approx"}

_NUM = r"\d+(?:\.\d+)?(?:e[+-]?\d+)?"
_TOKEN = re.compile(
    rf"(?P<ball>\[\s*(?P<mid>[+-]?{_NUM})?\s*\+/-\s*(?P<rad>{_NUM})\s*\])"
    r"|(?P<dims>\d+x\d+\b)"
    r"|(?P<range>\d+(?:-\d+)+\b)"
    r"|(?P<ident>[A-Za-z]+(?:(?:_\{[^{}]*\}|_[A-Za-z0-9]+|\^\{[^{}]*\}|\^[A-Za-z0-9])+))"
    rf"|(?P<num>{_NUM}(?:/\d+)?)"
    r"|(?P<op>\+/-|>=|<=|!=|==|=>|->|[<>=+*/]|-)"
    r"|(?P<word>[A-Za-z]+)"
    r"|(?P<open>[(\[])|(?P<close>[)\]])"
    r"|(?P<space>\s+)"
    r"|(?P<uni>[" + "".join(_UNICODE_MATH) + r"])"
    r"|(?P<other>.)",
    re.S,
)
_SINGLE_TEXT = {"a", "A", "I"}


def _num_latex(s: str) -> str:
    m = re.fullmatch(r"([+-]?\d+(?:\.\d+)?)e([+-]?\d+)", s)
    if m:
        return rf"{m.group(1)}\cdot 10^{{{int(m.group(2))}}}"
    if "/" in s:
        p, q = s.split("/")
        return rf"{p}/{q}"
    return s


def _ident_latex(s: str) -> str:
    m = re.match(r"[A-Za-z]+", s)
    assert m is not None
    head, rest = m.group(0), s[m.end():]
    if head in _GREEK:
        head = "\\varepsilon" if head == "epsilon" else "\\" + head
    return head + rest


class _Tok:
    __slots__ = ("kind", "text", "latex", "core")

    def __init__(self, kind: str, text: str, latex: str = "", core: bool = False) -> None:
        self.kind, self.text, self.latex, self.core = kind, text, latex, core


def _tokens(text: str) -> list[_Tok]:
    toks: list[_Tok] = []
    for m in _TOKEN.finditer(text):  # noqa: B007
        kind = m.lastgroup or "other"
        s = m.group(0)
        if kind in ("mid", "rad"):
            kind = "ball"
        if kind == "ball":
            mid = m.group("mid") or "0"
            toks.append(_Tok("math", s, rf"{_num_latex(mid)} \pm {_num_latex(m.group('rad'))}", True))
        elif kind == "dims":
            a, b = s.split("x")
            toks.append(_Tok("math", s, rf"{a}\times {b}", True))
        elif kind == "range":
            toks.append(_Tok("text", s.replace("-", "\u2013")))
        elif kind == "ident" and re.fullmatch(r"[A-Za-z]+_[A-Za-z]{3,}(?:_[A-Za-z]+)*", s):
            toks.append(_Tok("word", s))  # a program name (fmpq_mat), not a subscripted variable
        elif kind == "ident":
            toks.append(_Tok("math", s, _ident_latex(s), True))
        elif kind == "num":
            toks.append(_Tok("num", s, _num_latex(s)))
        elif kind == "op":
            toks.append(_Tok("op", s, _OPS[s], s not in ("-", "/", "*", "+")))
        elif kind == "word":
            if s in _GREEK:
                toks.append(_Tok("math", s, _ident_latex(s), True))
            elif s in _FUNCS:
                toks.append(_Tok("func", s, _FUNCS[s]))
            elif len(s) == 1 and s not in _SINGLE_TEXT and not text[max(m.start() - 1, 0):m.start()] == "'":
                toks.append(_Tok("var", s, s))
            else:
                toks.append(_Tok("word", s))
        elif kind == "uni":
            toks.append(_Tok("math", s, _UNICODE_MATH[s], True))
        else:
            toks.append(_Tok(kind, s, s))
    return toks


_MATHY = ("math", "num", "op", "var", "func")


def _group_end(toks: list[_Tok], i: int) -> int | None:
    """If toks[i] opens a bracket whose contents are all math-like, the index after its match."""
    depth = 0
    for j in range(i, len(toks)):
        t = toks[j]
        if t.kind == "open":
            depth += 1
        elif t.kind == "close":
            depth -= 1
            if depth == 0:
                return j + 1
        elif t.kind not in (*_MATHY, "space") and t.text != ",":
            return None
    return None


def plain_segments(text: str) -> list[tuple[str, str]]:
    """Split plain text into text and math segments (math as LaTeX).

    Examples
    --------
    >>> plain_segments("violates n_k >= N - 1 of Theorem 3.8")
    [('text', 'violates '), ('math', 'n_k \\\\ge N - 1'), ('text', ' of Theorem 3.8')]
    >>> plain_segments("lambda_0 > 0")
    [('math', '\\\\lambda_0 > 0')]
    """
    toks = _tokens(str(text))
    out: list[tuple[str, str]] = []
    i = 0
    n = len(toks)

    def emit(kind: str, s: str) -> None:
        if out and out[-1][0] == kind:
            out[-1] = (kind, out[-1][1] + (" " if kind == "math" and s and out[-1][1] else "") + s
                       if kind == "math" else out[-1][1] + s)
        else:
            out.append((kind, s))

    while i < n:
        t = toks[i]
        nxt = next((u for u in toks[i + 1:] if u.kind != "space"), None)
        starts = t.kind in _MATHY and (t.core or t.kind == "var" or (
            t.kind == "func" and nxt is not None and nxt.kind in ("open", "op", "math", "var", "func")) or (
            t.kind == "num" and nxt is not None and nxt.kind == "op" and nxt.text not in ("-", "/")))
        if t.kind == "op" and t.text == "-" and not (i + 1 < n and toks[i + 1].kind in ("num", "math", "var")
                                                     and (i == 0 or toks[i - 1].kind == "space")):
            starts = False
        if not starts:
            emit("text", t.text)
            i += 1
            continue
        # grow a span of math tokens (spaces inside are kept out of the LaTeX)
        j = i
        parts: list[str] = []
        last = i
        strong = False
        while j < n:
            u = toks[j]
            if u.kind == "space":
                j += 1
                continue
            if u.kind == "open":
                end = _group_end(toks, j)
                if end is None:
                    break
                body = "".join(" " if x.kind == "space" else x.latex for x in toks[j + 1:end - 1]).strip()
                parts.append(u.text + body + toks[end - 1].text)
                j = end
                last = j - 1
                continue
            if u.kind not in _MATHY and u.text != ",":
                break
            if u.text == ",":
                break
            if u.kind == "op" and u.text == "-" and j + 1 < n and toks[j + 1].kind not in ("space", "num", "math",
                                                                                             "var", "func"):
                break
            strong = strong or u.core or u.kind == "func" or (u.kind == "var" and u.text[0].isupper())
            parts.append(u.latex)
            last = j
            j += 1
        # a trailing operator is not part of the formula
        while parts and toks[last].kind == "op":
            parts.pop()
            last -= 1
            while last > i and toks[last].kind == "space":
                last -= 1
        has_op = any(toks[k].kind == "op" for k in range(i, last + 1))
        single_var = last == i and t.kind == "var"
        if parts and (strong or has_op or single_var):
            emit("math", " ".join(parts))
            i = last + 1
        else:
            emit("text", t.text)
            i += 1
    return [(k, s) for k, s in out if s]


def latex_segments(text: str) -> list[tuple[str, str]]:
    """Split LaTeX text at ``$...$`` (and ``\\(...\\)``) into text and math segments.

    Examples
    --------
    >>> latex_segments("if $x > 0$ then")
    [('text', 'if '), ('math', 'x > 0'), ('text', ' then')]
    """
    out: list[tuple[str, str]] = []
    pos = 0
    for m in re.finditer(r"(?<!\\)\$(.+?)(?<!\\)\$|\\\((.+?)\\\)", text, re.S):
        if m.start() > pos:
            out.append(("text", text[pos:m.start()]))
        out.append(("math", m.group(1) if m.group(1) is not None else m.group(2)))
        pos = m.end()
    if pos < len(text):
        out.append(("text", text[pos:]))
    return out


_SPECIAL = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
            "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}", "<": r"\textless{}",
            ">": r"\textgreater{}", "|": r"\textbar{}"}


def escape_latex(text: str) -> str:
    """Escape plain text for LaTeX (T1-safe: no bare ``<``, ``>`` or ``|``); unicode math becomes math.

    Examples
    --------
    >>> escape_latex("50% of a_b")
    '50\\\\% of a\\\\_b'
    """
    out = []
    for ch in str(text):
        if ch in _UNICODE_MATH:
            out.append(f"${_UNICODE_MATH[ch]}$")
        else:
            out.append(_SPECIAL.get(ch, ch))
    return "".join(out)


def to_latex(segments: list[tuple[str, str]]) -> str:
    """Segments as LaTeX text with inline math."""
    return "".join(f"${s}$" if k == "math" else escape_latex(s) for k, s in segments)


def plain_to_latex(text: str) -> str:
    """Plain text with ASCII math as LaTeX (math typeset as math).

    Examples
    --------
    >>> plain_to_latex("exact rank 3 < 4")
    'exact rank $3 < 4$'
    """
    return to_latex(plain_segments(text))


def mathml(tex: str, display: bool = False) -> str:
    """MathML for a LaTeX formula (offline, by ``latex2mathml``)."""
    from latex2mathml.converter import convert

    return convert(tex, display="block" if display else "inline")


_TEXT_LATEX = [("---", "\u2014"), ("--", "\u2013"), ("``", "\u201c"), ("''", "\u201d"), ("~", "\u00a0"),
               (r"\&", "&"), (r"\%", "%"), (r"\_", "_"), (r"\,", "\u2009"), (r"\ ", " "), (r"\#", "#")]


def _latex_text_to_plain(s: str) -> str:
    for a, b in _TEXT_LATEX:
        s = s.replace(a, b)
    s = re.sub(r"\\(?:emph|textit|textbf|textsf|mathrm|text)\{([^{}]*)\}", r"\1", s)
    return s


def to_html(segments: list[tuple[str, str]], *, latex_text: bool = False) -> str:
    """Segments as HTML: text escaped, math as MathML."""
    out = []
    for k, s in segments:
        if k == "math":
            out.append(mathml(s))
        else:
            out.append(html.escape(_latex_text_to_plain(s) if latex_text else s))
    return "".join(out)


def plain_to_html(text: str) -> str:
    """Plain text with ASCII math as HTML with MathML."""
    return to_html(plain_segments(text))


def statement_to_html(text: str) -> str:
    """A LaTeX statement (text with ``$...$``) as HTML with MathML."""
    return to_html(latex_segments(text), latex_text=True)
