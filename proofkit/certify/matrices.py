"""One representation for every matrix a certifier accepts.

Accepted: numpy arrays and nested lists of ints, floats (their exact binary
values), Fractions or sympy Rationals; sympy matrices whose entries are exact
constants (rational or transcendental, e.g. ``exp(1)/3``), evaluated with Arb;
symbolic matrices evaluated at a point (``matrix_at``); and enclosures given as
python-flint ``arb_mat`` or lists of ``arb`` balls.

A :class:`CertMatrix` knows whether it is exact (all entries rational), whether
it is exactly representable in float64, and how to enclose itself in Arb at
any precision.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Sequence
from functools import cached_property
from typing import Any

import flint
import numpy as np
import sympy

from proofkit.certificate import arb_to_data, float64_hash, fmpq_to_str, input_hash
from proofkit.convert import approx_float, exact_point, expr_matrix, matrix_input
from proofkit.errors import InvalidInput, NotSymmetric, ShapeMismatch
from proofkit.numeric.contexts import ArbContext, NotAnalyticHere, arb_precision, to_fmpq
from proofkit.numeric.program import compile_program

__all__ = ["CertMatrix", "as_cert_matrix", "matrix_at", "matrix_record", "STORE_LIMIT"]

#: Matrices with at most this many entries are stored inside certificates.
STORE_LIMIT = 10000


class CertMatrix:
    """A matrix as exact rationals, float64 values, or Arb enclosures (whichever applies).

    Use :func:`as_cert_matrix` to build one.
    """

    def __init__(self, *, exact: list[list[flint.fmpq]] | None = None,
                 floats: np.ndarray | None = None, balls: Any = None,
                 symbolic: sympy.Matrix | None = None, shape: tuple[int, int]) -> None:
        self._exact_given = exact
        self._floats = floats
        self._balls = balls
        self._symbolic = symbolic
        self.shape = shape

    def __repr__(self) -> str:
        """Shape, kind of entries and the entries (a corner when large)."""
        from proofkit.printing.display import cert_matrix_text

        return cert_matrix_text(self)

    def _repr_latex_(self) -> str:
        from proofkit.printing.display import cert_matrix_latex

        return cert_matrix_latex(self)

    @property
    def n(self) -> int:
        return self.shape[0]

    @property
    def is_exact(self) -> bool:
        """All entries are known exactly as rationals (float64 entries are exact binary rationals)."""
        return self._exact_given is not None or self._floats is not None

    @property
    def is_float(self) -> bool:
        """All entries are exactly float64 numbers (the fast verified path applies)."""
        return self.floats_exact is not None

    @cached_property
    def _exact(self) -> list[list[flint.fmpq]] | None:
        if self._exact_given is not None:
            return self._exact_given
        if self._floats is not None:
            return [[to_fmpq(v) for v in row] for row in self._floats.tolist()]
        return None

    @cached_property
    def floats_exact(self) -> np.ndarray | None:
        """The float64 array if every entry is exactly a float64, else None."""
        if self._floats is not None:
            return self._floats
        if self._exact_given is None:
            return None
        arr = np.empty(self.shape)
        for i, row in enumerate(self._exact_given):
            for j, q in enumerate(row):
                f = approx_float(q)
                if not math.isfinite(f) or to_fmpq(f) != q:
                    return None
                arr[i, j] = f
        return arr

    def approx(self) -> np.ndarray:
        """A finite float64 approximation, scaled by a power of 2 when entries exceed the float range
        (for searches only: pivot choices and eigenvectors do not depend on the scale)."""
        if self._floats is not None:
            return self._floats
        if self.floats_exact is not None:
            return self.floats_exact
        if self._exact is not None:
            entries = [[q for q in row] for row in self._exact]
        else:
            B = self.arb(64)
            entries = [[B[i, j].mid() for j in range(self.shape[1])] for i in range(self.shape[0])]
        arr = np.array([[_approx(v) for v in row] for row in entries])
        if np.all(np.isfinite(arr)):
            return arr
        top = max(_log2_size(v) for row in entries for v in row)
        scale = top - 900
        return np.array([[_approx(v, scale) for v in row] for row in entries])

    def fmpq_mat(self) -> flint.fmpq_mat:
        if self._exact is None:
            raise InvalidInput("A", "an exactly representable matrix", "a matrix known only by enclosures")
        return flint.fmpq_mat(self._flint)

    @cached_property
    def _flint(self) -> flint.fmpq_mat:
        """The exact matrix as FLINT's (built once; :meth:`fmpq_mat` hands out copies)."""
        return flint.fmpq_mat(self._exact)

    def arb(self, prec: int) -> flint.arb_mat:
        """An Arb enclosure of the matrix at ``prec`` bits (exact entries are rounded outward)."""
        with arb_precision(prec):
            if self._floats is not None:
                return flint.arb_mat(self._floats.tolist())
            if self._exact is not None:
                return flint.arb_mat([[flint.arb(q) for q in row] for row in self._exact])
            if self._balls is not None:
                return flint.arb_mat([[self._balls[i][j] for j in range(self.shape[1])]
                                      for i in range(self.shape[0])])
            flat = compile_program(list(self._symbolic), [], "A").run(ArbContext(prec), [])
            c = self.shape[1]
            return flint.arb_mat([flat[i * c:(i + 1) * c] for i in range(self.shape[0])])

    @property
    def exactness(self) -> str:
        if self._floats is not None:
            return "float64"
        if self._exact is not None:
            return "exact"
        if self._balls is not None:
            return "enclosure"
        return "symbolic constants"

    def record(self) -> dict[str, Any]:
        """The matrix as exact data (float64 bytes, rationals, balls or an expression DAG) for a certificate
        (built once: the certificate and its hash share it)."""
        return self._record

    @cached_property
    def _record(self) -> dict[str, Any]:
        if self._floats is not None:
            data: Any = base64.b64encode(np.ascontiguousarray(self._floats, dtype="<f8").tobytes()).decode()
            return {"kind": "float64", "shape": list(self.shape), "entries": data}
        if self._exact is not None:
            data = _integer_rows_text(self._flint)
            if data is None:
                data = [[fmpq_to_str(q) for q in row] for row in self._exact]
            kind = "rational"
        elif self._balls is not None:
            data = [[arb_to_data(self._balls[i][j]) for j in range(self.shape[1])] for i in range(self.shape[0])]
            kind = "balls"
        else:
            from proofkit.symbolic.dag import to_dag

            data = to_dag(list(self._symbolic), [])  # row-major, exact numerals
            kind = "dag"
        return {"kind": kind, "shape": list(self.shape), "entries": data}

    @cached_property
    def hash(self) -> str:
        """The hash the certificate records (equal to ``matrix_hash(self.record())``)."""
        if self._floats is not None:
            return float64_hash(list(self.shape), np.ascontiguousarray(self._floats, dtype="<f8").tobytes())
        return input_hash(self.record())

    def require_square(self, argument: str = "A") -> None:
        if self.shape[0] != self.shape[1]:
            raise ShapeMismatch(argument, "a square matrix", f"shape {self.shape[0]}x{self.shape[1]}")

    def require_symmetric(self, argument: str = "A") -> None:
        """Raise :class:`NotSymmetric` unless the matrix is symmetric (exactly, or as enclosures that overlap)."""
        self.require_square(argument)
        n = self.n
        if self._floats is not None:
            diff = np.argwhere(self._floats != self._floats.T)
            bad = tuple(int(v) for v in diff[0]) if len(diff) else None
        elif self._exact is not None:
            bad = next(((i, j) for i in range(n) for j in range(i + 1, n) if self._exact[i][j] != self._exact[j][i]),
                       None)
        elif self._balls is not None:  # enclosures: the claim is about the symmetric matrices inside them
            B = self.arb(128)
            bad = next(((i, j) for i in range(n) for j in range(i + 1, n) if not B[i, j].overlaps(B[j, i])), None)
        else:
            bad = None
            for i in range(n):
                for j in range(i + 1, n):
                    same = _same_constant(self._symbolic[i, j], self._symbolic[j, i])
                    if same is None:
                        raise NotSymmetric(argument, "a symmetric matrix whose symmetry can be decided exactly",
                                           f"entries ({i}, {j}) and ({j}, {i}) agree to {SYMMETRY_PREC} bits but "
                                           "are not provably equal (give them as the same expression)")
                    if not same:
                        bad = (i, j)
                        break
                if bad is not None:
                    break
        if bad is not None:
            i, j = bad
            raise NotSymmetric(argument, "a symmetric matrix (it is not symmetrised silently)",
                               f"entries ({i}, {j}) and ({j}, {i}) differ")


