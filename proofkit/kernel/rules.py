"""One rule per claim type: the schema of its inputs and evidence, and the re-check.

A rule receives a decoded certificate (:class:`Decoded`), re-derives every claim
field from the inputs, re-proves the verdict, checks every enclosure and witness
stated in the evidence, and returns :class:`Outcome` (how it was checked and the
margin it measured). Anything that does not hold raises :class:`CertificateRejected`
naming the rule.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import flint

from proofkit.errors import CertificateRejected
from proofkit.kernel import engine
from proofkit.kernel import linalg as la
from proofkit.kernel.dag import Dag
from proofkit.kernel.decode import Matrix, read, read_preconditioner, reject
from proofkit.kernel.evaluate import evaluate, tape_of
from proofkit.kernel.landscape import landscape_rules
from proofkit.kernel.leibniz import leibniz_rules
from proofkit.kernel.teacher_student import teacher_student_rules

__all__ = ["Decoded", "Outcome", "Rule", "RULES", "ladder", "same", "gradient_krawczyk", "loss_krawczyk", "loss_gap"]


@dataclass
class Decoded:
    """A certificate after the door: raw claim dict, decoded inputs and evidence."""

    claim: dict[str, Any]
    verdict: str
    precision: int | None
    inputs: dict[str, Any]
    evidence: dict[str, Any]
    matrix: Matrix | None = None


@dataclass
class Outcome:
    how: str
    margin: str | None = None


@dataclass
class Rule:
    inputs: dict[str, Any]
    evidence: dict[str, dict[str, Any]]  # verdict -> schema
    check: Callable[[Decoded], Outcome]


def same(a: Any, b: Any) -> bool:
    """Equality that tells ``True`` from ``1`` (JSON types must agree)."""
    import json

    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def _claim(d: Decoded, expected: dict[str, Any]) -> None:
    if not same(d.claim, expected):
        raise reject(f"the claim {d.claim} is not the one the inputs give: {expected}")


def ladder(prec: int | None) -> list[int]:
    top = max(256, 2 * (prec or 64))
    out, p = [prec] if prec else [], 64
    while p <= top:
        if p not in out:
            out.append(p)
        p *= 2
    return out


def _fail(t: str, why: str) -> CertificateRejected:
    return reject(f"{t}: {why}")


# -- matrices -------------------------------------------------------------------------------------------------
MAT = {"A": ("opt", "matrix"), "A_hash": "hash"}
ATTEMPTS = {"attempts?": ("list", "str")}
FORM = {"exact?": "q", "mid?": "str", "rad?": "str", "text?": "str"}


def _square(d: Decoded, t: str) -> tuple[Matrix, int]:
    M = d.matrix
    if not M.square:
        raise _fail(t, f"the matrix is {M.shape[0]}x{M.shape[1]}, not square")
    _claim(d, {"type": t, "n": M.shape[0]})
    return M, M.shape[0]


def _symmetric(M: Matrix, t: str) -> None:
    n = M.shape[0]
    if M.exact is not None:
        ok = M.exact == M.exact.transpose()
    else:
        B = M.arb(128)
        ok = all(B[i, j].overlaps(B[j, i]) for i in range(n) for j in range(i + 1, n))
    if not ok:
        raise _fail(t, "the matrix is not symmetric")


def _exact(M: Matrix, t: str) -> flint.fmpq_mat:
    if M.exact is None:
        raise _fail(t, "this verdict needs an exactly known matrix")
    return M.exact


def _nonsingular_proof(M: Matrix, ev: dict[str, Any], prec: int | None, t: str) -> str:
    n = M.shape[0]
    if "prime" in ev or "det_mod_p" in ev:
        p, d = ev.get("prime"), ev.get("det_mod_p")
        if p is None or d is None or p.q != 1 or not 2 <= p < 2**62 or d.q != 1 or not 0 < d < p:
            raise _fail(t, "a modular determinant needs an integer modulus 2 <= p < 2^62 and 0 < det mod p < p")
        scaling = ev.get("scaling", "lcm")
        if scaling == "pow2" and M.kind != "float64":
            raise _fail(t, "the pow2 row scaling applies to float64 matrices only")
        if p >= 2**31 and scaling == "pow2":
            raise _fail(t, "the pow2 row scaling needs p < 2^31")
        got = la.det_mod_p(_exact(M, t), int(p), scaling, M.floats() if scaling == "pow2" else None)
        if got != d:
            raise _fail(t, f"det mod {p} is {got}, not the recorded {d}")
        return f"det = {d} != 0 modulo {p}"
    if M.exact is not None:
        for p in la.PRIMES:
            d = la.det_mod_p(M.exact, p, "lcm")
            if d:
                return f"det = {d} != 0 modulo {p}"
        if M.exact.rank() == n:
            return f"exact rank {n}"
        raise _fail(t, "the matrix is singular (exact rank below n)")
    for p in ladder(prec):
        if la.arb_nonsingular(M.arb(p), p):
            return f"Arb verified solve succeeded at {p} bits"
    raise _fail(t, "non-singularity not re-proved (Arb verified solve failed)")


def _nonsingular(d: Decoded) -> Outcome:
    M, n = _square(d, "nonsingular")
    if d.verdict == "certified":
        if "rank" in d.evidence and (d.evidence["rank"] != n or M.exact is None or M.exact.rank() != n):
            raise _fail("nonsingular", "the recorded rank is not n")
        return Outcome("invertibility re-proved", _nonsingular_proof(M, d.evidence, d.precision, "nonsingular"))
    rank = _exact(M, "nonsingular").rank()
    if rank >= n or d.evidence["rank"] != rank:
        raise _fail("nonsingular", f"exact rank is {rank}: the refutation does not hold as recorded")
    return Outcome("singularity re-proved by exact rank", f"exact rank {rank} < {n}")


def _indices(v: list[int], bound: int, r: int, what: str) -> None:
    if len(v) != r or any(b <= a for a, b in zip(v, v[1:])) or any(i >= bound for i in v):
        raise _fail("rank_at_least", f"{what} must be {r} increasing indices below {bound}")


def _rank_at_least(d: Decoded) -> Outcome:
    M, r = d.matrix, d.inputs["r"]
    m, n = M.shape
    _claim(d, {"type": "rank_at_least", "r": r, "shape": [m, n]})
    if not 1 <= r <= min(m, n):
        raise _fail("rank_at_least", f"r = {r} is not in 1..min(m, n)")
    ev = d.evidence
    if d.verdict == "refuted":
        rank = _exact(M, "rank_at_least").rank()
        if rank >= r or ev["rank"] != rank:
            raise _fail("rank_at_least", f"exact rank is {rank}: the refutation does not hold as recorded")
        return Outcome("rank below r re-proved exactly", f"exact rank {rank} < {r}")
    _indices(ev["rows"], m, r, "rows")
    _indices(ev["cols"], n, r, "cols")
    rows, cols = ev["rows"], ev["cols"]
    sub = _Minor(M, rows, cols)
    margin = _nonsingular_proof(sub, {}, d.precision, "rank_at_least")
    return Outcome(f"the {r}x{r} minor on rows {rows}, columns {cols} re-proved non-singular", margin)


class _Minor(Matrix):
    """The submatrix on given rows and columns (exact when the matrix is)."""

    def __init__(self, M: Matrix, rows: list[int], cols: list[int]) -> None:
        exact = None if M.exact is None else flint.fmpq_mat([[M.exact[i, j] for j in cols] for i in rows])
        super().__init__((len(rows), len(cols)), exact, None, None, "minor")
        self.parent, self.rows, self.cols = M, rows, cols

    def arb(self, prec: int) -> flint.arb_mat:
        B = self.parent.arb(prec)
        return flint.arb_mat([[B[i, j] for j in self.cols] for i in self.rows])


def _rank_data(d: Decoded, t: str) -> tuple[int, int]:
    Q = _exact(d.matrix, t)
    rank, (m, n) = Q.rank(), d.matrix.shape
    ev = d.evidence
    if ev["rank"] != rank:
        raise _fail(t, f"the recorded rank {ev['rank']} is not the exact rank {rank}")
    vecs = ev.get("kernel")
    if vecs is not None:
        if len(vecs) != n - rank or any(len(v) != n for v in vecs):
            raise _fail(t, f"a kernel basis has {n - rank} vectors of length {n}")
        if vecs:
            K = flint.fmpq_mat(vecs).transpose()
            QK = Q * K
            if K.rank() != len(vecs) or any(QK[i, j] != 0 for i in range(m) for j in range(len(vecs))):
                raise _fail(t, "the recorded kernel vectors are not a basis of the kernel")
    return rank, min(m, n)


def _exact_rank(d: Decoded) -> Outcome:
    rank, _ = _rank_data(d, "exact_rank")
    _claim(d, {"type": "exact_rank", "rank": rank, "shape": list(d.matrix.shape)})
    return Outcome("exact rank recomputed over Q", f"rank {rank}")


def _rank_deficient(d: Decoded) -> Outcome:
    rank, full = _rank_data(d, "rank_deficient")
    _claim(d, {"type": "rank_deficient", "shape": list(d.matrix.shape)})
    if (d.verdict == "certified") != (rank < full):
        raise _fail("rank_deficient", f"exact rank {rank}, min(m, n) = {full}: the verdict is wrong")
    return Outcome("exact rank recomputed over Q", f"rank {rank} {'<' if rank < full else '='} {full}")


def _contains(stated: flint.arb, compute: Callable[[int], flint.arb], prec: int | None, what: str) -> flint.arb:
    """Check the stated ball contains the true value, via the kernel's own enclosure at some precision."""
    for p in ladder(prec):
        mine = compute(p)
        if stated.contains(mine):
            return mine
    raise reject(f"the stated enclosure of {what} does not contain the kernel's enclosure of it")


