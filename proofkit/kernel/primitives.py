"""The kernel's primitives: each proof step once, short, failing with its own name.

Every primitive either returns a :mod:`fact <proofkit.kernel.facts>` (sealed: only this module builds facts)
or raises :class:`~proofkit.errors.CertificateRejected` whose message starts with its name. The rules of
:mod:`proofkit.kernel.rules` are compositions of these; the certifiers call them too (through
:mod:`proofkit.kernel`) to know in advance what the kernel will accept.

* ``enclose``: value, gradient and Hessian of a stored expression over a box (the one evaluator), or of a loss
  given by its recipe (:class:`~proofkit.kernel.teacher_student.Recipe`: the float64 tier)
* ``exact_zero``: expressions that vanish identically (the one exact engine); ``exact_series``, ``arb_series``
* ``nonsingular``: a matrix (exact, an enclosure, or a float64 ball matrix) is invertible
* ``definite``: definiteness of an interval matrix; from one member only *given* a Krawczyk fact on it
* ``krawczyk``: exactly one zero of the gradient (in the ``free`` coordinates) in a box
* ``lower_bound``: the mean-value lower bound over a box; ``form_sign``: the sign of ``v^T A v`` (interval, exact)
* ``symmetric``, ``rank``, ``determinant``, ``eigenvalues``: the matrix facts the matrix claims rest on
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import flint
import numpy as np

import proofkit.kernel.floatball as fb
from proofkit.errors import CertificateRejected
from proofkit.kernel import engine
from proofkit.kernel import exact as ex
from proofkit.kernel import linalg as la
from proofkit.kernel import taylor as tl
from proofkit.kernel.cost import arb_cubic, charge, note_tier
from proofkit.kernel.dag import Dag
from proofkit.kernel.decode import Matrix, evaluation_cost
from proofkit.kernel.facts import _SEAL, Bound, Definite, ExactZero, Holds, Inertia, Krawczyk, Nonsingular, Rank, Series, Sign
from proofkit.kernel.teacher_student import Recipe

__all__ = ["Refused", "Jet", "ladder", "points", "box", "enclose", "contains", "exact_zero", "exact_series", "arb_series",
           "nonsingular", "definite", "krawczyk", "lower_bound", "form_sign", "tape_of", "symmetric", "rank", "determinant",
           "eigenvalues", "kernel_basis", "det_ball", "branches"]

MAX_PREC = 1 << 16


class Jet(NamedTuple):
    """An enclosure over a box: ``value``, the dense ``grad`` (list) and ``hess`` (``arb_mat``); None means zero."""

    value: Any
    grad: list[Any] | None
    hess: Any


class Refused(CertificateRejected):
    """A primitive did not prove its fact; ``primitive`` names it (data for the certifiers, not prose)."""

    def __init__(self, primitive: str, why: str) -> None:
        super().__init__(f"certificate rejected: {primitive}: {why}")
        self.primitive = primitive


def ladder(prec: int | None) -> list[int]:
    """The one precision ladder: the certificate's precision, then 64, 128, ... up to ``max(256, 2 precision)``."""
    if prec is not None and not 2 <= prec <= MAX_PREC:
        raise Refused("precision", f"{prec} bits is outside [2, {MAX_PREC}]")
    top, out, p = max(256, 2 * (prec or 64)), [prec] if prec else [], 64
    while p <= top:
        out += [p] if p not in out else []
        p *= 2
    return out


def points(qs: Sequence[flint.fmpq], prec: int) -> list[flint.arb]:
    with flint.ctx.workprec(prec):
        return [flint.arb(q) for q in qs]


def box(cs: Sequence[flint.fmpq], rs: Sequence[flint.fmpq], prec: int) -> list[flint.arb]:
    """The balls of the box ``cs ± rs`` (a zero radius is the exact point)."""
    with flint.ctx.workprec(prec):
        return [flint.arb(c) if r == 0 else flint.arb(c - r).union(flint.arb(c + r)) for c, r in zip(cs, rs)]


_TAPES: dict[int, tuple[Dag, engine.Tape]] = {}


def tape_of(dag: Dag) -> engine.Tape:
    """The compiled tape of ``dag`` (a few recent ones are cached; an entry holds its DAG, so ids are not reused)."""
    hit = _TAPES.get(id(dag))
    if hit is not None and hit[0] is dag:
        return hit[1]
    charge(1.5e-5 * len(dag.nodes), "compiling an expression")
    tape = engine.Tape(dag)
    if len(_TAPES) >= 8:
        _TAPES.pop(next(iter(_TAPES)))
    _TAPES[id(dag)] = (dag, tape)
    return tape


