"""How proofkit's results show themselves in Jupyter and at the prompt: bounded, and with the evidence.

Every public result class delegates its ``__repr__`` / ``_repr_latex_`` / ``_repr_html_`` here. The
displays are bounded in size whatever the object: a matrix with more than :data:`MAX_ENTRIES`
entries, or whose entries print to more than :data:`MAX_CHARS` characters, shows its shape, its
top-left corner (:data:`CORNER` × :data:`CORNER`, long entries replaced by their size) and how to
get the whole (``M.to_sympy()``, ``proofkit.latex(M)``); long lists show their first items and
their length. A refutation always shows its witness: the point, the entry and the value of
``lhs - rhs`` there (or the certificate's evidence).

Examples
--------
>>> import sympy
>>> from proofkit import Network
>>> obj = Network([2, 5, 1], activation="sigmoid", bias=False).loss([[0, 1], [1, 0]], [0, 1])
>>> H = obj.hessian()
>>> print(repr(H)[:51])
LazyMatrix 15×15 of exact expressions in 15 symbols
>>> len(H._repr_latex_()) < 10_000
True
"""

from __future__ import annotations

import dataclasses
import html
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import sympy

__all__ = ["MAX_ENTRIES", "MAX_CHARS", "CORNER", "matrix_text", "matrix_latex", "objective_latex",
           "identity_text", "identity_latex", "identity_html", "certificate_latex", "cert_matrix_text",
           "cert_matrix_latex", "graph_text", "graph_html", "result_text", "result_html", "short",
           "GRAPH_ROWS", "ENTRY_CHARS", "FIRST_ENTRY_CHARS"]

#: Matrices with more entries than this are summarised (shape and a corner).
MAX_ENTRIES = 64
#: A display longer than this (characters of LaTeX or text) is summarised.
MAX_CHARS = 6000
#: Rows and columns of the corner shown for a large matrix.
CORNER = 4
#: Characters of one entry in a corner; a longer entry is replaced by its size.
ENTRY_CHARS = 200
#: A summarised matrix also shows its first entry in full when it is at most this long.
FIRST_ENTRY_CHARS = 2500