def _det_sign(d: Decoded) -> Outcome:
    M = d.matrix
    if not M.square:
        raise _fail("det_sign", "the matrix is not square")
    n, ev = M.shape[0], d.evidence
    if M.exact is not None:
        det = M.exact.det()
        if "det_exact" not in ev or ev["det_exact"] != det:
            raise _fail("det_sign", f"the exact determinant {det} is not recorded")
        if "det" in ev:
            _contains(ev["det"], lambda p: _points([det], p)[0], None, "the determinant")
        sign, margin = (det > 0) - (det < 0), f"det = {det}"
    else:
        if "det" not in ev or "det_exact" in ev:
            raise _fail("det_sign", "a matrix known by enclosures needs a determinant enclosure (and no exact value)")

        def det_at(p: int) -> flint.arb:
            with flint.ctx.workprec(p):
                return M.arb(p).det()

        _contains(ev["det"], det_at, d.precision, "the determinant")
        sign = 1 if ev["det"] > 0 else (-1 if ev["det"] < 0 else None)
        if sign is None:
            raise _fail("det_sign", "the determinant enclosure contains 0")
        margin = f"|det| >= {abs(ev['det']).lower().str(5)}"
    _claim(d, {"type": "det_sign", "sign": sign, "n": n})
    return Outcome("determinant recomputed and its enclosure re-checked", margin)


