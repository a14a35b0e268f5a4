"""The truth of box and landscape claims in any number of variables, by meaning (uses no kernel code).

:func:`judge` answers whether what a certificate about a loss (or a gradient field) on a box or at a point states
is true: exact rational interval arithmetic over the box decides which branch every non-smooth node
(``Max``, ``Min``, ``Abs``, ``sign``, ``Heaviside``, ``Piecewise``) takes on the whole box (strictly, so that
the branch also holds on a neighbourhood); the resulting polynomial is judged exactly with sympy: its critical
points in the box (exact linear algebra, or sympy's real-root isolation in one variable), its Hessian (exact
LDL^T when it is constant, interval bounds and a value at the critical point otherwise), slopes and curvatures
along stated directions (interval bounds, exact values at the box's vertices and at the critical point).
Outside this fragment (transcendental functions, an undecided branch, curves, manifolds, symmetries) it raises
``Undecided`` (:mod:`proofkit.testing.oracle`).

Claims are judged by *meaning*, so that renamed claim types only need a new line in :data:`MEANINGS`:

================================  ==============================================================================
meaning                            statement
================================  ==============================================================================
``unique_zero``                    the vector field (a stored gradient) has exactly one zero in the box
``strict_min``                     exactly one critical point in the box, Hessian positive definite on all of it;
                                   with ``compare``: the minimum's value exceeds a better point's / stated value
``strict_max``                     exactly one critical point in the box, Hessian negative definite on all of it
``strict_saddle``                  exactly one critical point, stated directions of negative and positive curvature
                                   on the whole box
``descent_everywhere``             the slope along the stated direction is negative at every point of the box
``negative_curvature_box``         exactly one critical point, negative curvature along a direction on the box
``classification``                 the nested certificate is true, about the same loss and point, of the kind named
================================  ==============================================================================
"""

from __future__ import annotations

import itertools
from fractions import Fraction
from typing import Any

import sympy

from proofkit.testing.oracle import Undecided, _ball, _in, _ldl, _q, dag_to_sympy

__all__ = ["MEANINGS", "MAX_EXPONENT", "MAX_VARIABLES", "MAX_NODES", "judge"]

#: claim type (and variant) -> meaning. A slice (radius 0 in some coordinates, held at their centres) has the meaning
#: of its type for the restriction of the loss (or of the map in the free coordinates) to the slice.
MEANINGS: dict[str, str] = {
    "critical_point": "unique_zero",
    "local_min/krawczyk": "strict_min",
    "local_max": "strict_max",
    "saddle/strict": "strict_saddle",
    "not_local_min/first order": "descent_everywhere",
    "not_local_min/box": "negative_curvature_box",
    "classification": "classification",
}

Box = dict[Any, tuple[Fraction, Fraction]]


# -- exact interval arithmetic and branch resolution ------------------------------------------------------------
def _iv(e: Any, box: Box) -> tuple[Fraction, Fraction]:
    """An enclosure of the polynomial ``e`` over the box (exact rational endpoints)."""
    if e.is_Rational:
        q = Fraction(int(e.p), int(e.q))
        return q, q
    if e.is_Symbol:
        if e not in box:
            raise Undecided(f"free symbol {e}")
        return box[e]
    if e.is_Add:
        lo = hi = Fraction(0)
        for a in e.args:
            alo, ahi = _iv(a, box)
            lo, hi = lo + alo, hi + ahi
        return lo, hi
    if e.is_Mul:
        lo = hi = Fraction(1)
        for a in e.args:
            alo, ahi = _iv(a, box)
            ps = (lo * alo, lo * ahi, hi * alo, hi * ahi)
            lo, hi = min(ps), max(ps)
        return lo, hi
    if e.is_Pow and e.exp.is_Integer:
        k = int(e.exp)
        lo, hi = _iv(e.base, box)
        if k < 0:
            if lo <= 0 <= hi:
                raise Undecided("a negative power of a range holding 0")
            lo, hi, k = 1 / hi, 1 / lo, -k
        if k % 2 == 0 and lo < 0 < hi:
            return Fraction(0), max(lo**k, hi**k)
        a, b = lo**k, hi**k
        return min(a, b), max(a, b)
    raise Undecided(f"not a polynomial: {str(e)[:60]}")


