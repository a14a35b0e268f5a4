"""The decisive interval tests over boxes, in Arb only (a trusted-kernel candidate).

* :func:`krawczyk_operator` — ``K(X) = y - C g(y) + (I - C J(X)) (X - y)``; ``K(X)`` inside the interior of
  ``X`` proves that ``g`` has exactly one zero in ``X`` (Krawczyk 1969; Moore 1977; Rump 1983).
* :func:`interval_pd` — every symmetric matrix in a ball matrix is positive definite, by recursive
  Schur complements (``arb_mat.solve`` and products run in C; no Python triple loop beyond 8 x 8).
* :func:`spurious_minimum_check` / :func:`critical_point_check` — the whole decisive computation of a
  spurious-minimum (resp. critical-point, strict-local-minimum) certificate from its data: a loss (resp.
  gradient) DAG, the box, the matrix ``C`` and the comparison value.

Imports only the standard library, python-flint, :mod:`proofkit.errors`, :mod:`proofkit.kernel.dag` and
:mod:`proofkit.numeric.arb_engine`.
"""

from __future__ import annotations

import base64
import math
import struct
from collections.abc import Sequence
from typing import Any

import flint

from proofkit.errors import CertificateRejected
from proofkit.kernel.dag import parse_rational
from proofkit.numeric.arb_engine import (
    NotAnalyticOnBox,
    Tape,
    arb_precision,
    dense_gradient,
    dense_hessian,
    evaluate,
)

__all__ = ["box_balls", "decode_matrix", "float64_record", "krawczyk_operator", "interval_pd", "recheck_spurious_minimum",
           "recheck_critical_point",
           "spurious_minimum_check", "critical_point_check"]


def box_balls(centers: Sequence[Any], radii: Sequence[Any]) -> list[Any]:
    """The box ``[c - r, c + r]`` (exact rationals) as balls at the current precision."""
    out = []
    for c, r in zip(centers, radii):
        c, r = flint.fmpq(c), flint.fmpq(r)
        if r <= 0:
            raise CertificateRejected("box radii must be positive")
        out.append(flint.arb(c - r).union(flint.arb(c + r)))
    return out


def float64_record(rows: Any) -> dict[str, Any]:
    """Store a matrix of float64 numbers exactly and compactly: ``{"kind": "float64", "shape", "entries"}``.

    ``rows`` is anything with ``.shape`` and ``.tobytes`` (a numpy array) or a list of lists of floats.
    """
    if hasattr(rows, "shape"):
        m, n = rows.shape
        vals = [float(x) for x in rows.reshape(-1)]
    else:
        m, n = len(rows), len(rows[0]) if rows else 0
        vals = [float(x) for r in rows for x in r]
    if not all(math.isfinite(v) for v in vals):
        raise ValueError("a float64 matrix record needs finite entries")
    return {"kind": "float64", "shape": [m, n], "entries": base64.b64encode(struct.pack(f"<{m * n}d", *vals)).decode()}


def decode_matrix(obj: Any, n: int) -> Any:
    """An exact ``n x n`` ``arb_mat`` from rows of rational strings or a :func:`float64_record`.

    Raises
    ------
    CertificateRejected
        On anything malformed (wrong shape, non-finite or non-canonical numbers).
    """
    if isinstance(obj, dict):
        if set(obj) != {"kind", "shape", "entries"} or obj["kind"] != "float64" or obj["shape"] != [n, n] \
                or not isinstance(obj["entries"], str):
            raise CertificateRejected(f"expected an {n} x {n} float64 matrix record")
        try:
            raw = base64.b64decode(obj["entries"], validate=True)
        except ValueError:
            raise CertificateRejected("the float64 matrix record is not base64") from None
        if len(raw) != 8 * n * n:
            raise CertificateRejected("the float64 matrix record has the wrong length")
        vals = struct.unpack(f"<{n * n}d", raw)
        if not all(math.isfinite(v) for v in vals):
            raise CertificateRejected("the float64 matrix record has non-finite entries")
        return flint.arb_mat(n, n, [flint.arb(v) for v in vals])  # float64 values are exact dyadics
    if not isinstance(obj, list) or len(obj) != n or any(not isinstance(r, list) or len(r) != n for r in obj):
        raise CertificateRejected(f"expected an {n} x {n} matrix")
    return flint.arb_mat(n, n, [flint.arb(parse_rational(x, "matrix entry")) for r in obj for x in r])


def _identity(n: int) -> Any:
    out = [0] * (n * n)
    for i in range(n):
        out[i * n + i] = 1
    return flint.arb_mat(n, n, out)