def _form(M: Matrix, v: list[flint.fmpq], stated: dict[str, Any] | None, prec: int | None, t: str) -> Any:
    """The quadratic form v^T A v (exact, or the kernel's enclosure), checked against the stated value if any."""
    if len(v) != M.shape[0] or not any(v):
        raise _fail(t, "a witness vector must be non-zero of length n")
    if M.exact is not None:
        q = la.exact_form(M.exact, v)
        if stated is not None and (set(stated) != {"exact"} or read(stated["exact"], "q", "evidence.form") != q):
            raise _fail(t, "the recorded form is not v^T A v")
        return q
    if stated is not None:
        ball = read(stated, "ball", "evidence.form")
        return _contains(ball, lambda p: la.ball_form(M.arb(p), v, p), prec, "v^T A v")
    for p in ladder(prec):
        q = la.ball_form(M.arb(p), v, p)
        if q > 0 or q < 0:
            return q
    return q


def _positive_definite(d: Decoded) -> Outcome:
    M, n = _square(d, "positive_definite")
    _symmetric(M, "positive_definite")
    ev, t = d.evidence, "positive_definite"
    if "pivots" in ev and ("witness" in ev or "form" in ev):
        raise _fail(t, "record exact pivots or a witness, not both")
    if "pivots" in ev:
        piv = la.exact_ldl_pivots(_exact(M, t))
        if ev["pivots"] != piv:
            raise _fail(t, "the recorded pivots are not the exact pivots")
        ok = len(piv) == n and all(p > 0 for p in piv)
        if ok != (d.verdict == "certified"):
            raise _fail(t, f"the exact pivots {'are' if ok else 'are not'} all positive: the verdict is wrong")
        return Outcome("exact LDL^T pivots recomputed", f"{'smallest' if ok else 'last'} pivot = {min(piv)}")
    if d.verdict == "refuted":
        if "witness" not in ev or "pivots" in ev:
            raise _fail(t, "a refutation needs exact pivots or a witness vector")
        q = _form(M, ev["witness"], ev.get("form"), d.precision, t)
        holds = q <= 0 if isinstance(q, flint.fmpq) else q < 0
        if not holds:
            raise _fail(t, "the witness does not give v^T A v <= 0")
        return Outcome("witness vector re-checked: v^T A v <= 0", f"v^T A v = {q}")
    if M.exact is not None and n <= 150:
        if not la.exact_pivots_positive(M.exact):
            raise _fail(t, "an exact pivot is not positive")
        return Outcome("exact LDL^T pivots recomputed (all positive)")
    for p in ladder(d.precision):
        if la.ball_matrix_pd(M.arb(p), p):
            return Outcome(f"ball LDL^T pivots positive at {p} bits")
    raise _fail(t, "positive definiteness not re-proved on the enclosure")