def _iv_mp(e: Any, box: Box) -> Any:
    """An mpmath interval (``mpmath.iv``, outward rounded) holding ``e`` over the box: for expressions with
    exp/log/sin/cos/sinh/cosh/tanh/rational powers, where exact rational bounds do not exist."""
    import mpmath

    iv = mpmath.iv

    def q(v: Fraction) -> Any:
        return iv.mpf(v.numerator) / v.denominator

    if e.is_Rational:
        return q(Fraction(int(e.p), int(e.q)))
    if e is sympy.pi:
        return iv.pi
    if e is sympy.E:
        return iv.e
    if e.is_Symbol:
        lo, hi = box[e] if e in box else (None, None)
        if lo is None:
            raise Undecided(f"free symbol {e}")
        return iv.mpf([q(lo).a, q(hi).b])
    if e.is_Add or e.is_Mul:
        parts = [_iv_mp(a, box) for a in e.args]
        out = parts[0]
        for p in parts[1:]:
            out = out + p if e.is_Add else out * p
        return out
    if e.is_Pow:
        base = _iv_mp(e.base, box)
        if e.exp.is_Integer:
            k = int(e.exp)
            if k < 0 and base.a <= 0 <= base.b:
                raise Undecided("a negative power of a range holding 0")
            return base ** k
        if e.exp.is_Rational and base.a > 0:
            return iv.exp(_iv_mp(e.exp, box) * iv.log(base))
        raise Undecided("a power outside the positive reals")
    a = [_iv_mp(t, box) for t in e.args]
    if isinstance(e, sympy.exp):
        return iv.exp(a[0])
    if isinstance(e, sympy.log):
        if not a[0].a > 0:
            raise Undecided("log of a range reaching 0")
        return iv.log(a[0])
    if isinstance(e, (sympy.sin, sympy.cos)):
        return (iv.sin if isinstance(e, sympy.sin) else iv.cos)(a[0])
    if isinstance(e, (sympy.sinh, sympy.cosh)):
        u, v = iv.exp(a[0]), iv.exp(-a[0])
        return (u - v) / 2 if isinstance(e, sympy.sinh) else (u + v) / 2
    if isinstance(e, sympy.tanh):
        return 1 - 2 / (iv.exp(2 * a[0]) + 1)
    raise Undecided(f"no interval extension of {type(e).__name__}")


def _iv_mp40(e: Any, box: Box) -> Any:
    """:func:`_iv_mp` at 40 digits (mpmath's interval precision restored afterwards)."""
    import mpmath

    old = mpmath.iv.dps
    mpmath.iv.dps = 40
    try:
        return _iv_mp(e, box)
    finally:
        mpmath.iv.dps = old


def _sign(e: Any, box: Box) -> int:
    """+1 / -1 when ``e`` is strictly positive / negative on the whole box; else Undecided."""
    try:
        lo, hi = _iv(e, box)
    except Undecided:  # not a polynomial: an mpmath interval (outward rounded) still decides strict signs
        r = _iv_mp40(e, box)
        lo, hi = (1, 1) if r.a > 0 else ((-1, -1) if r.b < 0 else (0, 0))
    if lo > 0:
        return 1
    if hi < 0:
        return -1
    raise Undecided("a switching quantity is not of one strict sign on the box")


def _truth(c: Any, box: Box) -> bool:
    if c is sympy.true or c is sympy.false:
        return bool(c)
    if isinstance(c, (sympy.And, sympy.Or)):
        vals = [_truth(a, box) for a in c.args]
        return all(vals) if isinstance(c, sympy.And) else any(vals)
    if isinstance(c, sympy.Not):
        return not _truth(c.args[0], box)
    if isinstance(c, (sympy.StrictLessThan, sympy.LessThan)):
        return _sign(resolve(c.lhs - c.rhs, box), box) < 0
    if isinstance(c, (sympy.StrictGreaterThan, sympy.GreaterThan)):
        return _sign(resolve(c.lhs - c.rhs, box), box) > 0
    raise Undecided(f"condition {str(c)[:40]}")


