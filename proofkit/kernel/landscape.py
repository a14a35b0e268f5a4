"""Kernel rules for landscape claims: non-strict minima on manifolds, maxima, saddles, classifications, lifts.

Every rule takes a :class:`~proofkit.certificate.Certificate` whose input hash was already checked,
re-derives the decisive facts from the stored loss graph (``proofkit.dag/1``) with the kernel's own
Arb evaluator (:func:`proofkit.kernel.evaluate.evaluate`) and exact engine
(:mod:`proofkit.kernel.algebra`), and returns one sentence on what it re-checked, or raises
:class:`~proofkit.errors.CertificateRejected`. :data:`RULE_SPECS` gives, per claim type, the input and evidence
schemas and the rule (registered in :data:`proofkit.kernel.rules.RULES`); every claim carries a
``statement`` in words, derived from its other fields by :func:`statement_for`.

Claim types (``docs/certificates.md`` states exactly what each rule re-checks):

``local_min``
    ``strict: true`` -- Krawczyk's unique critical point in a box and a positive definite Hessian on
    the box. ``strict: false`` with ``via: "manifold"`` -- MATH.md section 7: exact identities
    ``grad_v L(u, phi(u)) = 0`` and ``L(u, phi(u)) = L0``, a positive definite normal block Hessian on
    the box ``U x V`` and ``phi(U)`` inside ``V``. ``strict: false`` with ``via: "symmetry"`` -- a strict
    minimum on a slice lifted by one-parameter families of maps that leave the loss invariant
    (exact identities) and are transversal to the slice on the whole box. An optional comparison
    (``better_point`` or ``stated global value``) makes it a spurious minimum.
``local_max``
    Krawczyk and a negative definite Hessian on the box.
``saddle``
    ``kind: "strict"`` -- Krawczyk and directions with negative and positive curvature on the
    whole box. ``kind: "degenerate"`` -- an exact critical point of a rational loss and curves along
    which ``L(theta(t)) - L(theta(0))`` has exact leading terms ``c t^m`` of both signs.
``not_local_min``
    ``how: "first order"`` (a descent direction on a whole box), ``"curve"`` (exact leading term
    ``c t^m``, ``c < 0``), ``"second order"`` (exact zero slope and negative curvature on a segment)
    or ``"box"`` (Krawczyk and a direction of negative curvature on the box).
``classification``
    A nested certificate of one of the types above, for the same loss and point.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import flint

from proofkit.certificate import Certificate
from proofkit.errors import CertificateRejected
from proofkit.kernel.algebra import (
    Field,
    NotExact,
    curve_series,
    exact_jets,
    gradient_zero_exactly,
    is_zero,
    leading_term,
    manifold_identities,
    seeds,
)
from proofkit.kernel.dag import Dag, decode_dag, parse_rational
from proofkit.kernel.decode import read_preconditioner
from proofkit.kernel.evaluate import evaluate
from proofkit.kernel.linalg import ball_form, ball_matrix_pd, krawczyk, nonsingular_box_pd
from proofkit.kernel.statements import statement_for

__all__ = ["FUNCS", "RULE_SPECS", "CLASSIFICATION_KINDS", "statement_for"]

#: The kinds a classification certificate may state, with the claim type that must back each.
CLASSIFICATION_KINDS = {
    "strict local minimum": ("local_min", True),
    "strict local maximum": ("local_max", True),
    "saddle": ("saddle", None),
    "non-strict local minimum": ("local_min", False),
    "not a local minimum": ("not_local_min", None),
}


def _reject(msg: str) -> CertificateRejected:
    return CertificateRejected(f"certificate rejected: {msg}")


# -- the door: strict reading of the fields these rules use ------------------------------------
def _field(d: Any, key: str, where: str) -> Any:
    if not isinstance(d, dict) or key not in d:
        raise _reject(f"missing field {where}.{key}")
    return d[key]


def _rat(x: Any, path: str) -> flint.fmpq:
    return parse_rational(x, path)


def _rats(xs: Any, n: int | None, path: str) -> list[flint.fmpq]:
    if not isinstance(xs, list) or (n is not None and len(xs) != n):
        raise _reject(f"{path} must be a list of {n if n is not None else 'some'} exact rationals")
    return [_rat(x, f"{path}[{i}]") for i, x in enumerate(xs)]


def _indices(xs: Any, n: int, path: str) -> list[int]:
    if not isinstance(xs, list) or not all(type(i) is int and 0 <= i < n for i in xs) or len(set(xs)) != len(xs):
        raise _reject(f"{path} must be a list of distinct parameter indices")
    return xs


def _dag(obj: Any, path: str, n_inputs: int | None = None, n_outputs: int | None = None) -> Dag:
    try:
        return decode_dag(obj, n_inputs=n_inputs, n_outputs=n_outputs)
    except CertificateRejected as exc:
        raise _reject(f"{path}: {exc}") from None


def _prec(cert: Certificate) -> int:
    p = cert.precision
    if type(p) is not int or not 53 <= p <= 8192:
        raise _reject("precision must be an integer number of bits in [53, 8192]")
    return p


def _loss(inp: dict[str, Any]) -> Dag:
    loss = _dag(_field(inp, "loss", "inputs"), "inputs.loss", n_outputs=1)
    if list(loss.inputs) != _field(inp, "params", "inputs"):
        raise _reject("inputs.params must be the inputs of the stored loss, in order")
    return loss


def _box(inp: dict[str, Any], n: int, allow_zero: bool = False) -> tuple[list[flint.fmpq], list[flint.fmpq]]:
    c = _rats(_field(inp, "centers", "inputs"), n, "inputs.centers")
    r = _rats(_field(inp, "radii", "inputs"), n, "inputs.radii")
    if any(x < 0 or (x == 0 and not allow_zero) for x in r):
        raise _reject("box radii must be positive")
    return c, r


def _pts(qs: Sequence[flint.fmpq], prec: int) -> list[flint.arb]:
    """Exact rationals as balls at the working precision."""
    with flint.ctx.workprec(prec):
        return [flint.arb(q) for q in qs]


def _balls(c: Sequence[flint.fmpq], r: Sequence[flint.fmpq], prec: int) -> list[flint.arb]:
    with flint.ctx.workprec(prec):
        return [flint.arb(ci) if ri == 0 else flint.arb(ci - ri).union(flint.arb(ci + ri)) for ci, ri in zip(c, r)]


# -- Arb facts ---------------------------------------------------------------------------------
def _eval(dag: Dag, point: Sequence[flint.arb], order: int, prec: int) -> list[Any]:
    return evaluate(dag, point, order=order, prec=prec)


def _hessian(loss: Dag, box: list[flint.arb], prec: int) -> list[list[flint.arb]]:
    v, g, h = _eval(loss, box, 2, prec)[0]
    n = len(box)
    return h if h is not None else [[flint.arb(0)] * n for _ in range(n)]


def _ball_pd(H: list[list[flint.arb]], prec: int) -> bool:
    """Every symmetric matrix in the ball matrix is positive definite (the kernel's one ball test)."""
    with flint.ctx.workprec(prec):
        return bool(H) and ball_matrix_pd(flint.arb_mat(H), prec)


def _krawczyk(loss: Dag, free: list[int], fixed_balls: list[flint.arb], c: list[flint.fmpq], r: list[flint.fmpq],
              C: flint.fmpq_mat, prec: int) -> flint.arb_mat:
    """Krawczyk's test for the gradient in the ``free`` coordinates (the others held at ``fixed_balls``).

    Returns the Hessian block over the box when ``K(X)`` lies in the interior of ``X`` (then the
    gradient block has exactly one zero in ``X`` and every member of the block is nonsingular), else raises.
    """
    n = len(free)
    if C.nrows() != n or C.ncols() != n:
        raise _reject("the matrix C does not match the box")

    def full(xs: list[flint.arb]) -> list[flint.arb]:
        out, it = list(fixed_balls), iter(xs)
        for i in free:
            out[i] = next(it)
        return out

    X = _balls(c, r, prec)
    _, gy, _ = _eval(loss, full(_pts(c, prec)), 1, prec)[0]
    H = _hessian(loss, full(X), prec)
    gy = [flint.arb(0)] * len(fixed_balls) if gy is None else gy
    with flint.ctx.workprec(prec):
        J = flint.arb_mat([[H[i][j] for j in free] for i in free]) if n else flint.arb_mat(0, 0)
    inside, _ = krawczyk([gy[i] for i in free], J, C, c, r, prec)
    if not inside:
        raise _reject("Krawczyk's operator does not map the box into its interior")
    return J


def _compare(inp: dict[str, Any], claim: dict[str, Any], loss: Dag, lower: flint.arb, prec: int) -> str:
    """The comparison of a spurious minimum: ``lower`` (a lower bound of the loss near the minimum) exceeds it."""
    how = _field(inp, "compare", "inputs")
    if claim.get("compare") != how:
        raise _reject("the claim's comparison differs from the recorded one")
    if how == "none":
        return ""
    if how == "better_point":
        pt = _rats(_field(inp, "better", "inputs"), len(loss.inputs), "inputs.better")
        better = _eval(loss, _pts(pt, prec), 0, prec)[0][0]
    elif how == "stated global value":
        better = flint.arb(_rat(_field(inp, "global_value", "inputs"), "inputs.global_value"))
    else:
        raise _reject(f"unknown comparison {str(how)[:40]!r}")
    with flint.ctx.workprec(prec):
        if not lower - better > 0:
            raise _reject("the loss near the minimum is not proven above the better value")
    return "; the loss near the minimum exceeds the better value"


# -- exact facts -------------------------------------------------------------------------------
def _exact(fn: Callable[[], Any]) -> Any:
    try:
        return fn()
    except NotExact as exc:
        raise _reject(f"an identity cannot be re-checked exactly ({exc})") from None
    except ZeroDivisionError:
        raise _reject("an expression divides by the zero function") from None


def _check_curve(loss: Dag, rec: Any, point: list[flint.fmpq], path: str) -> tuple[int, flint.fmpq]:
    if not isinstance(rec, dict) or set(rec) != {"curve", "order", "coefficient"}:
        raise _reject(f"{path} must have exactly the keys coefficient, curve, order")
    curve = _dag(_field(rec, "curve", path), f"{path}.curve", n_inputs=1, n_outputs=len(loss.inputs))
    m = _field(rec, "order", path)
    if type(m) is not int or not 1 <= m <= 64:
        raise _reject(f"{path}.order must be an integer in [1, 64]")
    c = _rat(_field(rec, "coefficient", path), f"{path}.coefficient")
    _eval(loss, [flint.arb(x) for x in point], 0, 128)  # the loss is defined at the point itself (else rejected)
    coeffs = _exact(lambda: curve_series(loss, curve, point, m))
    lt = leading_term(coeffs)
    if lt != (m, c):
        raise _reject(f"{path}: the leading term of L(theta(t)) - L(theta(0)) is not {c} t^{m}")
    return m, c


def _mean_value_lower(loss: Dag, c: list[flint.fmpq], r: list[flint.fmpq], prec: int) -> flint.arb:
    """A lower bound of the loss over the box: ``L(c) + sum_i g_i(B) [-r_i, r_i]`` (mean-value form)."""
    lc = _eval(loss, _pts(c, prec), 0, prec)[0][0]
    _, g, _ = _eval(loss, _balls(c, r, prec), 1, prec)[0]
    with flint.ctx.workprec(prec):
        lower = lc
        for gi, ri in zip(g or [], r):
            if ri != 0:
                lower = lower + gi * flint.arb(0, flint.arb(ri))
        return lower


# -- the rules ---------------------------------------------------------------------------------
def _bind(cert: Certificate, expected: dict[str, Any]) -> None:
    """The claim must be exactly the statement the recorded inputs prove (no field added, dropped or changed)."""
    import json

    expected = {**expected, "statement": statement_for(expected)}
    if json.dumps(cert.claim, sort_keys=True) != json.dumps(expected, sort_keys=True):
        raise _reject(f"the claim does not match the recorded inputs (expected {expected})")


def _strict(cert: Certificate, loss: Dag, prec: int, sign: int) -> str:
    inp, n = cert.inputs or {}, len(loss.inputs)
    c, r = _box(inp, n)
    C = read_preconditioner(_field(cert.evidence, "C", "evidence"), n, "evidence.C")
    J = _krawczyk(loss, list(range(n)), [flint.arb(0)] * n, c, r, C, prec)
    if not nonsingular_box_pd(J if sign > 0 else -J, prec):
        raise _reject(f"the Hessian is not proven {'positive' if sign > 0 else 'negative'} definite on the box")
    what = "minimum" if sign > 0 else "maximum"
    extra = _compare(inp, cert.claim, loss, _mean_value_lower(loss, c, r, prec), prec) if sign > 0 else ""
    return f"Krawczyk and a {'positive' if sign > 0 else 'negative'} definite Hessian on the box: a strict local " \
           f"{what}{extra}"


def _manifold(cert: Certificate, loss: Dag, prec: int) -> str:
    inp, n, names = cert.inputs or {}, len(loss.inputs), list(loss.inputs)
    T = _indices(_field(inp, "tangent", "inputs"), n, "inputs.tangent")
    V = _indices(_field(inp, "normal", "inputs"), n, "inputs.normal")
    if sorted(T + V) != list(range(n)) or not V:
        raise _reject("tangent and normal coordinates must split the parameters (with at least one normal one)")
    phi = _dag(_field(inp, "manifold", "inputs"), "inputs.manifold", n_inputs=len(T), n_outputs=len(V))
    if list(phi.inputs) != [names[i] for i in T]:
        raise _reject("the manifold's inputs must be the tangent parameters, in order")
    c, r = _box(inp, n)
    value = _field(inp, "value", "inputs")
    if cert.claim.get("value") != value:
        raise _reject("the claim's value differs from the recorded one")

    _exact(lambda: manifold_identities(loss, phi, T, V, None if value is None else _rat(value, "inputs.value")))
    U = _balls([c[i] for i in T], [r[i] for i in T], prec)
    images = [j[0] for j in _eval(phi, U, 0, prec)]
    for j, i in enumerate(V):
        if not (images[j] - flint.arb(c[i] - r[i]) > 0 and flint.arb(c[i] + r[i]) - images[j] > 0):
            raise _reject("phi(U) is not inside the interior of V")
    H = _hessian(loss, _balls(c, r, prec), prec)
    if not _ball_pd([[H[i][j] for j in V] for i in V], prec):
        raise _reject("the normal block Hessian is not proven positive definite on U x V")
    if value is not None:
        L0 = flint.arb(_rat(value, "inputs.value"))
    else:  # L0 = L(u0, phi(u0)), enclosed at the centre u0 of U
        from proofkit.kernel.decode import read

        at_u0 = [j[0] for j in _eval(phi, _pts([c[i] for i in T], prec), 0, prec)]
        cp = _pts(c, prec)
        L0 = _eval(loss, [cp[i] if i in T else at_u0[V.index(i)] for i in range(n)], 0, prec)[0][0]
        stated = read(_field(cert.evidence, "L0", "evidence"), "ball", "evidence.L0")
        if not stated.contains(L0):
            raise _reject("the stated enclosure of L0 does not contain the kernel's")
    extra = _compare(inp, cert.claim, loss, L0, prec)
    return ("exact identities grad_v L(u, phi(u)) = 0 and L(u, phi(u)) = L0, phi(U) inside V and a positive "
            f"definite normal block Hessian on U x V: L >= L0 on the box (a non-strict minimum){extra}")


def _lift(cert: Certificate, loss: Dag, prec: int) -> str:
    inp, n, names = cert.inputs or {}, len(loss.inputs), list(loss.inputs)
    fixed = _indices(_field(inp, "fixed", "inputs"), n, "inputs.fixed")
    free = [i for i in range(n) if i not in fixed]
    if not fixed or not free:
        raise _reject("a lift needs fixed and free parameters")
    c, r = _box(inp, n, allow_zero=True)
    if any((r[i] == 0) != (i in fixed) for i in range(n)):
        raise _reject("the box must have radius 0 exactly in the fixed coordinates")
    actions = _field(inp, "actions", "inputs")
    if not isinstance(actions, list) or len(actions) != len(fixed):
        raise _reject("one one-parameter family of maps per fixed parameter is needed")
    acts = [_dag(a, f"inputs.actions[{k}]", n_inputs=n + 1, n_outputs=n) for k, a in enumerate(actions)]
    if any(list(a.inputs[:n]) != names for a in acts):
        raise _reject("the maps' inputs must be the parameters, then the group parameter")
    orbit = _dag(_field(inp, "orbits", "inputs"), "inputs.orbits", n_inputs=n, n_outputs=n * len(fixed))
    if list(orbit.inputs) != names:
        raise _reject("the orbit directions' inputs must be the parameters, in order")
    tau = _rat(_field(inp, "t_radius", "inputs"), "inputs.t_radius")
    if tau <= 0:
        raise _reject("t_radius must be positive")

    def identities() -> None:
        F = Field(names + ["t"], 256)
        xs = [F.var(i) for i in range(n)]
        base, = exact_jets(loss, F, seeds(F, xs, []))
        for k, a in enumerate(acts):
            moved = exact_jets(a, F, seeds(F, xs + [F.var(n)], []))
            (val, _), = exact_jets(loss, F, moved)
            if not is_zero(val - base[0]):
                raise _reject(f"map {k} does not leave the loss invariant: L(g_t theta) != L(theta)")
            at0 = exact_jets(a, F, seeds(F, xs + [F.const(0)], [n]))
            if not all(is_zero(v - x) for (v, _), x in zip(at0, xs)):
                raise _reject(f"map {k} is not the identity at t = 0")
            stored = exact_jets(orbit, F, seeds(F, xs, []))[k * n:(k + 1) * n]
            if not all(is_zero(d[0] - s[0]) for (_, d), s in zip(at0, stored)):
                raise _reject(f"the recorded orbit direction of map {k} is not d/dt g_t at t = 0")

    _exact(identities)
    nbhd = _balls(c, [r[i] if i in free else tau for i in range(n)], prec)
    t_ball = _balls([flint.fmpq(0)], [tau], prec)
    for a in acts:
        _eval(a, nbhd + t_ball, 1, prec)  # the maps are C^1 near the slice (raises at kinks)
    box = _balls(c, r, prec)
    dirs = [j[0] for j in _eval(orbit, box, 0, prec)]
    k = len(fixed)
    with flint.ctx.workprec(prec):
        M = flint.arb_mat([[dirs[a * n + fixed[b]] for b in range(k)] for a in range(k)])
        det = M.det()
    if not (det > 0 or det < 0):
        raise _reject("transversality: the orbit directions are not proven transversal to the slice on the box")
    C = read_preconditioner(_field(cert.evidence, "C", "evidence"), len(free), "evidence.C")
    J = _krawczyk(loss, free, box, [c[i] for i in free], [r[i] for i in free], C, prec)
    if not nonsingular_box_pd(J, prec):
        raise _reject("the Hessian on the slice is not proven positive definite on the box")
    extra = _compare(inp, cert.claim, loss, _mean_value_lower(loss, c, r, prec), prec)
    return ("a strict minimum on the slice (Krawczyk, positive definite Hessian) lifted by maps that leave the loss "
            f"invariant (exact identities) and are transversal to the slice on the box{extra}")


def _rule_local_min(cert: Certificate) -> str:
    claim, prec = cert.claim, _prec(cert)
    loss = _loss(cert.inputs or {})
    if claim.get("dimension") != len(loss.inputs):
        raise _reject("the claim's dimension differs from the number of parameters")
    strict, via, inp = claim.get("strict"), claim.get("via"), cert.inputs or {}
    expected = {"type": "local_min", "strict": strict, "via": via, "dimension": len(loss.inputs),
                "compare": inp.get("compare")}
    names = list(loss.inputs)
    if strict is True and via == "krawczyk":
        _bind(cert, expected)
        return _strict(cert, loss, prec, 1)
    if strict is False and via == "manifold":
        T = _indices(_field(inp, "tangent", "inputs"), len(names), "inputs.tangent")
        _bind(cert, {**expected, "tangent": [names[i] for i in T], "value": inp.get("value")})
        return _manifold(cert, loss, prec)
    if strict is False and via == "symmetry":
        F = _indices(_field(inp, "fixed", "inputs"), len(names), "inputs.fixed")
        _bind(cert, {**expected, "fixed": [names[i] for i in F]})
        return _lift(cert, loss, prec)
    raise _reject(f"unknown local_min variant strict={strict!r} via={via!r}")


def _rule_local_max(cert: Certificate) -> str:
    loss = _loss(cert.inputs or {})
    _bind(cert, {"type": "local_max", "strict": True, "dimension": len(loss.inputs)})
    return _strict(cert, loss, _prec(cert), -1)


def _direction(inp: dict[str, Any], key: str, n: int) -> list[flint.fmpq]:
    d = _rats(_field(inp, key, "inputs"), n, f"inputs.{key}")
    if all(x == 0 for x in d):
        raise _reject(f"inputs.{key} is the zero vector")
    return d


def _box_curvature(cert: Certificate, loss: Dag, prec: int, keys: Sequence[tuple[str, int]]) -> None:
    inp, n = cert.inputs or {}, len(loss.inputs)
    c, r = _box(inp, n)
    C = read_preconditioner(_field(cert.evidence, "C", "evidence"), n, "evidence.C")
    J = _krawczyk(loss, list(range(n)), [flint.arb(0)] * n, c, r, C, prec)
    for key, sign in keys:
        q = ball_form(J, _direction(inp, key, n), prec)
        if not (q < 0 if sign < 0 else q > 0):
            raise _reject(f"the curvature along inputs.{key} is not proven {'negative' if sign < 0 else 'positive'} "
                          "on the whole box")


def _rule_saddle(cert: Certificate) -> str:
    inp = cert.inputs or {}
    loss = _loss(inp)
    kind = cert.claim.get("kind")
    if kind == "strict":
        _bind(cert, {"type": "saddle", "kind": "strict", "dimension": len(loss.inputs)})
        _box_curvature(cert, loss, _prec(cert), (("negative", -1), ("positive", 1)))
        return "Krawczyk and directions of negative and positive curvature on the whole box: a strict saddle"
    if kind != "degenerate":
        raise _reject(f"unknown saddle kind {kind!r}")
    point = _rats(_field(inp, "point", "inputs"), len(loss.inputs), "inputs.point")
    if not _exact(lambda: gradient_zero_exactly(loss, point)):
        raise _reject("the gradient does not vanish exactly at the point")
    m, c = _check_curve(loss, _field(inp, "negative", "inputs"), point, "inputs.negative")
    if not c < 0:
        raise _reject("the leading coefficient along the negative curve is not negative")
    pos = _field(inp, "positive", "inputs")
    if pos == "same":
        if m % 2 == 0:
            raise _reject("the same curve shows both signs only for an odd order")
    else:
        _, c2 = _check_curve(loss, pos, point, "inputs.positive")
        if not c2 > 0:
            raise _reject("the leading coefficient along the positive curve is not positive")
    _bind(cert, {"type": "saddle", "kind": "degenerate", "dimension": len(loss.inputs), "order": m})
    return f"exact critical point; L(theta(t)) - L(theta(0)) has exact leading terms of both signs (order {m})"


def _rule_not_local_min(cert: Certificate) -> str:
    inp = cert.inputs or {}
    loss = _loss(inp)
    n, how = len(loss.inputs), cert.claim.get("how")
    prec = _prec(cert) if how in ("first order", "box", "second order") else 0
    _bind(cert, {"type": "not_local_min", "how": how, "dimension": n})
    if how == "first order":
        c, r = _box(inp, n, allow_zero=True)
        d = _direction(inp, "direction", n)
        _, g, _ = _eval(loss, _balls(c, r, prec), 1, prec)[0]
        with flint.ctx.workprec(prec):
            slope = sum((flint.arb(di) * gi for di, gi in zip(d, g or [])), flint.arb(0))
        if not slope < 0:
            raise _reject("the slope along the direction is not proven negative on the whole box")
        return "a descent direction at every point of the box: no point of it is a local minimum"
    if how == "box":
        _box_curvature(cert, loss, prec, (("negative", -1),))
        return "Krawczyk and a direction of negative curvature on the whole box: not a local minimum"
    point = _rats(_field(inp, "point", "inputs"), n, "inputs.point")
    if how == "curve":
        _, c = _check_curve(loss, _field(inp, "negative", "inputs"), point, "inputs.negative")
        if not c < 0:
            raise _reject("the leading coefficient along the curve is not negative")
        return "L(theta(t)) - L(theta(0)) = c t^m + O(t^(m+1)) with c < 0, exactly: not a local minimum"
    if how == "second order":
        d = _direction(inp, "direction", n)
        tau = _rat(_field(inp, "t_radius", "inputs"), "inputs.t_radius")
        if tau <= 0:
            raise _reject("t_radius must be positive")

        def slope_zero() -> bool:
            F = Field([], 64)
            (_, g), = exact_jets(loss, F, seeds(F, [F.const(x) for x in point], list(range(n))))
            s = F.const(0)
            for di, gi in zip(d, g):
                s = s + F.const(di) * gi
            return is_zero(s)

        if not _exact(slope_zero):
            raise _reject("the slope along the direction does not vanish exactly at the point")
        seg = _balls([p + di * tau / 2 for p, di in zip(point, d)], [abs(di) * tau / 2 for di in d], prec)
        if not ball_form(flint.arb_mat(_hessian(loss, seg, prec)), d, prec) < 0:
            raise _reject("the curvature along the direction is not proven negative on the segment")
        return "zero slope (exactly) and negative curvature on a segment (Taylor remainder): not a local minimum"
    raise _reject(f"unknown not_local_min variant {how!r}")


def _on_manifold(sinp: dict[str, Any], point: list[flint.fmpq], n: int) -> None:
    """The point lies exactly on the recorded manifold: its normal coordinates are phi(its tangent ones)."""
    T = _indices(_field(sinp, "tangent", "inputs"), n, "inputs.tangent")
    V = _indices(_field(sinp, "normal", "inputs"), n, "inputs.normal")
    phi = _dag(_field(sinp, "manifold", "inputs"), "inputs.manifold", n_inputs=len(T), n_outputs=len(V))

    def at_point() -> list[Any]:
        F = Field([], 8)
        return exact_jets(phi, F, seeds(F, [F.const(point[i]) for i in T], []))

    images = _exact(at_point)
    if any(not v.is_const() or v.const_value() != point[i] for (v, _), i in zip(images, V)):
        raise _reject("the point is not on the nested certificate's manifold (normal coordinates != phi(tangent))")


def _rule_classification(cert: Certificate) -> str:
    from proofkit.certificate import input_hash

    kind = cert.claim.get("kind")
    if kind not in CLASSIFICATION_KINDS:
        raise _reject(f"unknown classification {kind!r}")
    from proofkit.kernel.check import check_certificate  # the nested certificate passes the whole kernel

    try:
        nested = check_certificate(_field(cert.evidence, "certificate", "evidence"))
    except CertificateRejected as exc:
        raise _reject(f"the nested certificate: {exc}") from None
    sub = nested.certificate
    want, strict = CLASSIFICATION_KINDS[kind]
    if sub.verdict != "certified" or sub.claim.get("type") != want or \
            (strict is not None and sub.claim.get("strict") is not strict):
        raise _reject(f"the nested certificate does not certify a {kind}")
    if input_hash(sub.inputs) != sub.input_hash:
        raise _reject("the nested certificate's input_hash does not match its inputs")
    inp, sinp = cert.inputs or {}, sub.inputs or {}
    if sinp.get("loss") != inp.get("loss") or sinp.get("params") != inp.get("params"):
        raise _reject("the nested certificate is about another loss")
    n = len(_loss(inp).inputs)
    point = _rats(_field(inp, "point", "inputs"), n, "inputs.point")
    if "point" in sinp:
        if _rats(sinp["point"], n, "point") != point:
            raise _reject("the nested certificate is about another point")
    else:
        c, r = _box(sinp, n, allow_zero=True)
        if any(not abs(point[i] - c[i]) <= r[i] for i in range(n)):
            raise _reject("the point is not in the nested certificate's box")
        if sub.claim.get("via") == "manifold":  # only the points (u, phi(u)) are minima, not the whole box
            _on_manifold(sinp, point, n)
    code = "manifold" if sub.claim.get("via") == "manifold" else \
        {"saddle": sub.claim.get("kind"), "not_local_min": sub.claim.get("how")}.get(want, "definite")
    _bind(cert, {"type": "classification", "kind": kind, "dimension": n, "reason_code": code})
    return f"{kind}: {nested.how}"


#: Claim type -> rule function (returns what it re-checked, or raises CertificateRejected).
FUNCS: dict[str, Callable[[Any], str]] = {
    "local_min": _rule_local_min,
    "local_max": _rule_local_max,
    "saddle": _rule_saddle,
    "not_local_min": _rule_not_local_min,
    "classification": _rule_classification,
}

_ANY = "any"
_COMMON = {"loss": _ANY, "params": _ANY}
#: Claim type -> (inputs schema, evidence schema per verdict, rule function), for the kernel's table.
RULE_SPECS: dict[str, tuple[dict[str, Any], dict[str, dict[str, Any]], Callable[[Any], str]]] = {
    "local_min": ({**_COMMON, "compare": _ANY, "better?": _ANY, "global_value?": _ANY, "centers": _ANY, "radii": _ANY,
                   "tangent?": _ANY, "normal?": _ANY, "manifold?": _ANY, "value?": _ANY, "fixed?": _ANY,
                   "actions?": _ANY, "orbits?": _ANY, "t_radius?": _ANY},
                  {"certified": {"C?": _ANY, "L0?": _ANY, "identities_proved_by?": "str"}}, _rule_local_min),
    "local_max": ({**_COMMON, "compare?": _ANY, "centers": _ANY, "radii": _ANY}, {"certified": {"C": _ANY}},
                  _rule_local_max),
    "saddle": ({**_COMMON, "centers?": _ANY, "radii?": _ANY, "point?": _ANY, "negative": _ANY, "positive": _ANY},
               {"certified": {"C?": _ANY}}, _rule_saddle),
    "not_local_min": ({**_COMMON, "centers?": _ANY, "radii?": _ANY, "point?": _ANY, "direction?": _ANY,
                       "negative?": _ANY, "t_radius?": _ANY}, {"certified": {"C?": _ANY}}, _rule_not_local_min),
    "classification": ({**_COMMON, "point": _ANY}, {"certified": {"certificate": _ANY}}, _rule_classification),
}


def _slice_rule(base: Any, Outcome: Any, on_slice: bool) -> Callable[[Any], Any]:
    """The rule of a claim about a slice (``..._on_slice``) or about the full space (no fixed parameters)."""
    def check(d: Any) -> Any:
        fixed, t = d.inputs.get("fixed"), d.claim.get("type", "")
        if bool(fixed) != on_slice:
            raise _reject(f"{t}: a statement about a slice of fixed parameters must be typed '..._on_slice', "
                          "and only such a statement")
        if not on_slice:
            return base(d)
        out = base(type(d)(**{**d.__dict__, "claim": {**d.claim, "type": t[: -len("_on_slice")]}}))
        return Outcome(out.how + " (on the slice only)", out.margin)
    return check


def landscape_rules(Rule: Any, Outcome: Any, base: dict[str, Any] | None = None) -> dict[str, Any]:
    """The rules of this module as entries of the kernel's table (built by :mod:`proofkit.kernel.rules`)."""
    from proofkit.kernel import rules as kr

    out = {t: Rule(i, e, (lambda d, f=f: Outcome(f(d)))) for t, (i, e, f) in RULE_SPECS.items()}
    for t in ("critical_point", "strict_local_min", "spurious_local_min"):
        r = kr.RULES[t]
        out[t] = Rule(r.inputs, r.evidence, _slice_rule(r.check, Outcome, False))
        out[f"{t}_on_slice"] = Rule(r.inputs, r.evidence, _slice_rule(r.check, Outcome, True))
    return out