def enclose(dag: Dag, point: Sequence[flint.arb], order: int, prec: int,
            outputs: Sequence[int] | None = None) -> list[Jet]:
    """Enclose value, gradient (order >= 1) and Hessian (order 2) of the outputs of ``dag`` over the box ``point``.

    Guarantee: for every point of the box each true value and derivative lies in the returned balls; derivatives
    only when every non-smooth node keeps one branch on the whole box (else :class:`NonSmoothInBox`). Values
    alone (``order=0``) are enclosed across kinks. An output undefined or not finite on the box: rejected.
    A :class:`~proofkit.kernel.teacher_student.Recipe` is enclosed at a point, value only (float64 tier).
    """
    if isinstance(dag, Recipe):
        try:
            if order != 0:
                raise ValueError("a recipe is enclosed at a point, value only")
            return [Jet(flint.arb(*dag.value_at(point)), None, None)]
        except (ValueError, ArithmeticError, TypeError) as exc:
            raise Refused("enclose", str(exc)) from None
    if len(point) != len(dag.inputs) or order not in (0, 1, 2):
        raise Refused("enclose", f"{len(dag.inputs)} variables, {len(point)} values, order {order}")
    tape = tape_of(dag)
    charge(evaluation_cost(tape, order, prec), "an evaluation")
    note_tier("arb")
    try:
        jets = engine.evaluate(tape, point, order=order, value_only=order == 0, prec=prec)
    except ValueError as exc:  # an output that is a condition
        raise Refused("enclose", str(exc)) from None
    n = len(point)
    return [Jet(j.value, engine.dense_gradient(j, n) if order >= 1 and j.grad is not None else None,
                engine.dense_hessian(j, n) if order == 2 and j.hess is not None else None)
            for j in (jets if outputs is None else [jets[k] for k in outputs])]


def branches(dag: Dag, point: Sequence[flint.arb], prec: int) -> list[Dag]:
    """The smooth expressions ``dag`` is on the box, one per region of its kinks (:func:`~proofkit.kernel.engine.branches`)."""
    charge(evaluation_cost(tape_of(dag), 0, prec), "deciding the kinks on a box")
    return [b for _, b in engine.branches(dag, point, prec)]


def contains(stated: flint.arb, compute: Callable[[int], flint.arb], prec: int | None, what: str) -> flint.arb:
    """The kernel's enclosure of ``what`` (at some precision of the ladder) inside the ``stated`` ball."""
    for p in ladder(prec):
        mine = compute(p)
        if stated.contains(mine):
            return mine
    raise Refused("contains", f"the stated enclosure of {what} does not contain the kernel's")


def exact_zero(build: Callable[[ex.Field], list[ex.RF]], names: Sequence[str], what: str, opaque_first: bool = False,
               signs: Sequence[frozenset[int]] | None = None, regions: bool = False) -> ExactZero:
    """Every expression ``build`` forms vanishes wherever defined (variables in ``signs``; ``regions``: by sign regions)."""
    why = "not reduced to 0 by the exact engine (undecided)"
    for opaque in (True, False) if opaque_first else (False,):
        try:
            vals = ex.run(names, build, opaque, signs)
            if all(ex.is_zero(v) for v in vals) or (regions and ex.has_piecewise_atoms(vals) and
                                                    ex.run(names, ex.by_regions(build, ex.is_zero), opaque, signs)):
                return ExactZero(tier="exact", seal=_SEAL, what=what, count=len(vals))
        except ex.NotExact as exc:
            why = str(exc).removeprefix("certificate rejected: ")
        except ZeroDivisionError:
            why = "an expression divides by the zero function"
    raise Refused("exact_zero", f"{what}: {why}")


def exact_series(loss: Dag, curve: Dag, point: Sequence[flint.fmpq], order: int) -> Series:
    """The exact leading term ``c t^m`` (``m <= order``) of ``L(theta(t)) - L(theta(0))`` along a rational curve."""
    enclose(loss, points(point, 128), 0, 128)  # the loss is defined at the point itself (else rejected)
    try:
        lt = ex.leading_term(ex.curve_series(loss, curve, point, order))
    except ZeroDivisionError:
        raise Refused("exact_series", "the curve is not defined at t = 0") from None
    except CertificateRejected as exc:
        raise Refused("exact_series", str(exc).removeprefix("certificate rejected: ")) from None
    if lt is None:
        raise Refused("exact_series", f"L(theta(t)) - L(theta(0)) vanishes up to order {order}")
    return Series(tier="exact", seal=_SEAL, order=lt[0], coefficient=lt[1])


