"""Certified non-singularity, rank and determinant sign.

Rank *lower* bounds are certified numerically (a non-singular r x r minor);
rank *deficiency* only exactly (rank over Q of an exactly representable
matrix) — numerics can only say "inconclusive" there.
"""

from __future__ import annotations

from typing import Any

import flint
import numpy as np

from proofkit.certificate import Certificate, arb_from_data, arb_to_data, fmpq_to_str
from proofkit.certify.common import (
    Timer,
    check_max_prec,
    kernel_decides,
    make_certificate,
    precision_ladder,
    returns_kernel_checked,
)
from proofkit.certify.matrices import CertMatrix, as_cert_matrix
from proofkit.errors import InvalidInput
from proofkit.kernel import PRIMES, float_rows_mod_p, integer_rows
from proofkit.numeric.contexts import arb_precision
from proofkit.numeric.floatverify import check_float_environment, verify_nonsingular_float

__all__ = [
    "certify_nonsingular",
    "certify_rank_at_least",
    "certify_full_rank",
    "exact_rank",
    "certify_rank_deficient",
    "enclose_det",
    "integer_rows",
    "PRIMES",
]


#: Primes below 2^31 for the vectorised modular image of float64 matrices.
SMALL_PRIMES = (2147483647, 2147483629, 2147483587)


def _exact_nonsingular(M: CertMatrix) -> tuple[str, dict[str, Any]]:
    if M._floats is not None:  # (float64 input; never the per-entry float test of an exact matrix)
        for p in SMALL_PRIMES:
            d = flint.nmod_mat(float_rows_mod_p(M._floats, p), p).det()
            if int(d) != 0:
                return "certified", {"prime": str(p), "det_mod_p": str(int(d)), "scaling": "pow2"}
    Z = integer_rows(M.fmpq_mat())
    for p in PRIMES:
        d = flint.nmod_mat(Z, p).det()
        if int(d) != 0:
            return "certified", {"prime": str(p), "det_mod_p": str(int(d))}
    rank = Z.rank()
    if rank < M.n:
        return "refuted", {"rank": rank}
    return "certified", {}  # (full exact rank: the kernel finds it again)


def _arb_nonsingular(M: CertMatrix, prec: int) -> bool:
    with arb_precision(prec):
        B = M.arb(prec)
        try:
            B.solve(flint.arb_mat(M.n, 1, [1] * M.n))
        except ZeroDivisionError:
            return False
        return True


@returns_kernel_checked
def certify_nonsingular(A: Any, *, backend: str = "auto", max_prec: int = 1024) -> Certificate:
    """Certify that a square matrix is non-singular.

    Parameters
    ----------
    A : matrix
        Numbers (exact or float), exact constants, or enclosures (``arb``).
    backend : {"auto", "float", "arb", "exact"}
        ``auto``: exact modular determinant for exact input of size <= 200, then
        float verification for float64 input, then Arb with escalating precision.
    max_prec : int
        Highest Arb precision tried (bits).

    Returns
    -------
    Certificate
        ``certified``, ``refuted`` (exact input only: rank over Q below n) or
        ``inconclusive`` (singular, or not enough precision: cannot tell which).

    Guarantee
    ---------
    ``certified`` proves that every matrix inside the input (the exact matrix,
    or every matrix within the given enclosures) is invertible: by a non-zero
    determinant modulo a prime (which implies a non-zero integer determinant
    of the row-scaled matrix), by a rigorous bound ``||I - RA|| < 1``, or by
    Arb's verified solve. ``refuted`` proves singularity by exact rank.

    Examples
    --------
    >>> certify_nonsingular([[1, 2], [3, 4]]).verdict
    'certified'
    >>> certify_nonsingular([[1, 2], [2, 4]]).verdict
    'refuted'
    """
    M = as_cert_matrix(A)
    M.require_square()
    max_prec = check_max_prec(max_prec)
    if not isinstance(backend, str) or backend not in ("auto", "float", "arb", "exact"):
        raise InvalidInput("backend", "auto, float, arb or exact", repr(backend))
    claim = {"type": "nonsingular", "n": M.n}
    attempts: list[str] = []
    with Timer() as t:
        cert = _nonsingular(M, backend, max_prec, attempts)
    verdict, method, be, prec, evidence = cert
    method = f"{method} (tried: {', '.join(attempts)})" if attempts else method
    reason = "not proven: the matrix may be singular, or more precision is needed"
    return make_certificate(claim, verdict, method, be, prec, M, evidence, reason, seconds=t.seconds)


