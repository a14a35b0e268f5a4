"""What a certificate certified, as items that the PDF and the HTML pages both typeset.

:func:`describe` turns a :class:`~proofkit.certificate.Certificate` into a list of :class:`Item`:
a caption and a value that is *marked text* (``$...$`` is LaTeX math, ``\\$`` a dollar, the rest
plain text, and in the values of items `` `...` `` is a hash or other code, set in monospace), inline
LaTeX math, or the lines of one aligned display. What was certified is shown
itself: matrices as matrices (``bmatrix`` throughout), points grouped into the network's weight
matrices and bias vectors, losses, curves and activations as formulas, enclosures as
``mid ± rad``. Only an object too large to typeset is shown by its size and its SHA-256 (once, in
monospace).
Values are rounded for display; the certificate's JSON holds them exactly.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import re
import struct
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import sympy

__all__ = ["Item", "describe", "claim_sentence", "kernel_recheck", "break_sum", "visual_width", "MAX_LINE",
           "marked_segments", "segments_of", "matrix_lines"]

#: Visual width (characters of typeset math, roughly) of one display line on an A4 page with 2.5 cm margins.
MAX_LINE = 58
_MAX_SUM_CHARS = 6000
_MAX_DISPLAY_LINES = 14
_MAX_DAG_NODES = 400


@dataclass
class Item:
    """One line of a certificate's description.

    ``caption`` is plain text (Unicode math such as σ allowed, no markup). ``kind`` is ``"text"`` (``value`` is
    marked text: ``$...$`` math, `` `...` `` code such as a hash, the rest plain text), ``"math"``
    (``value`` is inline LaTeX math), or ``"display"`` (``lines``: LaTeX lines of one aligned display,
    each with one ``&`` at its alignment point).
    """

    caption: str
    kind: str
    value: str = ""
    lines: list[str] = field(default_factory=list)


# -- marked text ------------------------------------------------------------------------------------
_MARK = re.compile(r"(?<!\\)\$(.+?)(?<!\\)\$", re.S)
_MARK_CODE = re.compile(r"(?<!\\)\$(.+?)(?<!\\)\$|(?<!\\)`(.+?)(?<!\\)`", re.S)


def marked_segments(text: str, code: bool = False) -> list[tuple[str, str]]:
    """Marked text as ``("text", s)`` / ``("math", s)`` segments: ``$...$`` is math, ``\\$`` a literal dollar;
    with ``code``, also ``("code", s)`` for text between backticks (a hash, set in monospace); a backslash
    before a backtick makes it a literal backtick.

    Examples
    --------
    >>> marked_segments(r"the $5\\times 5$ matrix costs \\$5")
    [('text', 'the '), ('math', '5\\\\times 5'), ('text', ' matrix costs $5')]
    >>> marked_segments("SHA-256 `9de0` of $A$", code=True)
    [('text', 'SHA-256 '), ('code', '9de0'), ('text', ' of '), ('math', 'A')]
    """
    text = str(text)

    def plain(s: str) -> str:
        return s.replace("\\$", "$").replace("\\`", "`") if code else s.replace("\\$", "$")

    out: list[tuple[str, str]] = []
    pos = 0
    for m in (_MARK_CODE if code else _MARK).finditer(text):
        if m.start() > pos:
            out.append(("text", plain(text[pos:m.start()])))
        out.append(("math", m.group(1)) if m.group(1) is not None else ("code", m.group(2)))
        pos = m.end()
    if pos < len(text):
        out.append(("text", plain(text[pos:])))
    return out


def _esc(text: Any) -> str:
    """Data (a message, a method name) as the marked text of an item: its dollars and backticks are literal."""
    return str(text).replace("$", "\\$").replace("`", "\\`")


def _sha(digest: str) -> str:
    """A SHA-256 digest (or its first 16 hex digits) as marked text: ``SHA-256 `9de0…` `` (monospace)."""
    return f"SHA-256 `{digest}`"


def segments_of(item: Item) -> list[tuple[str, str]]:
    """An inline item as text, math and code segments."""
    if item.kind == "math":
        return [("math", item.value)]
    return marked_segments(item.value, code=True)


# -- widths and sums --------------------------------------------------------------------------------
def visual_width(tex: str) -> float:
    """A rough width of typeset LaTeX math in characters (fractions count their wider part, matrices their widest row)."""
    tex = re.sub(r"\\(left|right|big|Big|bigl|bigr|Bigl|Bigr|,|;|!|quad|qquad|allowbreak)(?![A-Za-z])", "", tex)
    m = re.search(r"\\begin\{bmatrix\}(.*?)\\end\{bmatrix\}", tex, re.S)
    if m:
        rows = m.group(1).split(r"\\")
        inner = max((sum(visual_width(c) + 1.5 for c in row.split("&")) for row in rows), default=0)
        return visual_width(tex[:m.start()]) + inner + 2 + visual_width(tex[m.end():])
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
            mm = re.match(r"\\[A-Za-z]+|\\.", tex[i:])
            assert mm is not None
            i += len(mm.group(0))
            width += 1
            continue
        if ch in "{} &":
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


# -- what a certificate claims ------------------------------------------------------------------------
def _dims(shape: Any) -> str:
    if isinstance(shape, list | tuple) and len(shape) == 2:
        return rf"${shape[0]}\times {shape[1]}$"
    return "given"


def _field_text(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(_field_text(v) for v in value)
    if isinstance(value, int) or (isinstance(value, str) and re.fullmatch(r"-?\d+(?:/\d+)?", value)):
        return f"${_exact_tex(Fraction(str(value)))}$"
    return _esc(value)


def _slice_note(claim: dict[str, Any]) -> str:
    return (", on the slice of the parameters listed below (the others fixed; no claim is made about the full "
            "space)") if claim.get("slice") else ""


def claim_sentence(claim: dict[str, Any]) -> str:
    """What a certificate claims, as marked text (``$...$`` math), built from the claim's fields.

    Examples
    --------
    >>> claim_sentence({"type": "rank_at_least", "r": 4, "shape": [4, 13]})
    'the $4\\\\times 13$ matrix $A$ has rank $\\\\ge 4$'
    >>> claim_sentence({"type": "exact_rank", "rank": 0, "shape": [3, 3]})
    'the $3\\\\times 3$ matrix $A$ has rank exactly $0$'
    """
    t = str(claim.get("type", "claim"))
    n = claim.get("n")
    sq = rf"${n}\times {n}$" if isinstance(n, int) else "square"
    dim = claim.get("dimension")
    params = f"{dim} parameters" if isinstance(dim, int) else "its parameters"
    than = "the loss at the better point" if claim.get("compare") == "better_point" else "the stated global value"
    simple = {
        "nonsingular": f"the {sq} matrix $A$ is non-singular",
        "singular": f"the {sq} matrix $A$ is singular",
        "positive_definite": f"the {sq} matrix $A$ is positive definite",
        "negative_definite": f"the {sq} matrix $A$ is negative definite",
        "indefinite": f"the {sq} matrix $A$ is indefinite",
        "rank_deficient": f"the {_dims(claim.get('shape'))} matrix $A$ has rank below full",
        "full_rank": f"the {_dims(claim.get('shape'))} matrix $A$ has full rank",
        "rank_at_least": rf"the {_dims(claim.get('shape'))} matrix $A$ has rank $\ge {claim.get('r')}$",
        "exact_rank": rf"the {_dims(claim.get('shape'))} matrix $A$ has rank exactly ${claim.get('rank')}$",
        "identity": rf"$\mathrm{{lhs}} = \mathrm{{rhs}}$ identically, in each of the {claim.get('entries')} entries",
        "critical_point": f"exactly one critical point of the loss $\\Phi$ ({params}) in the box below",
        "strict_local_min": f"a strict local minimum of the loss $\\Phi$ ({params}) in the box below: exactly one "
                            f"critical point there, and the Hessian positive definite on the whole box",
        "spurious_local_min": f"a strict local minimum of the loss $\\Phi$ ({params}) in the box below whose value "
                              f"exceeds {than}: a local minimum that is not global",
        "local_max": f"a strict local maximum of the loss $\\Phi$ ({params}) in the box below",
        "relu_linear_region": rf"$\operatorname{{rank}}\,[F_1, 1_N] \le {claim.get('rank_bound')} < N = "
                              rf"{claim.get('N')}$ on a box of parameters (a set of positive measure)",
        "leibniz_alpha0": rf"$\det E(\alpha) \ne 0$ for every $\alpha \ge \alpha_0 = {_exact_tex_s(claim.get('alpha0'))}$"
                          rf" ($N = {claim.get('N')}$), for every $\sigma$ strictly increasing from $\mu$ to $\gamma$",
    }
    for base in ("critical_point", "strict_local_min", "spurious_local_min"):
        simple[base + "_on_slice"] = simple[base]
    if t == "eigenvalues":
        inertia = claim.get("inertia")
        text = f"the eigenvalues of the {sq} matrix $A$ lie in the balls below"
        if isinstance(inertia, list) and len(inertia) == 3:
            text += f" ({inertia[0]} negative, {inertia[1]} zero, {inertia[2]} positive)"
        return text
    if t in simple:
        return simple[t] + _slice_note(claim)
    if t == "det_sign":
        word = {"-1": "negative", "0": "zero", "1": "positive", "+1": "positive"}.get(str(claim.get("sign")))
        return f"the determinant of the {sq} matrix $A$ is {word}" if word else \
            f"the determinant of the {sq} matrix $A$ has sign {_field_text(claim.get('sign'))}"
    if t == "classification":
        kind = _esc(str(claim.get("kind") or "not classified"))
        return (f"the critical point below of the loss $\\Phi$ ({params}) is classified: {kind}, by the certificate "
                f"recorded in it")
    if t == "leibniz_witness":
        k = claim.get("k")
        kind = "bounded $\\sigma$" if claim.get("kind") == "bounded" else "$\\sigma$ of exponential growth (type 2b)"
        return (rf"$\operatorname{{rank}}\,[F_{{{k}}}, 1_N] = N = {claim.get('N')}$ at the parameters of the "
                rf"construction of Lemma 4.3 with $\alpha = {_exact_tex_s(claim.get('alpha'))}$, "
                rf"$\beta = {_exact_tex_s(claim.get('beta'))}$ ({kind}, layer $k = {k}$)")
    if t == "teacher_student":
        return (f"exactly one critical point of Safran and Shamir's teacher-student loss $F$ ($k = {claim.get('k')}$, "
                f"$n = {claim.get('n')}$, {params}) in the box below, and it is a {_esc(claim.get('kind'))}")
    if t == "local_min":
        if claim.get("strict") is False and claim.get("via") == "manifold":
            value = claim.get("value")
            val = f" with value ${_exact_tex_s(value)}$" if value is not None else ""
            return (f"every point $(u, \\varphi(u))$ of the manifold over the box $U$ below is a local minimum (not "
                    f"strict) of the loss $\\Phi$ ({params}){val}, and $\\Phi$ is at least that value on "
                    f"$U\\times V$")
        if claim.get("strict") is False:
            return f"a local minimum (not strict) of the loss $\\Phi$ ({params}), by the symmetry recorded below"
        return simple["strict_local_min"] + (f", whose value exceeds {than}" if claim.get("compare") not in
                                             (None, "none") else "") + _slice_note(claim)
    if t == "saddle":
        if claim.get("kind") == "degenerate":
            order = claim.get("order")
            name = "a strict saddle (a negative Hessian eigenvalue, a singular Hessian)" if order == 2 else \
                "a degenerate saddle"
            return (f"{name} of the loss $\\Phi$ ({params}) at the exact point below: along the curves "
                    f"below $\\Phi$ changes by $c\\,t^{{{order}}} + O(t^{{{(order or 0) + 1}}})$ with $c$ of both signs")
        return (f"a strict saddle of the loss $\\Phi$ ({params}): exactly one critical point in the box below, with "
                f"directions of negative and of positive curvature on the whole box")
    if t == "not_local_min":
        how = {"first order": "a direction of descent at every point of the box",
               "curve": "a curve along which $\\Phi$ decreases",
               "second order": "negative curvature along a direction in which the slope vanishes",
               "box": "one critical point, with a direction of negative curvature"}.get(str(claim.get("how")),
                                                                                       _esc(claim.get("how")))
        return f"no point of the box below is a local minimum of the loss $\\Phi$ ({params}): {how}"
    extra = "; ".join(f"{k.replace('_', ' ')} {_field_text(v)}" for k, v in sorted(claim.items())
                      if k not in ("type", "statement"))
    text = _esc(t.replace("_", " ")) + (f" ({extra})" if extra else "")
    return text + _slice_note(claim)


def kernel_recheck(cert: Any) -> tuple[bool, str]:
    """Re-check ``cert`` with the trusted kernel now: ``(accepted, what the kernel says)``."""
    from proofkit.errors import CertificateRejected
    from proofkit.kernel import check_certificate

    try:
        rep = check_certificate(cert)
    except CertificateRejected as exc:
        return False, str(exc)
    tier = "" if rep.tier is None else f"; trust tier {rep.tier}" + (f" ({rep.rests_on})" if rep.tier == "nested" else "")
    return True, f"{rep.verdict}: {rep.how}{tier}"


# -- numbers ----------------------------------------------------------------------------------------------
def _to_fraction(v: Any) -> Fraction | None:
    """An exact stored number: ``"p"``, ``"p/q"``, ``"m*2^e"`` or an int; None otherwise."""
    if isinstance(v, bool):
        return None
    if isinstance(v, int):
        return Fraction(v)
    s = str(v).strip()
    if re.fullmatch(r"[+-]?\d+(?:/\d+)?|[+-]?\d+\.\d+(?:e[+-]?\d+)?", s):
        try:
            return Fraction(s)
        except ValueError:  # (over Python's 4300-digit limit of int(): shown as text, never a traceback)
            return None
    m = re.fullmatch(r"([+-]?\d+)\*2\^([+-]?\d+)", s)
    if m:
        e = int(m.group(2))
        return Fraction(int(m.group(1))) * (Fraction(2) ** e)
    return None


def _ball(v: Any) -> tuple[Fraction, Fraction] | None:
    """``(mid, rad)`` of a stored ball ``{"mid": "m*2^e", "rad": ...}``."""
    if isinstance(v, dict) and "mid" in v and "rad" in v:
        mid, rad = _to_fraction(v["mid"]), _to_fraction(v["rad"])
        if mid is not None and rad is not None:
            return mid, rad
    return None


def _exact_tex(q: Fraction) -> str:
    if q.denominator == 1:
        return str(q.numerator)
    sign = "-" if q < 0 else ""
    return rf"{sign}\tfrac{{{abs(q.numerator)}}}{{{q.denominator}}}"


def _exact_tex_s(v: Any) -> str:
    q = _to_fraction(v)
    return _exact_tex(q) if q is not None else str(v)


def _sci(x: Fraction, digits: int) -> str:
    """A decimal with ``digits`` significant digits, ``a\\cdot 10^{e}`` for very small or large numbers."""
    if x == 0:
        return "0"
    neg = x < 0
    x = abs(x)
    e = math.floor(math.log10(x.numerator) - math.log10(x.denominator))
    # exact rounding of x to `digits` significant digits
    scale = Fraction(10) ** (digits - 1 - e)
    n = round(x * scale)
    if n >= 10 ** digits:
        n //= 10
        e += 1
        scale /= 10
    s = str(n).rjust(digits, "0")
    sign = "-" if neg else ""
    if -4 <= e < digits + 2:
        point = e + 1  # digits before the decimal point
        if point <= 0:
            body = "0." + "0" * (-point) + s
        elif point >= len(s):
            body = s + "0" * (point - len(s))
        else:
            body = s[:point] + "." + s[point:]
        if "." in body:
            body = body.rstrip("0").rstrip(".")
        return sign + body
    mant = (s[0] + "." + s[1:]).rstrip("0").rstrip(".")
    return rf"{sign}{mant}\cdot 10^{{{e}}}"


def _number(v: Any, digits: int = 10) -> tuple[str, bool]:
    """A stored number as LaTeX and whether it is shown exactly (an integer or a short fraction)."""
    b = _ball(v)
    if b is not None:
        mid, rad = b
        if rad == 0:
            return _number_q(mid, digits)
        return _sci(mid, digits), False
    q = _to_fraction(v)
    if q is None:
        return _esc_math(str(v)), True
    return _number_q(q, digits)


def _number_q(q: Fraction, digits: int) -> tuple[str, bool]:
    if q.denominator == 1 and abs(q.numerator) < 10 ** 12:
        return str(q.numerator), True
    if q.denominator <= 1000 and abs(q.numerator) < 10 ** 6:
        return _exact_tex(q), True
    return _sci(q, digits), False


def _esc_math(s: str) -> str:
    return r"\text{" + re.sub(r"([&%$#_{}])", r"\\\1", s) + "}"


def _ball_tex(v: Any, digits: int = 17) -> str:
    """A stored ball as ``mid \\pm rad`` (the radius with 2 digits, rounded up in the last digit shown)."""
    b = _ball(v)
    if b is None:
        return _number(v, digits)[0]
    mid, rad = b
    if rad == 0:
        return _number_q(mid, digits)[0]
    return rf"{_sci(mid, digits)} \pm {_sci(_round_up(rad), 2)}"


def _round_up(r: Fraction) -> Fraction:
    if r == 0:
        return r
    e = math.floor(math.log10(r.numerator) - math.log10(r.denominator))
    unit = Fraction(10) ** (e - 1)
    return math.ceil(r / unit) * unit


def _radius(v: Any) -> Fraction:
    b = _ball(v)
    return b[1] if b else Fraction(0)


def _digest(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


# -- names and points --------------------------------------------------------------------------------------
def name_tex(name: str) -> str:
    """A parameter name as LaTeX: names already in LaTeX stay, ``w1`` -> ``w_{1}``, ``w0_3`` -> ``w_{0,3}``."""
    s = str(name)
    if any(c in s for c in "\\^{}"):
        return s
    m = re.fullmatch(r"([A-Za-z]+)(\d+)_(\d+)", s)
    if m:
        return f"{m.group(1)}_{{{m.group(2)},{m.group(3)}}}"
    m = re.fullmatch(r"([A-Za-z]+)_?(\d+|[A-Za-z])", s)
    if m and len(m.group(1)) <= 2:
        return f"{m.group(1)}_{{{m.group(2)}}}"
    if re.fullmatch(r"[A-Za-z]", s):
        return s
    return sympy.latex(sympy.Symbol(s))


_MATRIX_NAME = re.compile(r"(?P<base>[A-Za-z]+)\^\{\((?P<layer>\d+)\)\}_\{(?P<i>\d)(?P<j>\d)\}")
_VECTOR_NAME = re.compile(r"(?P<base>[A-Za-z]+)\^\{\((?P<layer>\d+)\)\}_\{(?P<i>\d+)\}")
_UNIT_NAME = re.compile(r"(?P<base>[a-z])(?P<i>\d+)_(?P<j>\d+)")


def _groups(names: list[str]) -> list[tuple[str, str, dict[tuple[int, int], int]]]:
    """The parameters grouped into matrices: ``[(symbol, kind, {(row, col): index})]`` in first-seen order;
    kind is ``"matrix"``, ``"row"`` (a bias vector) or ``"scalar"``."""
    groups: dict[str, tuple[str, dict[tuple[int, int], int]]] = {}
    order: list[str] = []
    for idx, n in enumerate(names):
        m = _MATRIX_NAME.fullmatch(n)
        if m:
            sym, pos, kind = f"{m['base']}^{{({m['layer']})}}", (int(m["i"]), int(m["j"])), "matrix"
        elif (m := _VECTOR_NAME.fullmatch(n)):
            sym, pos, kind = f"{m['base']}^{{({m['layer']})}}", (1, int(m["i"])), "row"
        elif (m := _UNIT_NAME.fullmatch(n)):
            sym, pos, kind = m["base"].upper(), (int(m["i"]) + 1, int(m["j"]) + 1), "matrix"
        else:
            sym, pos, kind = "\0" + n, (1, 1), "scalar"
        if sym not in groups:
            groups[sym] = (kind, {})
            order.append(sym)
        if pos in groups[sym][1]:  # the same position twice: not a matrix after all
            groups[sym] = ("scalar", groups[sym][1])
        groups[sym][1][pos] = idx
    out: list[tuple[str, str, dict[tuple[int, int], int]]] = []
    for sym in order:
        kind, cells = groups[sym]
        rows = {r for r, _ in cells}
        cols = {c for _, c in cells}
        full = len(cells) == len(rows) * len(cols) and rows == set(range(min(rows), max(rows) + 1)) and \
            cols == set(range(min(cols), max(cols) + 1))
        if kind == "scalar" or len(cells) == 1 or not full:
            out.extend(("\0" + names[i], "scalar", {(1, 1): i}) for i in cells.values())
        else:
            out.append((sym, kind, cells))
    return out


def matrix_lines(lhs: str, cells: list[list[str]], rel: str = "=", width: float = MAX_LINE) -> list[str]:
    """``lhs rel [matrix]`` as display lines, the matrix split into blocks of columns when wider than a line.

    Examples
    --------
    >>> matrix_lines("A", [["1", "0"], ["0", "1"]])
    ['A &= \\\\begin{bmatrix} 1 & 0 \\\\\\\\ 0 & 1 \\\\end{bmatrix}']
    """
    ncols = max((len(r) for r in cells), default=0)
    # digits set narrower than the average math symbol visual_width assumes; 1.3 is the column separation
    col_w = [0.7 * max((visual_width(r[c]) for r in cells if c < len(r)), default=1) + 1.3 for c in range(ncols)]
    blocks: list[tuple[int, int]] = []
    start, acc = 0, visual_width(lhs) + 8
    for c in range(ncols):
        if c > start and acc + col_w[c] > width:
            blocks.append((start, c))
            start, acc = c, visual_width(lhs) + 8
        acc += col_w[c]
    blocks.append((start, ncols))
    if len(blocks) > 1:  # as many blocks as needed, of (nearly) equal numbers of columns when they fit
        size = -(-ncols // len(blocks))
        even = [(a, min(a + size, ncols)) for a in range(0, ncols, size)]
        if all(visual_width(lhs) + 8 + sum(col_w[a:b]) <= width for a, b in even):
            blocks = even
    out = []
    for a, b in blocks:
        body = r" \\ ".join(" & ".join(r[a:b]) for r in cells)
        if not lhs:  # a matrix on its own (no name, no relation)
            out.append(rf"&\begin{{bmatrix}} {body} \end{{bmatrix}}")
            continue
        name = lhs if len(blocks) == 1 else (rf"{lhs}_{{\cdot,\,{a + 1}}}" if b - a == 1
                                             else rf"{lhs}_{{\cdot,\,{a + 1}..{b}}}")
        out.append(rf"{name} &{rel} \begin{{bmatrix}} {body} \end{{bmatrix}}")
    return out


def _point_item(caption: str, names: list[str], values: list[Any], digits: int = 10) -> Item:
    """A point of parameter space: weight matrices as matrices, bias vectors as rows, the rest as ``name = value``."""
    texts = [_number(v, digits) for v in values]
    if len(values) > 16:  # many coordinates: fewer digits, so that matrices fit the page
        texts = [_number(v, 7) for v in values]
    lines: list[str] = []
    scalars: list[str] = []
    for sym, kind, cells in _groups(names):
        if kind == "scalar":
            i = next(iter(cells.values()))
            tex, exact = texts[i]
            rel = "=" if exact else r"\approx"
            scalars.append(rf"{name_tex(names[i])} {rel} {tex}")
            continue
        r0 = min(r for r, _ in cells)
        c0 = min(c for _, c in cells)
        nr = max(r for r, _ in cells) - r0 + 1
        nc = max(c for _, c in cells) - c0 + 1
        grid = [[texts[cells[(r0 + i, c0 + j)]][0] for j in range(nc)] for i in range(nr)]
        exact = all(texts[i][1] for i in cells.values())
        lines += matrix_lines(sym, grid, "=" if exact else r"\approx")
    if scalars:
        current, w = "", 0.0
        for s in scalars:
            sw = visual_width(s) + 3
            if current and w + sw > MAX_LINE:
                lines.append("&" + current)
                current, w = "", 0.0
            current += (r",\quad " if current else "") + s
            w += sw
        lines.append("&" + current)
    return Item(caption, "display", lines=lines)


# -- expressions ------------------------------------------------------------------------------------------
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


def _dag_exprs(dag: dict[str, Any], symbols: list[sympy.Symbol] | None = None) -> list[sympy.Expr] | None:
    try:
        from proofkit.symbolic.dag import from_dag

        names = [str(n) for n in dag.get("inputs", [])]
        syms = symbols if symbols is not None else [sympy.Symbol(name_tex(n)) for n in names]
        return from_dag(dag, syms)
    except Exception:  # noqa: BLE001 - display only: an unreadable graph is shown by its size and digest
        return None


def _dag_size(dag: dict[str, Any]) -> str:
    nodes, outs = len(dag.get("nodes", [])), len(dag.get("outputs", []))
    what = "an expression" if outs == 1 else f"{outs} expressions"
    return f"{what} in {len(dag.get('inputs', []))} variables, stored as a graph of {nodes:,} nodes"


def _too_large(caption: str, what: str, value: Any) -> Item:
    return Item(caption, "text", f"{what}; too large to typeset here ({_sha(_digest(value))})")


def _formula_item(caption: str, lhs: str, dag: Any) -> Item:
    """One stored expression (a loss) as ``lhs = ...``, broken between terms; by its size when too large."""
    if not isinstance(dag, dict):
        return _too_large(caption, f"{len(str(dag)):,} characters", dag)
    if len(dag.get("nodes", [])) > _MAX_DAG_NODES:
        return _too_large(caption, _dag_size(dag), dag)
    exprs = _dag_exprs(dag)
    if exprs is None or len(exprs) != 1:
        return _too_large(caption, _dag_size(dag), dag)
    expr, sig = sigmoid_form(exprs[0])
    lines = break_sum(lhs, expr)
    if lines is None or len(lines) > _MAX_DISPLAY_LINES:
        return _too_large(caption, _dag_size(dag), dag)
    return Item(caption + (", with σ(t) = 1/(1 + exp(-t))" if sig else ""), "display", lines=lines)


def _formulas_item(caption: str, side: str, dag: Any, budget: int = _MAX_DISPLAY_LINES) -> Item:
    """Several stored expressions (the sides of an identity) as ``side_i = ...``; by size when too large."""
    if not isinstance(dag, dict) or len(dag.get("nodes", [])) > _MAX_DAG_NODES:
        return _too_large(caption, _dag_size(dag) if isinstance(dag, dict) else "an expression", dag)
    exprs = _dag_exprs(dag)
    if exprs is None:
        return _too_large(caption, _dag_size(dag), dag)
    lines: list[str] = []
    any_sig = False
    for i, e in enumerate(exprs, 1):
        e, sig = sigmoid_form(e)
        any_sig = any_sig or sig
        lhs = rf"\mathrm{{{side}}}_{{{i}}}" if len(exprs) > 1 else rf"\mathrm{{{side}}}"
        part = break_sum(lhs, e)
        if part is None:
            return _too_large(caption, _dag_size(dag), dag)
        lines += part
        if len(lines) > budget:
            return _too_large(caption, _dag_size(dag), dag)
    return Item(caption + (", with σ(t) = 1/(1 + exp(-t))" if any_sig else ""), "display", lines=lines)


def _activation_item(dag: dict[str, Any]) -> Item:
    """sigma as a formula in t (the sigmoid is not abbreviated to sigma here: it *is* sigma)."""
    exprs = _dag_exprs(dag, [sympy.Symbol("t")]) if isinstance(dag, dict) else None
    if not exprs or len(exprs) != 1:
        return _too_large("activation", "an expression in $t$", dag)
    from proofkit.printing.latex import latex

    tex = latex(exprs[0])
    if len(tex) > 400:
        return _too_large("activation", _dag_size(dag), dag)
    return Item("activation", "math", rf"\sigma(t) = {tex}")


def _constants_item(caption: str, symbol: str, dag: Any) -> Item:
    """A stored list of constants (a DAG without inputs) as ``symbol = [values]``, exact when short."""
    exprs = _dag_exprs(dag, []) if isinstance(dag, dict) else None
    if exprs is None:
        return _too_large(caption, "a list of constants", dag)
    from proofkit.printing.latex import latex

    cells = [latex(e) for e in exprs]
    if any(len(c) > 40 for c in cells):
        cells = [_sci(Fraction(str(sympy.N(e, 30))), 10) for e in exprs]
    return Item(caption, "display", lines=matrix_lines(symbol, [cells]))


# -- matrices -----------------------------------------------------------------------------------------------
def _record_cells(rec: Any) -> tuple[list[list[str]] | None, Fraction, str]:
    """Cells of a stored matrix record as LaTeX, the largest radius (balls), and what kind of numbers they are."""
    if isinstance(rec, list):
        entries, kind, shape = rec, "rational", None
    elif isinstance(rec, dict):
        entries, kind, shape = rec.get("entries"), rec.get("kind", "rational"), rec.get("shape")
    else:
        return None, Fraction(0), ""
    if kind == "float64" and isinstance(entries, str) and isinstance(shape, list):
        raw = base64.b64decode(entries)
        m, n = shape
        vals = struct.unpack(f"<{m * n}d", raw) if len(raw) == 8 * m * n else ()
        if not vals or not all(math.isfinite(v) for v in vals):
            return None, Fraction(0), ""
        cells = [[_number_q(Fraction(vals[i * n + j]), 8)[0] for j in range(n)] for i in range(m)]
        return cells, Fraction(0), "float64 numbers, rounded for display"
    if kind == "dag" and isinstance(entries, dict) and isinstance(shape, list):
        exprs = _dag_exprs(entries, [])
        if exprs is None:
            return None, Fraction(0), ""
        from proofkit.printing.latex import latex

        m, n = shape
        cells = [[latex(exprs[i * n + j]) for j in range(n)] for i in range(m)]
        if any(len(c) > 24 for row in cells for c in row):
            cells = [[_sci(Fraction(str(sympy.N(exprs[i * n + j], 30))), 8) for j in range(n)] for i in range(m)]
            return cells, Fraction(0), "exact constants, rounded for display"
        return cells, Fraction(0), "exact constants"
    if not isinstance(entries, list) or not all(isinstance(r, list) for r in entries):
        return None, Fraction(0), ""
    rad = max((_radius(v) for row in entries for v in row), default=Fraction(0))
    digits = 8 if rad else 10
    shown = [[_number(v, digits) for v in row] for row in entries]
    cells = [[tex for tex, _ in row] for row in shown]
    if kind == "balls" or rad:
        return cells, rad, "enclosures"
    return cells, rad, "exact numbers" if all(ok for row in shown for _, ok in row) else "rounded for display"


def matrix_item(caption: str, record: Any, symbol: str = "A", digest: str | None = None) -> Item:
    """A stored matrix typeset (split into blocks of columns when wide); by size and hash when too large."""
    shape = record.get("shape") if isinstance(record, dict) else \
        ([len(record), len(record[0]) if record else 0] if isinstance(record, list) else None)
    if record is None:
        return Item(caption, "text", f"not stored (above 10,000 entries); {_sha(str(digest)[:16])}")
    rows, cols = (shape or [0, 0])[:2]
    if rows * cols > 400 or rows > 20:
        return Item(caption, "text", rf"a ${rows}\times {cols}$ matrix, too large to typeset here ("
                                     f"{_sha((digest or _digest(record))[:16])})")
    cells, rad, what = _record_cells(record)
    if cells is None:
        return Item(caption, "text", rf"a ${rows}\times {cols}$ matrix ({_sha((digest or _digest(record))[:16])})")
    lines = matrix_lines(symbol, cells, "=" if what in ("exact numbers", "exact constants") else r"\approx")
    if len(lines) * rows > 40:
        return Item(caption, "text", rf"a ${rows}\times {cols}$ matrix, too large to typeset here ("
                                     f"{_sha((digest or _digest(record))[:16])})")
    note = []
    if rad:  # the radius is a number: typeset with the matrix, not in the (plain text) caption
        note.append("midpoints of balls")
        lines.append(rf"&\text{{each entry a ball of radius at most }} {_sci(_round_up(rad), 2)}")
    elif what and what not in ("exact numbers", "exact constants"):
        note.append(what)
    cap = caption + (f" ({'; '.join(note)})" if note else "")
    return Item(cap, "display", lines=lines)


def _vectors_item(caption: str, symbol: str, vectors: list[list[Any]]) -> Item:
    """Vectors (a kernel basis) as the rows of one matrix, or "none" when the list is empty."""
    if not vectors:
        return Item(caption, "text", "none (the kernel is trivial)")
    return matrix_item(caption, vectors, symbol)


# -- the description ---------------------------------------------------------------------------------------
def describe(cert: Any, digits: int = 10) -> list[Item]:
    """The certificate as items: what it certifies, verdict, method, precision, margin, what it was about
    (matrices, points, formulas) and the evidence, each value once.

    Examples
    --------
    >>> from proofkit import certify_positive_definite
    >>> [i.caption for i in describe(certify_positive_definite([[2, 1], [1, 2]]))][:4]
    ['certifies', 'verdict', 'method', 'precision']
    """
    claim = cert.claim or {}
    what = "certifies" if cert.verdict == "certified" else "claim"
    items = [Item(what, "text", claim_sentence(claim)), Item("verdict", "text", _esc(cert.verdict)),
             Item("method", "text", _esc(cert.method))]
    prec = "exact arithmetic" if cert.precision is None else f"{cert.precision} bits ({_esc(cert.backend)})"
    items.append(Item("precision", "text", prec))
    if cert.reason and cert.verdict not in ("certified", "refuted"):
        items.append(Item("reason", "text", _esc(cert.reason)))  # the possible causes of "inconclusive"
    margin = cert.margin or ""
    if margin:
        items.append(Item("margin", "text", _esc(margin)))
    inp = dict(cert.inputs or {})
    ev = dict(cert.evidence or {})
    items += _inputs(claim, inp, digits)
    items += _evidence(claim, ev, margin, digits)
    if claim.get("type") == "det_sign" and not {"det", "det_exact"} & set(ev) and cert.verdict == "certified":
        items += _kernel_determinant(cert)
    items.append(Item("input hash", "text", f"{_sha(cert.input_hash[:16])} (of all the inputs above)"))
    return items


def _names_of(inp: dict[str, Any]) -> list[str]:
    stored = inp.get("loss") or inp.get("gradient")  # (a box's coordinates are its stored expression's inputs)
    inputs = stored.get("inputs", []) if isinstance(stored, dict) else []
    return [str(n) for n in (inp.get("variables") or inp.get("params") or inputs or [])]


def _inputs(claim: dict[str, Any], inp: dict[str, Any], digits: int) -> list[Item]:
    items: list[Item] = []
    names = _names_of(inp)
    shown = {"variables", "params", "A_hash", "X_hash", "compare", "symmetry"}
    if "A" in inp or "A_hash" in inp:
        items.append(matrix_item("matrix", inp.get("A"), "A", inp.get("A_hash")))
        shown.add("A")
    if "X" in inp:
        items.append(matrix_item("data", inp["X"], "X", inp.get("X_hash")))
        shown.add("X")
    if "r" in inp and claim.get("type") == "rank_at_least":
        shown.add("r")
    if claim.get("type") == "teacher_student" and isinstance(inp.get("recipe"), dict):
        rec = inp["recipe"]
        items.append(Item("loss", "text", f"Safran and Shamir's population loss $F$, rebuilt by the kernel from the "
                                          f"recipe $k = {rec.get('k')}$, $n = {rec.get('n')}$ (teacher $V = I_k$)"))
        if isinstance(inp.get("centre"), dict):
            items.append(matrix_item("box centre (rows: the student units)", inp["centre"], "W"))
        q = _to_fraction(inp.get("radius"))
        if q is not None:
            items.append(Item("box radius", "text", f"${_number_q(q, 3)[0]}$ in every coordinate"))
        for side in ("negative", "positive"):
            if isinstance(inp.get(side), dict):
                size = (inp[side].get("shape") or ["?"])[0]
                items.append(Item(f"{side} direction", "text", f"a vector of {size} float64 numbers (stored in the "
                                                               f"certificate; {_sha(_digest(inp[side])[:16])})"))
        shown.update({"recipe", "centre", "radius", "negative", "positive"})
    fixed = inp.get("fixed")
    if isinstance(fixed, dict) and fixed:
        items.append(_point_item("fixed parameters (the slice)", list(fixed), list(fixed.values()), digits))
    shown.add("fixed")
    if "centers" in inp and names and len(names) == len(inp["centers"]):
        items.append(_point_item("box centre", names, inp["centers"], digits))
        radii = [q for q in (_to_fraction(r) for r in inp.get("radii", [])) if q is not None]
        if radii:
            same = len(set(radii)) == 1
            rad = _number_q(max(radii), 3)[0]
            items.append(Item("box radius", "text", f"${rad}$ in every coordinate" if same else
                              f"at most ${rad}$ (per coordinate in the JSON)"))
        shown.update({"centers", "radii"})
    elif "centers" in inp and "X" in inp:  # a box of layer-1 parameters (ReLU region): w_1..w_n, b_1..b_n
        cs = [_number(v)[0] for v in inp["centers"]]
        rs = [_number(v)[0] for v in inp.get("radii", [])]
        items.append(Item("box of parameters", "display", lines=matrix_lines(r"\text{centre}", [cs]) +
                          (matrix_lines(r"\text{radius}", [rs]) if rs else [])))
        shown.update({"centers", "radii"})
    if "point" in inp and names:
        items.append(_point_item("point", names, inp["point"], digits))
        shown.add("point")
    if "better" in inp and names:
        items.append(_point_item("better point", names, inp["better"], digits))
        shown.add("better")
    if "loss" in inp:
        items.append(_formula_item("loss", r"\Phi", inp["loss"]))
        shown.add("loss")
    if "gradient" in inp:
        items.append(_formulas_item("gradient", "g", inp["gradient"]))
        shown.add("gradient")
    for side in ("lhs", "rhs"):
        if side in inp:
            items.append(_formulas_item(side, side, inp[side], budget=_MAX_DISPLAY_LINES // 2))
            shown.add(side)
    if "assumptions" in inp:
        shown.add("assumptions")
        used = [a for a in inp["assumptions"] if a]
        if used:
            text = "; ".join(f"entry {i + 1}: " + ", ".join(_esc(x) for x in a)
                             for i, a in enumerate(inp["assumptions"]) if a)
            items.append(Item("assumptions", "text", text))
    if isinstance(inp.get("sigma"), dict):
        items.append(_activation_item(inp["sigma"]))
        shown.add("sigma")
    if isinstance(inp.get("t"), dict):
        items.append(_constants_item("projections (sorted)", "t", inp["t"]))
        shown.add("t")
    if "direction" in inp and isinstance(inp["direction"], list):
        sym = "a" if claim.get("type") == "leibniz_witness" else "d"
        cap = "direction a" if sym == "a" else "direction d (of descent)"
        items.append(Item(cap, "display", lines=matrix_lines(sym, [[_number(v)[0] for v in inp["direction"]]])))
        shown.add("direction")
    for side, sign in (("negative", "<"), ("positive", ">")):
        if side in inp and side not in shown:
            items.append(_direction_or_curve(side, sign, inp[side], names))
            shown.add(side)
    if "manifold" in inp and isinstance(inp["manifold"], dict):
        items += _manifold_items(inp, names)
        shown.update({"manifold", "tangent", "normal"})
    scalars = [(k, inp[k]) for k in ("alpha", "alpha0", "beta", "mu", "gamma", "k", "kind", "width", "value", "r")
               if k in inp and k not in shown and not isinstance(inp[k], dict | list)]
    if scalars:
        items.append(Item("parameters", "text", ", ".join(_scalar_text(k, v) for k, v in scalars)))
        shown.update(k for k, _ in scalars)
    for key, value in sorted(inp.items()):
        if key not in shown:
            items.extend(_generic(key.replace("_", " "), value))
    return items


_SCALAR_TEX = {"alpha": r"\alpha", "alpha0": r"\alpha_0", "beta": r"\beta", "mu": r"\mu", "gamma": r"\gamma",
               "k": "k", "width": "n_1", "value": r"\Phi_0", "r": "r"}


def _scalar_text(key: str, value: Any) -> str:
    if key == "kind":
        return f"kind: {_esc(value)}"
    q = _to_fraction(value)
    return f"${_SCALAR_TEX.get(key, key)} = {_exact_tex(q) if q is not None else _esc_math(str(value))}$"


def _direction_or_curve(side: str, sign: str, value: Any, names: list[str]) -> Item:
    cap = f"{side} {'curve' if isinstance(value, dict) else 'direction'}"
    if value == "same":
        return Item(f"{side} curve", "text", "the same curve: the leading order is odd, so $t \\mapsto -t$ gives the "
                                             "opposite sign")
    if isinstance(value, list):
        v = [_number(x, 6)[0] for x in value]
        return Item(cap, "display", lines=matrix_lines("v", [v]) + [rf"&v^{{\mathsf T}} \nabla^2\Phi\, v {sign} 0 "
                                                                     r"\text{ on the whole box}"])
    if isinstance(value, dict) and isinstance(value.get("curve"), dict):
        exprs = _dag_exprs(value["curve"], [sympy.Symbol("t")])
        c = _exact_tex_s(value.get("coefficient"))
        order = value.get("order")
        lines = []
        if exprs is not None and len(exprs) == len(names):
            from proofkit.printing.latex import latex

            lines += matrix_lines(r"\theta(t)", [[latex(e) for e in exprs]])
        else:
            lines.append(rf"&\theta(t)\ \text{{(SHA-256 }}\mathtt{{{_digest(value['curve'])}}}\text{{)}}")
        if value.get("coefficient") in ("negative", "positive"):  # a leading term enclosed in Arb
            rel = "<" if value["coefficient"] == "negative" else ">"
            lines.append(rf"\Phi(\theta(t)) - \Phi(\theta(0)) &= c\, t^{{{order}}} + O(t^{{{(order or 0) + 1}}}),\quad "
                         rf"c {rel} 0 \text{{ (Arb; the lower Taylor coefficients vanish)}}")
        else:
            lines.append(rf"\Phi(\theta(t)) - \Phi(\theta(0)) &= {c}\, t^{{{order}}} + O(t^{{{(order or 0) + 1}}})")
        return Item(cap, "display", lines=lines)
    return _generic(cap, value)[0]


def _manifold_items(inp: dict[str, Any], names: list[str]) -> list[Item]:
    man = inp["manifold"]
    tangent = [names[i] for i in inp.get("tangent", []) if isinstance(i, int) and i < len(names)]
    normal = [names[i] for i in inp.get("normal", []) if isinstance(i, int) and i < len(names)]
    items = [Item("coordinates", "text",
                  f"$u = ({', '.join(name_tex(n) for n in tangent)})$ along the manifold, "
                  f"$v = ({', '.join(name_tex(n) for n in normal)})$ across it")]
    exprs = _dag_exprs(man) if len(man.get("nodes", [])) <= _MAX_DAG_NODES else None
    if exprs is not None and len(normal) == len(exprs):
        lines = []
        for n, e in zip(normal, exprs):
            part = break_sum(rf"\varphi_{{{name_tex(n)}}}(u)", e)
            if part is None:
                lines = []
                break
            lines += part
        if lines and len(lines) <= _MAX_DISPLAY_LINES:
            items.append(Item("manifold (v as a function of u)", "display", lines=lines))
            return items
    items.append(_too_large("manifold (v as a function of u)", _dag_size(man), man))
    return items


_EVIDENCE_CAPTIONS = {"lower": "lower bound of the loss on the box", "better": "loss at the better point",
                      "gap": "certified gap", "phi_at_centre": "loss at the centre", "value": "loss at the centre",
                      "min_preactivation": "smallest pre-activation on the box",
                      "identities_proved_by": "identities proved by", "pivots": "pivots of the LDL decomposition",
                      "det": "determinant", "det_exact": "determinant"}


def _kernel_determinant(cert: Any) -> list[Item]:
    """The exact determinant the kernel computed when it re-checked a ``det_sign`` certificate that states only
    the sign (its report's measure: from the certifier's round trip, or a re-check now)."""
    rep = getattr(cert, "_kernel_report", None)
    if rep is None:
        from proofkit.errors import CertificateRejected
        from proofkit.kernel import check_certificate

        try:
            rep = check_certificate(cert)
        except CertificateRejected:
            return []
    q = _to_fraction(str(rep.measures.get("det")))  # (an exact determinant; an Arb ball is not shown here)
    if q is None:
        return []
    return [Item("determinant (computed by the kernel)", "math", rf"\det A = {_number_q(q, 17)[0]}")]


def _evidence(claim: dict[str, Any], ev: dict[str, Any], margin: str, digits: int) -> list[Item]:
    items: list[Item] = []
    for key in sorted(ev):
        value = ev[key]
        text = value.get("text") if isinstance(value, dict) else (value if isinstance(value, str) else None)
        if text and margin and text in margin:
            continue  # already shown as the margin
        if key == "C":
            items.append(Item("preconditioner", "text", "an approximate inverse (floating point) recorded in the "
                                                        "JSON; any choice is sound, the kernel re-checks the "
                                                        "enclosure with it"))
        elif key == "K" and isinstance(value, list):
            rad = max((_radius(v) for v in value), default=Fraction(0))
            items.append(Item("Krawczyk image", "text", f"inside the box in all {len(value)} coordinates (balls of "
                                                        f"radius at most ${_sci(_round_up(rad), 2)}$)"))
        elif key == "det_mod_p" and "prime" in ev:
            items.append(Item("determinant", "math", rf"\det A \equiv {_esc_num(value)} \pmod{{p}},\ "
                                                     rf"p = {_esc_num(ev['prime'])}"))
        elif key in ("prime", "scaling"):
            continue
        elif key == "attempts" and isinstance(value, list):
            items.append(Item("attempts", "text", ", ".join(_esc(v) for v in value)))
        elif key in ("rows", "cols") and isinstance(value, list):
            items.append(Item(f"minor {key}", "math", r"\{" + ", ".join(str(v + 1) for v in value) + r"\}"))
        elif key == "det_exact" and _to_fraction(value) is not None:
            items.append(Item("determinant", "math", rf"\det A = {_number_q(_to_fraction(value), 17)[0]}"))
        elif key == "det" and _ball(value) is not None:
            items.append(Item("determinant", "math", rf"\det A \in {_ball_tex(value)}"))
        elif key == "rank":
            items.append(Item("rank", "math", _esc_num(value)))
        elif key == "pivots" and isinstance(value, list) and all(_to_fraction(v) is not None for v in value):
            cells = [[_number(v)[0] for v in value]]  # A = L D L^T: the pivots are the diagonal of D
            items.append(Item("pivots of the LDL decomposition", "display",
                              lines=matrix_lines(r"\operatorname{diag} D", cells)))
        elif key == "kernel" and isinstance(value, list):
            items.append(_vectors_item("kernel basis (rows)", r"K", value))
        elif key in ("negative", "positive") and isinstance(value, dict) and "v" in value:
            form = value.get("form") or {}
            sign = "<" if key == "negative" else ">"
            val = _ball_tex(form) if "mid" in form else (_exact_tex_s(form["exact"]) if "exact" in form else None)
            v = [_number(x, 6)[0] for x in value["v"]]
            rel = rf"v^{{\mathsf T}} A v = {val} {sign} 0" if val is not None else \
                rf"v^{{\mathsf T}} A v {sign} 0\ \text{{(enclosed by the kernel)}}"
            items.append(Item(f"{key} direction", "display", lines=matrix_lines("v", [v]) + ["&" + rel]))
        elif key in ("negative", "positive", "witness") and isinstance(value, list):
            sign = ">" if key == "positive" else "<"
            items.append(Item(f"{'negative' if key == 'witness' else key} direction", "display",
                              lines=matrix_lines("v", [[_number(x, 6)[0] for x in value]])
                              + [rf"&v^{{\mathsf T}} A v {sign} 0\ \text{{(enclosed by the kernel)}}"]))
        elif key == "minor" and isinstance(value, int):
            items.append(Item("leading minor", "math", rf"\det A_{{{value}}} \le 0,\ A_{{{value}}} = "
                                                      rf"(a_{{ij}})_{{i, j \le {value}}}"))
        elif key == "eigenvalues" and isinstance(value, list):
            rels = ["=" if _radius(b) == 0 else r"\in" for b in value]
            lines = [rf"\lambda_{{{i}}} &{rel} {_ball_tex(b)}" for i, (rel, b) in enumerate(zip(rels, value), 1)]
            items.append(Item("eigenvalues (balls)", "display", lines=lines))
        elif key == "certificate" and isinstance(value, dict) and isinstance(value.get("claim"), dict):
            items.append(Item("by the certificate", "text", f"{claim_sentence(value['claim'])} "
                                                            f"({_esc(value.get('verdict', ''))}; "
                                                            f"{_esc(value.get('method', ''))})"))
        elif key == "identities_proved_by":
            items.append(Item("identities proved by", "text", _esc(value)))
        else:
            items.extend(_generic(_EVIDENCE_CAPTIONS.get(key, key.replace("_", " ")), value))
    return items


def _esc_num(v: Any) -> str:
    s = str(v)
    return s if re.fullmatch(r"[+-]?\d+(?:/\d+)?", s) else _esc_math(s)


def _generic(caption: str, value: Any) -> list[Item]:
    """Any other recorded value, typeset by its structure (never as a Python literal)."""
    if _ball(value) is not None:
        return [Item(caption, "math", _ball_tex(value))]
    if isinstance(value, dict) and "entries" in value:
        return [matrix_item(caption, value, "M")]
    if isinstance(value, dict) and value.get("format") == "proofkit.dag/1":
        if not value.get("inputs"):
            return [_constants_item(caption, "c", value)]
        return [_formulas_item(caption, "f", value)]
    if isinstance(value, dict):
        parts = [f"{_esc(k.replace('_', ' '))}: {_inline(v)}" for k, v in sorted(value.items())]
        text = "; ".join(parts)
        return [Item(caption, "text", text if len(text) < 400 else f"{len(value)} fields ({_sha(_digest(value))})")]
    if isinstance(value, list) and value and all(_ball(v) is not None for v in value):
        if len(value) <= 8:
            return [Item(caption, "display", lines=[rf"&{_ball_tex(v)}" for v in value])]
        return [Item(caption, "text", f"{len(value)} enclosures ({_sha(_digest(value))})")]
    if isinstance(value, list) and value and all(isinstance(v, list) for v in value):
        return [matrix_item(caption, value, "M")]
    if isinstance(value, list):
        if all(_to_fraction(v) is not None for v in value) and len(value) <= 24:
            return [Item(caption, "display", lines=matrix_lines("", [[_number(v)[0] for v in value]]))]
        return [Item(caption, "text", _inline(value) if len(value) <= 24 else
                     f"{len(value)} values ({_sha(_digest(value))})")]
    return [Item(caption, "text", _inline(value))]


def _inline(value: Any) -> str:
    """A small value as marked text: numbers as math, names as math, text escaped."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    q = _to_fraction(value)
    if q is not None:
        return f"${_number_q(q, 10)[0]}$"
    if _ball(value) is not None:
        return f"${_ball_tex(value)}$"
    if isinstance(value, list):
        return ", ".join(_inline(v) for v in value) if value else "none"
    if isinstance(value, dict):
        return f"{len(value)} fields ({_sha(_digest(value))})"
    text = str(value)
    if len(text) > 300:
        return f"{len(text):,} characters ({_sha(_digest(text))})"
    return _esc(text)