def _indefinite(d: Decoded) -> Outcome:
    M, _ = _square(d, "indefinite")
    _symmetric(M, "indefinite")
    ev = d.evidence
    neg = _form(M, ev["negative"]["v"], ev["negative"].get("form"), d.precision, "indefinite")
    pos = _form(M, ev["positive"]["v"], ev["positive"].get("form"), d.precision, "indefinite")
    if not (neg < 0 and pos > 0):
        raise _fail("indefinite", "the witness forms are not certified negative and positive")
    return Outcome("both witness vectors re-checked", f"v^T A v = {neg} < 0 < {pos} = u^T A u")


def _eigenvalues(d: Decoded) -> Outcome:
    M, n = d.matrix, d.matrix.shape[0]
    if not M.square:
        raise _fail("eigenvalues", "the matrix is not square")
    _symmetric(M, "eigenvalues")
    stated = d.evidence["eigenvalues"]
    if len(stated) != n:
        raise _fail("eigenvalues", f"{len(stated)} enclosures for {n} eigenvalues")
    for p in ladder(d.precision):
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
        raise _fail("eigenvalues", "the stated enclosures do not each contain exactly one eigenvalue")
    neg, pos = sum(1 for s in stated if s < 0), sum(1 for s in stated if s > 0)
    if neg + pos != n:
        raise _fail("eigenvalues", "an eigenvalue enclosure contains 0: the inertia is not proven")
    _claim(d, {"type": "eigenvalues", "inertia": [neg, 0, pos], "n": n})
    return Outcome("eigenvalues re-isolated; each covered exactly once; inertia recounted", f"inertia ({neg}, 0, {pos})")


# -- expressions on boxes -------------------------------------------------------------------------------------
BOX = {"variables": ("list", "str"), "centers": ("list", "q"), "radii": ("list", "q"), "fixed": ("map", "q")}
# C (any matrix; only a preconditioner): a float64 matrix record, or rows of exact rationals
KRAWCZYK = {"C": "any", "K?": ("list", "ball")}


def _box(d: Decoded, dag_key: str, n_out: int | None, t: str) -> tuple[list[flint.fmpq], list[flint.fmpq], int]:
    inp = d.inputs
    names, dag = inp["variables"], inp[dag_key]
    n = len(names)
    # a slice: the fixed parameters are inputs too (after the variables, by name), so that their
    # recorded values are the ones the kernel substitutes, not a label
    if not 1 <= n <= 1000 or list(dag.inputs) != names + sorted(inp["fixed"]) or \
            len(dag.outputs) != (n if n_out is None else n_out):
        raise _fail(t, f"the {dag_key} must be an expression in the {n} recorded variables, then the fixed "
                       "parameters by name")
    if len(inp["centers"]) != n or len(inp["radii"]) != n or any(r <= 0 for r in inp["radii"]):
        raise _fail(t, "the box needs n centres and n positive radii")
    if set(inp["fixed"]) & set(names):
        raise _fail(t, "a fixed parameter is also a variable")
    if d.precision is None or not 2 <= d.precision <= 1 << 16:
        raise _fail(t, "a precision in bits is required")
    return inp["centers"], inp["radii"], n


def _fixed(d: Decoded) -> list[flint.fmpq]:
    """The recorded values of the fixed parameters, in the order of the stored expression's inputs."""
    return [d.inputs["fixed"][k] for k in sorted(d.inputs["fixed"])]


def _head(values: list[flint.arb], n: int, m: int) -> list[flint.arb]:
    return values if m == n else values[:n]


