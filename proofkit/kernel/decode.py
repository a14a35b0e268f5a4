"""The kernel's one decoder: strict JSON and one schema reader with a precise schema for every field.

Every certificate passes through :func:`parse_json` (no duplicate keys, no non-finite numbers, floats only
where a schema says ``"float"``, bounded size) and :func:`read` (exact key sets, types, shapes, exact
numerals, matrix records, stored expressions). Anything else raises
:class:`~proofkit.errors.CertificateRejected` naming the path of the offending field, so that the rules behind
the door may assume well-formed data.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import flint

from proofkit.errors import CertificateRejected
from proofkit.kernel import engine
from proofkit.kernel.cost import arb_function, arb_op, charge, note_tier
from proofkit.kernel.dag import Dag, decode_dag, parse_rational

__all__ = ["parse_json", "read", "reject", "Matrix", "read_matrix", "read_floats", "read_preconditioner", "ball_text",
           "FloatLiteral", "MAX_TEXT", "evaluation_cost"]

MAX_TEXT = 50_000_000
_SMALL_INT = re.compile(r"0|-?[1-9][0-9]{0,17}")  # canonical integers below 10^18 in absolute value
_SMALL_INT_ROW = re.compile(r"(0|-?[1-9][0-9]{0,17})(,(0|-?[1-9][0-9]{0,17}))*")  # such integers joined by commas
_DYADIC = re.compile(r"(-?(?:0|[1-9][0-9]{0,3000}))\*2\^(-?(?:0|[1-9][0-9]{0,6}))")
_HEX = re.compile(r"[0-9a-f]{64}")


def reject(msg: str) -> CertificateRejected:
    return CertificateRejected(f"certificate rejected: {msg}")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise reject(f"duplicate key {k!r}")
        out[k] = v
    return out


def _no_constant(name: str) -> Any:
    raise reject(f"non-finite number {name} in JSON")


class FloatLiteral(str):
    """A JSON float literal, kept as its text: accepted only where the schema says ``"float"`` (timings)."""


def parse_json(text: str | bytes) -> Any:
    """JSON with duplicate keys, NaN/Infinity rejected and floats kept as text (the format writes numbers as
    strings)."""
    if isinstance(text, bytes):
        text = text.decode("utf-8")
    if len(text) > MAX_TEXT:
        raise reject("certificate text too large")
    charge(2e-8 * len(text), "parsing the JSON")
    return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant, parse_float=FloatLiteral)


def ball_text(x: flint.arb) -> str:
    return x.str(20, radius=True)


def _dyadic(s: Any, path: str) -> flint.arb:
    m = _DYADIC.fullmatch(s) if isinstance(s, str) else None
    if m is None:
        raise reject(f"{path}: not an exact dyadic numeral 'm*2^e': {str(s)[:40]!r}")
    man, exp = flint.fmpz(m.group(1)), int(m.group(2))
    if abs(exp) > 10**6:
        raise reject(f"{path}: exponent out of range")
    with flint.ctx.workprec(man.bit_length() + 16):
        return flint.arb(man) * flint.arb(2) ** exp  # exact: scaling by a power of two


def _ball(d: Any, path: str) -> flint.arb:
    if not isinstance(d, dict) or set(d) != {"mid", "rad", "text"}:
        raise reject(f"{path}: a ball needs exactly the keys mid, rad, text")
    mid, rad = _dyadic(d["mid"], path + ".mid"), _dyadic(d["rad"], path + ".rad")
    if rad < 0:
        raise reject(f"{path}: negative radius")
    bits = mid.mid().man_exp()[0].bit_length() if not mid.is_zero() else 0
    with flint.ctx.workprec(max(64, bits + 16)):
        ball = flint.arb(mid, rad)
    if d["text"] != ball_text(ball):
        raise reject(f"{path}: the text {d['text']!r} is not the ball's own rendering")
    return ball


def _data(value: Any, path: str, depth: int = 0) -> Any:
    """Plain JSON data (strings, integers, booleans, null, lists and maps of them), at most 32 levels deep."""
    if depth > 32:
        raise reject(f"{path}: nested too deeply")
    if isinstance(value, dict):
        return {k: _data(v, f"{path}.{k}", depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [_data(v, f"{path}[{i}]", depth + 1) for i, v in enumerate(value)]
    if value is None or type(value) in (str, int, bool):
        return value
    raise reject(f"{path}: expected plain JSON data (no floats)")


def read(value: Any, spec: Any, path: str, nested: Callable[[Any], Any] | None = None) -> Any:
    """Check ``value`` against ``spec`` and return it decoded.

    Specs: ``"int"``, ``"nat"`` (int >= 0), ``"bool"``, ``"str"``, ``"q"`` (exact rational), ``"ball"``,
    ``"dag"``, ``"hash"``, ``"matrix"``, ``"floats"`` (a float64 record as an array), ``"f64"`` (an exact rational
    that is a float64 number), ``"precond"`` (Krawczyk's C), ``"float"``, ``"data"`` (plain JSON data),
    ``"cert"`` (a nested certificate, decoded by ``nested``), ``"object"`` (a JSON object whose fields a later
    schema reads); ``("list", spec)``, ``("opt", spec)`` (null
    allowed), ``("map", spec)`` (str keys), ``("one", a, b, ...)`` (one of these literals),
    ``("either", spec1, spec2)`` and dicts (exact keys; a key ending in ``?`` is optional).
    """
    if isinstance(spec, dict):
        if not isinstance(value, dict):
            raise reject(f"{path}: expected an object")
        keys = {k.rstrip("?") for k in spec}
        required = {k for k in spec if not k.endswith("?")}
        if not required <= set(value) or not set(value) <= keys:
            raise reject(f"{path}: expected the keys {sorted(keys)}, got {sorted(value)[:20]}")
        return {k.rstrip("?"): read(value[k.rstrip("?")], s, f"{path}.{k.rstrip('?')}", nested)
                for k, s in spec.items() if k.rstrip("?") in value}
    if isinstance(spec, tuple):
        kind = spec[0]
        if kind == "opt":
            return None if value is None else read(value, spec[1], path, nested)
        if kind == "one":
            if not any(type(value) is type(v) and value == v for v in spec[1:]):
                raise reject(f"{path}: expected one of {spec[1:]}, got {str(value)[:40]!r}")
            return value
        if kind == "either":
            try:
                return read(value, spec[1], path, nested)
            except CertificateRejected:
                return read(value, spec[2], path, nested)
        if kind in ("list", "map"):
            if not isinstance(value, list if kind == "list" else dict):
                raise reject(f"{path}: expected a {'list' if kind == 'list' else 'object'}")
            if kind == "list":
                return [read(v, spec[1], f"{path}[{i}]", nested) for i, v in enumerate(value)]
            return {k: read(v, spec[1], f"{path}.{k}", nested) for k, v in value.items()}
    if spec == "float":
        number = float(value) if isinstance(value, FloatLiteral) or type(value) is int else -1.0
        if not 0 <= number < float("inf"):
            raise reject(f"{path}: expected a finite non-negative number")
        return number
    if spec in ("int", "nat"):
        if type(value) is not int or (spec == "nat" and value < 0) or abs(value) > 10**9:
            raise reject(f"{path}: expected {'a non-negative ' if spec == 'nat' else 'an '}integer")
        return value
    if spec in ("bool", "str"):
        if type(value) is not {"bool": bool, "str": str}[spec]:
            raise reject(f"{path}: expected a {spec}")
        return value
    if spec == "object":
        if not isinstance(value, dict):
            raise reject(f"{path}: expected an object")
        return value
    if spec == "hash":
        if not isinstance(value, str) or not _HEX.fullmatch(value):
            raise reject(f"{path}: expected a SHA-256 hex digest")
        return value
    readers = {"q": parse_rational, "ball": _ball, "matrix": read_matrix, "data": _data, "floats": read_floats,
               "f64": _float_number,
               "dag": lambda v, p: _dag(v, p), "precond": lambda v, p: read_preconditioner(v, p)}
    if spec in readers:
        return readers[spec](value, path)
    if spec == "cert" and nested is not None:
        return nested(value)
    raise reject(f"{path}: unknown spec {spec!r}")  # pragma: no cover


def _dag(value: Any, path: str) -> Dag:
    try:
        return decode_dag(value)
    except CertificateRejected as exc:
        raise reject(f"{path}: {str(exc).removeprefix('certificate rejected: ')}") from None


def evaluation_cost(tape: engine.Tape, order: int, prec: int) -> float:
    """Estimated seconds of one evaluation of ``tape`` (each node's derivative blocks over its support)."""
    cached = getattr(tape, "_kernel_cost", None)
    if cached is None:
        sizes = [len(s) for s in tape.support]
        functions = sum(1 for nd in tape.nodes if nd[0] in engine.SMOOTH_UNARY or (nd[0] == "pow" and nd[2].q != 1))
        # a power x^(p/r) is x^p (or root(x, r)^p) by squaring and multiplying: up to 2 products per bit of p, for
        # the value and the two derivatives (computed together)
        products = sum(6 * abs(int(nd[2].p)).bit_length() for nd in tape.nodes if nd[0] == "pow")
        cached = tape._kernel_cost = (len(sizes) + products, sum(sizes), sum(s * s for s in sizes), functions)
    nodes, s1, s2, functions = cached
    return arb_op(prec) * (nodes + (s1 if order >= 1 else 0) + (s2 if order >= 2 else 0)) + \
        arb_function(prec) * functions * (3 if order else 1)  # (a derivative needs two or three more functions)


class Matrix:
    """A decoded stored matrix: ``shape``, ``kind``, ``exact`` (fmpq_mat or None) and Arb enclosures on demand."""

    def __init__(self, shape: tuple[int, int], kind: str, exact: flint.fmpq_mat | None = None,
                 balls: list | None = None, dag: Dag | None = None, floats: Any = None,
                 view: tuple[Matrix, list[int], list[int]] | None = None) -> None:
        self.shape, self.kind, self.exact, self.balls, self.dag, self._floats = shape, kind, exact, balls, dag, floats
        self.view = view

    def minor(self, rows: list[int], cols: list[int]) -> Matrix:
        """The submatrix on ``rows`` and ``cols`` (exact when this matrix is)."""
        exact = None if self.exact is None else flint.fmpq_mat([[self.exact[i, j] for j in cols] for i in rows])
        return Matrix((len(rows), len(cols)), self.kind, exact, view=(self, rows, cols))

    def floats(self) -> Any:
        """The float64 array of a ``float64`` record."""
        return self._floats.reshape(self.shape)

    @property
    def square(self) -> bool:
        return self.shape[0] == self.shape[1]

    def arb(self, prec: int) -> flint.arb_mat:
        """An enclosure of the matrix (every entry's ball contains the true entry)."""
        m, n = self.shape
        charge(arb_op(prec) * m * n, "enclosing a matrix")
        note_tier("arb")
        if self.view is not None and self.exact is None:
            parent, rows, cols = self.view
            B = parent.arb(prec)
            return flint.arb_mat([[B[i, j] for j in cols] for i in rows])
        with flint.ctx.workprec(prec):
            if self.exact is not None:  # entries rounded outward at prec
                return flint.arb_mat(self.exact)
            if self.balls is not None:
                return flint.arb_mat(self.balls)
        tape = engine.Tape(self.dag)
        charge(evaluation_cost(tape, 0, prec), "evaluating the matrix entries")
        try:
            vals = [j.value for j in engine.evaluate(tape, [], order=0, value_only=True, prec=prec)]
        except ValueError as exc:
            raise reject(f"a matrix entry: {exc}") from None
        with flint.ctx.workprec(prec):
            return flint.arb_mat([vals[i * n:(i + 1) * n] for i in range(m)])


def read_matrix(rec: Any, path: str) -> Matrix:
    """Decode a matrix record of kind ``float64`` (base64 little-endian), ``rational``, ``balls`` or ``dag``."""
    if not isinstance(rec, dict) or set(rec) != {"kind", "shape", "entries"}:
        raise reject(f"{path}: a matrix record has exactly the keys kind, shape, entries")
    kind = read(rec["kind"], ("one", "float64", "rational", "balls", "dag"), path + ".kind")
    shape = read(rec["shape"], ("list", "nat"), path + ".shape")
    entries = rec["entries"]
    if len(shape) != 2 or shape[0] < 1 or shape[1] < 1 or shape[0] * shape[1] > 4_000_000:
        raise reject(f"{path}.shape: expected [m, n] with m, n >= 1")
    m, n = shape
    charge(1e-6 * m * n, "decoding a matrix")
    if kind == "float64":
        arr = _float64(entries, m * n, f"{path}.entries")
        exact = flint.fmpq_mat(m, n, [flint.fmpq(*v.as_integer_ratio()) for v in arr.tolist()])
        return Matrix((m, n), kind, exact, floats=arr)
    if kind == "dag":
        dag = read(entries, "dag", f"{path}.entries")
        if dag.inputs or len(dag.outputs) != m * n:
            raise reject(f"{path}.entries: expected {m * n} constant expressions")
        return Matrix((m, n), kind, dag=dag)
    if kind == "rational":
        if not isinstance(entries, list) or len(entries) != m or any(not isinstance(r, list) or len(r) != n
                                                                      for r in entries):
            raise reject(f"{path}.entries: not a {m}x{n} matrix")
        ints = _small_int_rows(entries, n)
        if ints is not None:
            return Matrix((m, n), kind, flint.fmpq_mat(flint.fmpz_mat(ints)))
        # (small integers, written canonically, straight to int; every other entry through the full parser)
        return Matrix((m, n), kind, flint.fmpq_mat([[int(v) if type(v) is str and _SMALL_INT.fullmatch(v) else
                                                     read(v, "q", f"{path}.entries[{i}][{j}]") for j, v in enumerate(r)]
                                                    for i, r in enumerate(entries)]))
    rows = read(entries, ("list", ("list", "ball")), f"{path}.entries")
    if len(rows) != m or any(len(r) != n for r in rows):
        raise reject(f"{path}.entries: not a {m}x{n} matrix")
    return Matrix((m, n), kind, balls=rows)


def _small_int_rows(rows: list[list[Any]], n: int) -> list[list[int]] | None:
    """The rows as ints when every entry is a canonical integer string below 10^18 in absolute value (each row
    joined by commas is one match of :data:`_SMALL_INT_ROW`, with exactly ``n - 1`` commas: no entry holds one),
    else None (the entry-by-entry reader decides)."""
    out = []
    for r in rows:
        if not all(type(v) is str for v in r):
            return None
        s = ",".join(r)
        if s.count(",") != n - 1 or not _SMALL_INT_ROW.fullmatch(s):
            return None
        out.append(list(map(int, r)))
    return out


def _float64(entries: Any, size: int, path: str) -> Any:
    """``size`` finite float64 numbers from base64 text (little-endian), as a numpy array."""
    import numpy as np

    if not isinstance(entries, str) or len(entries) > 4 * (8 * size + 2) // 3 + 4:
        raise reject(f"{path}: expected base64 text of {size} float64 numbers")
    try:
        raw = base64.b64decode(entries, validate=True)
    except (binascii.Error, ValueError):
        raise reject(f"{path}: invalid base64") from None
    arr = np.frombuffer(raw, dtype="<f8") if len(raw) % 8 == 0 else None
    if arr is None or arr.size != size or not np.all(np.isfinite(arr)):
        raise reject(f"{path}: not {size} finite float64 numbers")
    return arr


def read_floats(rec: Any, path: str) -> Any:
    """A float64 record ``{"kind": "float64", "shape": [m] or [m, n], "entries": base64}`` as a numpy array."""
    if not isinstance(rec, dict) or set(rec) != {"kind", "shape", "entries"} or rec["kind"] != "float64":
        raise reject(f"{path}: a float64 record has exactly the keys kind (float64), shape, entries")
    shape = read(rec["shape"], ("list", "nat"), path + ".shape")
    if len(shape) not in (1, 2) or min(shape) < 1 or (shape[0] if len(shape) == 1 else shape[0] * shape[1]) > 4_000_000:
        raise reject(f"{path}.shape: expected [m] or [m, n] with m, n >= 1")
    size = shape[0] if len(shape) == 1 else shape[0] * shape[1]
    charge(1e-7 * size, "decoding float64 numbers")
    return _float64(rec["entries"], size, f"{path}.entries").reshape(shape)


def _float_number(value: Any, path: str) -> float:
    """An exact rational that is a float64 number, as that float."""
    q = parse_rational(value, path)
    try:
        f = float(Fraction(int(q.p), int(q.q)))  # (correctly rounded; checked exact below)
    except OverflowError:
        f = math.inf
    if not math.isfinite(f) or flint.fmpq(*f.as_integer_ratio()) != q:
        raise reject(f"{path}: expected a float64 number written exactly")
    return f


def read_preconditioner(raw: Any, path: str) -> flint.fmpq_mat:
    """Krawczyk's matrix C (any exact matrix is sound): a float64 or rational matrix record, or rows of exact
    rationals (the first schema's form)."""
    if isinstance(raw, dict):
        M = read_matrix(raw, path)
        if M.kind not in ("float64", "rational"):
            raise reject(f"{path}: expected a float64 or rational matrix")
        return M.exact
    rows = read(raw, ("list", ("list", "q")), path)
    if not rows or any(len(row) != len(rows[0]) for row in rows) or not rows[0]:
        raise reject(f"{path}: expected a non-empty matrix")
    return flint.fmpq_mat(rows)
