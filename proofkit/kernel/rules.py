"""The rule table: one short rule per claim variant and verdict, composed of the kernel's primitives.

A rule receives a certificate decoded by the door (:class:`Decoded`: inputs and evidence already read against the
rule's schemas), proves the verdict with the primitives of :mod:`proofkit.kernel.primitives` and returns a
:class:`Result`: the claim the checked inputs give (the door requires the certificate's claim to be exactly it),
a rule code, the facts and the measures. No sentences: printing makes them from the code and the numbers.
Anything that does not hold raises :class:`~proofkit.errors.CertificateRejected` naming the rule or primitive.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import flint

from proofkit.errors import CertificateRejected
from proofkit.kernel import exact as ex
from proofkit.kernel import leibniz as lb
from proofkit.kernel import linalg as la
from proofkit.kernel import primitives as P
from proofkit.kernel import teacher_student as ts
from proofkit.kernel.dag import Dag
from proofkit.kernel.decode import Matrix, reject

__all__ = ["Decoded", "Nested", "Result", "Rule", "RULES", "VARIANT", "CLASSIFICATION_KINDS", "text"]

#: The claim field that names the variant of a claim type (one rule per variant and verdict).
VARIANT = {"local_min": "via", "saddle": "kind", "not_local_min": "how"}
#: The kinds a classification states, with the claim type (and strictness) of the nested certificate behind each.
CLASSIFICATION_KINDS = {"strict local minimum": ("local_min", True), "strict local maximum": ("local_max", True),
                        "saddle": ("saddle", None), "non-strict local minimum": ("local_min", False),
                        "not a local minimum": ("not_local_min", None)}


@dataclass(frozen=True)
class Nested:
    """A nested certificate the door has checked: its claim, verdict, decoded inputs and report."""

    claim: dict[str, Any]
    verdict: str
    inputs: dict[str, Any]
    report: Any


@dataclass(frozen=True)
class Decoded:
    """A certificate after the door: its claim (raw), verdict, precision, decoded inputs, evidence and matrix."""

    claim: dict[str, Any]
    verdict: str
    precision: int | None
    inputs: dict[str, Any]
    evidence: dict[str, Any]
    matrix: Matrix | None = None


@dataclass(frozen=True)
class Result:
    """What a rule proved: the claim its inputs give, the rule ``code``, the facts and the ``measures``."""

    claim: dict[str, Any]
    code: str
    facts: tuple = ()
    measures: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Rule:
    inputs: dict[str, Any]
    evidence: dict[str, Any]
    check: Callable[[Decoded], Result]


def _fail(rule: str, why: str) -> CertificateRejected:
    return reject(f"{rule}: {why}")


def text(q: flint.fmpq) -> str:
    """An exact rational as the certificate writes it (``p`` or ``p/q``)."""
    return str(q.p) if q.q == 1 else f"{q.p}/{q.q}"


# -- matrices -----------------------------------------------------------------------------------------------------
def _square(d: Decoded, rule: str) -> tuple[Matrix, int]:
    if not d.matrix.square:
        raise _fail(rule, f"the matrix is {d.matrix.shape[0]}x{d.matrix.shape[1]}, not square")
    return d.matrix, d.matrix.shape[0]


def _nonsingular(d: Decoded) -> Result:
    M, n = _square(d, "nonsingular")
    f = P.nonsingular(M, d.evidence, d.precision)
    return Result({"type": "nonsingular", "n": n}, f.via, (f,), {"nonsingular": f.measure})


def _rank_below(d: Decoded, r: int, rule: str) -> P.Rank:
    rk = P.rank(d.matrix)
    if not rk.rank < r or d.evidence["rank"] != rk.rank:
        raise _fail(rule, f"the exact rank is {rk.rank}: the refutation does not hold as recorded")
    return rk


def _singular(d: Decoded) -> Result:
    M, n = _square(d, "nonsingular")
    rk = _rank_below(d, n, "nonsingular")
    return Result({"type": "nonsingular", "n": n}, "exact rank", (rk,), {"rank": rk.rank})


def _indices(v: list[int], bound: int, r: int) -> bool:
    return len(v) == r and all(b > a for a, b in zip(v, v[1:])) and all(i < bound for i in v)


def _rank_at_least(d: Decoded) -> Result:
    M, r, (rows, cols) = d.matrix, d.inputs["r"], (d.evidence.get("rows"), d.evidence.get("cols"))
    m, n = M.shape
    if not 1 <= r <= min(m, n):
        raise _fail("rank_at_least", f"r = {r} is not in 1..min(m, n)")
    claim = {"type": "rank_at_least", "r": r, "shape": [m, n]}
    if d.verdict == "refuted":
        rk = _rank_below(d, r, "rank_at_least")
        return Result(claim, "exact rank", (rk,), {"rank": rk.rank})
    if not (_indices(rows, m, r) and _indices(cols, n, r)):
        raise _fail("rank_at_least", f"rows and cols must be {r} increasing indices in range")
    f = P.nonsingular(M.minor(rows, cols), {}, d.precision)
    return Result(claim, f"minor: {f.via}", (f,), {"rows": rows, "cols": cols})


def _rank(d: Decoded) -> Result:
    M, (m, n) = d.matrix, d.matrix.shape
    rk = P.rank(M)
    vecs = d.evidence.get("kernel")
    if d.evidence["rank"] != rk.rank or (vecs is not None and not P.kernel_basis(M, vecs, rk.rank)):
        raise _fail(d.claim.get("type"), "the recorded rank or kernel basis is not the exact one")
    if d.claim.get("type") == "exact_rank":
        return Result({"type": "exact_rank", "rank": rk.rank, "shape": [m, n]}, "exact rank", (rk,))
    if (d.verdict == "certified") != (rk.rank < min(m, n)):
        raise _fail("rank_deficient", f"exact rank {rk.rank}, min(m, n) = {min(m, n)}: the verdict is wrong")
    return Result({"type": "rank_deficient", "shape": [m, n]}, "exact rank", (rk,), {"rank": rk.rank})


def _det_sign(d: Decoded) -> Result:
    M, ev = d.matrix, d.evidence
    s = P.determinant(M, d.precision, exact="det" not in ev or "det_exact" in ev)  # (a ball alone: an enclosure may do)
    if "det_exact" in ev and (s.tier != "exact" or ev["det_exact"] != s.value):  # (a rational only of an exact matrix)
        raise _fail("det_sign", "the recorded exact determinant is not the determinant")
    if "det" in ev:
        P.contains(ev["det"], lambda p: P.points([s.value], p)[0] if s.tier == "exact" else P.det_ball(M, p),
                   d.precision, "the determinant")
    return Result({"type": "det_sign", "sign": s.sign, "n": M.shape[0]}, s.tier, (s,), {"det": s.value})


def _positive_definite(d: Decoded) -> Result:
    M, n = _square(d, "positive_definite")
    sym, ev = P.symmetric(M), d.evidence
    if d.verdict == "certified":
        f = P.definite(1, M, prec=d.precision)
        return Result({"type": "positive_definite", "n": n}, f.via, (sym, f))
    if "witness" in ev:
        f = P.form_sign(-1, M, ev["witness"], d.precision, strict=M.exact is None)
    elif "minor" in ev and M.exact is not None and 1 <= ev["minor"] <= n:
        f = P.determinant(M.minor(list(range(ev["minor"])), list(range(ev["minor"]))), None, exact=False)
        if f.sign > 0:
            raise _fail("positive_definite", f"the leading {ev['minor']}x{ev['minor']} minor is positive")
    else:
        raise _fail("positive_definite", "a refutation needs a witness vector or a non-positive leading minor")
    return Result({"type": "positive_definite", "n": n}, f.of, (sym, f), {"value": f.value})


def _indefinite(d: Decoded) -> Result:
    M, n = _square(d, "indefinite")
    facts = (P.symmetric(M), P.form_sign(-1, M, d.evidence["negative"], d.precision),
             P.form_sign(1, M, d.evidence["positive"], d.precision))
    return Result({"type": "indefinite", "n": n}, "witness vectors", facts, {"forms": [f.value for f in facts[1:]]})


def _eigenvalues(d: Decoded) -> Result:
    M, n = _square(d, "eigenvalues")
    sym, f = P.symmetric(M), P.eigenvalues(M, d.evidence["eigenvalues"], d.precision)
    return Result({"type": "eigenvalues", "inertia": list(f.inertia), "n": n}, "isolation", (sym, f))


# -- expressions on boxes -----------------------------------------------------------------------------------------
def _box(d: Decoded, key: str, rule: str, slice_ok: bool = False) -> tuple[Dag, list, list, list[str]]:
    """The stored expression, the box (one centre and radius per input; radius 0: held fixed) and the names of
    the fixed inputs."""
    dag, cs, rs = d.inputs[key], d.inputs["centers"], d.inputs["radii"]
    n = len(dag.inputs)
    if not 1 <= n <= 1000 or len(cs) != n or len(rs) != n or any(r < 0 for r in rs) or not any(rs) or \
            (not slice_ok and not all(rs)):
        raise _fail(rule, f"the box needs {n} centres and {'non-negative' if slice_ok else 'positive'} radii")
    if d.precision is None:
        raise _fail(rule, "a precision in bits is required")
    return dag, cs, rs, [dag.inputs[i] for i, r in enumerate(rs) if r == 0]


def _compare(d: Decoded, L: Dag, lower: Callable[[], Any], rule: str) -> tuple[list, dict[str, Any]]:
    """A spurious minimum: ``lower`` (a bound of the loss near the minimum) exceeds the loss at a better point (on
    the slice) or the stated global value."""
    inp, p = d.inputs, d.precision
    how = inp["compare"]
    if (how == "better_point") != ("better" in inp) or (how == "stated global value") != ("global_value" in inp):
        raise _fail(rule, f"compare = {how} needs {'no ' if how == 'none' else ''}comparison value")
    if how == "none":
        return [], {}
    low = lower()
    value = low.value if isinstance(low, P.Bound) else low
    if how == "better_point":
        b, cs, rs = inp["better"], inp["centers"], inp["radii"]
        if len(b) != len(L.inputs) or any(b[i] != cs[i] for i, r in enumerate(rs) if r == 0):
            raise _fail(rule, "the better point needs every coordinate, on the slice")
        better = P.enclose(L, P.points(b, p), 0, p)[0].value
    else:
        better = P.points([inp["global_value"]], p)[0]
    with flint.ctx.workprec(p):
        gap = value - better
    if not gap > 0:
        raise _fail(rule, "the loss near the minimum is not proven above the better value")
    return [low] if isinstance(low, P.Bound) else [], {"lower": value, "better": better, "gap": gap}


def _critical_point(d: Decoded) -> Result:
    g, cs, rs, fixed = _box(d, "gradient", "critical_point", slice_ok=True)
    k = P.krawczyk(g, cs, rs, d.evidence["C"], d.precision, of="map")
    claim = {"type": "critical_point", "dimension": len(g.inputs), "slice": bool(fixed), "fixed": fixed}
    return Result(claim, "krawczyk", (k,), {"image": k.image})


def _claim_min(d: Decoded, L: Dag, strict: bool, via: str, fixed: list[str], slice_: bool) -> dict[str, Any]:
    return {"type": "local_min", "strict": strict, "via": via, "dimension": len(L.inputs), "slice": slice_,
            "fixed": fixed, "compare": d.inputs["compare"]}


def _min_krawczyk(d: Decoded) -> Result:
    L, cs, rs, fixed = _box(d, "loss", "local_min", slice_ok=True)
    k = P.krawczyk(L, cs, rs, d.evidence["C"], d.precision)
    facts = [k, P.definite(1, given=k, prec=d.precision)]
    more, measures = _compare(d, L, lambda: P.lower_bound(L, cs, rs, d.precision, given=k), "local_min")
    return Result(_claim_min(d, L, True, "krawczyk", fixed, bool(fixed)), "krawczyk+definite", (*facts, *more),
                  measures)


def _min_manifold(d: Decoded) -> Result:
    L, cs, rs, _ = _box(d, "loss", "local_min")
    inp, p, names = d.inputs, d.precision, L.inputs
    T, V, phi, value = inp["tangent"], inp["normal"], inp["manifold"], inp["value"]
    if sorted(T + V) != list(range(len(names))) or not V or not T or list(phi.inputs) != [names[i] for i in T] or \
            len(phi.outputs) != len(V):
        raise _fail("local_min", "tangent and normal coordinates must split the parameters; phi maps the tangent ones")
    images = [j.value for j in P.enclose(phi, P.box([cs[i] for i in T], [rs[i] for i in T], p), 0, p)]
    if not all(y > cs[i] - rs[i] and y < cs[i] + rs[i] for y, i in zip(images, V)):
        raise _fail("local_min", "phi(U) is not inside the interior of V")
    facts, smooth = [], P.branches(L, P.box(cs, rs, p), p)  # L agrees with one of them at every point of the box
    if value is None and len(smooth) > 1:
        raise _fail("local_min", "a box across kinks needs the stated value L0")
    for Lr in smooth:  # each one >= L0 on the box: critical and equal to L0 on the manifold, convex in v
        facts.append(P.exact_zero(ex.manifold_conditions(Lr, phi, T, V, value), [names[i] for i in T],
                                  "manifold identities", opaque_first=True))
        ((_, _, H),) = P.enclose(Lr, P.box(cs, rs, p), 2, p)
        H = H if H is not None else flint.arb_mat(len(names), len(names))
        facts.append(P.definite(1, flint.arb_mat([[H[i, j] for j in V] for i in V]), prec=p))
    if value is None:  # L0 = L(u0, phi(u0)) at the centre u0 of U
        at_u0 = [j.value for j in P.enclose(phi, P.points([cs[i] for i in T], p), 0, p)]
        pt = P.points(cs, p)
        L0 = P.enclose(L, [pt[i] if i in T else at_u0[V.index(i)] for i in range(len(names))], 0, p)[0].value
    more, measures = _compare(d, L, lambda: L0 if value is None else P.points([value], p)[0], "local_min")
    claim = {**_claim_min(d, L, False, "manifold", [], False), "tangent": [names[i] for i in T],
             "value": None if value is None else text(value)}
    return Result(claim, "manifold", (*facts, *more), measures)


def _min_symmetry(d: Decoded) -> Result:
    L, cs, rs, fixed = _box(d, "loss", "local_min", slice_ok=True)
    inp, p, names, n = d.inputs, d.precision, list(L.inputs), len(L.inputs)
    acts, orbit, tau = inp["actions"], inp["orbits"], inp["t_radius"]
    F = [i for i, r in enumerate(rs) if r == 0]
    if not F or len(acts) != len(F) or not tau > 0 or list(orbit.inputs) != names or len(orbit.outputs) != n * len(F) \
            or any(list(a.inputs[:n]) != names or len(a.inputs) != n + 1 or len(a.outputs) != n for a in acts):
        raise _fail("local_min", "one map g_t (in the parameters, then t) per fixed parameter and their orbit directions")
    facts = [P.exact_zero(ex.invariance_conditions(L, acts, orbit), [*names, "t"], "L(g_t x) = L(x), g_0 = id, orbits")]
    near = P.box(cs, [r if r else tau for r in rs], p) + P.box([flint.fmpq(0)], [tau], p)
    for a in acts:
        P.enclose(a, near, 1, p)  # the maps are C^1 near the slice (refused at kinks)
    dirs = [j.value for j in P.enclose(orbit, P.box(cs, rs, p), 0, p)]
    with flint.ctx.workprec(p):
        M = flint.arb_mat([[dirs[a * n + F[b]] for b in range(len(F))] for a in range(len(F))])
    facts.append(P.nonsingular(M, prec=p, what="the orbit directions in the fixed coordinates (transversality)"))
    k = P.krawczyk(L, cs, rs, d.evidence["C"], p)
    facts += [k, P.definite(1, given=k, prec=p)]
    more, measures = _compare(d, L, lambda: P.lower_bound(L, cs, rs, p, given=k), "local_min")
    return Result(_claim_min(d, L, False, "symmetry", fixed, False), "slice+symmetry", (*facts, *more), measures)


def _local_max(d: Decoded) -> Result:
    L, cs, rs, _ = _box(d, "loss", "local_max")
    k = P.krawczyk(L, cs, rs, d.evidence["C"], d.precision)
    return Result({"type": "local_max", "strict": True, "dimension": len(L.inputs)}, "krawczyk+definite",
                  (k, P.definite(-1, given=k, prec=d.precision)))


def _curve(d: Decoded, L: Dag, point: list, key: str, sign: int, rule: str, gradient: Any = None) -> P.Series:
    rec, n = d.inputs[key], len(L.inputs)
    if len(rec["curve"].inputs) != 1 or len(rec["curve"].outputs) != n or not 1 <= rec["order"] <= 64:
        raise _fail(rule, f"inputs.{key}: a curve in one variable through the {n} parameters, order in 1..64")
    arb = isinstance(rec["coefficient"], str)  # "negative"/"positive": a leading term from Arb; else exact
    s = P.arb_series(L, rec["curve"], point, rec["order"], d.precision, gradient) if arb else \
        P.exact_series(L, rec["curve"], point, rec["order"])
    want = ("negative" if sign < 0 else "positive") if arb else s.coefficient
    if (s.order, want) != (rec["order"], rec["coefficient"]) or not s.coefficient * sign > 0:
        raise _fail(rule, f"inputs.{key}: the leading term is {s.coefficient} t^{s.order}, not as recorded")
    return s


def _point(d: Decoded, rule: str) -> tuple[Dag, list]:
    L, pt = d.inputs["loss"], d.inputs["point"]
    if len(pt) != len(L.inputs):
        raise _fail(rule, "the point needs one coordinate per parameter")
    return L, pt


def _saddle_strict(d: Decoded) -> Result:
    L, cs, rs, _ = _box(d, "loss", "saddle")
    k = P.krawczyk(L, cs, rs, d.evidence["C"], d.precision)
    facts = (k, P.form_sign(-1, k.J, d.inputs["negative"], d.precision),
             P.form_sign(1, k.J, d.inputs["positive"], d.precision))
    return Result({"type": "saddle", "kind": "strict", "dimension": len(L.inputs)}, "krawczyk+curvature", facts)


def _saddle_degenerate(d: Decoded) -> Result:
    L, pt = _point(d, "saddle")
    g = P.exact_zero(ex.gradient_at(L, pt), [], "the gradient at the point")
    neg = _curve(d, L, pt, "negative", -1, "saddle", g)
    if d.inputs["positive"] == "same" and neg.order % 2 == 0:
        raise _fail("saddle", "the same curve shows both signs only for an odd order")
    facts = (g, neg) if d.inputs["positive"] == "same" else (g, neg, _curve(d, L, pt, "positive", 1, "saddle", g))
    claim = {"type": "saddle", "kind": "degenerate", "dimension": len(L.inputs), "order": neg.order}
    return Result(claim, "exact curves" if all(f.tier == "exact" for f in facts) else "arb curves", facts)


def _direction(d: Decoded, key: str, n: int, rule: str) -> list[flint.fmpq]:
    v = d.inputs[key]
    if len(v) != n or not any(v):
        raise _fail(rule, f"inputs.{key} must be a non-zero vector of length {n}")
    return v


def _first_order(d: Decoded) -> Result:
    L, cs, rs, p = d.inputs["loss"], d.inputs["centers"], d.inputs["radii"], d.precision
    n = len(L.inputs)
    v = _direction(d, "direction", n, "not_local_min")
    if len(cs) != n or len(rs) != n or any(r < 0 for r in rs) or p is None:
        raise _fail("not_local_min", "the box needs n centres, n non-negative radii and a precision")
    (jet,) = P.enclose(L, P.box(cs, rs, p), 1, p)
    with flint.ctx.workprec(p):
        slope = sum((flint.arb(vi) * gi for vi, gi in zip(v, jet.grad or [])), flint.arb(0))
    if not slope < 0:
        raise _fail("not_local_min", "the slope along the direction is not proven negative on the whole box")
    return Result({"type": "not_local_min", "how": "first order", "dimension": n}, "descent", (), {"slope": slope})


def _no_min_box(d: Decoded) -> Result:
    L, cs, rs, _ = _box(d, "loss", "not_local_min")
    k = P.krawczyk(L, cs, rs, d.evidence["C"], d.precision)
    f = P.form_sign(-1, k.J, _direction(d, "negative", len(L.inputs), "not_local_min"), d.precision)
    return Result({"type": "not_local_min", "how": "box", "dimension": len(L.inputs)}, "krawczyk+curvature", (k, f))


def _no_min_curve(d: Decoded) -> Result:
    L, pt = _point(d, "not_local_min")
    s = _curve(d, L, pt, "negative", -1, "not_local_min")
    return Result({"type": "not_local_min", "how": "curve", "dimension": len(L.inputs)}, f"{s.tier} curve", (s,))


def _second_order(d: Decoded) -> Result:
    (L, pt), p, tau = _point(d, "not_local_min"), d.precision, d.inputs["t_radius"]
    v = _direction(d, "direction", len(pt), "not_local_min")
    if not tau > 0 or p is None:
        raise _fail("not_local_min", "t_radius must be positive and a precision given")
    z = P.exact_zero(ex.slope_at(L, pt, v), [], "the slope at the point")
    seg = P.box([x + vi * tau / 2 for x, vi in zip(pt, v)], [abs(vi) * tau / 2 for vi in v], p)
    ((_, _, H),) = P.enclose(L, seg, 2, p)
    f = P.form_sign(-1, H if H is not None else flint.arb_mat(len(pt), len(pt)), v, p)
    return Result({"type": "not_local_min", "how": "second order", "dimension": len(pt)}, "taylor", (z, f))


def _classification(d: Decoded) -> Result:
    sub, kind = d.evidence["certificate"], d.claim.get("kind")
    want, strict = CLASSIFICATION_KINDS.get(kind, (None, None))
    if sub.verdict != "certified" or sub.claim.get("type") != want or sub.claim.get("slice", False) is not False or \
            (strict is not None and sub.claim.get("strict") is not strict):  # (a slice's minimum classifies nothing)
        raise _fail("classification", f"the nested certificate does not certify a {str(kind)[:40]}")
    L, pt = _point(d, "classification")
    si = sub.inputs
    if si["loss"] != L:
        raise _fail("classification", "the nested certificate is about another loss")
    facts: list = []
    if "point" in si and si["point"] != pt:
        raise _fail("classification", "the nested certificate is about another point")
    if "point" not in si and any(not abs(x - c) <= r for x, c, r in zip(pt, si["centers"], si["radii"])):
        raise _fail("classification", "the point is not in the nested certificate's box")
    if sub.claim.get("via") == "manifold":  # only the points (u, phi(u)) are minima, not the whole box
        T, V = si["tangent"], si["normal"]
        facts.append(P.exact_zero(ex.manifold_at(si["manifold"], [pt[i] for i in T], [pt[i] for i in V]), [],
                                  "phi(point) - point on the nested certificate's manifold"))
    code = "manifold" if sub.claim.get("via") == "manifold" else "strict" if sub.claim.get("order") == 2 else \
        {"saddle": sub.claim.get("kind"), "not_local_min": sub.claim.get("how")}.get(want, "definite")  # (t^2: H < 0)
    claim = {"type": "classification", "kind": kind, "dimension": len(L.inputs), "reason_code": code}
    return Result(claim, f"nested {want}", tuple(facts), {"nested": sub.report})


# -- identities, ReLU regions, Lemma 4.3, Safran & Shamir's loss -----------------------------------------------------
ASSUMPTIONS = ("positive", "negative", "nonnegative", "nonpositive", "nonzero", "integer")


def _sides(d: Decoded) -> tuple[Dag, Dag, list[str]]:
    lhs, rhs, names = d.inputs["lhs"], d.inputs["rhs"], d.inputs["variables"]
    if list(lhs.inputs) != names or list(rhs.inputs) != names or len(lhs.outputs) != len(rhs.outputs) or \
            len(d.inputs.get("assumptions", names)) != len(names):
        raise _fail("identity", "lhs and rhs must have the same number of entries in the recorded variables")
    return lhs, rhs, names


def _identity(d: Decoded) -> Result:
    lhs, rhs, names = _sides(d)
    signs = [ex.assumed_signs(a) for a in d.inputs.get("assumptions", [[]] * len(names))]
    z = P.exact_zero(ex.identity_differences(lhs, rhs), names, "lhs - rhs", True, signs, regions=True)
    return Result({"type": "identity", "entries": len(lhs.outputs)}, "exact", (z,))


def _respects(q: flint.fmpq, assumptions: list[str]) -> bool:
    tests = {"positive": q > 0, "negative": q < 0, "nonnegative": q >= 0, "nonpositive": q <= 0, "nonzero": q != 0,
             "integer": q.q == 1}
    return all(tests[a] for a in assumptions)


def _non_identity(d: Decoded) -> Result:
    (lhs, rhs, names), k, w = _sides(d), d.evidence["entry"], d.evidence["witness"]
    if k >= len(lhs.outputs) or len(w) != len(names) or \
            not all(_respects(q, a) for q, a in zip(w, d.inputs.get("assumptions", [[]] * len(names)))):
        raise _fail("identity", "the witness names no entry, has the wrong length or violates an assumption")
    for p in P.ladder(d.precision or 256):
        a, b = (P.enclose(s, P.points(w, p), 0, p, outputs=[k])[0].value for s in (lhs, rhs))
        with flint.ctx.workprec(p):
            diff = a - b
        if diff > 0 or diff < 0:
            return Result({"type": "identity", "entries": len(lhs.outputs)}, "witness", (), {"difference": diff})
    raise _fail("identity", "the witness does not separate lhs and rhs")


def _relu_region(d: Decoded) -> Result:
    X, w, c, r = (d.inputs[k] for k in ("X", "width", "centers", "radii"))
    if not X or w < 1 or not X[0] or any(len(x) != len(X[0]) for x in X):
        raise _fail("relu_linear_region", "malformed data or width")
    dim, N = len(X[0]), len(X)
    if len(c) != dim * w + w or len(r) != len(c) or any(v <= 0 for v in r):
        raise _fail("relu_linear_region", "the box needs d*width + width centres and positive radii")
    lowest = la.lowest_preactivation(X, c, r, w)  # (charged: N w (d + 1) exact terms)
    rank = P.rank(Matrix((N, dim + 1), "rational", flint.fmpq_mat([x + [flint.fmpq(1)] for x in X])))
    if lowest != d.evidence["min_preactivation"] or not lowest > 0 or not rank.rank < N:
        raise _fail("relu_linear_region", f"lowest pre-activation {lowest}, rank([X, 1]) = {rank.rank}, N = {N}")
    return Result({"type": "relu_linear_region", "N": N, "rank_bound": rank.rank}, "exact", (rank,),
                  {"min_preactivation": lowest})


def _leibniz_alpha0(d: Decoded) -> Result:
    """Lemma 4.3, bounded sigma: Weyl's perturbation bound at alpha_0 for the limit matrix L of E(alpha)."""
    sigma, tdag, mu, gamma, beta, a0 = (d.inputs[k] for k in ("sigma", "t", "mu", "gamma", "beta", "alpha0"))
    N = len(tdag.outputs)
    if len(sigma.inputs) != 1 or len(sigma.outputs) != 1 or tdag.inputs or not 2 <= N <= lb.MAX_N or not mu < gamma \
            or not a0 > 0:
        raise _fail("leibniz_alpha0", f"sigma in one variable, 2 <= N <= {lb.MAX_N} projections t, mu < gamma and "
                                      "alpha_0 > 0")
    claim = {"type": "leibniz_alpha0", "N": N, "alpha0": text(a0)}
    for p in P.ladder(d.precision):
        D = lb.min_gap([j.value for j in P.enclose(tdag, [], 0, p)], p)
        (sb,) = [j.value for j in P.enclose(sigma, P.points([beta], p), 0, p)]
        with flint.ctx.workprec(p):
            m, g_, a = (flint.arb(v) for v in (mu, gamma, a0))
        F = lb.limit_inverse_frobenius(m, g_, sb, N, p)  # (None: L not proved invertible)
        if D is None or F is None:
            continue
        with flint.ctx.workprec(p):
            target = (1 / F).lower() / flint.arb(N * (N - 1)).sqrt()
            up, down = (P.enclose(sigma, [z], 0, p)[0].value for z in (a * D + beta, beta - a * D))
            eps = (g_ - up).max(down - m)
        if eps < target:
            return Result(claim, "weyl", (), {"eps": eps, "target": target, "inverse_frobenius": F})
    raise _fail("leibniz_alpha0", "the perturbation bound at alpha_0 is not below s_min(L) / sqrt(N(N-1))")