def arb_series(loss: Dag, curve: Dag, point: Sequence[flint.fmpq], order: int, prec: int | None,
               gradient: ExactZero | None = None) -> Series:
    """The leading term ``c t^m`` of ``L(theta(t)) - L(theta(0))`` from Arb Taylor coefficients (``c``: a ball of
    proven sign); the first coefficient is taken as zero only given ``gradient``, the fact that the gradient vanishes."""
    try:
        ex.curve_through(curve, point)
        m, c = tl.leading_term(loss, curve, order, prec, isinstance(gradient, ExactZero) and gradient.count == len(point))
    except CertificateRejected as exc:
        raise Refused("arb_series", str(exc).removeprefix("certificate rejected: ")) from None
    note_tier("arb")
    return Series(tier="arb", seal=_SEAL, order=m, coefficient=c)


def nonsingular(M: Any, evidence: dict[str, Any] | None = None, prec: int | None = None,
                what: str = "the matrix") -> Nonsingular:
    """Every member of ``M`` is invertible: a decoded :class:`Matrix` (by a recorded or the kernel's own modular
    determinant, or exact rank; enclosures by Arb's verified solve), an ``arb_mat``, or a float64 ball matrix
    ``(mid, rad)`` (``||I - R E||_inf < 1`` with proven bounds)."""
    if isinstance(M, tuple):
        proved, bound = la.float_ball_nonsingular(*M)
        if not proved:
            raise Refused("nonsingular", f"{what}: ||I - R E||_inf <= {bound:.3e} is not below 1")
        return Nonsingular(tier="float64", seal=_SEAL, via="float64 ball", measure=bound)
    ev = evidence or {}
    if "prime" in ev or "det_mod_p" in ev:
        p, d, scaling = ev.get("prime"), ev.get("det_mod_p"), ev.get("scaling", "lcm")
        if getattr(M, "exact", None) is None or p is None or d is None or p.q != 1 or not 2 <= p < 2**62 or \
                not flint.fmpz(p.p).is_prime() or d.q != 1 or not 0 < d < p:
            raise Refused("nonsingular", "a modular determinant needs an exact matrix, a prime p < 2^62, 0 < det mod p < p")
        if scaling == "pow2" and (M.kind != "float64" or p >= 2**31):
            raise Refused("nonsingular", "the pow2 row scaling applies to float64 matrices and p < 2^31 only")
        got = la.det_mod_p(M.exact, int(p), scaling, M.floats() if scaling == "pow2" else None)
        if got != d:
            raise Refused("nonsingular", f"det mod {p} is {got}, not the recorded {d}")
        return Nonsingular(tier="exact", seal=_SEAL, via="det mod p", measure=(int(d), int(p)))
    if isinstance(M, Matrix) and M.exact is not None:
        floats = M.kind == "float64" and M.view is None  # (float64 rows scaled by powers of two: vectorised)
        for p in la.PRIMES31 if floats else la.PRIMES:
            d = la.det_mod_p(M.exact, p, "pow2" if floats else "lcm", M.floats() if floats else None)
            if d:
                return Nonsingular(tier="exact", seal=_SEAL, via="det mod p", measure=(d, p))
        if la.exact_rank(M.exact) == M.shape[0]:
            return Nonsingular(tier="exact", seal=_SEAL, via="exact rank", measure=M.shape[0])
        raise Refused("nonsingular", f"{what} is singular (exact rank below n)")
    for p in ladder(prec):
        if la.arb_nonsingular(M.arb(p) if isinstance(M, Matrix) else M, p):
            return Nonsingular(tier="arb", seal=_SEAL, via="Arb solve", measure=p)
    raise Refused("nonsingular", f"{what}: Arb's verified solve failed at every precision")