def resolve(e: Any, box: Box) -> Any:
    """``e`` with every non-smooth node replaced by the branch it takes on the whole box (strictly)."""
    if e.is_Atom:
        return e
    if isinstance(e, sympy.Piecewise):
        for val, cond in e.args:
            if _truth(cond, box):
                return resolve(val, box)
        raise Undecided("no Piecewise branch applies")
    args = [resolve(a, box) for a in e.args]
    if isinstance(e, (sympy.Max, sympy.Min)):
        want = 1 if isinstance(e, sympy.Max) else -1
        for a in args:
            if all(_sign((a - b) * want, box) > 0 for b in args if b is not a):
                return a
        raise Undecided("Max/Min undecided on the box")
    if isinstance(e, sympy.Abs):
        return args[0] * _sign(args[0], box)
    if isinstance(e, sympy.sign):
        return sympy.Integer(_sign(args[0], box))
    if isinstance(e, sympy.Heaviside):
        return sympy.Integer(1 if _sign(args[0], box) > 0 else 0)
    return e.func(*args)


# -- exact facts about a polynomial on a box -----------------------------------------------------------------
def _box(inp: dict[str, Any], n: int, allow_zero: bool = False) -> list[tuple[Fraction, Fraction]]:
    cs, rs = [_q(x) for x in inp["centers"]], [_q(x) for x in inp["radii"]]
    if len(cs) != n or len(rs) != n or any(r < 0 or (r == 0 and not allow_zero) for r in rs):
        raise ValueError("box")
    return [(c - r, c + r) for c, r in zip(cs, rs)]


def _R(q: Fraction) -> Any:
    return sympy.Rational(q.numerator, q.denominator)


def _zeros(G: list[Any], xs: list[Any], box: Box) -> list[tuple]:
    """Every zero of the polynomial field ``G`` in the (closed) box, exactly; ``None`` for infinitely many."""
    n = len(xs)
    if not all(sympy.expand(g).is_polynomial(*xs) for g in G):
        raise Undecided("a field that is not polynomial on the box")
    polys = [sympy.Poly(sympy.expand(g), *xs) for g in G]
    inside = [(_R(lo), _R(hi)) for lo, hi in (box[x] for x in xs)]
    if all(p.total_degree() <= 1 for p in polys):
        A = sympy.Matrix([[p.coeff_monomial(x) for x in xs] for p in polys])
        b = sympy.Matrix([-p.coeff_monomial(1) for p in polys])
        if not all(v.is_Rational for v in (*A, *b)):  # (sympy's determinant of exp(-4) ... entries: minutes and GBs)
            raise Undecided("an affine field with irrational coefficients")
        if A.det() == 0:
            aug = A.row_join(b)
            if aug.rank() != A.rank():
                return []
            # a line (or more) of zeros: infinitely many in the box if it meets the box, which we do not decide
            raise Undecided("a degenerate affine field")
        sol = list(A.LUsolve(b))
        return [tuple(sol)] if all(lo <= v <= hi for v, (lo, hi) in zip(sol, inside)) else []
    if n == 1:
        p = polys[0]
        if p.is_zero:
            return None  # type: ignore[return-value]
        lo, hi = inside[0]
        return [(r,) for r in sorted(set(p.real_roots())) if lo <= r <= hi]
    raise Undecided("a non-linear field in several variables")


def _hessian_pd(E: Any, xs: list[Any], box: Box, star: tuple, sign: int) -> bool:
    """Whether ``sign * Hessian(E)`` is positive definite at every point of the box (True/False, or Undecided)."""
    H = sympy.hessian(sign * E, xs)
    if all(h.is_Rational for h in H):
        piv = _ldl([[Fraction(int(h.p), int(h.q)) for h in H.row(i)] for i in range(len(xs))])
        return len(piv) == len(xs) and all(p > 0 for p in piv)
    at = H.subs(dict(zip(xs, star)))
    if not at.is_positive_definite:
        return False
    n = len(xs)
    if n == 1:
        h = sympy.Poly(H[0, 0], xs[0])
        lo, hi = (_R(q) for q in box[xs[0]])
        pts = [lo, hi] + [r for r in h.diff().real_roots() if lo < r < hi] if h.degree() > 1 else [lo, hi]
        return all(h.eval(p) > 0 for p in pts)
    ranges = [[_iv(sympy.expand(H[i, j]), box) for j in range(n)] for i in range(n)]
    if all(ranges[i][i][0] > sum(max(abs(ranges[i][j][0]), abs(ranges[i][j][1])) for j in range(n) if j != i)
           for i in range(n)):
        return True  # strictly diagonally dominant with a positive diagonal at every point
    raise Undecided("a non-constant Hessian in several variables")