def _leibniz_witness(d: Decoded) -> Result:
    sigma, X, a, alpha, beta, kind, k = (d.inputs[x] for x in ("sigma", "X", "direction", "alpha", "beta", "kind", "k"))
    N = len(X)
    if len(sigma.inputs) != 1 or len(sigma.outputs) != 1 or not 1 <= k <= lb.MAX_K or not 2 <= N <= lb.MAX_N or \
            not a or any(len(x) != len(a) for x in X) or not alpha > 0:
        raise _fail("leibniz_witness", f"sigma in one variable, 1 <= k <= {lb.MAX_K}, X N x d with 2 <= N <= "
                                       f"{lb.MAX_N}, the direction of length d and a positive alpha")
    claim = {"type": "leibniz_witness", "N": N, "k": k, "kind": kind, "alpha": text(alpha), "beta": text(beta)}
    p = lb.projections(X, a)
    bits = 3 * max(int(v.p.bit_length() + v.q.bit_length()) for v in (*p, alpha, beta))
    lb.budget(sigma, 22 + N * (k - 1), 24 * N, bits)
    Em, Er, counts = lb.enclosure(sigma, lb.layer_inputs(sigma, p, k, lb.TPREC), alpha, beta, kind == "bounded", bits)
    try:
        f = P.nonsingular((Em, Er), what="E(alpha)")
        return Result(claim, "float64", (f,), {"bound": f.measure, "pointwise": counts})
    except CertificateRejected as exc:
        if not lb.arb_affordable(N, k, sigma, bits):
            raise
        why = exc
    for prec in (128, 512, 2048):  # small N, badly scaled (type 2b): every entry in Arb
        try:
            f = P.nonsingular(lb.arb_matrix(sigma, p, k, alpha, beta, kind == "bounded", prec), prec=prec)
            return Result(claim, "arb", (f,), {"prec": prec})
        except CertificateRejected:
            continue
    raise why