def _head_matrix(H: Any, n: int, m: int) -> Any:
    if m == n:
        return H
    return flint.arb_mat([[H[i, j] for j in range(n)] for i in range(n)])


def _points(qs: list[flint.fmpq], prec: int) -> list[flint.arb]:
    with flint.ctx.workprec(prec):
        return [flint.arb(q) for q in qs]


def _balls(cs: list[flint.fmpq], rs: list[flint.fmpq], prec: int) -> list[flint.arb]:
    with flint.ctx.workprec(prec):
        return [flint.arb(c - r).union(flint.arb(c + r)) for c, r in zip(cs, rs)]


def gradient_krawczyk(grad: Dag, cs: list[flint.fmpq], rs: list[flint.fmpq], C: flint.fmpq_mat | list[list[flint.fmpq]],
                      prec: int, fixed: Sequence[flint.fmpq] = ()) -> tuple[bool, list[flint.arb], flint.arb_mat]:
    """Krawczyk's test for the zeros of ``grad`` (n outputs in n inputs) in the box ``cs ± rs``.

    Returns ``(inside, K, J)``: the verdict, the Krawczyk image and the interval Jacobian over the box.
    Raises :class:`~proofkit.errors.NonSmoothInBox` when the box meets a kink of ``grad``.
    """
    n, m = len(cs), len(cs) + len(fixed)
    fx = _points(list(fixed), prec)
    tape = tape_of(grad)
    jets = engine.evaluate(tape, _balls(cs, rs, prec) + fx, order=1, prec=prec)
    with flint.ctx.workprec(prec):
        J = flint.arb_mat([_head(engine.dense_gradient(j, m), n, m) for j in jets])
    gy = [j.value for j in engine.evaluate(tape, _points(cs, prec) + fx, order=0, prec=prec)]
    inside, K = la.krawczyk(gy, J, C, cs, rs, prec)
    return inside, K, J


def loss_krawczyk(loss: Dag, cs: list[flint.fmpq], rs: list[flint.fmpq], C: flint.fmpq_mat | list[list[flint.fmpq]], prec: int,
                  fixed: Sequence[flint.fmpq] = ()) -> tuple[bool, list[flint.arb], flint.arb_mat, list[flint.arb],
                                                              flint.arb]:
    """Krawczyk's test for the critical points of ``loss`` in the box, with gradient and Hessian derived here.

    Returns ``(inside, K, H, g, lc)``: the verdict, the Krawczyk image, the interval Hessian and gradient
    over the box, and the loss at the centre.
    """
    n, m = len(cs), len(cs) + len(fixed)
    fx = _points(list(fixed), prec)
    tape = tape_of(loss)
    (jX,) = engine.evaluate(tape, _balls(cs, rs, prec) + fx, order=2, prec=prec)
    (jy,) = engine.evaluate(tape, _points(cs, prec) + fx, order=1, prec=prec)
    J = _head_matrix(engine.dense_hessian(jX, m), n, m)
    inside, K = la.krawczyk(_head(engine.dense_gradient(jy, m), n, m), J, C, cs, rs, prec)
    return inside, K, J, _head(engine.dense_gradient(jX, m), n, m), jy.value


def loss_gap(loss: Dag, rs: list[flint.fmpq], g: list[flint.arb], lc: flint.arb, better: list[flint.fmpq] | None,
             global_value: flint.fmpq | None, prec: int, fixed: Sequence[flint.fmpq] = ()
             ) -> tuple[flint.arb, flint.arb, flint.arb]:
    """``(lower, better, gap)``: the mean-value lower bound ``L(c) + sum_i g_i(B) [-r_i, r_i]`` of the loss over
    the box, the loss at the better point (a value-only enclosure: see :mod:`proofkit.kernel.engine`) or the
    stated global value, and their difference."""
    with flint.ctx.workprec(prec):
        lower = lc
        for gi, r in zip(g, rs):
            lower = lower + gi * flint.arb(0, flint.arb(r))
    if better is not None:
        ((value, _, _),) = evaluate(loss, _points(better, prec) + _points(list(fixed), prec), 0, prec)
    else:
        value = _points([global_value], prec)[0]
    with flint.ctx.workprec(prec):
        return lower, value, lower - value