def krawczyk_operator(y: Sequence[Any], gy: Sequence[Any], J: Any, C: Any, X: Sequence[Any]) -> list[Any]:
    """``K = y - C g(y) + (I - C J) (X - y)`` as a list of balls (all products in ``arb_mat``)."""
    n = len(y)
    col = lambda v: flint.arb_mat(n, 1, list(v))  # noqa: E731
    M = _identity(n) - C * J
    K = col(y) - C * col(gy) + M * col([X[i] - y[i] for i in range(n)])
    return K.entries()


def _inside(K: Sequence[Any], centers: Sequence[Any], radii: Sequence[Any]) -> bool:
    for k, c, r in zip(K, centers, radii):
        c, r = flint.fmpq(c), flint.fmpq(r)
        if not (k.is_finite() and k - flint.arb(c - r) > 0 and flint.arb(c + r) - k > 0):
            return False
    return True


def _pd_rows(rows: list[list[Any]]) -> bool:
    n = len(rows)
    if n <= 8:
        a = [list(r) for r in rows]
        for k in range(n):
            p = a[k][k]
            if not p > 0:
                return False
            for i in range(k + 1, n):
                f = a[i][k] / p
                for j in range(k + 1, n):
                    a[i][j] = a[i][j] - f * a[k][j]
        return True
    k = n // 2
    if not _pd_rows([r[:k] for r in rows[:k]]):
        return False
    A11 = flint.arb_mat([r[:k] for r in rows[:k]])
    A12 = flint.arb_mat([r[k:] for r in rows[:k]])
    A22 = flint.arb_mat([r[k:] for r in rows[k:]])
    Y = A11.solve(A12, nonstop=True)
    S = A22 - A12.transpose() * Y
    m = n - k
    e = S.entries()
    if not all(x.is_finite() for x in e):
        return False
    return _pd_rows(_mirror(e, m))


def _symmetrised_rows(J: Any) -> list[list[Any]] | None:
    n = J.nrows()
    e = J.entries()
    if not all(x.is_finite() for x in e):
        return None
    return _mirror(e, n)


def _mirror(e: list[Any], n: int) -> list[list[Any]]:
    """Rows of the symmetric ball matrix with entries ``e_ij U e_ji`` (one object for both triangles)."""
    rows: list[list[Any]] = [[None] * n for _ in range(n)]
    for i in range(n):
        rows[i][i] = e[i * n + i]
        for j in range(i + 1, n):
            rows[i][j] = rows[j][i] = e[i * n + j].union(e[j * n + i])
    return rows


def interval_pd(J: Any, C: Any = None) -> bool:
    """True only if every symmetric matrix contained in the ball matrix ``J`` is positive definite.

    Parameters
    ----------
    J : arb_mat
        A square ball matrix (e.g. the enclosure of a Hessian over a box).
    C : arb_mat, optional
        An exact approximate inverse of the midpoint; enables the second test below.

    Guarantee
    ---------
    ``True`` proves positive definiteness of every real symmetric matrix whose entries lie in the balls
    of ``J`` (symmetrised by union). Two sufficient tests: (1) recursive Schur complements enclosed over
    the whole ball matrix (``arb_mat.solve`` encloses the solutions of all member systems; blocks of at
    most 8 x 8 are eliminated with positive pivot balls); (2) with ``C``: ``||I - C A||_inf < 1`` for every
    member A (so every member is nonsingular) and the exact midpoint matrix passes (1); the symmetric
    members form a convex set on which no eigenvalue can cross 0, so all are positive definite.

    Examples
    --------
    >>> interval_pd(flint.arb_mat([[2, 1], [1, 2]])), interval_pd(flint.arb_mat([[1, 2], [2, 1]]))
    (True, False)
    """
    rows = _symmetrised_rows(J)
    if rows is None:
        return False
    if _pd_rows(rows):
        return True
    if C is None:
        return False
    n = len(rows)
    Js = flint.arb_mat(rows)
    e = (_identity(n) - C * Js).entries()
    one = flint.arb(1)
    for i in range(n):
        row = e[i * n:(i + 1) * n]
        total = sum((x.abs_upper() for x in row), flint.arb(0))
        if not total < one:
            return False
    mid = [[x.mid() for x in r] for r in rows]
    return _pd_rows(mid)