def _nonsingular(M: CertMatrix, backend: str, max_prec: int, attempts: list[str]) -> tuple:
    if backend in ("auto", "exact") and M.is_exact and (backend == "exact" or M.n <= 200):
        attempts.append("exact")
        verdict, ev = _exact_nonsingular(M)
        return verdict, "exact determinant modulo primes / rank over Q", "exact", None, ev
    if backend == "exact":
        return "inconclusive", "exact", "exact", None, {"note": "input is not exactly representable"}
    if backend in ("auto", "float") and M.is_float and check_float_environment():
        attempts.append("float")
        res = verify_nonsingular_float(M.floats_exact)
        if res.proved:
            return "certified", "Rump verification ||I - RA||_inf < 1", "float", 53, {}
        if backend == "float":
            return "inconclusive", "Rump verification", "float", 53, {"detail": res.detail}
    if backend in ("auto", "arb"):
        for prec in precision_ladder(max_prec):
            attempts.append(f"arb{prec}")
            if _arb_nonsingular(M, prec):
                return "certified", "Arb verified solve", "arb", prec, {}
        if M.is_exact:
            attempts.append("exact")
            verdict, ev = _exact_nonsingular(M)
            return verdict, "exact determinant modulo primes / rank over Q", "exact", None, ev
    return "inconclusive", "escalation exhausted", backend, max_prec, {}


def _pivot_minor(approx: np.ndarray, r: int) -> tuple[list[int], list[int]]:
    """Rows and columns of a well-conditioned r x r minor by Gaussian elimination with complete pivoting."""
    B = np.array(approx, dtype=float, copy=True)
    rows = list(range(B.shape[0]))
    cols = list(range(B.shape[1]))
    chosen_r, chosen_c = [], []
    for _ in range(r):
        sub = np.abs(B[np.ix_(rows, cols)])
        if sub.size == 0:
            break
        i, j = np.unravel_index(int(np.argmax(sub)), sub.shape)
        pi, pj = rows[i], cols[j]
        chosen_r.append(pi)
        chosen_c.append(pj)
        rows.remove(pi)
        cols.remove(pj)
        if B[pi, pj] != 0 and rows:
            f = B[rows, pj] / B[pi, pj]
            B[np.ix_(rows, cols)] -= np.outer(f, B[pi, cols])
    return sorted(chosen_r), sorted(chosen_c)


def _submatrix(M: CertMatrix, rows: list[int], cols: list[int]) -> CertMatrix:
    if M.is_exact:
        Q = M.fmpq_mat()
        return as_cert_matrix([[Q[i, j] for j in cols] for i in rows])
    B = M.arb(max(64, 256))
    return as_cert_matrix([[B[i, j] for j in cols] for i in rows])


@returns_kernel_checked
def certify_rank_at_least(A: Any, r: int, *, max_prec: int = 1024) -> Certificate:
    """Certify ``rank(A) >= r`` by finding and certifying a non-singular r x r minor.

    Guarantee
    ---------
    ``certified`` proves that the minor with the recorded rows and columns is
    non-singular (see :func:`certify_nonsingular`), hence ``rank(A) >= r``.
    ``refuted`` (exact input only) proves ``rank(A) < r`` by exact rank over Q.

    Examples
    --------
    >>> c = certify_rank_at_least([[1, 2, 3], [2, 4, 6], [1, 0, 1]], 2)
    >>> c.verdict, c.evidence["rows"]
    ('certified', [1, 2])
    """
    M = as_cert_matrix(A)
    m, n = M.shape
    if not isinstance(r, (int, np.integer)) or isinstance(r, bool) or not 1 <= r <= min(m, n):
        raise InvalidInput("r", f"an integer in 1..{min(m, n)} (the smaller dimension)", repr(r))
    r = int(r)
    max_prec = check_max_prec(max_prec)
    with Timer() as t:
        rows, cols = _pivot_minor(M.approx(), r)
        minor = _submatrix(M, rows, cols)
        sub = certify_nonsingular.__wrapped__(minor, max_prec=max_prec)  # checked as part of this certificate
        verdict = sub.verdict
        evidence: dict[str, Any] = {"rows": rows, "cols": cols}
        if verdict == "refuted":
            rank = integer_rows(M.fmpq_mat()).rank() if M.is_exact else None
            verdict = "refuted" if rank is not None and rank < r else "inconclusive"
            evidence = {"rank": rank} if verdict == "refuted" else evidence
    reason = {"certified": f"the recorded {r}x{r} minor is non-singular, so rank >= {r}",
              "refuted": f"exact rank over Q is below {r}",
              "inconclusive": "no certified non-singular minor found"}[verdict]
    return make_certificate({"type": "rank_at_least", "r": r, "shape": [m, n]}, verdict,
                            f"pivoted minor + {sub.method}", sub.backend, sub.precision, M, evidence, reason,
                            seconds=t.seconds, extra_inputs={"r": r})