#: The highest precision (bits) at which two exact constant entries are compared before symmetry is refused.
SYMMETRY_PREC = 8192


def _same_constant(a: sympy.Expr, b: sympy.Expr) -> bool | None:
    """Whether two exact constant expressions are equal: True (identical, or their difference simplifies to 0),
    False (an Arb enclosure of the difference excludes 0), None (undecided up to :data:`SYMMETRY_PREC` bits)."""
    if a == b:
        return True
    prec = 128
    while prec <= SYMMETRY_PREC:
        try:
            (d,) = compile_program([a - b], [], "A").run(ArbContext(prec), [])
        except (NotAnalyticHere, ZeroDivisionError, ValueError):
            break
        if d.is_finite() and (d > 0 or d < 0):
            return False
        prec *= 4
    try:
        return True if sympy.simplify(a - b) == 0 else None
    except Exception:  # sympy's simplification failing decides nothing
        return None


def _approx(v: Any, scale: int = 0) -> float:
    """float(v / 2^scale) for an fmpq or an arb midpoint (inf on overflow)."""
    if isinstance(v, flint.fmpq):
        return approx_float(v / flint.fmpq(2) ** scale if scale else v)
    w = v / flint.arb(2) ** scale if scale else v
    with arb_precision(64):
        f = float(w.mid())
    return f