def _krawczyk_evidence(d: Decoded, inside: bool, K: list[flint.arb], t: str) -> None:
    if not inside:
        raise _fail(t, "Krawczyk's operator does not map the box into its interior")
    if "K" in d.evidence and (len(d.evidence["K"]) != len(K) or
                              not all(s.contains(k) for s, k in zip(d.evidence["K"], K))):
        raise _fail(t, "the stated Krawczyk image does not contain the kernel's")


def _C(d: Decoded, n: int, t: str) -> flint.fmpq_mat:
    return read_preconditioner(d.evidence["C"], n, "evidence.C")


def _critical_point(d: Decoded) -> Outcome:
    t = "critical_point"
    cs, rs, n = _box(d, "gradient", None, t)
    _claim(d, {"type": t, "dimension": n, "slice": bool(d.inputs["fixed"])})
    inside, K, _ = gradient_krawczyk(d.inputs["gradient"], cs, rs, _C(d, n, t), d.precision, _fixed(d))
    _krawczyk_evidence(d, inside, K, t)
    return Outcome("Krawczyk inclusion re-checked: exactly one zero of the gradient in the box")


def _minimum(d: Decoded, t: str) -> tuple[list, list, int, list[flint.arb], Any]:
    cs, rs, n = _box(d, "loss", 1, t)
    inside, K, H, g, lc = loss_krawczyk(d.inputs["loss"], cs, rs, _C(d, n, t), d.precision, _fixed(d))
    _krawczyk_evidence(d, inside, K, t)  # inside: every member of H is nonsingular
    if not la.nonsingular_box_pd(H, d.precision):
        raise _fail(t, "the interval Hessian over the box is not proven positive definite")
    return cs, rs, n, g, lc


def _strict_local_min(d: Decoded) -> Outcome:
    _, _, n, _, lc = _minimum(d, "strict_local_min")
    _claim(d, {"type": "strict_local_min", "dimension": n, "slice": bool(d.inputs["fixed"])})
    if "value" in d.evidence and not d.evidence["value"].contains(lc):
        raise _fail("strict_local_min", "the stated value at the centre does not contain the kernel's enclosure")
    return Outcome("Krawczyk inclusion and positive definite interval Hessian re-checked from the function",
                   f"loss at the centre in {lc.str(10, radius=True)}")


def _spurious(d: Decoded) -> Outcome:
    t, inp, ev = "spurious_local_min", d.inputs, d.evidence
    _, rs, n, g, lc = _minimum(d, t)
    compare = inp["compare"]
    _claim(d, {"type": t, "dimension": n, "slice": bool(inp["fixed"]), "compare": compare})
    if compare == "better_point" and ("better" not in inp or "global_value" in inp or len(inp["better"]) != n):
        raise _fail(t, "compare = better_point needs n coordinates of the better point")
    if compare != "better_point" and ("global_value" not in inp or "better" in inp):
        raise _fail(t, "compare = stated global value needs the global value")
    lower, better, gap = loss_gap(inp["loss"], rs, g, lc, inp.get("better"), inp.get("global_value"), d.precision,
                                  _fixed(d))
    for key, mine in (("lower", lower), ("better", better), ("gap", gap)):
        if not ev[key].contains(mine):
            raise _fail(t, f"the stated enclosure {key!r} does not contain the kernel's")
    if not gap > 0:
        raise _fail(t, "the loss bound over the box does not exceed the better value")
    return Outcome("Krawczyk, interval Hessian and mean-value loss gap re-checked from the loss",
                   f"loss gap in {gap.str(10, radius=True)}")


# -- identities and ReLU regions --------------------------------------------------------------------------------
ASSUMPTIONS = ("positive", "negative", "nonnegative", "nonpositive", "nonzero", "integer")


def _respects(q: flint.fmpq, assumptions: list[str]) -> bool:
    tests = {"positive": q > 0, "negative": q < 0, "nonnegative": q >= 0, "nonpositive": q <= 0,
             "nonzero": q != 0, "integer": q.q == 1}
    return all(tests.get(a, False) for a in assumptions)