def spurious_minimum_check(tape: Tape, centers: Sequence[Any], radii: Sequence[Any], C: Any, prec: int, *,
                           better: Sequence[Any] | None = None, global_value: Any = None,
                           jets: tuple[Any, Any] | None = None) -> dict[str, Any]:
    """The decisive test of a spurious local minimum of the loss ``tape`` (one output) on a box.

    Parameters
    ----------
    tape : Tape
        The loss, one output, inputs in the order of ``centers``.
    centers, radii : sequences of exact rationals (``flint.fmpq``)
    C : arb_mat
        Any exact matrix (an approximate inverse of the Hessian at the centre).
    better, global_value
        A better point (exact rationals; its loss is enclosed by continuity only) or a stated value.
    jets : (centre jet, box jet), optional
        Enclosures already computed by :func:`~proofkit.numeric.arb_engine.evaluate` at this precision
        (order 1 at the centre, order 2 on the box); a re-check never passes them.

    Guarantee
    ---------
    ``ok`` proves: the loss is analytic on the box, its gradient has exactly one zero in the box (Krawczyk),
    its Hessian is positive definite on the whole box, and the mean-value lower bound of the loss over the
    box exceeds the enclosure of the loss at ``better`` (or ``global_value``): the box holds a strict local
    minimum that is not a global minimum.

    Examples
    --------
    >>> from proofkit.kernel.dag import decode_dag
    >>> d = decode_dag({"format": "proofkit.dag/1", "inputs": ["x"],   # (x - 1)^2 + 1
    ...                 "nodes": [["var", 0], ["const", "-1"], ["add", 0, 1], ["pow", 2, "2"], ["const", "1"],
    ...                           ["add", 3, 4]], "outputs": [5]})
    >>> C = flint.arb_mat([[flint.fmpq(1, 2)]])
    >>> q = flint.fmpq
    >>> spurious_minimum_check(Tape(d), [q(1)], [q(1, 10)], C, 64, global_value=q(0))["ok"]
    True
    >>> spurious_minimum_check(Tape(d), [q(1)], [q(1, 10)], C, 64, global_value=q(2))["ok"]
    False
    """
    n = tape.n_inputs
    with arb_precision(prec):
        X = box_balls(centers, radii)
        y = [flint.arb(flint.fmpq(c)) for c in centers]
        try:
            jy, jX = jets if jets is not None else (evaluate(tape, y, order=1)[0], evaluate(tape, X, order=2)[0])
        except NotAnalyticOnBox as exc:
            return {"ok": False, "stage": "analytic", "refused": True,
                    "reason": f"refused: the box meets a point where the loss is not analytic ({exc})"}
        gy, gX, JX = dense_gradient(jy, n), dense_gradient(jX, n), dense_hessian(jX, n)
        K = krawczyk_operator(y, gy, JX, C, X)
        if not _inside(K, centers, radii):
            return {"ok": False, "stage": "krawczyk",
                    "reason": "Krawczyk's operator does not map the box into its interior"}
        if not interval_pd(JX, C):
            return {"ok": False, "stage": "hessian",
                    "reason": "unique critical point in the box, but the Hessian is not proven positive definite on it"}
        lower = jy.value
        for i in range(n):
            lower = lower + gX[i] * (X[i] - y[i])
        if better is not None:
            try:
                (jb,) = evaluate(tape, [flint.arb(flint.fmpq(v)) for v in better], order=0, value_only=True)
            except NotAnalyticOnBox as exc:
                return {"ok": False, "stage": "gap", "reason": f"the loss at the better point is not enclosed ({exc})"}
            bval = jb.value
        else:
            bval = flint.arb(flint.fmpq(global_value))
        gap = lower - bval
    if gap > 0:
        return {"ok": True, "stage": "done", "lower": lower, "better": bval, "gap": gap, "K": K,
                "reason": "a strict local minimum in the box whose loss exceeds the better value"}
    return {"ok": False, "stage": "gap", "gap_negative": bool(gap < 0), "lower": lower, "better": bval,
            "reason": "the loss bound over the box does not exceed the better value"
                      + (" (the better point is not better)" if gap < 0 else "")}