def _curvature(E: Any, xs: list[Any], box: Box, v: list[Fraction], sign: int, star: tuple | None) -> bool:
    """Whether ``v^T H v`` has the strict sign ``sign`` on the whole box."""
    q = sympy.expand(sum(_R(v[i]) * _R(v[j]) * sympy.diff(E, xs[i], xs[j]) for i in range(len(xs)) for j in range(len(xs))))
    lo, hi = _iv(q, box)
    if (sign < 0 and hi < 0) or (sign > 0 and lo > 0):
        return True
    for p in _vertices(box, xs) + ([star] if star is not None else []):
        val = q.subs(dict(zip(xs, p)))
        if (sign < 0 and val >= 0) or (sign > 0 and val <= 0):
            return False
    raise Undecided("curvature not decided on the box")


def _vertices(box: Box, xs: list[Any]) -> list[tuple]:
    return [tuple(_R(c) for c in corner) for corner in itertools.product(*(box[x] for x in xs))]


# -- the loss of a certificate ---------------------------------------------------------------------------------
def _field_of(inp: dict[str, Any], key: str) -> tuple[list[Any], list[Any], list[str]]:
    """The outputs of the stored expression ``key`` as sympy expressions in its inputs, the inputs as symbols, and
    the names of the inputs held fixed (radius 0)."""
    dag = inp[key]
    names = list(dag["inputs"])
    rs = [_q(x) for x in inp["radii"]]
    if len(rs) != len(names) or len(set(names)) != len(names):
        raise ValueError("one radius per input of the stored expression, inputs distinct")
    return dag_to_sympy(dag), [sympy.Symbol(nm, real=True) for nm in names], [nm for nm, r in zip(names, rs) if r == 0]


def _critical(E: Any, xs: list[Any], box: Box) -> tuple:
    zs = _zeros([sympy.diff(E, x) for x in xs], xs, box)
    if zs is None or len(zs) != 1:
        raise _False(f"{'infinitely many' if zs is None else len(zs)} critical points in the box")
    return zs[0]


class _False(Exception):
    pass


def _check_K(ev: dict[str, Any], star: tuple) -> None:
    if "K" in ev and not (len(ev["K"]) == len(star) and all(_in(s, _ball(k)) for s, k in zip(star, ev["K"]))):
        raise _False("the stated Krawczyk image does not hold the zero")


def _meaning(c: dict[str, Any]) -> str:
    base = c["claim"]["type"]
    for key in (f"{base}/{c['claim'].get('via') or c['claim'].get('kind') or c['claim'].get('how')}", base):
        if key in MEANINGS:
            return MEANINGS[key]
    raise Undecided(f"no meaning for {base} ({c['claim'].get('via') or c['claim'].get('kind') or c['claim'].get('how')})")


def _expected_claim(c: dict[str, Any], n: int, fixed: list[str]) -> dict[str, Any]:
    """The claim the inputs state (``fixed``: the names of the coordinates of radius 0)."""
    t, inp, claim = c["claim"]["type"], c["inputs"], c["claim"]
    if t == "critical_point":
        return {"type": t, "dimension": n, "slice": bool(fixed), "fixed": fixed}
    if t == "local_min":
        return {"type": t, "strict": True, "via": "krawczyk", "dimension": n, "slice": bool(fixed), "fixed": fixed,
                "compare": inp["compare"]}
    if fixed and t != "not_local_min":
        raise _False(f"a {t} claim on a box with fixed coordinates")
    return {"local_max": {"type": "local_max", "strict": True, "dimension": n},
            "saddle": {"type": "saddle", "kind": "strict", "dimension": n},
            "not_local_min": {"type": "not_local_min", "how": claim.get("how"), "dimension": n}}.get(t, claim)


def judge(c: dict[str, Any]) -> bool:
    """True / False for a certified box or landscape claim; raises Undecided outside the fragment."""
    try:
        return _judge(c)
    except _False:
        return False
    except (sympy.PolynomialError, NotImplementedError, RecursionError) as exc:  # sympy gave up: not decided
        raise Undecided(f"sympy: {type(exc).__name__}") from None


MAX_EXPONENT = 64
"""Largest exponent (in absolute value) the exact judgement expands; beyond it: undecided."""

MAX_VARIABLES, MAX_NODES = 12, 600
"""Largest number of variables and of stored nodes the exact judgement expands (sympy's expansion and root
isolation of a network loss in 64 variables would exhaust memory); beyond them: undecided."""