def _identity(d: Decoded) -> Outcome:
    from proofkit.kernel.normal import Normaliser

    t, inp = "identity", d.inputs
    names, lhs, rhs = inp["variables"], inp["lhs"], inp["rhs"]
    assumptions = inp.get("assumptions", [[] for _ in names])
    if list(lhs.inputs) != names or list(rhs.inputs) != names or len(lhs.outputs) != len(rhs.outputs) or \
            len(assumptions) != len(names):
        raise _fail(t, "lhs and rhs must have the same number of entries in the recorded variables")
    _claim(d, {"type": t, "entries": len(lhs.outputs)})
    if d.verdict == "certified":
        norm = Normaliser()
        if norm.normal_forms(lhs) != norm.normal_forms(rhs):
            raise _fail(t, "lhs - rhs does not expand to 0")
        return Outcome("every entry of lhs - rhs re-expanded to 0 (polynomial normal form in atoms)")
    k, w = d.evidence["entry"], d.evidence["witness"]
    if k >= len(lhs.outputs) or len(w) != len(names):
        raise _fail(t, "the witness names no entry or has the wrong length")
    if not all(_respects(q, a) for q, a in zip(w, assumptions)):
        raise _fail(t, "the witness violates an assumption on the variables")
    for p in ladder(d.precision or 256):
        ((a, _, _),) = evaluate(lhs, _points(w, p), 0, p, outputs=[k])
        ((b, _, _),) = evaluate(rhs, _points(w, p), 0, p, outputs=[k])
        with flint.ctx.workprec(p):
            diff = a - b
        if diff > 0 or diff < 0:
            return Outcome("lhs - rhs re-evaluated at the witness: certified non-zero", f"difference {diff.str(5)}")
    raise _fail(t, "the witness does not separate lhs and rhs")


def _relu_region(d: Decoded) -> Outcome:
    t, inp = "relu_linear_region", d.inputs
    X, w, c, r = inp["X"], inp["width"], inp["centers"], inp["radii"]
    N = len(X)
    if N < 1 or w < 1 or not X[0] or any(len(x) != len(X[0]) for x in X):
        raise _fail(t, "malformed data or width")
    dim = len(X[0])
    if len(c) != dim * w + w or len(r) != len(c) or any(v <= 0 for v in r):
        raise _fail(t, "the box needs d*width + width centres and positive radii")
    lowest = min(sum((x[a] * c[a * w + j] - abs(x[a]) * r[a * w + j] for a in range(dim)), c[dim * w + j] - r[dim * w + j])
                 for x in X for j in range(w))
    rank = flint.fmpq_mat([x + [flint.fmpq(1)] for x in X]).rank()
    _claim(d, {"type": t, "N": N, "rank_bound": rank})
    if lowest != d.evidence["min_preactivation"] or not lowest > 0 or not rank < N:
        raise _fail(t, f"lowest pre-activation {lowest}, rank([X, 1]) = {rank}, N = {N}: the region is not certified")
    return Outcome("activation pattern re-checked exactly on the box; rank([X, 1]) < N recomputed",
                   f"every pre-activation >= {lowest} > 0")


def _leibniz_alpha0(d: Decoded) -> Outcome:
    """Lemma 4.3, bounded sigma: the finite set of enclosure inequalities behind "det E(alpha) != 0 for all
    alpha >= alpha_0" (perturbation of the limit matrix L; Weyl's inequality with s_min(L) >= 1/||L^-1||_F)."""
    t, inp = "leibniz_alpha0", d.inputs
    sigma, tdag, mu, gamma, beta, a0 = (inp[k] for k in ("sigma", "t", "mu", "gamma", "beta", "alpha0"))
    N = len(tdag.outputs)
    if len(sigma.inputs) != 1 or len(sigma.outputs) != 1 or tdag.inputs or not 2 <= N <= 200:
        raise _fail(t, "sigma must be an expression in one variable and t the N >= 2 sorted projections")
    if not mu < gamma or not a0 > 0:
        raise _fail(t, "expected mu < gamma and alpha_0 > 0")
    _claim(d, {"type": t, "N": N, "alpha0": str(a0.p) if a0.q == 1 else f"{a0.p}/{a0.q}"})
    for p in ladder(d.precision):
        ts = [j[0] for j in evaluate(tdag, [], 0, p)]
        with flint.ctx.workprec(p):
            gaps = [ts[i + 1] - ts[i] for i in range(N - 1)]
            if not all(g > 0 for g in gaps):
                continue
            D = gaps[0]
            for g in gaps[1:]:
                D = D.min(g)
            D = D.lower()
            (sb,) = [j[0] for j in evaluate(sigma, _points([beta], p), 0, p)]
            m, g_, b, a = (flint.arb(v) for v in (mu, gamma, beta, a0))
            L = flint.arb_mat([[flint.arb(1)] + [g_ if j > i else (sb if j == i else m) for j in range(N - 1)]
                               for i in range(N)])
            try:
                inv = L.solve(flint.arb_mat(N, N, [1 if i == j else 0 for i in range(N) for j in range(N)]))
            except ZeroDivisionError:
                continue
            frob = sum((inv[i, j] * inv[i, j] for i in range(N) for j in range(N)), flint.arb(0)).sqrt()
            target = (1 / frob).lower() / flint.arb(N * (N - 1)).sqrt()
        up = evaluate(sigma, [a * D + b], 0, p)[0][0]
        down = evaluate(sigma, [b - a * D], 0, p)[0][0]
        with flint.ctx.workprec(p):
            eps = (g_ - up).max(down - m)
        if eps < target:
            return Outcome("perturbation bound re-checked: sqrt(N(N-1)) eps(alpha_0) < s_min(L)",
                           f"eps(alpha_0) in {eps.str(5, radius=True)} < {target.str(5, radius=True)}")
    raise _fail(t, "the perturbation bound at alpha_0 is not below s_min(L) / sqrt(N(N-1))")


