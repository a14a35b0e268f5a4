"""Certified definiteness, indefiniteness and eigenvalue enclosures of symmetric matrices."""

from __future__ import annotations

from typing import Any

import flint
import numpy as np

from proofkit.certificate import Certificate, arb_to_data, fmpq_to_str
from proofkit.certify.common import Timer, check_max_prec, make_certificate, precision_ladder, returns_kernel_checked
from proofkit.certify.matrices import CertMatrix, as_cert_matrix
from proofkit.convert import integer_in
from proofkit.kernel import ball_matrix_pd, exact_ldl_pivots, integer_rows
from proofkit.numeric.contexts import arb_precision, to_fmpq
from proofkit.numeric.floatverify import check_float_environment, verify_positive_definite_float

__all__ = [
    "certify_positive_definite",
    "certify_indefinite",
    "enclose_eigenvalues",
    "quadratic_form",
]


def quadratic_form(M: CertMatrix, v: list[flint.fmpq], prec: int) -> Any:
    """``v^T A v`` exactly (exact input) or as an Arb enclosure."""
    n = M.n
    if M.is_exact:
        Q = M.fmpq_mat()
        return sum((v[i] * Q[i, j] * v[j] for i in range(n) for j in range(n)), flint.fmpq(0))
    with arb_precision(prec):
        B = M.arb(prec)
        x = flint.arb_mat([[flint.arb(q)] for q in v])
        return (x.transpose() * B * x)[0, 0]


def _exact_vector(v: np.ndarray) -> list[flint.fmpq]:
    scale = np.max(np.abs(v)) or 1.0
    return [to_fmpq(float(np.round(x / scale * 2**30)) / 2**30) for x in v]


def _signed_witness(M: CertMatrix, which: str, prec: int) -> tuple[list[flint.fmpq], Any] | None:
    """An exact vector whose quadratic form is certified negative ('min') or positive ('max')."""
    a = M.approx()
    with np.errstate(all="ignore"):
        sym = a / 2 + a.T / 2  # halves first: no overflow near the float range
        if not np.all(np.isfinite(sym)):
            return None
        try:
            _w, V = np.linalg.eigh(sym)
        except np.linalg.LinAlgError:
            return None
    vec = V[:, 0] if which == "min" else V[:, -1]
    if not np.all(np.isfinite(vec)) or not np.any(vec):
        return None
    v = _exact_vector(vec)
    if not any(v):
        return None  # the zero vector refutes nothing
    q = quadratic_form(M, v, prec)
    if (which == "min" and q < 0) or (which == "max" and q > 0):
        return v, q
    return None


@returns_kernel_checked
def certify_positive_definite(A: Any, *, max_prec: int = 1024, exact_limit: int = 80) -> Certificate:
    """Certify that a symmetric matrix is positive definite.

    Parameters
    ----------
    A : symmetric matrix
        Numbers, exact constants or enclosures. A non-symmetric matrix is an
        error (it is not symmetrised silently).
    max_prec : int
        Highest Arb precision used for enclosures.
    exact_limit : int
        Exact input up to this size is decided by exact LDL^T when the float
        path does not succeed.

    Guarantee
    ---------
    ``certified`` proves that the matrix (every symmetric matrix inside the
    enclosure) is positive definite (the kernel re-proves it by ball LDL^T, then
    exactly by Sylvester's criterion for exact input). ``refuted`` proves it is
    not: a leading principal minor with an exact determinant <= 0, or an exact
    vector v with ``v^T A v`` certified ``<= 0`` (``< 0`` for enclosures).
    The float-rounded Hilbert matrix is not the Hilbert matrix: the enclosure
    of the true input is certified, never its rounding.

    Examples
    --------
    >>> certify_positive_definite([[2, 1], [1, 2]]).verdict
    'certified'
    >>> certify_positive_definite([[1, 2], [2, 1]]).verdict
    'refuted'
    """
    M = as_cert_matrix(A)
    M.require_symmetric()
    max_prec = check_max_prec(max_prec)
    exact_limit = integer_in(exact_limit, "exact_limit", 0)
    claim = {"type": "positive_definite", "n": M.n}
    with Timer() as t:
        out = _pd(M, max_prec, exact_limit)
    verdict, method, be, prec, ev = out
    reason = {"certified": "the matrix is positive definite",
              "refuted": "the matrix is not positive definite",
              "inconclusive": "not proven: the matrix may be singular or indefinite, or more precision is needed"}
    return make_certificate(claim, verdict, method, be, prec, M, ev, reason[verdict], seconds=t.seconds)


def _first_nonpositive_minor(Q: flint.fmpq_mat) -> int | None:
    """The size k of the first leading principal minor of the symmetric ``Q`` that is <= 0 (None: all positive).

    FLINT's fraction-free LU of the row-scaled integer matrix (positive row factors: the signs of the leading
    minors are kept) has the k-th leading minor, times those factors, at ``U[k-1, k-1]`` when it exchanged no
    rows; it exchanges rows only at a zero pivot (a zero leading minor), and then the exact LDL^T pivots
    decide."""
    n = Q.nrows()
    P, _, _, U = integer_rows(Q).fflu()
    if P.is_one():
        return next((k + 1 for k in range(n) if not U[k, k] > 0), None)
    piv = exact_ldl_pivots(Q)
    return None if len(piv) == n and all(p > 0 for p in piv) else len(piv)