def _teacher_student(d: Decoded) -> Result:
    """Safran & Shamir's loss F rebuilt from its recipe (k, n) and enclosed through its structure (float64 tier)."""
    inp, kind, r, W = d.inputs, d.inputs["kind"], d.inputs["radius"], d.inputs["centre"]
    try:
        F = ts.Recipe(inp["recipe"]["k"], inp["recipe"]["n"])
    except ValueError as exc:
        raise _fail("teacher_student", str(exc)) from None
    saddle, P_ = kind == "strict saddle", F.n * F.k
    if W.shape != (F.n, F.k) or d.precision != 53 or not r > 0 or saddle != ("negative" in inp) or \
            ("negative" in inp) != ("positive" in inp) or (not saddle and F.n < F.k):
        raise _fail("teacher_student", "an n x k centre, a radius > 0, precision 53, both directions for a saddle "
                                       "(none for a minimum), n >= k for a minimum (the teacher point)")
    claim = {"type": "teacher_student", "problem": "safran_shamir", "k": F.k, "n": F.n, "dimension": P_, "kind": kind}
    cs, rs = W.ravel().tolist(), [r] * P_
    k = P.krawczyk(F, cs, rs, None, 53)
    if saddle:
        neg, pos = P.form_sign(-1, k.J, inp["negative"], 53), P.form_sign(1, k.J, inp["positive"], 53)
        return Result(claim, "krawczyk+curvature", (k, neg, pos), {"contraction": max(k.image) / r,
                                                                   "forms": [neg.value, pos.value]})
    low = P.lower_bound(F, cs, rs, 64, given=k)
    better = P.enclose(F, ts.teacher_point(F.k, F.n).ravel().tolist(), 0, 53)[0].value
    with flint.ctx.workprec(64):
        gap = low.value - better
    if not gap > 0:
        raise _fail("teacher_student", "the loss over the box is not proven above F at the teacher point")
    return Result(claim, "krawczyk+definite", (k, P.definite(1, given=k), low),
                  {"contraction": max(k.image) / r, "lower": low.value, "better": better, "gap": gap})