@returns_kernel_checked
def certify_full_rank(A: Any, *, max_prec: int = 1024) -> Certificate:
    """Certify ``rank(A) = min(m, n)`` (see :func:`certify_rank_at_least`)."""
    M = as_cert_matrix(A)
    return certify_rank_at_least.__wrapped__(M, min(M.shape), max_prec=max_prec)


def _kernel_basis(Q: flint.fmpq_mat) -> list[list[flint.fmpq]]:
    """A basis of ``{v : Q v = 0}`` over Q from FLINT's reduced row echelon form (exact rationals of any size)."""
    R, rank = Q.rref()
    n = Q.ncols()
    pivots: list[int] = []
    for c in range(n):
        if len(pivots) < rank and R[len(pivots), c] != 0:
            pivots.append(c)
    basis = []
    for f in (c for c in range(n) if c not in pivots):
        v = [flint.fmpq(0)] * n
        v[f] = flint.fmpq(1)
        for row, pc in enumerate(pivots):
            v[pc] = -R[row, f]
        basis.append(v)
    return basis


@returns_kernel_checked
def exact_rank(A: Any) -> Certificate:
    """The rank over Q of an exactly representable matrix, as a certificate.

    Guarantee
    ---------
    ``certified`` states the exact rank (``evidence["rank"]``) computed with
    rational arithmetic (python-flint ``fmpq_mat``); a kernel basis is recorded
    for matrices with at most 50 columns. Non-exact input is ``inconclusive``.

    Examples
    --------
    >>> exact_rank([[1, 2], [2, 4]]).evidence["rank"]
    1
    """
    M = as_cert_matrix(A)
    with Timer() as t:
        if not M.is_exact:
            return make_certificate({"type": "exact_rank"}, "inconclusive", "exact rank", "exact", None, M,
                                    {}, "the input is not exactly representable; numerics cannot certify "
                                    "rank deficiency", seconds=0.0)
        Q = M.fmpq_mat()
        if M.shape[1] <= 50:  # (one echelon form gives the rank and the kernel basis)
            basis = _kernel_basis(Q)
            rank = M.shape[1] - len(basis)
            evidence: dict[str, Any] = {"rank": rank, "kernel": [[fmpq_to_str(v) for v in vec] for vec in basis]}
        else:  # the rank modulo a large prime (never above the rank over Q; equal unless p divides every maximal
            # nonzero minor) as the candidate: the kernel proves the exact rank (FLINT's integer rank), once
            rank = flint.nmod_mat(integer_rows(Q), PRIMES[0]).rank()
            evidence = {"rank": rank}
    cert = make_certificate({"type": "exact_rank", "rank": rank, "shape": list(M.shape)}, "certified",
                            "rank over Q (fmpq_mat)", "exact", None, M, evidence,
                            f"the rank over Q is exactly {rank}", seconds=t.seconds)
    if M.shape[1] > 50 and _refused_on_the_merits(cert):  # (an unlucky prime: the exact rank, then the kernel again)
        rank = integer_rows(Q).rank()
        cert = make_certificate({"type": "exact_rank", "rank": rank, "shape": list(M.shape)}, "certified",
                                "rank over Q (fmpq_mat)", "exact", None, M, {"rank": rank},
                                f"the rank over Q is exactly {rank}", seconds=t.seconds)
    return cert


@returns_kernel_checked
def certify_rank_deficient(A: Any) -> Certificate:
    """Certify ``rank(A) < min(m, n)`` (exact input only).

    Guarantee
    ---------
    ``certified`` proves rank deficiency by exact rank over Q; ``refuted``
    proves full rank; non-exact input gives ``inconclusive`` (numerics can
    never certify a rank deficiency).

    Examples
    --------
    >>> certify_rank_deficient([[1, 2], [2, 4]]).verdict
    'certified'
    """
    M = as_cert_matrix(A)
    base = exact_rank.__wrapped__(M)
    if base.verdict != "certified":
        base.claim = {"type": "rank_deficient"}
        return base
    rank = base.evidence["rank"]
    full = min(M.shape)
    verdict = "certified" if rank < full else "refuted"
    return make_certificate({"type": "rank_deficient", "shape": list(M.shape)}, verdict, base.method, "exact",
                            None, M, base.evidence,
                            f"exact rank {rank} {'<' if rank < full else '='} {full}", seconds=base.time_seconds)