def definite(sign: int, M: Any = None, *, given: Krawczyk | None = None, prec: int | None = None) -> Definite:
    """Every symmetric member of an interval matrix is definite with ``sign`` (+1 positive, -1 negative).

    ``given`` a :class:`~proofkit.kernel.facts.Krawczyk` fact, its own matrix ``J`` is used and one symmetric
    member decides (every member is nonsingular by the fact). Otherwise ``M`` (an ``arb_mat`` or a decoded
    :class:`Matrix`) is tested as a whole by ball elimination, and an exact matrix exactly when that fails.
    """
    word = "positive" if sign > 0 else "negative"
    if (given is None) == (M is None) or (given is not None and not isinstance(given, Krawczyk)):
        raise Refused("definite", "needs either a Krawczyk fact or a matrix")
    if given is not None:  # (the float64 tier: Cholesky with Rump's shift on the symmetric midpoint)
        J = given.J
        if not (fb.cholesky_pd(sign * J[0])[0] if isinstance(J, tuple) else
                la.member_pd(J if sign > 0 else -J, ladder(prec)[0])):
            raise Refused("definite", f"one symmetric member of the Krawczyk matrix is not {word} definite")
        return Definite(tier=given.tier, seal=_SEAL, sign=sign, via="krawczyk")
    if isinstance(M, Matrix) and M.exact is not None and M.shape[0] <= 16 and la.bits(M.exact) <= 256:
        if la.exact_definite(M.exact if sign > 0 else -M.exact):  # (small: exactly first)
            return Definite(tier="exact", seal=_SEAL, sign=sign, via="exact")
        raise Refused("definite", f"not {word} definite (a leading minor is not positive)")
    for p in ladder(prec):
        B = M.arb(p) if isinstance(M, Matrix) else M
        if la.ball_matrix_pd(B if sign > 0 else -B, p):
            return Definite(tier="arb", seal=_SEAL, sign=sign, via="ball")
        if not isinstance(M, Matrix) or (M.kind == "float64" and p >= 128):
            break  # (an exact float64 enclosure does not improve with precision)
    if isinstance(M, Matrix) and M.exact is not None and la.exact_definite(M.exact if sign > 0 else -M.exact):
        return Definite(tier="exact", seal=_SEAL, sign=sign, via="exact")
    raise Refused("definite", f"not proven {word} definite")


def krawczyk(dag: Dag, centers: Sequence[flint.fmpq], radii: Sequence[flint.fmpq], C: flint.fmpq_mat, prec: int,
             of: str = "loss") -> Krawczyk:
    """Exactly one zero, in the box, of the gradient of the loss ``dag`` (``of="loss"``) or of the map ``dag``
    (``of="map"``, one output per free coordinate) in the free coordinates (radius > 0; the others are held at
    their centres); its interval Jacobian over the box is the fact's ``J``. A recipe (float64 tier) is decided on its
    structured enclosure (:class:`~proofkit.kernel.teacher_student.Recipe`), with ``C = inv(mid J)``; ``J`` is ``(mid, rad)``."""
    if isinstance(dag, Recipe):
        return _krawczyk_float(dag, centers, radii)
    free = [i for i, r in enumerate(radii) if r != 0]
    n = len(free)
    if not n or C.nrows() != n or C.ncols() != n or (of == "map" and len(dag.outputs) != n):
        raise Refused("krawczyk", f"{n} free coordinates, C {C.nrows()}x{C.ncols()}, {len(dag.outputs)} outputs")
    X, y = box(centers, radii, prec), points(centers, prec)
    extra: dict[str, Any] = {}
    if of == "loss":
        ((_, gX, H),), ((v, g, _),) = enclose(dag, X, 2, prec), enclose(dag, y, 1, prec)
        H = H if H is not None else flint.arb_mat(len(X), len(X))
        with flint.ctx.workprec(prec):
            J = flint.arb_mat([[H[i, j] for j in free] for i in free])
        gy = [g[i] if g else flint.arb(0) for i in free]
        extra = {"gradient": tuple(gX or [flint.arb(0)] * len(X)), "value": v}
    else:
        jX, jy = enclose(dag, X, 1, prec), enclose(dag, y, 0, prec)
        with flint.ctx.workprec(prec):
            J = flint.arb_mat([[j.grad[i] if j.grad else flint.arb(0) for i in free] for j in jX])
        gy = [j.value for j in jy]
    inside, K = la.krawczyk_image(gy, J, C, [centers[i] for i in free], [radii[i] for i in free], prec)
    if not inside:
        raise Refused("krawczyk", "Krawczyk's operator does not map the box into its interior")
    return Krawczyk(tier="arb", seal=_SEAL, J=J, free=tuple(free), image=tuple(K),
                    source=(dag, tuple(centers), tuple(radii)), **extra)


