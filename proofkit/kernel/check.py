"""Re-check a stored certificate from its data alone.

:func:`check_certificate` recomputes the decisive fact with exact rationals or Arb balls and raises
:class:`CertificateRejected` when the data are inconsistent (a hash that does not match the inputs)
or the fact does not hold. Inconclusive certificates claim nothing and are accepted as such.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import flint
import symengine as se

from proofkit.certificate import VERDICTS, Certificate, arb_from_data, fmpq_from_str, input_hash, matrix_hash
from proofkit.errors import CertificateRejected
from proofkit.kernel.landscape import RULES as LANDSCAPE_RULES
from proofkit.kernel.rules import (
    ball_matrix_pd,
    exact_pivots_positive,
    is_gradient_field,
    krawczyk_inclusion,
    matrix_from_record,
    parse_expressions,
    spurious_minimum_test,
)
from proofkit.numeric.contexts import ArbContext, NotAnalyticHere, arb_precision
from proofkit.numeric.program import Program

__all__ = ["KernelReport", "check_certificate"]


@dataclass
class KernelReport:
    """What the kernel re-checked: ``ok`` and one sentence on how."""

    ok: bool
    claim_type: str
    verdict: str
    how: str


def _reject(msg: str) -> CertificateRejected:
    return CertificateRejected(f"certificate rejected: {msg}")


def _matrix(cert: Certificate, prec: int) -> tuple[flint.fmpq_mat | None, flint.arb_mat]:
    rec = (cert.inputs or {}).get("A")
    if rec is None:
        raise _reject("the matrix is not stored in the certificate (it is large); pass its record as "
                      "check_certificate(cert, matrix=proofkit.certify.matrix_record(A))")
    if matrix_hash(rec) != cert.inputs.get("A_hash"):
        raise _reject("the stored matrix does not match its hash (tampered or corrupted)")
    return matrix_from_record(rec, prec)


def _check_hash(cert: Certificate) -> None:
    hashed = {k: v for k, v in (cert.inputs or {}).items() if k != "A"}
    if input_hash(hashed) != cert.input_hash:
        raise _reject("input_hash does not match the recorded inputs (tampered or corrupted)")


def _ladder(prec: int | None) -> list[int]:
    top = max(256, 2 * (prec or 64))
    out, p = [], 64
    while p <= top:
        out.append(p)
        p *= 2
    return out


def _nonsingular(Q: flint.fmpq_mat | None, cert: Certificate, sub: tuple[list[int], list[int]] | None = None) -> bool:
    for prec in _ladder(cert.precision):
        Q2, B = _matrix(cert, prec)
        if sub is not None:
            rows, cols = sub
            B = flint.arb_mat([[B[i, j] for j in cols] for i in rows])
            if Q2 is not None:
                Q2 = flint.fmpq_mat([[Q2[i, j] for j in cols] for i in rows])
        if Q2 is not None:
            return Q2.rank() == Q2.nrows()
        with arb_precision(prec):
            try:
                B.solve(flint.arb_mat(B.nrows(), 1, [1] * B.nrows()))
                return True
            except ZeroDivisionError:
                continue
    return False


def _form(cert: Certificate, v: list[str]) -> Any:
    Q, B = _matrix(cert, max(cert.precision or 64, 64))
    x = [fmpq_from_str(s) for s in v]
    n = len(x)
    if Q is not None:
        return sum((x[i] * Q[i, j] * x[j] for i in range(n) for j in range(n)), flint.fmpq(0))
    with arb_precision(max(cert.precision or 64, 64)):
        col = flint.arb_mat([[flint.arb(q)] for q in x])
        return (col.transpose() * B * col)[0, 0]


def _check_matrix_claim(cert: Certificate) -> str:
    t, v, ev = cert.claim.get("type"), cert.verdict, cert.evidence
    Q, B0 = _matrix(cert, 64)
    shape = [B0.nrows(), B0.ncols()]
    if "n" in cert.claim and cert.claim["n"] != shape[0]:
        raise _reject(f"the claim speaks of n = {cert.claim['n']} but the matrix is {shape[0]}x{shape[1]}")
    if "shape" in cert.claim and list(cert.claim["shape"]) != shape:
        raise _reject(f"the claim's shape {cert.claim['shape']} is not the matrix's {shape}")
    if "r" in cert.claim and cert.claim["r"] != (cert.inputs or {}).get("r"):
        raise _reject("the claim's r differs from the recorded input r")
    if t == "nonsingular":
        if v == "certified" and _nonsingular(Q, cert):
            return "invertibility re-proved (exact rank or Arb verified solve)"
        if v == "refuted" and Q is not None and Q.rank() < Q.nrows():
            return "singularity re-proved by exact rank"
    elif t == "rank_at_least":
        r = cert.claim["r"]
        if v == "certified" and len(ev["rows"]) == r == len(ev["cols"]) and \
                _nonsingular(Q, cert, (ev["rows"], ev["cols"])):
            return f"the recorded {r}x{r} minor re-proved non-singular"
        if v == "refuted" and Q is not None and Q.rank() < r:
            return "rank below r re-proved exactly"
    elif t in ("exact_rank", "rank_deficient"):
        if Q is None:
            raise _reject("an exact rank claim needs an exact matrix")
        rank = Q.rank()
        full = min(Q.nrows(), Q.ncols())
        for vec in ev.get("kernel", []):
            x = flint.fmpq_mat([[fmpq_from_str(s)] for s in vec])
            if any((Q * x)[i, 0] != 0 for i in range(Q.nrows())):
                raise _reject("a recorded kernel vector is not in the kernel")
        if t == "exact_rank" and v == "certified" and rank == cert.claim.get("rank") == ev.get("rank"):
            return f"exact rank {rank} recomputed"
        if t == "rank_deficient" and ((v == "certified" and rank < full) or (v == "refuted" and rank == full)):
            return f"exact rank {rank} recomputed"
    elif t == "det_sign":
        sign = cert.claim.get("sign")
        if Q is not None:
            d = Q.det()
            if (d > 0) - (d < 0) == sign and fmpq_from_str(ev["det_exact"]) == d:
                return "exact determinant recomputed"
        else:
            _, B = _matrix(cert, cert.precision or 64)
            with arb_precision(cert.precision or 64):
                d = B.det()
            if (sign == 1 and d > 0) or (sign == -1 and d < 0):
                return "determinant sign re-proved with Arb"
    elif t == "positive_definite":
        if v == "certified":
            if Q is not None and Q.nrows() <= 120 and exact_pivots_positive(Q):
                return "positive pivots recomputed exactly"
            for prec in _ladder(cert.precision):
                if ball_matrix_pd(_matrix(cert, prec)[1], prec):
                    return "positive definiteness re-proved on the enclosure"
        elif v == "refuted":
            if "witness" in ev:
                q = _form(cert, ev["witness"])
                if q < 0 or (isinstance(q, flint.fmpq) and q <= 0):
                    return "witness vector re-checked: v^T A v < 0"
            elif Q is not None and not exact_pivots_positive(Q):
                return "a non-positive pivot recomputed exactly"
    elif t == "indefinite" and v == "certified":
        neg, pos = _form(cert, ev["negative"]["v"]), _form(cert, ev["positive"]["v"])
        if neg < 0 and pos > 0:
            return "both witness vectors re-checked"
    elif t == "eigenvalues" and v == "certified":
        prec = cert.precision or 64
        _, B = _matrix(cert, prec)
        with arb_precision(prec):
            try:
                reals = [e.real for e in flint.acb_mat(B).eig()]
            except ValueError:
                raise _reject("eigenvalues could not be re-isolated at the recorded precision") from None
        stored = [arb_from_data(d) for d in ev["eigenvalues"]]
        inertia = [sum(1 for r in reals if r < 0), 0, sum(1 for r in reals if r > 0)]
        if inertia == cert.claim["inertia"] and all(any(s.overlaps(r) for s in stored) for r in reals):
            return "eigenvalues re-isolated; inertia recomputed"
    else:
        raise _reject(f"unknown claim type {t!r} with verdict {v!r}")
    raise _reject(f"the {v} {t} claim does not hold on re-check")


def _check_critical(cert: Certificate) -> str:
    ev, t = cert.evidence, cert.claim.get("type")
    if cert.verdict != "certified":
        raise _reject(f"{t} certificates are only re-checked when certified")
    inp = cert.inputs or {}
    for key in ("gradient", "centers", "radii"):
        if key not in inp:
            raise _reject(f"missing input {key!r}")
    try:
        inside, _, JX = krawczyk_inclusion(inp["gradient"], inp["centers"], inp["radii"], ev["C"], cert.precision)
    except NotAnalyticHere as exc:
        raise _reject(f"the box meets a non-analytic point ({exc})") from None
    except (ValueError, KeyError) as exc:
        raise _reject(f"malformed critical-point data ({exc})") from None
    if not inside:
        raise _reject("Krawczyk's operator does not map the box into its interior")
    if t == "critical_point":
        return "Krawczyk inclusion re-checked: exactly one critical point in the box"
    if t == "strict_local_min" and not is_gradient_field(inp["gradient"]):
        raise _reject("the recorded gradient is not a gradient field (its Jacobian is not symmetric)")
    if t == "strict_local_min" and ball_matrix_pd(JX, cert.precision):
        return "Krawczyk inclusion and positive definiteness of the interval Hessian re-checked"
    raise _reject("the interval Hessian over the box is not proven positive definite")


def _check_spurious(cert: Certificate) -> str:
    if cert.verdict != "certified":
        raise _reject("spurious-minimum certificates are only re-checked when certified")
    try:
        res = spurious_minimum_test(cert.inputs or {}, cert.evidence["C"], cert.precision)
    except NotAnalyticHere as exc:
        raise _reject(f"the box meets a non-analytic point ({exc})") from None
    except (KeyError, ValueError, TypeError) as exc:
        raise _reject(f"malformed spurious-minimum data ({exc})") from None
    if not res["ok"]:
        raise _reject(res["reason"])
    return "Krawczyk, interval Hessian and loss gap re-checked from the loss expression"


def _check_slice_type(cert: Certificate, rule: Any) -> str:
    """A certificate computed on a slice (fixed parameters) must say so in its claim type."""
    t, fixed = cert.claim.get("type", ""), (cert.inputs or {}).get("fixed")
    if bool(fixed) != t.endswith("_on_slice"):
        raise _reject(f"a {t} claim {'with' if fixed else 'without'} fixed parameters: a statement about a slice "
                      "must be typed '..._on_slice'")
    if t.endswith("_on_slice"):
        cert = Certificate.from_dict({**cert.to_dict(), "claim": {**cert.claim, "type": t[: -len("_on_slice")]}})
    return rule(cert) + (" (on the slice)" if fixed else "")


def _check_identity(cert: Certificate) -> str:
    inp = cert.inputs or {}
    n = len(inp.get("variables", []))
    lhs, _ = parse_expressions(inp["lhs"], n)
    rhs, xs = parse_expressions(inp["rhs"], n)
    if len(lhs) != len(rhs) or cert.claim.get("entries") != len(lhs):
        raise _reject("identity sides of different sizes")
    if cert.verdict == "certified":
        if all(se.expand(a - b) == 0 for a, b in zip(lhs, rhs)):
            return "every entry of lhs - rhs re-expanded to 0"
        raise _reject("lhs - rhs does not expand to 0")
    k = cert.evidence["entry"]
    point = [fmpq_from_str(v) for v in cert.evidence["witness"]]
    (val,) = Program(xs, [lhs[k] - rhs[k]]).run(ArbContext(cert.precision or 256), point)
    if val > 0 or val < 0:
        return "lhs - rhs re-evaluated at the witness: certified non-zero"
    raise _reject("the witness does not separate lhs and rhs")


def _check_relu_region(cert: Certificate) -> str:
    inp = cert.inputs or {}
    rows = [[fmpq_from_str(v) for v in x] for x in inp["X"]]
    c = [fmpq_from_str(v) for v in inp["centers"]]
    r = [fmpq_from_str(v) for v in inp["radii"]]
    w, N, d = inp["width"], len(rows), len(rows[0])
    if len(c) != d * w + w or len(r) != len(c) or any(v <= 0 for v in r) or cert.claim.get("N") != N:
        raise _reject("malformed ReLU region")
    for x in rows:
        for j in range(w):
            low = sum((x[a] * c[a * w + j] - abs(x[a]) * r[a * w + j] for a in range(d)), c[d * w + j] - r[d * w + j])
            if low <= 0:
                raise _reject("a pre-activation is not positive on the whole box")
    rank = flint.fmpq_mat([x + [flint.fmpq(1)] for x in rows]).rank()
    if rank >= N or rank != cert.claim.get("rank_bound"):
        raise _reject("rank([X, 1]) is not below N")
    return "activation pattern re-checked exactly on the box; rank([X, 1]) < N recomputed"


def check_certificate(cert: Certificate | str, matrix: dict[str, Any] | None = None) -> KernelReport:
    """Re-check a certificate (object or JSON text) from its data alone.

    Parameters
    ----------
    cert : Certificate or str
    matrix : dict, optional
        The record of a matrix too large to be stored in the certificate;
        it must match the certificate's ``A_hash``.

    Raises
    ------
    CertificateRejected
        With the reason: tampered inputs, unknown claims, or a fact that fails.

    Examples
    --------
    >>> from proofkit import certify_nonsingular
    >>> check_certificate(certify_nonsingular([[1, 2], [3, 4]]).to_json()).ok
    True
    """
    if isinstance(cert, str):
        try:
            cert = Certificate.from_json(cert)
        except (ValueError, TypeError) as exc:
            raise _reject(f"not a readable certificate ({exc})") from None
    if matrix is not None:
        cert = Certificate.from_dict(cert.to_dict())
        cert.inputs = {**(cert.inputs or {}), "A": matrix}
    if cert.verdict not in VERDICTS:
        raise _reject(f"unknown verdict {cert.verdict!r}")
    _check_hash(cert)
    t = cert.claim.get("type", "?")
    if cert.verdict == "inconclusive":
        return KernelReport(True, t, cert.verdict, "inconclusive: nothing is claimed")
    if t in LANDSCAPE_RULES:
        how = LANDSCAPE_RULES[t](cert)
    elif t in ("critical_point", "strict_local_min", "critical_point_on_slice", "strict_local_min_on_slice"):
        how = _check_slice_type(cert, _check_critical)
    elif t in ("spurious_local_min", "spurious_local_min_on_slice"):
        how = _check_slice_type(cert, _check_spurious)
    elif t == "identity":
        how = _check_identity(cert)
    elif t == "relu_linear_region":
        how = _check_relu_region(cert)
    else:
        how = _check_matrix_claim(cert)
    return KernelReport(True, t, cert.verdict, how)