def _within_reach(obj: Any) -> None:
    """Raise Undecided for stored expressions whose exact expansion could exhaust memory (x^(10^5000))."""
    if isinstance(obj, dict):
        if obj.get("format") == "proofkit.dag/1" and isinstance(obj.get("nodes"), list):
            for node in obj["nodes"]:
                if not isinstance(node, list) or not node:
                    continue
                if node[0] == "pow" and len(node) == 3 and isinstance(node[2], str):
                    if len(node[2]) > 200 or abs(_q(node[2])) > MAX_EXPONENT:
                        raise Undecided("an exponent beyond the exact fragment")
                if node[0] == "const" and len(node) == 2 and isinstance(node[1], str) and len(node[1]) > 20_000:
                    raise Undecided("a numeral beyond the exact fragment")
        for v in obj.values():
            _within_reach(v)
    elif isinstance(obj, list):
        for v in obj:
            _within_reach(v)


def _judge(c: dict[str, Any]) -> bool:
    if c["verdict"] != "certified":
        raise Undecided("only certified landscape claims")
    _within_reach(c["inputs"])
    if "certificate" in (c.get("evidence") or {}):
        _within_reach(c["evidence"]["certificate"])
    meaning = _meaning(c)
    inp, ev = c["inputs"], c["evidence"]
    if meaning == "classification":
        return _classification(c)
    key = "gradient" if meaning == "unique_zero" else "loss"
    if len(inp[key]["inputs"]) > MAX_VARIABLES or len(inp[key]["nodes"]) > MAX_NODES:
        raise Undecided("an expression beyond the exact fragment's size")
    outs, all_xs, fixed = _field_of(inp, key)
    n = len(all_xs)
    if c["claim"] != _expected_claim(c, n, fixed):
        return False
    allow_zero = meaning == "descent_everywhere"
    full_box = dict(zip(all_xs, _box(inp, n, allow_zero=True)))
    if not allow_zero and not any(hi > lo for lo, hi in full_box.values()):
        return False
    if allow_zero or not fixed:
        xs, box, full = all_xs, full_box, (outs[0] if outs else None)
    else:  # a slice: the restriction to the free coordinates
        at = {x: _R(full_box[x][0]) for x in all_xs if full_box[x][0] == full_box[x][1]}
        xs = [x for x in all_xs if x not in at]
        box, full = {x: full_box[x] for x in xs}, (outs[0] if outs else None)
        outs = [o.xreplace(at) for o in outs]
        n = len(xs)
    if meaning == "unique_zero":
        if len(outs) != n:
            return False
        zs = _zeros([resolve(g, box) for g in outs], xs, box)
        if zs is None or len(zs) != 1:
            return False
        _check_K(ev, zs[0])
        return True
    if len(outs) != 1:
        return False
    E = sympy.expand(resolve(outs[0], box))
    if not E.is_polynomial(*xs):
        if meaning == "descent_everywhere":  # unexpanded: exp(L)' = exp(L) L' keeps its common factor
            return _descent_transcendental(resolve(outs[0], box), xs, box, [_q(v) for v in inp["direction"]])
        raise Undecided("a loss that is not polynomial on the box")
    if meaning == "descent_everywhere":
        d = [_q(v) for v in inp["direction"]]
        if len(d) != n or not any(d):
            return False
        s = sympy.expand(sum(_R(d[i]) * sympy.diff(E, xs[i]) for i in range(n)))
        if _iv(s, box)[1] < 0:
            return True
        for p in _vertices(box, xs):
            if s.subs(dict(zip(xs, p))) >= 0:
                return False
        raise Undecided("slope not decided on the box")
    star = _critical(E, xs, box)
    _check_K(ev, star)
    if meaning in ("strict_min", "strict_max"):
        if not _hessian_pd(E, xs, box, star, -1 if meaning == "strict_max" else 1):
            return False
        if "value" in ev and not _in(E.subs(dict(zip(xs, star))), _ball(ev["value"])):
            return False
        return _compare_ok(c, E, xs, star, full, all_xs)
    if meaning == "strict_saddle":
        neg, pos = [_q(v) for v in inp["negative"]], [_q(v) for v in inp["positive"]]
        if len(neg) != n or len(pos) != n or not any(neg) or not any(pos):
            return False
        return _curvature(E, xs, box, neg, -1, star) and _curvature(E, xs, box, pos, 1, star)
    if meaning == "negative_curvature_box":
        neg = [_q(v) for v in inp["negative"]]
        if len(neg) != n or not any(neg):
            return False
        return _curvature(E, xs, box, neg, -1, star)
    raise Undecided(meaning)