def _krawczyk_float(F: Recipe, centers: Sequence[float], radii: Sequence[float]) -> Krawczyk:
    charge(F.cost(), "a float64 structured enclosure")
    try:
        e = F.box(centers, radii)
        M, R = fb.symmetric_part(*e.hess_box)
        with np.errstate(all="ignore"):
            C = np.linalg.inv(M)
    except (ValueError, ArithmeticError) as exc:  # (not analytic on the box, a singular midpoint, the environment)
        raise Refused("krawczyk", str(exc)) from None
    rv = np.asarray(radii, dtype=float)
    b = fb.krawczyk_bound(e.grad[0].reshape(-1), e.grad[1].reshape(-1), M, R, C, rv)
    if not (b < rv).all():
        raise Refused("krawczyk", "Krawczyk's operator does not map the box into its interior")
    gradient = tuple(flint.arb(m, r) for m, r in zip(e.grad_box[0].ravel().tolist(), e.grad_box[1].ravel().tolist()))
    return Krawczyk(tier="float64", seal=_SEAL, J=(M, R), free=tuple(range(len(rv))), image=tuple(b.tolist()),
                    source=(F, tuple(centers), tuple(radii)), gradient=gradient, value=flint.arb(*e.value))


def lower_bound(dag: Dag, centers: Sequence[flint.fmpq], radii: Sequence[flint.fmpq], prec: int,
                given: Krawczyk | None = None) -> Bound:
    """``L(c) + sum_i g_i(B) [-r_i, r_i]``: a lower bound of the function over the box B (mean-value form); the
    enclosures of a Krawczyk fact about the same function and box are used when ``given``."""
    if given is not None and given.value is not None and given.source[0] is dag and \
            given.source[1:] == (tuple(centers), tuple(radii)):
        lc, g = given.value, list(given.gradient)
    else:
        ((lc, _, _),), ((_, g, _),) = enclose(dag, points(centers, prec), 0, prec), \
            enclose(dag, box(centers, radii, prec), 1, prec)
    with flint.ctx.workprec(prec):
        lower = lc
        for gi, r in zip(g or [], radii):
            lower = lower + gi * flint.arb(0, flint.arb(r)) if r != 0 else lower
        return Bound(tier="arb", seal=_SEAL, what="loss over the box", value=lower)


def form_sign(sign: int, M: Any, v: Sequence[flint.fmpq], prec: int | None, strict: bool = True) -> Sign:
    """``v^T A v`` has the ``sign`` (< 0 or > 0; ``<= 0`` / ``>= 0`` when not ``strict``, exact matrices only) for
    the exact matrix, or for every member of the interval matrix ``M`` (an ``arb_mat`` or a decoded
    :class:`Matrix`), or a float64 ball matrix ``(mid, rad)``. ``v`` must be non-zero."""
    if not any(v) or len(v) != (M.shape[0] if isinstance(M, Matrix) else M[0].shape[0] if isinstance(M, tuple) else
                                M.nrows()):
        raise Refused("form_sign", "a witness vector must be non-zero of length n")
    if isinstance(M, tuple):
        lo, hi = fb.form_bounds(M[0], M[1], np.asarray(v, dtype=float))
        if (lo > 0) if sign > 0 else (hi < 0):
            return Sign(tier="float64", seal=_SEAL, of="v^T A v", sign=sign, value=lo if sign > 0 else hi)
    elif isinstance(M, Matrix) and M.exact is not None:
        q = la.exact_form(M.exact, v)
        if (q * sign > 0) or (not strict and q == 0):
            return Sign(tier="exact", seal=_SEAL, of="v^T A v", sign=(q > 0) - (q < 0), value=q)
        raise Refused("form_sign", f"v^T A v = {q} does not have the sign {sign}")
    else:
        for p in ladder(prec):
            q = la.ball_form(M.arb(p) if isinstance(M, Matrix) else M, v, p)
            if (q > 0) if sign > 0 else (q < 0):
                return Sign(tier="arb", seal=_SEAL, of="v^T A v", sign=sign, value=q)
            if not isinstance(M, Matrix):
                break
    raise Refused("form_sign", f"v^T A v is not proven {'positive' if sign > 0 else 'negative'} on the whole enclosure")


