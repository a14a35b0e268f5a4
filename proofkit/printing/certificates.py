"""What a certificate certified, as items that the PDF and the HTML pages both typeset.

:func:`describe` turns a :class:`~proofkit.certificate.Certificate` into a list of
:class:`Item` (a caption and a value that is plain text with ASCII math, inline
LaTeX math, or display lines). Each value appears once: small matrices are
typeset, large ones by their size and hash; a loss is typeset with line breaks,
or by its size and hash when too large; enclosures are ``mid ± rad``.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

import sympy

from proofkit.printing.mathtext import plain_segments

__all__ = ["Item", "describe", "claim_sentence", "kernel_recheck", "break_sum", "visual_width", "MAX_LINE"]

#: Visual width (characters of typeset math, roughly) of one display line on an A4 page with 2.5 cm margins.
MAX_LINE = 58
_MAX_MATRIX = 6
_MAX_SUM_CHARS = 6000


@dataclass
class Item:
    """One line of a certificate's description.

    ``kind`` is ``"text"`` (plain text, may contain ASCII math), ``"math"`` (inline
    LaTeX), or ``"display"`` (``lines``: LaTeX lines of one aligned display, each
    starting at the alignment point).
    """

    caption: str
    kind: str
    value: str = ""
    lines: list[str] = field(default_factory=list)


def visual_width(tex: str) -> float:
    """A rough width of typeset LaTeX math in characters (fractions count their wider part)."""
    tex = re.sub(r"\\(left|right|big|Big|bigl|bigr|,|;|!|quad)\b", "", tex)
    width = 0.0
    i = 0
    while i < len(tex):
        if tex.startswith(r"\frac", i) or tex.startswith(r"\tfrac", i):
            i = tex.index("{", i)
            num, i = _group(tex, i)
            den, i = _group(tex, i)
            width += max(visual_width(num), visual_width(den)) + 0.5
            continue
        ch = tex[i]
        if ch in "^_":
            i += 1
            if i < len(tex) and tex[i] == "{":
                grp, i = _group(tex, i)
                width += 0.7 * visual_width(grp)
            else:
                width += 0.7
                i += 1
            continue
        if ch == "\\":
            m = re.match(r"\\[A-Za-z]+|\\.", tex[i:])
            assert m is not None
            i += len(m.group(0))
            width += 1
            continue
        if ch in "{} ":
            i += 1
            continue
        width += 1.4 if ch in "=+-<>" else 1
        i += 1
    return width


def _group(tex: str, i: int) -> tuple[str, int]:
    depth = 0
    for j in range(i, len(tex)):
        if tex[j] == "{":
            depth += 1
        elif tex[j] == "}":
            depth -= 1
            if depth == 0:
                return tex[i + 1:j], j + 1
    return tex[i + 1:], len(tex)


def break_sum(lhs: str, expr: sympy.Expr, width: float = MAX_LINE, **settings: Any) -> list[str] | None:
    """``lhs = expr`` as display lines (for an aligned environment), breaking a sum between its terms.

    Returns None when one term alone is wider than a line.

    Examples
    --------
    >>> x = sympy.Symbol("x")
    >>> break_sum("f", x**2 + 1)
    ['f &= x^{2} + 1']
    """
    from proofkit.printing.latex import latex

    terms = sympy.Add.make_args(expr) if isinstance(expr, sympy.Add) else (expr,)
    if isinstance(expr, sympy.Add):
        terms = expr.as_ordered_terms()
    lines: list[str] = []
    current = ""
    cur_w = visual_width(lhs) + 2
    for k, term in enumerate(terms):
        coeff, _ = term.as_coeff_Mul()
        neg = coeff.is_number and coeff < 0
        body = latex(-term if neg else term, **settings)
        w = visual_width(body)
        if w + 4 > width:
            return None
        sign = "-" if neg else ("+" if k else "")
        piece = f" {sign} {body}" if sign else f" {body}"
        if current and cur_w + w + 2 > width:
            lines.append(current)
            current, cur_w = "&\\quad", 4
        current += piece
        cur_w += w + 2
    lines.append(current)
    lines[0] = f"{lhs} &={lines[0]}"
    return [ln.replace("&\\quad ", "&\\quad{} ", 1) if ln.startswith("&\\quad +") or ln.startswith("&\\quad -")
            else ln for ln in lines]


_CLAIMS = {
    "nonsingular": "the {n}x{n} matrix A is non-singular",
    "singular": "the {n}x{n} matrix A is singular",
    "positive_definite": "the {n}x{n} matrix A is positive definite",
    "negative_definite": "the {n}x{n} matrix A is negative definite",
    "indefinite": "the {n}x{n} matrix A is indefinite",
    "eigenvalues": "the eigenvalues of the {n}x{n} matrix A lie in the balls below",
    "rank_deficient": "the matrix A ({shape}) has rank below full",
    "rank_at_least": "the matrix A ({shape}) has rank >= {r}",
    "full_rank": "the matrix A ({shape}) has full rank",
    "identity": "lhs = rhs identically, in each of {entries} entries",
    "spurious_local_min": "a strict local minimum of the loss in {dimension} parameters whose value exceeds the "
                          "loss at a better point: a local minimum that is not global",
    "strict_local_min": "a strict local minimum of the loss in {dimension} parameters",
    "critical_point": "exactly one critical point of the loss in the box",
    "relu_linear_region": "rank [F_1, 1_N] <= {rank_bound} < N = {N} on a box of parameters (a set of positive "
                          "measure)",
    "leibniz_witness": "{statement}",
}


def claim_sentence(claim: dict[str, Any]) -> str:
    """What a certificate claims, as plain text with ASCII math.

    Examples
    --------
    >>> claim_sentence({"type": "rank_at_least", "r": 4, "shape": [4, 13]})
    'the matrix A (4x13) has rank >= 4'
    """
    kind = str(claim.get("type", "claim"))
    fields = {k: (f"{v[0]}x{v[1]}" if k == "shape" and isinstance(v, list) and len(v) == 2 else v)
              for k, v in claim.items()}
    template = _CLAIMS.get(kind)
    try:
        text = template.format(**fields) if template else None
    except (KeyError, IndexError):
        text = None
    if text is None:
        extra = ", ".join(f"{k} = {v}" for k, v in sorted(claim.items()) if k != "type")
        text = kind.replace("_", " ") + (f" ({extra})" if extra else "")
    if claim.get("slice"):
        text += ", on a slice of the parameters (the others fixed)"
    return text


def kernel_recheck(cert: Any) -> tuple[bool, str]:
    """Re-check ``cert`` with the trusted kernel now: ``(accepted, what the kernel says)``."""
    from proofkit.errors import CertificateRejected
    from proofkit.kernel import check_certificate

    try:
        rep = check_certificate(cert)
    except CertificateRejected as exc:
        return False, str(exc)
    return True, f"{rep.verdict}: {rep.how}"


# -- values ------------------------------------------------------------------------------------
def _ball(d: dict[str, Any]) -> str:
    text = d.get("text", "")
    m = re.fullmatch(r"\[\s*([+-]?[\d.]+(?:e[+-]?\d+)?)?\s*\+/-\s*([\d.]+(?:e[+-]?\d+)?)\s*\]", text)
    if not m:
        return _num(text)
    mid = _num(m.group(1) or "0")
    return rf"{mid} \pm {_num(m.group(2))}"


def _num(s: str) -> str:
    s = str(s).strip()
    m = re.fullmatch(r"([+-]?\d+(?:\.\d+)?)e([+-]?\d+)", s)
    if m:
        return rf"{m.group(1)}\cdot 10^{{{int(m.group(2))}}}"
    m = re.fullmatch(r"([+-]?)(\d+)/(\d+)", s)
    if m:
        return rf"{m.group(1)}\tfrac{{{m.group(2)}}}{{{m.group(3)}}}"
    return s


def _short_decimal(v: Any, digits: int = 10) -> str:
    try:
        if isinstance(v, dict):
            v = v.get("text", "")
            m = re.search(r"[+-]?[\d.]+(?:e[+-]?\d+)?", v)
            v = m.group(0) if m else "0"
        x = sympy.Rational(v) if re.fullmatch(r"[+-]?\d+(?:/\d+)?", str(v)) else sympy.Float(str(v), 30)
    except (TypeError, ValueError, sympy.SympifyError):
        return str(v)
    if isinstance(x, sympy.Rational) and x.q < 1000:
        return sympy.latex(x)
    s = sympy.Float(x, digits)
    return _num(f"{float(s):.{digits}g}".replace("e-0", "e-").replace("e+0", "e"))


def _entry(v: Any) -> tuple[str, float]:
    """An entry of a stored matrix as LaTeX, and the radius if it is a ball."""
    if isinstance(v, dict) and "text" in v:
        rad = _radius(v)
        if rad == 0:
            return _short_decimal(v), 0.0
        return _short_decimal(v, 8), rad
    s = str(v)
    if re.fullmatch(r"[+-]?\d+(?:/\d+)?", s):
        return sympy.latex(sympy.Rational(s)), 0.0
    try:
        return sympy.latex(sympy.sympify(s, rational=True)), 0.0
    except (sympy.SympifyError, TypeError, SyntaxError):
        return r"\text{?}", 0.0


def _radius(v: dict[str, Any]) -> float:
    m = re.search(r"\+/-\s*([\d.]+(?:e[+-]?\d+)?)", v.get("text", ""))
    return float(m.group(1)) if m else 0.0


def _digest(obj: Any) -> str:
    return hashlib.sha256(repr(obj).encode()).hexdigest()[:16]


def matrix_item(caption: str, rec: Any, digest: str | None = None) -> Item:
    """A stored matrix: typeset when at most 6x6, otherwise its shape and hash."""
    entries = rec.get("entries") if isinstance(rec, dict) else rec
    if isinstance(rec, dict) and rec.get("kind") == "float64" or not isinstance(entries, list):
        shape = rec.get("shape", ["?", "?"]) if isinstance(rec, dict) else ["?", "?"]
        return Item(caption, "text", f"a {shape[0]}x{shape[1]} matrix of floating-point numbers, SHA-256 "
                                     f"{(digest or _digest(rec))[:16]}")
    rows, cols = len(entries), max((len(r) for r in entries), default=0)
    if rows > _MAX_MATRIX or cols > _MAX_MATRIX:
        return Item(caption, "text", f"a {rows}x{cols} matrix, SHA-256 {(digest or _digest(rec))[:16]}")
    cells = [[_entry(v) for v in row] for row in entries]
    body = r" \\ ".join(" & ".join(c for c, _ in row) for row in cells)
    rad = max((r for row in cells for _, r in row), default=0.0)
    tex = rf"\begin{{bmatrix}} {body} \end{{bmatrix}}"
    if visual_width(tex) / max(rows, 1) > MAX_LINE * 1.6:
        return Item(caption, "text", f"a {rows}x{cols} matrix, SHA-256 {(digest or _digest(rec))[:16]}")
    if rad:
        caption += f" (midpoints of balls of radius at most {rad:.1e})"
    return Item(caption, "display", lines=[tex])


class _Sigmoid(sympy.Function):
    """The logistic sigmoid, for display only (the certificates keep the expanded expression)."""

    nargs = 1

    def _latex(self, printer: Any, exp: Any = None) -> str:
        body = rf"\sigma\left({printer._print(self.args[0])}\right)"
        return body if exp is None else rf"{body}^{{{exp}}}"

    _proofkit_latex = _latex


def sigmoid_form(expr: sympy.Expr) -> tuple[sympy.Expr, bool]:
    """``1/(1 + exp(-u))`` written as ``σ(u)`` (innermost first); and whether any was found."""
    found = False

    def rewrite(e: sympy.Expr) -> sympy.Expr:
        nonlocal found
        if e.is_Atom:
            return e
        e = e.func(*[rewrite(a) for a in e.args])
        if isinstance(e, sympy.Pow) and e.exp == -1 and isinstance(e.base, sympy.Add) and len(e.base.args) == 2:
            one, other = sorted(e.base.args, key=lambda a: a != 1)
            if one == 1 and isinstance(other, sympy.exp):
                found = True
                return _Sigmoid(-other.args[0])
        return e

    return rewrite(expr), found


def _expr_item(caption: str, lhs: str, text: Any, names: list[str]) -> Item:
    if isinstance(text, dict):  # a stored proofkit.dag/1 graph
        nodes = text.get("nodes", [])
        digest = hashlib.sha256(json.dumps(text, sort_keys=True).encode()).hexdigest()[:16]
        if len(nodes) > 400:
            return Item(caption, "text", f"an expression graph of {len(nodes):,} nodes; SHA-256 {digest}")
        try:
            from proofkit.symbolic.dag import from_dag

            (expr,) = from_dag(text, [sympy.Symbol(str(n)) for n in text.get("inputs", [])])
            lines = break_sum(lhs, sigmoid_form(expr)[0])
        except Exception:  # noqa: BLE001 - display only: an unreadable graph is shown by its digest
            lines = None
        if lines is None or len(lines) > 12:
            return Item(caption, "text", f"an expression graph of {len(nodes):,} nodes; SHA-256 {digest}")
        return Item(caption, "display", lines=lines)
    syms = {f"x{i}": sympy.Symbol(n) for i, n in enumerate(names)}
    size = f"{len(text):,} characters"
    try:
        if len(text) > _MAX_SUM_CHARS:
            raise ValueError
        expr, sig = sigmoid_form(sympy.sympify(text, locals=syms, rational=True))
        if sig:
            caption += ", with the sigmoid σ(t) = 1/(1 + exp(-t))"
        lines = break_sum(lhs, expr)
    except (sympy.SympifyError, TypeError, ValueError, SyntaxError):
        lines = None
    if lines is None or len(lines) > 12:
        digest = hashlib.sha256(text.encode()).hexdigest()[:16]
        return Item(caption, "text", f"too large to typeset ({size}); SHA-256 of its text {digest}")
    return Item(caption, "display", lines=lines)


def _activation_item(dag: dict[str, Any]) -> Item:
    """sigma as a formula in t (the sigmoid is not abbreviated to sigma here: it *is* sigma)."""
    try:
        from proofkit.symbolic.dag import from_dag

        (expr,) = from_dag(dag, [sympy.Symbol("t")])
        tex = sympy.latex(expr)
    except Exception:  # noqa: BLE001 - display only: an unreadable graph is shown by its digest
        tex = None
    if tex is None or len(tex) > 400:
        return Item("activation", "text", f"an expression graph; SHA-256 {_digest(dag)}")
    return Item("activation", "math", rf"\sigma(t) = {tex}")


def _vector(names: list[str], values: list[Any], digits: int = 10) -> list[str]:
    cells = [f"{n} &\\approx {_short_decimal(v, digits)}" if not re.fullmatch(r"[+-]?\d+(?:/\d+)?", str(v))
             else f"{n} &= {_short_decimal(v)}" for n, v in zip(names, values)]
    return cells


def describe(cert: Any, digits: int = 12) -> list[Item]:
    """The certificate as items: claim, verdict, method, precision, margin, inputs and evidence, each value once.

    Examples
    --------
    >>> from proofkit import certify_positive_definite
    >>> [i.caption for i in describe(certify_positive_definite([[2, 1], [1, 2]]))][:3]
    ['certifies', 'verdict', 'method']
    """
    items = [Item("certifies", "text", claim_sentence(cert.claim)), Item("verdict", "text", cert.verdict),
             Item("method", "text", cert.method)]
    prec = "exact arithmetic" if cert.precision is None else f"{cert.precision} bits ({cert.backend})"
    items.append(Item("precision", "text", prec))
    if cert.reason:
        items.append(Item("reason", "text", cert.reason))
    margin = cert.margin or ""
    if margin:
        items.append(Item("margin", "text", margin))
    inp = cert.inputs or {}
    names = [str(n) for n in inp.get("variables", [])]
    shown: set[str] = set()
    for key in ("A", "X"):
        if key in inp:
            items.append(matrix_item("matrix A" if key == "A" else "data X", inp[key], inp.get(f"{key}_hash")))
            shown.update({key, f"{key}_hash"})
    if "fixed" in inp and inp["fixed"]:
        fixed = ", ".join(f"{k} = {v}" for k, v in inp["fixed"].items())
        items.append(Item("fixed parameters", "math", _fixed_math(inp["fixed"])) if len(fixed) < 400
                     else Item("fixed parameters", "text", f"{len(inp['fixed'])} parameters fixed"))
    if "centers" in inp and names:
        items.append(Item("box centre", "display", lines=_vector(names, inp["centers"], digits)))
        radii = [sympy.Rational(r) for r in inp.get("radii", [])]
        if radii:
            items.append(Item("box radius", "math", rf"{_short_decimal(str(max(radii)), 3)}"))
    if "better" in inp and names:
        items.append(Item("better point", "display", lines=_vector(names, inp["better"], digits)))
    if "loss" in inp:
        items.append(_expr_item("loss", r"\Phi", inp["loss"], names))
    if isinstance(inp.get("sigma"), dict):
        items.append(_activation_item(inp["sigma"]))
    if "gradient" in inp:
        total = sum(len(g) for g in inp["gradient"])
        items.append(Item("gradient", "text", f"{len(inp['gradient'])} components, {total:,} characters; "
                                              f"SHA-256 {_digest(inp['gradient'])}"))
    for side in ("lhs", "rhs"):
        if side in inp:
            total = sum(len(g) for g in inp[side])
            items.append(Item(side, "text", f"{len(inp[side])} expressions, {total:,} characters; "
                                            f"SHA-256 {_digest(inp[side])}"))
    shown.update({"variables", "fixed", "centers", "radii", "better", "loss", "gradient", "lhs", "rhs", "compare",
                  "symmetry", "sigma"})
    for key, value in sorted(inp.items()):
        if key not in shown:
            items.extend(_generic(f"input {key}", value))
    items.extend(_evidence(cert.evidence or {}, margin))
    items.append(Item("input hash", "text", f"SHA-256 {cert.input_hash[:16]}"))
    return items


def _fixed_math(fixed: dict[str, Any]) -> str:
    return r",\allowbreak\ ".join(f"{k} = {_short_decimal(v)}" for k, v in fixed.items())


_EVIDENCE_CAPTIONS = {"lower": "lower bound of the loss on the box", "better": "loss at the better point",
                      "gap": "certified gap", "phi_at_centre": "loss at the centre", "rank": "rank",
                      "min_preactivation": "smallest pre-activation on the box", "eigenvalues": "eigenvalues",
                      "kernel": "kernel basis", "lemma_4_3": "Lemma 4.3 construction"}


def _evidence(ev: dict[str, Any], margin: str) -> list[Item]:
    items: list[Item] = []
    for key in sorted(ev):
        value = ev[key]
        text = value.get("text") if isinstance(value, dict) else (value if isinstance(value, str) else None)
        if text and margin and text in margin:
            continue  # already shown as the margin
        if key == "C":
            items.append(Item("preconditioner", "text", "an approximate inverse (floating point); any choice is "
                                                        "sound, the kernel re-checks the enclosure"))
        elif key == "K" and isinstance(value, list):
            rad = max((_radius(v) for v in value if isinstance(v, dict)), default=0.0)
            items.append(Item("Krawczyk image", "text", f"inside the box in all {len(value)} coordinates "
                                                        f"(balls of radius at most {rad:.1e})"))
        elif key == "det_mod_p" and "prime" in ev:
            items.append(Item("determinant", "math", rf"\det A \equiv {ev['det_mod_p']} \pmod{{p}},\ "
                                                     rf"p = {ev['prime']}"))
        elif key == "prime":
            continue
        elif key == "attempts":
            items.append(Item("attempts", "text", ", ".join(map(str, value))))
        elif key in ("rows", "cols") and isinstance(value, list):
            items.append(Item(f"minor {key}", "math", r"\{" + ", ".join(str(v + 1) for v in value) + r"\}"))
        elif key == "minor" and isinstance(value, dict):
            sub = value.get("claim", {})
            items.append(Item("minor", "text", f"{claim_sentence(sub)}: {value.get('verdict', '')} by "
                                               f"{value.get('method', '')}"))
        elif key in ("negative", "positive") and isinstance(value, dict) and "v" in value:
            form = value.get("form", {})
            val = _ball(form) if "text" in form else _num(form.get("exact", "?"))
            vec = ", ".join(_short_decimal(x, 6) for x in value["v"])
            sign = "<" if key == "negative" else ">"
            items.append(Item(f"{key} direction", "math", rf"v = ({vec}),\ v^T A v = {val} {sign} 0"))
        elif key == "kernel" and isinstance(value, list):
            items.append(matrix_item("kernel basis (rows)", value))
        else:
            items.extend(_generic(_EVIDENCE_CAPTIONS.get(key, key.replace("_", " ")), value))
    return items


def _generic(caption: str, value: Any) -> list[Item]:
    if isinstance(value, dict) and "text" in value and "mid" in value:
        return [Item(caption, "math", _ball(value))]
    if isinstance(value, dict) and "entries" in value:
        return [matrix_item(caption, value)]
    if isinstance(value, dict):
        parts = [f"{k.replace('_', ' ')}: {v.get('text') if isinstance(v, dict) else v}"
                 for k, v in sorted(value.items())]
        text = "; ".join(parts)
        return [Item(caption, "text", text if len(text) < 400 else f"{len(value)} fields, SHA-256 {_digest(value)}")]
    if isinstance(value, list) and value and all(isinstance(v, dict) and "text" in v for v in value):
        if len(value) <= 8:
            return [Item(caption, "math", r",\allowbreak\ ".join(_ball(v) for v in value))]
        return [Item(caption, "text", f"{len(value)} balls, SHA-256 {_digest(value)}")]
    if isinstance(value, list) and value and all(isinstance(v, list) for v in value):
        return [matrix_item(caption, value)]
    text = str(value)
    if len(text) > 300:
        return [Item(caption, "text", f"{len(text):,} characters, SHA-256 {_digest(value)}")]
    if re.fullmatch(r"[+-]?\d+(?:/\d+)?", text):
        return [Item(caption, "math", _num(text))]
    return [Item(caption, "text", text)]


def segments_of(item: Item) -> list[tuple[str, str]]:
    """An inline item as text/math segments."""
    if item.kind == "math":
        return [("math", item.value)]
    return plain_segments(item.value)