def short(text: str, limit: int = 80) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis and the full length.

    Examples
    --------
    >>> short("x" * 100, 10)
    'xxxxxxxxx… (100 characters)'
    """
    text = str(text)
    return text if len(text) <= limit else f"{text[:limit - 1]}… ({len(text)} characters)"


def _size_word(expr: Any) -> str:
    if isinstance(expr, sympy.Add):
        return f"a sum of {len(expr.args)} terms"
    if isinstance(expr, sympy.Mul):
        return f"a product of {len(expr.args)} factors"
    return "a long expression"


# --- matrices of expressions (LazyMatrix, sympy matrices) ---------------------------------------------
def _entries(entry: Callable[[int, int], Any], rows: int, cols: int, fmt: Callable[[Any], str],
             budget: int) -> list[list[str]] | None:
    """Every entry formatted, or None as soon as they exceed ``budget`` characters or MAX_ENTRIES."""
    if rows * cols > MAX_ENTRIES:
        return None
    out, used = [], 0
    for i in range(rows):
        row = []
        for j in range(cols):
            s = fmt(entry(i, j))
            used += len(s)
            if used > budget:
                return None
            row.append(s)
        out.append(row)
    return out


def _corner(entry: Callable[[int, int], Any], rows: int, cols: int, fmt: Callable[[Any], str],
            too_long: Callable[[Any], str]) -> list[list[str]]:
    out = []
    for i in range(min(rows, CORNER)):
        row = []
        for j in range(min(cols, CORNER)):
            e = entry(i, j)
            s = fmt(e)
            row.append(s if len(s) <= ENTRY_CHARS else too_long(e))
        out.append(row)
    return out


def _symbols_phrase(symbols: Sequence[Any]) -> str:
    n = len(symbols)
    return f" in {n} symbol{'s' if n != 1 else ''}" if n else ""


def matrix_text(entry: Callable[[int, int], Any], rows: int, cols: int, *, name: str = "LazyMatrix",
                symbols: Sequence[Any] = (), full: Callable[[], str] | None = None) -> str:
    """Text display: ``full()`` (sympy's repr) when small, else shape, symbols and a corner."""
    if full is not None and _entries(entry, rows, cols, str, MAX_CHARS) is not None:
        return full()
    corner = _corner(entry, rows, cols, str, lambda e: f"<{_size_word(e)}>")
    lines = [f"{name} {rows}×{cols} of exact expressions{_symbols_phrase(symbols)}; "
             f"top-left {len(corner)}×{len(corner[0]) if corner else 0} corner:"]
    for i, row in enumerate(corner):
        more = ", …" if cols > CORNER else ""
        lines.append(("[" if i == 0 else " ") + "[" + ", ".join(row) + more + "]")
    if rows > CORNER:
        lines.append(" …")
    lines.append("(the whole: .to_sympy(), or proofkit.latex(...) for LaTeX; one entry: M[i, j])")
    return "\n".join(lines)


def _latex_of(e: Any) -> str:
    from proofkit.printing.latex import latex

    return latex(e)


def _too_long_latex(e: Any) -> str:
    return rf"\langle\text{{{_size_word(e)}}}\rangle"


def matrix_latex(entry: Callable[[int, int], Any], rows: int, cols: int, *, symbols: Sequence[Any] = (),
                 fmt: Callable[[Any], str] = _latex_of, too_long: Callable[[Any], str] = _too_long_latex,
                 what: str = "exact expressions") -> str:
    """``$...$`` display: the whole ``bmatrix`` when small, else a corner with ⋯ ⋮ ⋱ and the shape."""
    whole = _entries(entry, rows, cols, fmt, MAX_CHARS)
    if whole is not None:
        body = r" \\ ".join(" & ".join(r) for r in whole)
        return rf"$\begin{{bmatrix}}{body}\end{{bmatrix}}$"
    corner = _corner(entry, rows, cols, fmt, too_long)
    lines = []
    for row in corner:
        lines.append(" & ".join(row) + (r" & \cdots" if cols > CORNER else ""))
    if rows > CORNER:
        lines.append(" & ".join([r"\vdots"] * len(corner[0])) + (r" & \ddots" if cols > CORNER else ""))
    body = r" \\ ".join(lines)
    note = (_text(f"{rows}×{cols} matrix of {what}{_symbols_phrase(symbols)}: top-left corner; the whole: ")
            + r"\mathtt{.to\_sympy()}" + _text(" or ") + r"\mathtt{proofkit.latex(...)}")
    out = [rf"\begin{{bmatrix}}{body}\end{{bmatrix}}", note]
    first = fmt(entry(0, 0)) if rows and cols else ""
    if ENTRY_CHARS < len(first) <= FIRST_ENTRY_CHARS:
        out.append(rf"\text{{entry }}(1, 1) = {first}")
    return r"$\begin{array}{l}" + r" \\ ".join(out) + r"\end{array}$"


# --- CertMatrix (matrix_at and the certifiers' inputs) -----------------------------------------------
def _cert_entries(m: Any) -> tuple[Callable[[int, int], Any], str]:
    """An entry function returning exact rationals (fmpq), floats, or Arb balls, and what they are."""
    if m._exact_given is not None:
        return (lambda i, j: m._exact_given[i][j]), "exact rationals"
    if m._floats is not None:
        return (lambda i, j: float(m._floats[i, j])), "float64 numbers (exact binary values)"
    if m._balls is not None:
        return (lambda i, j: m._balls[i][j]), "Arb enclosures"
    if m._symbolic is not None:
        return (lambda i, j: m._symbolic[i, j]), "exact constants (enclosed with Arb when certified)"
    return (lambda i, j: "?"), "entries"


def _number_text(v: Any) -> str:
    if hasattr(v, "mid") and hasattr(v, "rad"):  # an Arb ball
        return v.str(12, radius=True)
    return str(v)


def _number_latex(v: Any) -> str:
    import flint

    if isinstance(v, flint.fmpq):
        p, q = int(v.p), int(v.q)
        return str(p) if q == 1 else (rf"-\frac{{{-p}}}{{{q}}}" if p < 0 else rf"\frac{{{p}}}{{{q}}}")
    if isinstance(v, float):
        return _text_latex(repr(v))
    if hasattr(v, "mid") and hasattr(v, "rad"):
        return _text_latex(v.str(12, radius=True).replace("[", "").replace("]", ""))
    return _latex_of(v)


def cert_matrix_text(m: Any) -> str:
    """``CertMatrix 3×3 of exact rationals: [[2, 1], [1, 2]]`` (a corner when large)."""
    entry, what = _cert_entries(m)
    rows, cols = m.shape
    whole = _entries(entry, rows, cols, _number_text, MAX_CHARS)
    if whole is not None:
        return f"CertMatrix {rows}×{cols} of {what}: [" + ", ".join("[" + ", ".join(r) + "]" for r in whole) + "]"
    corner = _corner(entry, rows, cols, _number_text, lambda e: "<long>")
    return (f"CertMatrix {rows}×{cols} of {what}; top-left corner: ["
            + ", ".join("[" + ", ".join(r) + (", …" if cols > CORNER else "") + "]" for r in corner)
            + (", …" if rows > CORNER else "") + "]")


def cert_matrix_latex(m: Any) -> str:
    entry, what = _cert_entries(m)
    rows, cols = m.shape
    tex = matrix_latex(entry, rows, cols, fmt=_number_latex, too_long=lambda e: r"\cdots", what=what)
    return tex[:-1] + rf"\quad\text{{({what})}}$" if tex.endswith(r"\end{bmatrix}$") else tex


# --- the objective ---------------------------------------------------------------------------------
def objective_latex(obj: Any) -> str:
    r"""``$\Phi(\theta) = \sum_i \ell(f(x_i), y_i)$`` with the network, the loss and the sizes; the
    expression itself when it is short."""
    net, loss = obj.network, obj.loss_function
    acts = ", ".join(a.name for a in net.activations)
    widths = "–".join(map(str, net.widths))
    if loss.kind in ("residual", "margin") and loss.l is not None:
        q, y = sympy.Symbol("q_j"), sympy.Symbol("y_j")
        arg = q - y if loss.kind == "residual" else y * q
        a = sorted(loss.l.free_symbols, key=str)
        ell = rf",\quad \ell(q, y) = \textstyle\sum_j {_latex_of(loss.l.subs({a[0]: arg}))}" if a else ""
    else:
        ell = r",\quad \ell = " + _text(loss.name)
    rows = [rf"\Phi(\theta) = \sum_{{i=1}}^{{{obj.N}}} \ell\bigl(f_\theta(x_i), y_i\bigr)"]
    if ell:
        rows.append(ell.removeprefix(r",\quad "))
    rows.append(rf"f_\theta:\ \mathbb{{R}}^{{{net.widths[0]}}} \to \mathbb{{R}}^{{{net.widths[-1]}}},\ "
                + _text(f"widths {widths}; activations {acts}{'; with biases' if net.bias else ''}; "
                        f"{len(obj.params)} parameters ") + r"\theta")
    body = _latex_of(obj.expr) if sympy.count_ops(obj.expr, visual=False) < 60 else None
    if body is not None and len(body) < 1500:
        rows.append(rf"\Phi(\theta) = {body}")
    return r"$\begin{array}{l}" + r" \\ ".join(rows) + r"\end{array}$"


# --- identity checks -------------------------------------------------------------------------------
def _witness_pairs(res: Any) -> list[tuple[Any, Any]]:
    return list((res.witness or {}).items())


def identity_text(res: Any) -> str:
    """``IdentityCheck: refuted (exact evaluation) at x = 1/2, y = 3 (entry (0, 1)): lhs - rhs = 5/4 ...``"""
    out = [f"IdentityCheck: {res.verdict} ({res.method})"]
    if res.witness:
        pairs = _witness_pairs(res)
        shown = ", ".join(f"{k} = {v}" for k, v in pairs[:12]) + (f", … ({len(pairs)} values)" if len(pairs) > 12 else "")
        out.append(f"  witness: {shown}")
    if res.entry is not None:
        out.append(f"  entry: {res.entry}")
    if res.enclosure is not None:
        out.append(f"  lhs - rhs there: {short(res.enclosure, 200)}")
    out.append(f"  {short(res.detail, 400)}")
    out += [f"  note: {short(n, 600)}" for n in res.notes]
    return "\n".join(out)


def identity_latex(res: Any) -> str:
    rows = [_text(f"identity {res.verdict} ({res.method})")]
    if res.witness:
        pairs = _witness_pairs(res)
        vals = ",\\ ".join(f"{_latex_of(k)} = {_latex_of(v)}" for k, v in pairs[:12])
        rows.append(r"\text{at }" + vals + (rf",\ \dots\ \text{{({len(pairs)} values)}}" if len(pairs) > 12 else ""))
    if res.entry is not None:
        rows.append(_text(f"entry {res.entry}"))
    if res.enclosure is not None:
        rows.append(rf"\text{{lhs}} - \text{{rhs}} \in {_text_latex(short(res.enclosure, 200))}"
                    if "+/-" in res.enclosure else rf"\text{{lhs}} - \text{{rhs}} = {_text_latex(short(res.enclosure, 200))}")
    for n in res.notes:
        rows += _text_rows("note: " + short(n, 1200))
    return r"$\begin{array}{l}" + r" \\ ".join(rows) + r"\end{array}$"


def _text_latex(s: str) -> str:
    r"""Arb/Python number text as LaTeX, a ball as ``mid \pm rad`` like every other enclosure (no brackets, which
    are a matrix's): ``[1.5 +/- 2.3e-11]`` -> ``1.5 \pm 2.3 \cdot 10^{-11}``.

    Examples
    --------
    >>> _text_latex("[1.5 +/- 2.3e-11]")
    '1.5 \\pm 2.3 \\cdot 10^{-11}'
    """
    s = re.sub(r"\[([^\[\]]*?)\s*\+/-\s*([^\[\]]*?)\]", r"\1 +/- \2", s)
    s = re.sub(r"(\d)e([+-]?)0*(\d+)", lambda m: rf"{m.group(1)} \cdot 10^{{{m.group(2).replace('+', '')}{m.group(3)}}}", s)
    return s.replace("+/-", r"\pm")


def _text_rows(text: str, width: int = 90) -> list[str]:
    """Plain text as ``\text{...}`` rows of at most ``width`` characters (MathJax does not wrap text)."""
    import textwrap

    return [_text(line) for line in textwrap.wrap(text, width)]


_TEXT_SPECIAL = {"_": r"\_", "{": r"\{", "}": r"\}", "#": r"\#", "%": r"\%", "&": r"\&", "$": r"\$",
                 "^": r"\hat{}", "\\": r"\backslash ", "~": r"\sim "}


def _text(s: str) -> str:
    r"""Plain text as LaTeX math: ``\text{...}`` pieces, with the characters that are special in LaTeX
    set in math mode between them (``\_``), which LaTeX, MathJax and latex2mathml all read alike.

    Examples
    --------
    >>> _text("a_b 50%")
    '\\text{a}\\_\\text{b 50}\\%'
    """
    out, buf = [], []
    for ch in s:
        if ch in _TEXT_SPECIAL:
            if buf:
                out.append(r"\text{" + "".join(buf) + "}")
                buf = []
            out.append(_TEXT_SPECIAL[ch])
        else:
            buf.append(ch)
    if buf:
        out.append(r"\text{" + "".join(buf) + "}")
    return "".join(out)


def _mathml(tex: str) -> str:
    from proofkit.printing.mathtext import mathml

    try:
        return mathml(tex)
    except Exception:  # latex2mathml cannot convert: show the source
        return f"<code>{html.escape(tex)}</code>"


def identity_html(res: Any) -> str:
    rows = [("verdict", html.escape(f"{res.verdict} ({res.method})"))]
    if res.witness:
        pairs = _witness_pairs(res)
        shown = ", ".join(_mathml(f"{_latex_of(k)} = {_latex_of(v)}") for k, v in pairs[:24])
        rows.append(("witness", shown + (f", … ({len(pairs)} values)" if len(pairs) > 24 else "")))
    if res.entry is not None:
        rows.append(("entry", html.escape(str(res.entry))))
    if res.enclosure is not None:
        rows.append(("lhs − rhs there", html.escape(short(res.enclosure, 200))))
    rows.append(("detail", html.escape(short(res.detail, 600))))
    rows += [("note", html.escape(short(n, 800))) for n in res.notes]
    return _table("IdentityCheck", rows)


def _table(title: str, rows: list[tuple[str, str]]) -> str:
    body = "".join(f'<tr><th style="text-align:left;vertical-align:top">{html.escape(k)}</th>'
                   f'<td style="text-align:left">{v}</td></tr>' for k, v in rows)
    return f"<table><caption style=\"text-align:left\"><b>{html.escape(title)}</b></caption>{body}</table>"


# --- certificates ----------------------------------------------------------------------------------
def _short_segments(segments: list[tuple[str, str]], limit: int = 300) -> list[tuple[str, str]]:
    """Segments cut after ``limit`` characters of text (never inside a formula or a hash), with an ellipsis."""
    out: list[tuple[str, str]] = []
    used = 0
    for kind, s in segments:
        if used + len(s) > limit:
            if kind == "text":
                out.append((kind, s[:max(0, limit - used)]))
            out.append(("text", "…"))
            break
        out.append((kind, s))
        used += len(s)
    return out


def certificate_latex(cert: Any) -> str:
    """The certificate's items (claim, verdict, method, inputs, evidence: the witness of a refutation)
    as a LaTeX array; the same items as its HTML display. Hashes are monospace (``\\mathtt``), vectors and
    matrices ``bmatrix`` like everywhere else.

    Examples
    --------
    >>> from proofkit import certify_positive_definite
    >>> tex = certify_positive_definite([[1, 2], [2, 1]])._repr_latex_()
    >>> r"\\det A_{2} \\le 0" in tex and r"\\mathtt{" in tex
    True
    """
    from proofkit.printing.certificates import describe, segments_of

    rows = []
    for item in describe(cert):
        if item.kind == "math":
            value = item.value
        elif item.kind == "display":
            value = r"\begin{aligned}" + r" \\ ".join(item.lines[:12]) + (r" \\ \dots" if len(item.lines) > 12 else "") \
                + r"\end{aligned}"
        else:
            value = "".join(_text(s) if k == "text" else rf"\mathtt{{{s}}}" if k == "code" else s
                            for k, s in _short_segments(segments_of(item)))
        rows.append(rf"{_text(item.caption)} & {value}")
    tex = r"$\begin{array}{ll}" + r" \\ ".join(rows) + r"\end{array}$"
    return tex if len(tex) <= 4 * MAX_CHARS else f"${_text(cert.summary())}$"


# --- claim graphs ----------------------------------------------------------------------------------
#: Rows of a claim graph's table before it is cut.
GRAPH_ROWS = 60


def graph_text(graph: Any) -> str:
    """``ClaimGraph with 40 claims: 20 fully established, 8 instance certified, ...``

    Examples
    --------
    >>> from proofkit.claims import Claim, ClaimGraph
    >>> g = ClaimGraph()
    >>> g.add_claim(Claim("A", kind="assumption", statement="$x > 0$", established="cited"))
    >>> g
    ClaimGraph with 1 claim: 1 fully established
    """
    from collections import Counter

    labels = list(graph.claims)
    counts = Counter(graph.status(label) for label in labels)
    parts = ", ".join(f"{n} {status}" for status, n in counts.most_common())
    return f"ClaimGraph with {len(labels)} claim{'s' if len(labels) != 1 else ''}" + (f": {parts}" if parts else "")


def graph_html(graph: Any) -> str:
    """A table: label, kind, status, title (the first :data:`GRAPH_ROWS` claims, then how many more)."""
    labels = list(graph.claims)
    rows = "".join(f"<tr><td>{html.escape(label)}</td><td>{html.escape(graph.claims[label].kind)}</td>"
                   f"<td>{html.escape(graph.status(label))}</td>"
                   f"<td>{html.escape(short(graph.claims[label].title or '', 80))}</td></tr>"
                   for label in labels[:GRAPH_ROWS])
    more = f"<tr><td colspan=4>… and {len(labels) - GRAPH_ROWS} more claims</td></tr>" if len(labels) > GRAPH_ROWS else ""
    return (f"<table><caption style=\"text-align:left\"><b>{html.escape(graph_text(graph))}</b></caption>"
            f"<tr><th>label</th><th>kind</th><th>status</th><th>title</th></tr>{rows}{more}</table>")


# --- any other result: a dataclass or a plain object with public fields -------------------------------
def _value_text(v: Any, limit: int = 100) -> str:
    if isinstance(v, str):
        return repr(short(v, limit))
    if isinstance(v, Mapping):
        items = list(v.items())
        inner = ", ".join(f"{k!r}: {_value_text(x, 30)}" for k, x in items[:4])
        return "{" + inner + (f", … ({len(items)} items)" if len(items) > 4 else "") + "}"
    if isinstance(v, (list, tuple)) and not hasattr(v, "_fields"):
        inner = ", ".join(_value_text(x, 30) for x in v[:4])
        br = "[]" if isinstance(v, list) else "()"
        return br[0] + inner + (f", … ({len(v)} items)" if len(v) > 4 else "") + br[1]
    if hasattr(v, "shape") and not isinstance(v, sympy.Basic):
        return f"<{type(v).__name__} {'×'.join(map(str, v.shape))}>"
    return short(repr(v), limit)


def _fields(obj: Any) -> list[tuple[str, Any]]:
    if dataclasses.is_dataclass(obj):
        return [(f.name, getattr(obj, f.name)) for f in dataclasses.fields(obj) if f.repr]
    return [(k, v) for k, v in vars(obj).items() if not k.startswith("_")]


def result_text(obj: Any) -> str:
    """``Name(field=value, ...)`` with every value summarised (long lists, dicts, arrays, strings).

    Examples
    --------
    >>> from proofkit.sweep.store import VerifyReport
    >>> result_text(VerifyReport(problems=["a"] * 10))[:60]
    'VerifyReport(files=0, records=0, certificates=0, accepted=0,'
    """
    return f"{type(obj).__name__}(" + ", ".join(f"{k}={_value_text(v)}" for k, v in _fields(obj)) + ")"


def result_html(obj: Any) -> str:
    """A table of the fields, every value summarised (see :func:`result_text`)."""
    return _table(type(obj).__name__, [(k, html.escape(_value_text(v, 200))) for k, v in _fields(obj)])