def symmetric(M: Matrix) -> Holds:
    """``M`` is symmetric: exactly for rational and float64 records, by the exact engine for constant expressions
    (entries that are one stored node are equal); an enclosure's mirrored balls overlap (then the claims are about
    its symmetric members)."""
    n = M.shape[0]
    if not M.square:
        raise Refused("symmetric", f"the matrix is {M.shape[0]}x{M.shape[1]}, not square")
    if M.exact is not None and M.exact != M.exact.transpose():
        raise Refused("symmetric", "the matrix is not symmetric")
    if M.exact is None and M.dag is not None:
        out = M.dag.outputs
        pairs = [(i * n + j, j * n + i) for i in range(n) for j in range(i + 1, n) if out[i * n + j] != out[j * n + i]]
        if pairs:
            exact_zero(ex.equal_outputs(M.dag, pairs), [], "A - A^T")
    elif M.exact is None:
        B = M.arb(128)
        if not all(B[i, j].overlaps(B[j, i]) for i in range(n) for j in range(i + 1, n)):
            raise Refused("symmetric", "the mirrored enclosures do not overlap")
        return Holds(tier="arb", seal=_SEAL, what="symmetric members")
    return Holds(tier="exact", seal=_SEAL, what="symmetric")


def rank(M: Matrix) -> Rank:
    """The exact rank of a rational (or float64) matrix."""
    if M.exact is None:
        raise Refused("rank", "an exact rank needs an exactly known matrix")
    return Rank(tier="exact", seal=_SEAL, rank=la.exact_rank(M.exact))


def kernel_basis(M: Matrix, vecs: Sequence[Sequence[flint.fmpq]], r: int) -> bool:
    """Whether ``vecs`` are ``n - r`` linearly independent vectors of the kernel of the exact ``M`` (rank r)."""
    n = M.shape[1]
    if M.exact is None or len(vecs) != n - r or any(len(v) != n for v in vecs):
        return False
    if not vecs:
        return True
    K = flint.fmpq_mat(vecs).transpose()
    charge(1e-6 * M.shape[0] * n * len(vecs) * max(1, la.bits(M.exact) / 64), "a product of exact matrices")
    return la.exact_rank(K) == len(vecs) and all(x == 0 for x in (M.exact * K).entries())


def determinant(M: Matrix, prec: int | None, exact: bool = True) -> Sign:
    """The sign of the determinant: exact for an exact matrix when ``exact`` (its value is then the determinant),
    else first an Arb enclosure that excludes 0 (an exact matrix falls back to its exact determinant)."""
    if not M.square:
        raise Refused("determinant", "the matrix is not square")
    for p in [] if exact and M.exact is not None else ladder(prec):
        d = det_ball(M, p)
        if d > 0 or d < 0:
            return Sign(tier="arb", seal=_SEAL, of="det", sign=1 if d > 0 else -1, value=d)
    if M.exact is not None:
        d = la.exact_det(M.exact)
        return Sign(tier="exact", seal=_SEAL, of="det", sign=(d > 0) - (d < 0), value=d)
    raise Refused("determinant", "the enclosure of the determinant contains 0 at every precision")


def det_ball(M: Matrix, prec: int) -> flint.arb:
    """An Arb enclosure of the determinant of every member of ``M``."""
    charge(arb_cubic(M.shape[0], prec), "an Arb determinant")
    with flint.ctx.workprec(prec):
        return M.arb(prec).det()


def eigenvalues(M: Matrix, stated: Sequence[flint.arb], prec: int | None) -> Inertia:
    """Each stated ball holds exactly one eigenvalue of the symmetric ``M`` (Arb isolation) and none holds 0."""
    n = M.shape[0]
    if len(stated) != n:
        raise Refused("eigenvalues", f"{len(stated)} enclosures for {n} eigenvalues")
    for p in ladder(prec):
        charge(arb_cubic(n, p, 30), "Arb eigenvalues")
        with flint.ctx.workprec(p):
            try:
                mine = [e.real for e in flint.acb_mat(M.arb(p)).eig()]
            except (ValueError, ZeroDivisionError):
                continue
        hits = [[k for k, s in enumerate(stated) if s.overlaps(e)] for e in mine]
        if all(len(h) == 1 and stated[h[0]].contains(e) for h, e in zip(hits, mine)) and \
                sorted(h[0] for h in hits) == list(range(n)):
            break
    else:
        raise Refused("eigenvalues", "the stated enclosures do not each contain exactly one eigenvalue")
    neg, pos = sum(1 for s in stated if s < 0), sum(1 for s in stated if s > 0)
    if neg + pos != n:
        raise Refused("eigenvalues", "an eigenvalue enclosure contains 0: the inertia is not proven")
    return Inertia(tier="arb", seal=_SEAL, inertia=(neg, 0, pos))