QVEC = ("list", "q")
RULES: dict[str, Rule] = {
    "nonsingular": Rule(MAT, {"certified": {**ATTEMPTS, "prime?": "q", "det_mod_p?": "q", "rank?": "nat",
                                            "scaling?": ("one", "lcm", "pow2")},
                              "refuted": {**ATTEMPTS, "rank": "nat"}}, _nonsingular),
    "rank_at_least": Rule({**MAT, "r": "nat"}, {"certified": {"rows": ("list", "nat"), "cols": ("list", "nat")},
                                                 "refuted": {"rows": ("list", "nat"), "cols": ("list", "nat"),
                                                             "rank": "nat"}}, _rank_at_least),
    "exact_rank": Rule(MAT, {"certified": {"rank": "nat", "kernel?": ("list", QVEC)}}, _exact_rank),
    "rank_deficient": Rule(MAT, {v: {"rank": "nat", "kernel?": ("list", QVEC)} for v in ("certified", "refuted")},
                           _rank_deficient),
    "det_sign": Rule(MAT, {"certified": {"det_exact?": "q", "det?": "ball"}}, _det_sign),
    "positive_definite": Rule(MAT, {"certified": {"pivots?": QVEC},
                                    "refuted": {"pivots?": QVEC, "witness?": QVEC, "form?": ("map", "str")}},
                              _positive_definite),
    "indefinite": Rule(MAT, {"certified": {s: {"v": QVEC, "form?": ("map", "str")} for s in ("negative", "positive")}},
                       _indefinite),
    "eigenvalues": Rule(MAT, {"certified": {"eigenvalues": ("list", "ball")}}, _eigenvalues),
    "critical_point": Rule({**BOX, "gradient": "dag"}, {"certified": KRAWCZYK}, _critical_point),
    "strict_local_min": Rule({**BOX, "loss": "dag"}, {"certified": {**KRAWCZYK, "value?": "ball"}}, _strict_local_min),
    "spurious_local_min": Rule({**BOX, "loss": "dag", "symmetry": "str", "compare": ("one", "better_point",
                                                                                      "stated global value"),
                                "better?": QVEC, "global_value?": "q"},
                               {"certified": {"C": KRAWCZYK["C"], "lower": "ball", "better": "ball", "gap": "ball"}},
                               _spurious),
    "identity": Rule({"variables": ("list", "str"), "assumptions?": ("list", ("list", ("one", *ASSUMPTIONS))),
                      "lhs": "dag", "rhs": "dag"},
                     {"certified": {}, "refuted": {"entry": "nat", "witness": QVEC}}, _identity),
    "relu_linear_region": Rule({"X": ("list", QVEC), "width": "nat", "centers": QVEC, "radii": QVEC},
                               {"certified": {"min_preactivation": "q"}}, _relu_region),
    "leibniz_alpha0": Rule({"sigma": "dag", "t": "dag", "mu": "q", "gamma": "q", "beta": "q", "alpha0": "q"},
                           {"certified": {}}, _leibniz_alpha0),
}
RULES.update(landscape_rules(Rule, Outcome))  # non-strict minima, maxima, saddles, classifications, honest slices
RULES.update(leibniz_rules(Rule, Outcome))  # Lemma 4.3's witness rebuilt from its recipe
RULES.update(teacher_student_rules(Rule, Outcome))  # Safran & Shamir's loss rebuilt from (k, n), float64 tier