@returns_kernel_checked
def enclose_det(A: Any, *, max_prec: int = 1024) -> Certificate:
    """An enclosure of det(A), with its sign certified when the enclosure excludes 0.

    For exact input (up to 300 x 300) the kernel computes the exact determinant once, when it re-checks the
    certificate: the certificate states the sign, and the determinant is the kernel's measure
    (``check_certificate(c.to_json()).measures["det"]``, or :func:`~proofkit.certify.common.kernel_report`).
    The sign is guessed in floating point first (a search step: a wrong guess is refused by the kernel, and
    the exact determinant is then computed here too).

    Guarantee
    ---------
    ``certified`` means the sign (``claim["sign"]``) is proven: for exact input by the kernel's exact
    determinant (sign 0 is certified too); otherwise ``evidence["det"]`` encloses the determinant of every
    matrix in the input and excludes 0.

    Examples
    --------
    >>> c = enclose_det([[2, 1], [1, 3]])
    >>> from proofkit.certify.common import kernel_report
    >>> c.verdict, c.claim["sign"], kernel_report(c).measures["det"]
    ('certified', 1, 5)
    """
    M = as_cert_matrix(A)
    M.require_square()
    max_prec = check_max_prec(max_prec)
    with Timer() as t:
        if M.is_exact and M.n <= 300:
            sign = _det_sign_guess(M)
            if sign is None:  # (no trustworthy float guess: the exact determinant here)
                d = M.fmpq_mat().det()
                sign = (d > 0) - (d < 0)
            ev, verdict, be, prec, method = {}, "certified", "exact", None, "exact determinant over Q (the kernel's)"
        else:
            sign, verdict, be, prec, ev, method = None, "inconclusive", "arb", None, {}, "Arb determinant"
            for prec in precision_ladder(max_prec):
                with arb_precision(prec):
                    det = M.arb(prec).det()
                ev = {"det": arb_to_data(det)} if det.is_finite() else {}
                if det > 0 or det < 0:
                    sign, verdict = (1 if det > 0 else -1), "certified"
                    break
    claim = {"type": "det_sign", "sign": sign, "n": M.n}
    reason = "the sign of the determinant is proven" if verdict == "certified" else \
        "the enclosure contains 0: the matrix may be singular, or more precision is needed"
    margin = None
    if "det" in ev and verdict == "certified":
        margin = f"|det| >= {abs(arb_from_data(ev['det'])).lower().str(5)}"
    cert = make_certificate(claim, verdict, method, be, prec, M, ev, reason, margin=margin, seconds=t.seconds)
    if be == "exact" and _refused_on_the_merits(cert):  # a wrong float guess: the exact sign, then the kernel again
        d = M.fmpq_mat().det()
        claim = {"type": "det_sign", "sign": (d > 0) - (d < 0), "n": M.n}
        cert = make_certificate(claim, verdict, method, be, prec, M, ev, reason, seconds=t.seconds)
    return cert


def _refused_on_the_merits(cert: Certificate) -> bool:
    """Whether the kernel refuses the candidate for what it states (then the certifier computes the exact value
    and asks again); a refusal for the work budget is final: the exact computation would not be cheaper."""
    ok, why = kernel_decides(cert)
    return not ok and not why.startswith("over budget")


def _det_sign_guess(M: CertMatrix) -> int | None:
    """The sign of det(A) from a float64 LU (``slogdet``) of the row-scaled integer matrix (positive row factors),
    or None when that is not finite or singular. Never a proof: the kernel decides."""
    A = integer_rows(M._flint)  # (the cached FLINT matrix itself: nothing here changes it)
    with np.errstate(all="ignore"):
        try:
            arr = np.array(A.entries(), dtype=float).reshape(M.shape)
        except OverflowError:
            return None
        if not np.all(np.isfinite(arr)):
            return None
        s, logdet = np.linalg.slogdet(arr)
    return int(s) if np.isfinite(logdet) and s != 0 else None
