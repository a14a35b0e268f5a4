"""Local minima from the loss itself: strict (Krawczyk) and non-strict on a manifold of minima.

When the data or the architecture are degenerate, minima come in manifolds and the Hessian is
singular there, so Krawczyk's test cannot isolate them. :func:`certify_local_min` with
``manifold={v_j: phi_j(u)}`` proves instead:

1. ``grad_v L(u, phi(u)) = 0`` and ``L(u, phi(u)) = L0`` identically (sympy's identity machinery
   here; the kernel re-proves both with exact rational-function arithmetic of its own);
2. the normal block Hessian ``grad_v^2 L`` is positive definite on a whole box ``U x V``;
3. ``phi(U)`` lies inside ``V``.

Then for each ``u`` in ``U``, ``phi(u)`` is the unique minimiser of the strictly convex ``L(u, .)`` on
``V``, so ``L >= L0`` on the box: every point of the manifold over ``U`` is a (non-strict) local
minimum with value ``L0``.

Piecewise losses (ReLU networks: ``Max``, ``Abs``, ``Heaviside``, ``Piecewise``) are first resolved on each box:
every kink whose switching quantity keeps its sign on ``U x V`` (Arb) is replaced by its branch, and the
identities are proved for the resolved expression, on the box only (a dead unit's ``relu(w x + b)`` is 0
there, not everywhere). A kink that switches inside the box splits it into regions; each region's smooth
expression must satisfy 1.-3. itself (so it is ``>= L0`` on the whole box, and the loss, which equals one of
them at every point, is too), else the result is inconclusive and names the region.
What the trusted kernel re-checks of such a certificate: docs/certificates.md ("Landscape claims").
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import flint
import numpy as np
import sympy

from proofkit.certificate import Certificate
from proofkit.certify.common import returns_kernel_checked
from proofkit.certify.landscape_common import (
    LossSpec,
    approx_hessian,
    assemble,
    check_radius,
    exact_point,
    finish,
    loss_spec,
    mid_q,
    not_analytic_reason,
    pts,
    q2s,
    radius_ladder,
    rational_matrix,
    upper_q,
)
from proofkit.errors import CertificateRejected, InvalidInput, NotAnalyticAtPoint
from proofkit.kernel import NotAnalyticOnBox, branches, decode_dag, definite, enclose, exact_zero, manifold_conditions
from proofkit.kernel import enclose as evaluate
from proofkit.numeric.contexts import to_fmpq
from proofkit.symbolic.dag import to_dag
from proofkit.symbolic.identities import check_identity

__all__ = ["certify_local_min", "comparison_inputs"]

PREC = 256
#: Above this many stored nodes (loss and manifold together) sympy's identity check is skipped.
SYMPY_SIZE = 400
#: The stored operations with kinks: a loss with one has its branches decided on each box first.
NONSMOOTH = frozenset({"abs", "sign", "max", "min", "heaviside", "piecewise"})


def comparison_inputs(spec: LossSpec, better_point: Any, global_value: Any) -> dict[str, Any]:
    """The recorded comparison of a spurious minimum (none, a better point, or a stated global value)."""
    if better_point is not None and global_value is not None:
        raise InvalidInput("global_value", "either better_point or global_value, not both", "both")
    if better_point is not None:
        return {"compare": "better_point",
                "better": [q2s(x) for x in exact_point(better_point, spec.params, "better_point")]}
    if global_value is not None:
        try:
            return {"compare": "stated global value", "global_value": q2s(global_value)}
        except (ValueError, TypeError):
            raise InvalidInput("global_value", "a finite number", repr(global_value)) from None
    return {"compare": "none"}


def _strict(spec: LossSpec, x0: list[flint.fmpq], radius: Any, cmp: dict[str, Any], t0: float) -> Certificate:
    claim = {"type": "local_min", "strict": True, "via": "krawczyk", "dimension": spec.n, "slice": False, "fixed": [],
             "compare": cmp["compare"]}
    try:
        H, why = approx_hessian(spec, x0), None
    except NotAnalyticAtPoint as exc:
        H, why = None, not_analytic_reason(exc)
    if H is None or not np.all(np.isfinite(H)) or np.linalg.cond(H) > 1e14:
        cert = assemble(claim, {**spec.inputs(), **cmp, "centers": [q2s(x) for x in x0],
                                "radii": ["1"] * spec.n}, {}, "Krawczyk operator and interval Hessian", PREC)
        cert.verdict = "inconclusive"
        cert.reason = why or ("the Hessian is singular at the point: the minimum, if it is one, is not isolated; give "
                              "manifold={normal parameter: expression in the others} to certify a non-strict minimum")
        cert.time_seconds = time.perf_counter() - t0
        return cert
    C = rational_matrix(np.linalg.inv(H))
    last = None
    for r in radius_ladder(radius, x0, (1e-3, 1e-6, 1e-10)):
        radii = check_radius(r, spec.n)
        inputs = {**spec.inputs(), **cmp, "centers": [q2s(x) for x in x0], "radii": [q2s(x) for x in radii]}
        cert = finish(assemble(claim, inputs, {"C": C}, "Krawczyk operator and interval Hessian", PREC),
                      "not certified")
        last = cert
        if cert.certified:
            break
    last.time_seconds = time.perf_counter() - t0
    return last


def _manifold_parts(spec: LossSpec, manifold: Any) -> tuple[list[int], list[int], list[sympy.Expr]]:
    if not isinstance(manifold, Mapping) or not manifold:
        raise InvalidInput("manifold", "a non-empty dict {normal parameter: expression in the tangent ones}",
                           type(manifold).__name__)
    names = [p.name for p in spec.params]
    phi: dict[int, sympy.Expr] = {}
    for k, v in manifold.items():
        name = k.name if isinstance(k, sympy.Symbol) else str(k)
        if name not in names:
            raise InvalidInput("manifold", "parameters of the loss as keys", f"unknown parameter {name!r}")
        try:
            phi[names.index(name)] = sympy.sympify(v, strict=True)
        except (sympy.SympifyError, TypeError):
            raise InvalidInput("manifold", "sympy expressions as values", repr(v)[:60]) from None
    V = sorted(phi)
    T = [i for i in range(spec.n) if i not in phi]
    if not T:
        raise InvalidInput("manifold", "at least one tangent parameter left free", "every parameter as a key")
    tangent = {spec.params[i] for i in T}
    for i in V:
        extra = phi[i].free_symbols - tangent
        if extra:
            raise InvalidInput("manifold", "expressions in the tangent parameters only",
                               f"{spec.params[i].name} uses {sorted(map(str, extra))[:4]}")
    return T, V, [phi[i] for i in V]


def _candidate_value(spec: LossSpec, phi_dag: dict[str, Any], T: list[int], V: list[int],
                     u0: list[flint.fmpq]) -> sympy.Expr | None:
    """A simple rational within 1e-40 of L(u0, phi(u0)) (Arb at 256 bits), else None (then constancy is proved)."""
    at_u0 = [j[0] for j in evaluate(decode_dag(phi_dag), pts(u0), 0, PREC)]
    pt: list[Any] = [None] * spec.n
    for k, i in enumerate(T):
        pt[i] = pts([u0[k]])[0]
    for j, i in enumerate(V):
        pt[i] = at_u0[j]
    try:
        val = evaluate(decode_dag(spec.dag), pt, 0, PREC)[0][0]
    except CertificateRejected as exc:
        raise InvalidInput("point", "a point where the loss is defined", str(exc)) from None
    q = sympy.Rational(int(mid_q(val).p), int(mid_q(val).q)).limit_denominator(1000)
    with flint.ctx.workprec(PREC):  # (outside it, 4/5 would be rounded to 53 bits and never found)
        close = abs(val - flint.arb(flint.fmpq(int(q.p), int(q.q)))) < flint.arb(flint.fmpq(1, 10**40))
    return q if close else None


def _identities(spec: LossSpec, T: list[int], V: list[int], phis: list[sympy.Expr], u0: list[flint.fmpq],
                phi_dag: dict[str, Any]) -> tuple[str | None, str | None, str]:
    """Prove the two identities; returns (exact L0, "transcendental" or None; a reason why not; how)."""
    sub = {spec.params[i]: f for i, f in zip(V, phis)}
    tangent = [spec.params[i] for i in T]
    L0 = _candidate_value(spec, phi_dag, T, V, u0)
    value = q2s(L0) if L0 is not None else "transcendental"
    what = "grad_v L(u, phi(u)) = 0 and " + ("L(u, phi(u)) = L0" if L0 is not None else "L(u, phi(u)) constant")
    if len(spec.dag["nodes"]) + len(phi_dag["nodes"]) <= SYMPY_SIZE:
        grad_v = [sympy.diff(spec.expr, spec.params[i]).xreplace(sub) for i in V]
        restricted = spec.expr.xreplace(sub)
        if L0 is not None:
            lhs, rhs = [*grad_v, restricted], [0] * len(V) + [L0]
        else:
            lhs = [*grad_v, *(sympy.diff(restricted, p) for p in tangent)]
            rhs = [0] * len(lhs)
        res = check_identity(sympy.Matrix(lhs), sympy.Matrix(rhs), tangent)
        if res.verdict == "proved":
            return value, None, "check_identity"
        if res.verdict == "refuted":
            return None, f"{what} is refuted ({res.detail})", ""
        sympy_said = f"check_identity was {res.verdict}"
    else:
        sympy_said = "too large for check_identity"
    try:  # exact rational-function arithmetic over Q(u, atoms)
        value_q = flint.fmpq(int(L0.p), int(L0.q)) if L0 is not None else None
        exact_zero(manifold_conditions(decode_dag(spec.dag), decode_dag(phi_dag), T, V, value_q),
                   [spec.params[i].name for i in T], "manifold identities", opaque_first=True)
    except CertificateRejected as exc:
        return None, f"{what}: undecided ({sympy_said}; exact engine: {exc})", ""
    return value, None, f"exact rational-function arithmetic ({sympy_said})"


def _piecewise_value(spec: LossSpec, T: list[int], V: list[int], u0: list[flint.fmpq],
                     phi_dag: dict[str, Any]) -> tuple[str | None, str | None, str]:
    """The value ``L0`` of a piecewise loss on the manifold; its identities are proved per box (``_region_problem``)."""
    L0 = _candidate_value(spec, phi_dag, T, V, u0)
    how = "exact rational-function arithmetic for the branches the kinks take on the box"
    return (q2s(L0) if L0 is not None else "transcendental"), None, how


def _region_problem(spec: LossSpec, phi_dag: dict[str, Any], T: list[int], V: list[int], value: str | None,
                    cs: list[flint.fmpq], rs: list[flint.fmpq]) -> str | None:
    """Why the box ``cs +- rs`` does not give a piecewise loss ``>= L0`` (None: it does): every smooth expression the
    loss is on a region of the box (the branches its kinks take there) must have the manifold as critical points
    with the value ``L0`` and a positive definite normal Hessian on the whole box. The message names the region."""
    with flint.ctx.workprec(PREC):
        box = [flint.arb(c) if r == 0 else flint.arb(c - r).union(flint.arb(c + r)) for c, r in zip(cs, rs)]
    try:
        regions = branches(decode_dag(spec.dag), box, PREC)
    except CertificateRejected as exc:
        return f"the kinks on the box are not resolved ({exc})"
    if value in (None, "transcendental") and len(regions) > 1:
        return "the box meets a kink and L0 is not a rational number (a stated L0 is needed across kinks)"
    value_q = None if value in (None, "transcendental") else to_fmpq(value)
    names = [spec.params[i].name for i in T]
    for name, Lr in regions:
        where = f"in the region {name} ({len(regions)} regions of the kinks inside the box)" if name else \
            "on the box (every kink decided)"
        try:
            exact_zero(manifold_conditions(Lr, decode_dag(phi_dag), T, V, value_q), names, "manifold identities",
                       opaque_first=True)
            ((_, _, H),) = enclose(Lr, box, 2, PREC)
            H = H if H is not None else flint.arb_mat(spec.n, spec.n)
            definite(1, flint.arb_mat([[H[i, j] for j in V] for i in V]), prec=PREC)
        except (CertificateRejected, NotAnalyticOnBox) as exc:
            side = "; a minimum on one side of a kink only (one-sided conditions) is not proved by the manifold " \
                "argument: every branch must be a minimum on the whole box" if name else ""
            return f"{where} the loss is not proved >= L0: {str(exc).removeprefix('certificate rejected: ')}{side}"
    return None


def _manifold_min(spec: LossSpec, x0: list[flint.fmpq], manifold: Any, radius: Any, cmp: dict[str, Any],
                  t0: float) -> Certificate:
    T, V, phis = _manifold_parts(spec, manifold)
    u0 = [x0[i] for i in T]
    phi_dag = to_dag(phis, [spec.params[i] for i in T])
    claim: dict[str, Any] = {"type": "local_min", "strict": False, "via": "manifold", "dimension": spec.n,
                             "slice": False, "fixed": [], "compare": cmp["compare"],
                             "tangent": [spec.params[i].name for i in T]}
    base = {**spec.inputs(), **cmp, "tangent": T, "normal": V, "manifold": phi_dag}
    try:
        images = [j[0] for j in evaluate(decode_dag(phi_dag), pts(u0), order=0, prec=PREC)]
    except CertificateRejected as exc:  # phi undefined at u0
        raise InvalidInput("manifold", "expressions defined at the point", str(exc)) from None
    for j, i in enumerate(V):
        if not abs(images[j] - flint.arb(x0[i])) < flint.arb(1e-6) * (1 + abs(images[j])):
            raise InvalidInput("point", "a point on the manifold v = phi(u)",
                               f"{spec.params[i].name} = {float(x0[i])!r} while phi gives {images[j].str(10)}")
    piecewise = any(nd[0] in NONSMOOTH for nd in decode_dag(spec.dag).nodes)
    value, problem, how = (_piecewise_value(spec, T, V, u0, phi_dag) if piecewise else
                           _identities(spec, T, V, phis, u0, phi_dag))
    v0 = [mid_q(images[j]) for j in range(len(V))]
    claim["value"] = None if value in (None, "transcendental") else value
    base["value"] = claim["value"]
    centre = list(x0)
    for j, i in enumerate(V):
        centre[i] = v0[j]
    method = f"exact identities on the manifold ({how}) + interval normal Hessian on U x V"
    if problem is not None:
        cert = assemble(claim, {**base, "centers": [q2s(x) for x in centre], "radii": ["1"] * spec.n}, {}, method, PREC)
        cert.verdict, cert.reason = "inconclusive", f"the manifold identities were not established: {problem}"
        cert.time_seconds = time.perf_counter() - t0
        return cert
    last = None
    for r in radius_ladder(radius, u0, (1e-2, 1e-4, 1e-7, 1e-10)):
        ru = check_radius(r, len(T))
        U = [flint.arb(u).union(flint.arb(u - q)).union(flint.arb(u + q)) for u, q in zip(u0, ru)]
        try:
            img = [j[0] for j in evaluate(decode_dag(phi_dag), U, order=0, prec=PREC)]
        except CertificateRejected:  # phi undefined somewhere on U: try a smaller box
            continue
        radii = [flint.fmpq(0)] * spec.n
        for k, i in enumerate(T):
            radii[i] = ru[k]
        for j, i in enumerate(V):
            spread = upper_q(abs(img[j] - flint.arb(v0[j])))
            radii[i] = max(2 * spread, min(ru)) + flint.fmpq(1, 2**200)
        inputs = {**base, "centers": [q2s(x) for x in centre], "radii": [q2s(x) for x in radii]}
        if value == "transcendental":  # the kernel encloses L0 = L(u0, phi(u0)) itself: it must be defined
            at_u0 = [j[0] for j in evaluate(decode_dag(phi_dag), pts(u0), 0, PREC)]
            pt = pts(centre)
            for j, i in enumerate(V):
                pt[i] = at_u0[j]
            try:
                evaluate(decode_dag(spec.dag), pt, 0, PREC)
            except (CertificateRejected, ValueError) as exc:
                raise InvalidInput("point", "a point where the loss is defined and finite", str(exc)) from None
        why = _region_problem(spec, phi_dag, T, V, value, centre, radii) if piecewise else None
        if why is not None:
            last = assemble(claim, inputs, {}, method, PREC)
            last.verdict, last.reason = "inconclusive", f"not certified: {why}"
            continue
        cert = finish(assemble(claim, inputs, {}, method, PREC), "not certified")
        last = cert
        if cert.certified:
            break
    if last is None:
        raise InvalidInput("radius", "a box on which the manifold is defined", f"{radius!r}")
    last.time_seconds = time.perf_counter() - t0
    return last


@returns_kernel_checked
def certify_local_min(loss: Any, params: Any, point: Any, *, manifold: Mapping[Any, Any] | None = None,
                      radius: Any = None, better_point: Any = None, global_value: Any = None) -> Certificate:
    """Certify a local minimum: strict (isolated) or non-strict on a manifold of minima.

    Parameters
    ----------
    loss : sympy expression, Objective or ``proofkit.dag/1`` dict
        May be piecewise (``Max``, ``Abs``, ``Heaviside``, ``Piecewise``): its kinks are decided on the box.
    params : sequence of symbols or None
        The parameter order (default: ``loss.params`` for an Objective, the graph's inputs, else the sorted free
        symbols).
    point : sequence or dict
        The point (floats are taken as the exact binary numbers they are). With a manifold, its
        normal coordinates must agree with ``phi`` at its tangent coordinates to about 1e-6.
    manifold : dict, optional
        ``{normal parameter: sympy expression in the tangent parameters}``: the set ``v = phi(u)``
        of critical points through ``point`` on which the loss is constant.
    radius : positive number or sequence, optional
        Half-width of the box (of ``U`` for a manifold); by default a few are tried, largest first.
    better_point, global_value : optional
        A comparison: the claim then also says the minimum is spurious (its value exceeds the loss
        at ``better_point``, or the stated global value).

    Returns
    -------
    Certificate
        Claim type ``local_min`` with ``strict`` true (Krawczyk) or false (manifold).

    Raises
    ------
    InvalidInput
        Bad loss, parameters, point, manifold or radius (the message names the argument).

    Guarantee
    ---------
    ``certified`` with ``strict: true``: the box contains exactly one critical point and the
    Hessian is positive definite on the whole box, so it is a strict local minimum. With
    ``strict: false``: the identities ``grad_v L(u, phi(u)) = 0`` and ``L(u, phi(u)) = L0`` hold
    exactly (re-proved by the kernel with exact rational-function arithmetic), ``phi(U)`` lies
    in the interior of ``V`` and the normal block Hessian is positive definite on all of
    ``U x V`` (Arb); hence ``L >= L0`` on the box and every point ``(u, phi(u))``, ``u`` in ``U``, is a
    local minimum with value ``L0``. For a piecewise loss all of this holds for every smooth expression the
    loss takes on a region of the box (its kinks decided there by the kernel), so again ``L >= L0`` on the box.
    With a comparison, ``L0`` (or the mean-value lower bound over the box) exceeds the better value. Only the
    kernel's acceptance makes a certificate
    ``certified``; identities the kernel cannot re-prove give ``inconclusive``.

    Examples
    --------
    >>> x, y = sympy.symbols("x y")
    >>> c = certify_local_min((x*y - 1)**2, [x, y], [1, 1], manifold={y: 1/x})
    >>> c.verdict, c.claim["strict"], c.claim["value"]
    ('certified', False, '0')
    """
    t0 = time.perf_counter()
    spec = loss_spec(loss, params)
    x0 = exact_point(point, spec.params, "point")
    cmp = comparison_inputs(spec, better_point, global_value)
    if manifold is None:
        return _strict(spec, x0, radius, cmp, t0)
    return _manifold_min(spec, x0, manifold, radius, cmp, t0)