def _descent_transcendental(E: Any, xs: list[Any], box: Box, d: list[Fraction]) -> bool:
    """Negative slope along ``d`` on the whole box for a non-polynomial loss: proved by mpmath interval
    arithmetic, refuted by a 50-digit value at a vertex that is clearly not negative."""

    if len(d) != len(xs) or not any(d):
        return False
    s = sympy.factor_terms(sum(_R(d[i]) * sympy.diff(E, xs[i]) for i in range(len(xs))))
    rng = _iv_mp40(s, box)
    if rng.b < 0:
        return True
    for p in _vertices(box, xs):
        val = sympy.N(s.subs(dict(zip(xs, p))), 50)
        if val.is_real and val > sympy.Float("1e-30"):
            return False
    raise Undecided("slope of a non-polynomial loss not decided on the box")


def _value_at(full: Any, xs: list[Any], point: list[Fraction]) -> Any:
    """The loss at a point (outside the box too): sympy evaluates Max/Min/Piecewise of rationals exactly."""
    v = full.subs(dict(zip(xs, [_R(p) for p in point])))
    if not v.is_Rational:
        v = sympy.nsimplify(v) if v.is_number and v.is_rational else v
    if not v.is_Rational:
        raise Undecided("a value that is not rational")
    return v


def _compare_ok(c: dict[str, Any], E: Any, xs: list[Any], star: tuple, full: Any, all_xs: list[Any]) -> bool:
    """With ``compare``: the minimum's value (``E`` at ``star``; the Hessian is positive definite on the box and
    ``star`` is its only critical point) exceeds the loss ``full`` at the better point (all coordinates) or the stated
    global value."""
    inp = c["inputs"]
    how = inp.get("compare")
    if c["claim"]["type"] != "local_min" or how == "none":
        return "better" not in inp and "global_value" not in inp
    fmin = E.subs(dict(zip(xs, star)))
    if how == "better_point":
        if "better" not in inp or "global_value" in inp or len(inp["better"]) != len(all_xs):
            return False
        better = _value_at(full, all_xs, [_q(v) for v in inp["better"]])
    elif how == "stated global value":
        if "global_value" not in inp or "better" in inp:
            return False
        better = _R(_q(inp["global_value"]))
    else:
        return False
    return bool(fmin > better)


def _classification(c: dict[str, Any]) -> bool:
    from proofkit.testing.oracle import statement_holds

    kinds = {"strict local minimum": ("local_min", True), "strict local maximum": ("local_max", True),
             "saddle": ("saddle", None), "non-strict local minimum": ("local_min", False),
             "not a local minimum": ("not_local_min", None)}
    inp, claim = c["inputs"], c["claim"]
    sub = c["evidence"]["certificate"]
    if isinstance(sub, str):
        import json

        sub = json.loads(sub)
    kind = claim.get("kind")
    if kind not in kinds:
        return False
    want, strict = kinds[kind]
    sc = sub["claim"]
    if sub["verdict"] != "certified" or sc.get("type") != want or (strict is not None and sc.get("strict") is not strict) \
            or sc.get("slice", False) is not False:  # (a minimum on a slice is no minimum in the full space)
        return False
    code = "manifold" if sc.get("via") == "manifold" else {"saddle": sc.get("kind"), "not_local_min": sc.get("how")}.get(
        want, "definite")
    if claim != {"type": "classification", "kind": kind, "dimension": len(inp["point"]), "reason_code": code}:
        return False
    sinp = sub["inputs"]
    if sinp.get("loss") != inp.get("loss"):
        return False
    point = [_q(v) for v in inp["point"]]
    if "point" in sinp:
        if [_q(v) for v in sinp["point"]] != point:
            return False
    else:
        cs, rs = [_q(v) for v in sinp["centers"]], [_q(v) for v in sinp["radii"]]
        if len(cs) != len(point) or any(abs(p - q) > r for p, q, r in zip(point, cs, rs)):
            return False
    if claim.get("dimension") != len(point):
        return False
    holds = statement_holds(sub)  # "the critical point in the nested box is a <kind>": the point lies in that box
    if holds is None:
        raise Undecided("the nested certificate")
    return bool(holds)