def _pd(M: CertMatrix, max_prec: int, exact_limit: int) -> tuple:
    if M.is_float and check_float_environment():
        res = verify_positive_definite_float(M.floats_exact)
        if res.proved:
            method = "shifted float Cholesky with proven error bound"
            return "certified", method, "float", 53, {}
    if M.is_exact and M.n <= exact_limit:
        first = _first_nonpositive_minor(M.fmpq_mat())
        ev = {} if first is None else {"minor": first}  # (the leading minor where the first pivot <= 0 appears)
        return ("certified" if first is None else "refuted"), "exact LDL^T pivots", "exact", None, ev
    for prec in precision_ladder(max_prec):
        if ball_matrix_pd(M.arb(prec), prec):
            return "certified", "enclosure: shifted float Cholesky / ball LDL^T", "arb", prec, {}
        wit = _signed_witness(M, "min", prec)
        if wit is not None:
            v, _ = wit
            return "refuted", "witness vector with v^T A v < 0", "arb", prec, {"witness": [fmpq_to_str(x) for x in v]}
        if M.is_float and prec >= 128:
            break  # the enclosure of a float matrix is exact: more precision cannot help
    return "inconclusive", "escalation exhausted", "arb", max_prec, {}


@returns_kernel_checked
def certify_indefinite(A: Any, *, max_prec: int = 1024) -> Certificate:
    """Certify that a symmetric matrix is indefinite by witness vectors ``v^T A v < 0 < u^T A u``.

    Guarantee
    ---------
    ``certified`` proves indefiniteness: the recorded exact vectors u, v have
    quadratic forms certified positive and negative (exactly, or by Arb
    enclosures that exclude 0).

    Examples
    --------
    >>> c = certify_indefinite([[0, 1], [1, 0]])
    >>> c.verdict, c.evidence["negative"]
    ('certified', ['-1', '1'])
    """
    M = as_cert_matrix(A)
    M.require_symmetric()
    max_prec = check_max_prec(max_prec)
    with Timer() as t:
        verdict, prec, ev = "inconclusive", None, {}
        for prec in precision_ladder(max_prec):
            neg, pos = _signed_witness(M, "min", prec), _signed_witness(M, "max", prec)
            if neg and pos:
                verdict = "certified"
                ev = {"negative": [fmpq_to_str(x) for x in neg[0]], "positive": [fmpq_to_str(x) for x in pos[0]]}
                break
            if M.is_exact:
                break
    be = "exact" if M.is_exact else "arb"
    reason = "witness vectors prove the matrix indefinite" if verdict == "certified" else \
        "no certified witness pair: the matrix may be semidefinite, or more precision is needed"
    return make_certificate({"type": "indefinite", "n": M.n}, verdict, "witness vectors", be,
                            None if M.is_exact else prec, M, ev, reason, seconds=t.seconds)


@returns_kernel_checked
def enclose_eigenvalues(A: Any, *, max_prec: int = 1024) -> Certificate:
    """Certified enclosures of all eigenvalues of a symmetric matrix, and its inertia.

    Guarantee
    ---------
    When ``verdict`` is ``certified``: the recorded balls are pairwise
    disjoint, each contains exactly one eigenvalue (Arb's verified
    eigenvalue isolation), and none contains 0, so ``claim["inertia"]`` =
    (#negative, #zero = 0, #positive) is proven. Repeated eigenvalues or an
    eigenvalue at 0 give ``inconclusive``.

    Examples
    --------
    >>> enclose_eigenvalues([[2, 1], [1, 2]]).claim["inertia"]
    [0, 0, 2]
    """
    M = as_cert_matrix(A)
    M.require_symmetric()
    max_prec = check_max_prec(max_prec)
    with Timer() as t:
        verdict, prec, ev, inertia = "inconclusive", None, {}, None
        for prec in precision_ladder(max_prec):
            with arb_precision(prec):
                try:
                    eig = flint.acb_mat(M.arb(prec)).eig()
                except ValueError:
                    continue
                reals = sorted((e.real for e in eig), key=lambda b: float(b.mid()))
            ev = {"eigenvalues": [arb_to_data(r) for r in reals]}
            neg = sum(1 for r in reals if r < 0)
            pos = sum(1 for r in reals if r > 0)
            if neg + pos == M.n:
                verdict, inertia = "certified", [neg, 0, pos]
                break
    reason = "all eigenvalues isolated in disjoint balls that exclude 0" if verdict == "certified" else \
        "eigenvalues not isolated away from 0 (repeated or zero eigenvalue, or more precision needed)"
    return make_certificate({"type": "eigenvalues", "inertia": inertia, "n": M.n}, verdict,
                            "Arb verified eigenvalue isolation", "arb", prec, M, ev, reason, seconds=t.seconds)