def critical_point_check(tape: Tape, centers: Sequence[Any], radii: Sequence[Any], C: Any, prec: int, *,
                         want_min: bool = False) -> dict[str, Any]:
    """Krawczyk's test for a gradient field ``tape`` (``n`` outputs in ``n`` inputs), and optionally PD.

    Guarantee
    ---------
    ``ok`` proves that the vector field has exactly one zero in the box and, with ``want_min``, that every
    symmetric matrix in the enclosure of its Jacobian over the box is positive definite (a strict local
    minimum when the field is known to be a gradient, which this function does not check).

    Examples
    --------
    >>> from proofkit.kernel.dag import decode_dag
    >>> d = decode_dag({"format": "proofkit.dag/1", "inputs": ["x"],   # x^2 - 2
    ...                 "nodes": [["var", 0], ["pow", 0, "2"], ["const", "-2"], ["add", 1, 2]], "outputs": [3]})
    >>> C = flint.arb_mat([[flint.fmpq(1, 3)]])
    >>> critical_point_check(Tape(d), [flint.fmpq(141, 100)], [flint.fmpq(1, 100)], C, 64)["ok"]
    True
    """
    n = tape.n_inputs
    if len(tape.outputs) != n:
        raise CertificateRejected(f"a gradient field needs {n} components, got {len(tape.outputs)}")
    with arb_precision(prec):
        X = box_balls(centers, radii)
        y = [flint.arb(flint.fmpq(c)) for c in centers]
        try:
            gy = [j.value for j in evaluate(tape, y, order=0)]
            jets = evaluate(tape, X, order=1)
        except NotAnalyticOnBox as exc:
            return {"ok": False, "stage": "analytic", "refused": True,
                    "reason": f"refused: the box meets a point where the gradient is not analytic ({exc})"}
        J = flint.arb_mat([dense_gradient(j, n) for j in jets])
        K = krawczyk_operator(y, gy, J, C, X)
        if not _inside(K, centers, radii):
            return {"ok": False, "stage": "krawczyk", "K": K,
                    "reason": ("Krawczyk's operator does not map the box into its interior: the box may contain "
                               "no critical point, several, or be too large for this precision")}
        if want_min and not interval_pd(J, C):
            return {"ok": False, "stage": "hessian", "K": K,
                    "reason": "exactly one critical point in the box, but the Hessian is not proven positive "
                              "definite on it"}
    return {"ok": True, "stage": "done", "K": K, "J": J, "reason": "exactly one critical point in the box"}


def recheck_spurious_minimum(inputs: dict[str, Any], evidence: dict[str, Any], prec: int) -> dict[str, Any]:
    """Re-run :func:`spurious_minimum_check` from a certificate's ``inputs`` and ``evidence`` alone.

    Reads ``inputs["loss_dag"]`` (decoded strictly), ``centers``, ``radii``, ``better`` or ``global_value``
    and ``evidence["C"]`` (rational rows or a float64 record). Malformed data raise
    :class:`~proofkit.errors.CertificateRejected`.

    Guarantee
    ---------
    As :func:`spurious_minimum_check`; nothing computed by the certifier is trusted except as the data of
    the test (the box, C and the better point).
    """
    from proofkit.kernel.dag import decode_dag

    try:
        dag = decode_dag(inputs["loss_dag"], n_outputs=1)
        n = len(dag.inputs)
        centers = [parse_rational(c, "centre") for c in inputs["centers"]]
        radii = [parse_rational(r, "radius") for r in inputs["radii"]]
        if len(centers) != n or len(radii) != n:
            raise CertificateRejected("the box does not match the loss's inputs")
        C = decode_matrix(evidence["C"], n)
        if inputs.get("compare") == "better_point":
            better = [parse_rational(v, "better point") for v in inputs["better"]]
            if len(better) != n:
                raise CertificateRejected("the better point does not match the loss's inputs")
            return spurious_minimum_check(Tape(dag), centers, radii, C, prec, better=better)
        return spurious_minimum_check(Tape(dag), centers, radii, C, prec,
                                      global_value=parse_rational(inputs["global_value"], "global value"))
    except (KeyError, TypeError) as exc:
        raise CertificateRejected(f"malformed spurious-minimum data ({exc!r})") from None


def recheck_critical_point(inputs: dict[str, Any], evidence: dict[str, Any], prec: int, *,
                           want_min: bool) -> dict[str, Any]:
    """Re-run :func:`critical_point_check` from a certificate's ``inputs["gradient_dag"]``, box and ``C``.

    For ``want_min`` the caller must also establish that the field is a gradient (the kernel's symbolic
    symmetry test of the Jacobian); this function checks the zero and the definiteness only.

    Guarantee
    ---------
    As :func:`critical_point_check`.
    """
    from proofkit.kernel.dag import decode_dag

    try:
        dag = decode_dag(inputs["gradient_dag"])
        n = len(dag.inputs)
        if len(dag.outputs) != n:
            raise CertificateRejected("the gradient DAG needs one output per input")
        centers = [parse_rational(c, "centre") for c in inputs["centers"]]
        radii = [parse_rational(r, "radius") for r in inputs["radii"]]
        if len(centers) != n or len(radii) != n:
            raise CertificateRejected("the box does not match the gradient's inputs")
        return critical_point_check(Tape(dag), centers, radii, decode_matrix(evidence["C"], n), prec,
                                    want_min=want_min)
    except (KeyError, TypeError) as exc:
        raise CertificateRejected(f"malformed critical-point data ({exc!r})") from None