# -- the table -----------------------------------------------------------------------------------------------------
QVEC = ("list", "q")
MAT = {"A": ("opt", "matrix"), "A_hash": "hash"}
BOX = {"centers": QVEC, "radii": QVEC}
CMP = {"compare": ("one", "none", "better_point", "stated global value"), "better?": QVEC, "global_value?": "q"}
CURVE = {"curve": "dag", "order": "nat", "coefficient": ("either", "q", ("one", "negative", "positive"))}
C = {"C": "precond"}
LOSS = {"loss": "dag"}

#: (claim type, variant, verdict) -> the rule: its inputs and evidence schemas and its check.
RULES: dict[tuple[str, str | None, str], Rule] = {
    ("nonsingular", None, "certified"): Rule(MAT, {"prime?": "q", "det_mod_p?": "q", "scaling?": ("one", "lcm", "pow2")},
                                             _nonsingular),
    ("nonsingular", None, "refuted"): Rule(MAT, {"rank": "nat"}, _singular),
    ("rank_at_least", None, "certified"): Rule({**MAT, "r": "nat"}, {"rows": ("list", "nat"), "cols": ("list", "nat")},
                                               _rank_at_least),
    ("rank_at_least", None, "refuted"): Rule({**MAT, "r": "nat"}, {"rank": "nat"}, _rank_at_least),
    ("exact_rank", None, "certified"): Rule(MAT, {"rank": "nat", "kernel?": ("list", QVEC)}, _rank),
    ("rank_deficient", None, "certified"): Rule(MAT, {"rank": "nat", "kernel?": ("list", QVEC)}, _rank),
    ("rank_deficient", None, "refuted"): Rule(MAT, {"rank": "nat", "kernel?": ("list", QVEC)}, _rank),
    ("det_sign", None, "certified"): Rule(MAT, {"det_exact?": "q", "det?": "ball"}, _det_sign),
    ("positive_definite", None, "certified"): Rule(MAT, {}, _positive_definite),
    ("positive_definite", None, "refuted"): Rule(MAT, {"witness?": QVEC, "minor?": "nat"}, _positive_definite),
    ("indefinite", None, "certified"): Rule(MAT, {"negative": QVEC, "positive": QVEC}, _indefinite),
    ("eigenvalues", None, "certified"): Rule(MAT, {"eigenvalues": ("list", "ball")}, _eigenvalues),
    ("critical_point", None, "certified"): Rule({"gradient": "dag", **BOX}, C, _critical_point),
    ("local_min", "krawczyk", "certified"): Rule({**LOSS, **BOX, **CMP}, C, _min_krawczyk),
    ("local_min", "manifold", "certified"): Rule({**LOSS, **BOX, **CMP, "tangent": ("list", "nat"),
                                                  "normal": ("list", "nat"), "manifold": "dag", "value": ("opt", "q")},
                                                 {}, _min_manifold),
    ("local_min", "symmetry", "certified"): Rule({**LOSS, **BOX, **CMP, "actions": ("list", "dag"), "orbits": "dag",
                                                  "t_radius": "q"}, C, _min_symmetry),
    ("local_max", None, "certified"): Rule({**LOSS, **BOX}, C, _local_max),
    ("saddle", "strict", "certified"): Rule({**LOSS, **BOX, "negative": QVEC, "positive": QVEC}, C, _saddle_strict),
    ("saddle", "degenerate", "certified"): Rule({**LOSS, "point": QVEC, "negative": CURVE,
                                                 "positive": ("either", ("one", "same"), CURVE)}, {}, _saddle_degenerate),
    ("not_local_min", "first order", "certified"): Rule({**LOSS, **BOX, "direction": QVEC}, {}, _first_order),
    ("not_local_min", "box", "certified"): Rule({**LOSS, **BOX, "negative": QVEC}, C, _no_min_box),
    ("not_local_min", "curve", "certified"): Rule({**LOSS, "point": QVEC, "negative": CURVE}, {}, _no_min_curve),
    ("not_local_min", "second order", "certified"): Rule({**LOSS, "point": QVEC, "direction": QVEC, "t_radius": "q"},
                                                         {}, _second_order),
    ("classification", None, "certified"): Rule({**LOSS, "point": QVEC}, {"certificate": "cert"}, _classification),
    ("identity", None, "certified"): Rule({"variables": ("list", "str"), "lhs": "dag", "rhs": "dag",
                                           "assumptions?": ("list", ("list", ("one", *ASSUMPTIONS)))}, {}, _identity),
    ("identity", None, "refuted"): Rule({"variables": ("list", "str"), "lhs": "dag", "rhs": "dag",
                                         "assumptions?": ("list", ("list", ("one", *ASSUMPTIONS)))},
                                        {"entry": "nat", "witness": QVEC}, _non_identity),
    ("relu_linear_region", None, "certified"): Rule({"X": ("list", QVEC), "width": "nat", "centers": QVEC,
                                                     "radii": QVEC}, {"min_preactivation": "q"}, _relu_region),
    ("leibniz_alpha0", None, "certified"): Rule({"sigma": "dag", "t": "dag", "mu": "q", "gamma": "q", "beta": "q",
                                                 "alpha0": "q"}, {}, _leibniz_alpha0),
    ("leibniz_witness", None, "certified"): Rule({"sigma": "dag", "X": ("list", QVEC), "direction": QVEC, "alpha": "q",
                                                  "beta": "q", "kind": ("one", "bounded", "growth"), "k": "nat"}, {},
                                                 _leibniz_witness),
    ("teacher_student", None, "certified"): Rule({"recipe": {"problem": ("one", "safran_shamir"), "k": "nat", "n": "nat"},
                                                  "kind": ("one", "spurious local minimum", "strict saddle"),
                                                  "centre": "floats", "radius": "f64", "negative?": "floats",
                                                  "positive?": "floats"}, {}, _teacher_student),
}
#: The claim types (an inconclusive certificate may name any of them).
CLAIM_TYPES = frozenset(t for t, _, _ in RULES)