def _log2_size(v: Any) -> int:
    """An upper bound on log2 |v| (v an fmpq or an exact arb midpoint)."""
    if isinstance(v, flint.fmpq):
        return int(abs(v.p).bit_length() - abs(v.q).bit_length() + 1) if v != 0 else -10**9
    m, e = v.mid().man_exp()
    return int(abs(int(m)).bit_length() + int(e)) if m != 0 else -10**9


def as_cert_matrix(A: Any, argument: str = "A") -> CertMatrix:
    """Normalise a matrix argument (:func:`proofkit.convert.matrix_input`) into a :class:`CertMatrix`.

    Integer arrays of every dtype stay exact (never rounded through float64),
    float arrays are their exact binary values; NaN/inf, complex, longdouble,
    ragged or empty input raise named errors.

    Examples
    --------
    >>> M = as_cert_matrix([[1, 0.5], [2, 3]])
    >>> M.is_exact, M.is_float, M.shape
    (True, True, (2, 2))
    """
    if isinstance(A, CertMatrix):
        return A
    inp = matrix_input(A, argument)
    if inp.kind == "float64":
        return CertMatrix(floats=inp.floats, shape=inp.shape)
    if inp.kind == "exact":
        return CertMatrix(exact=inp.exact, shape=inp.shape)
    if inp.kind == "balls":
        return CertMatrix(balls=inp.balls, shape=inp.shape)
    return CertMatrix(symbolic=inp.symbolic, shape=inp.shape)


def matrix_at(M: Any, point: dict[Any, Any] | Sequence[Any], symbols: Sequence[Any] | None = None,
              prec: int = 128) -> CertMatrix:
    """Enclose a symbolic matrix at a point (exact rationals or balls) with Arb.

    Parameters
    ----------
    M : sympy Matrix or LazyMatrix
        Entries in the symbols.
    point : dict or sequence
        Values (exact numbers or ``arb`` balls); a sequence follows ``symbols``.
    symbols : sequence, optional
        The order of a sequence ``point`` (default: ``M.symbols`` for a LazyMatrix).
    prec : int
        Arb precision in bits.
    """
    if isinstance(point, dict):
        symbols = list(point)
        values = exact_point([point[s] for s in symbols], len(symbols), "point", allow_balls=True)
    else:
        if symbols is None:
            symbols = getattr(M, "symbols", None)
        if symbols is None:
            raise InvalidInput("symbols", "the order of the point's coordinates", "None")
        values = exact_point(point, len(symbols), "point", allow_balls=True)
    rows = None
    if hasattr(M, "evaluate") and list(symbols) == list(M.symbols):
        try:
            rows = M.evaluate(values, ArbContext(prec))
        except (NotAnalyticHere, ZeroDivisionError) as exc:
            raise InvalidInput("point", "a point where every entry is defined", str(exc)) from None
    try:
        if rows is None:
            S = expr_matrix(M, "M")
            flat = compile_program(list(S), symbols, "M").run(ArbContext(prec), values)
            rows = [flat[i * S.cols:(i + 1) * S.cols] for i in range(S.rows)]
    except (NotAnalyticHere, ZeroDivisionError) as exc:
        raise InvalidInput("point", "a point where every entry is defined", str(exc)) from None
    bad = next(((i, j) for i, r in enumerate(rows) for j, v in enumerate(r) if not v.is_finite()), None)
    if bad is not None:
        raise InvalidInput("point", "a point where every entry is finite (not a pole)",
                           f"entry {bad} evaluates to {rows[bad[0]][bad[1]]}")
    return as_cert_matrix(rows)


def matrix_record(A: Any) -> dict[str, Any]:
    """The exact record of a matrix, as stored in certificates (for re-checking large ones)."""
    return as_cert_matrix(A).record()


def _integer_rows_text(exact: Any) -> list[list[str]] | None:
    """The rows as decimal strings when ``exact`` is an ``fmpq_mat`` of integers (FLINT writes each entry, the
    same text as :func:`~proofkit.certificate.fmpq_to_str`), else None."""
    if not isinstance(exact, flint.fmpq_mat) or not all(q.q == 1 for q in exact.entries()):
        return None  # (FLINT's common denominator of many different denominators would be huge: never asked for)
    A = exact.numer_denom()[0]
    e, n = A.entries(), A.ncols()
    long = max(max(e), -min(e)).bit_length() > 14000  # (Python prints at most 4300 digits of an int; FLINT any)
    e = list(map(str, e if long else map(int, e)))  # (Python's int printing of short ones: the same text, faster)
    return [e[i * n:(i + 1) * n] for i in range(A.nrows())]
