"""The kernel's door: strict decoding of certificate JSON into checked Python values.

Every certificate passes through :func:`parse_json` (no duplicate keys, no
non-finite numbers, bounded size) and :func:`read` (a small schema language:
exact key sets, types, shapes, exact numerals). Anything else raises
:class:`CertificateRejected` naming the path of the offending field, so the
rules behind the door may assume well-formed data.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Any

import flint

from proofkit.errors import CertificateRejected
from proofkit.kernel.dag import Dag, decode_dag, parse_rational

__all__ = ["parse_json", "read", "reject", "Matrix", "read_matrix", "read_preconditioner", "ball_text", "FloatLiteral"]

MAX_TEXT = 50_000_000
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


def parse_json(text: str | bytes) -> Any:
    """JSON with duplicate keys, NaN/Infinity and floats rejected (the format writes numbers as strings)."""
    if isinstance(text, bytes):
        text = text.decode("utf-8")
    if len(text) > MAX_TEXT:
        raise reject("certificate text too large")

    return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant, parse_float=FloatLiteral)


class FloatLiteral(str):
    """A JSON float literal, kept as its text: accepted only where the schema says ``"float"`` (timings)."""


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


def read(value: Any, spec: Any, path: str) -> Any:
    """Check ``value`` against ``spec`` and return it decoded.

    Specs: ``"int"``, ``"nat"`` (int >= 0), ``"bool"``, ``"str"``, ``"q"`` (exact rational), ``"ball"``,
    ``"dag"``, ``"hash"``, ``"matrix"``; ``("list", spec)``, ``("opt", spec)`` (null allowed),
    ``("map", spec)`` (str keys), ``("one", a, b, ...)`` (one of these literals), and dicts (exact keys;
    a key ending in ``?`` is optional).
    """
    if isinstance(spec, dict):
        if not isinstance(value, dict):
            raise reject(f"{path}: expected an object")
        keys = {k.rstrip("?") for k in spec}
        required = {k for k in spec if not k.endswith("?")}
        if not required <= set(value) or not set(value) <= keys:
            raise reject(f"{path}: expected the keys {sorted(keys)}, got {sorted(value)[:20]}")
        return {k.rstrip("?"): read(value[k.rstrip("?")], s, f"{path}.{k.rstrip('?')}")
                for k, s in spec.items() if k.rstrip("?") in value}
    if isinstance(spec, tuple):
        kind = spec[0]
        if kind == "opt":
            return None if value is None else read(value, spec[1], path)
        if kind == "one":
            if not any(type(value) is type(v) and value == v for v in spec[1:]):
                raise reject(f"{path}: expected one of {spec[1:]}, got {str(value)[:40]!r}")
            return value
        if kind == "list":
            if not isinstance(value, list):
                raise reject(f"{path}: expected a list")
            return [read(v, spec[1], f"{path}[{i}]") for i, v in enumerate(value)]
        if kind == "map":
            if not isinstance(value, dict):
                raise reject(f"{path}: expected an object")
            return {k: read(v, spec[1], f"{path}.{k}") for k, v in value.items()}
    if spec == "any":
        return value
    if spec == "float":
        if not isinstance(value, FloatLiteral) and type(value) is not int:
            raise reject(f"{path}: expected a number")
        return value
    if spec in ("int", "nat"):
        if type(value) is not int or (spec == "nat" and value < 0) or abs(value) > 10**9:
            raise reject(f"{path}: expected {'a non-negative ' if spec == 'nat' else 'an '}integer")
        return value
    if spec in ("bool", "str"):
        if type(value) is not {"bool": bool, "str": str}[spec]:
            raise reject(f"{path}: expected a {spec}")
        return value
    if spec == "hash":
        if not isinstance(value, str) or not _HEX.fullmatch(value):
            raise reject(f"{path}: expected a SHA-256 hex digest")
        return value
    if spec == "q":
        return parse_rational(value, path)
    if spec == "ball":
        return _ball(value, path)
    if spec == "dag":
        return decode_dag(value)
    if spec == "matrix":
        return read_matrix(value, path)
    raise reject(f"{path}: unknown spec {spec!r}")  # pragma: no cover


class Matrix:
    """A decoded stored matrix: ``shape``, ``exact`` (fmpq_mat or None) and Arb enclosures on demand."""

    def __init__(self, shape: tuple[int, int], exact: flint.fmpq_mat | None, balls: list | None,
                 dag: Dag | None, kind: str, floats: Any = None) -> None:
        self.shape, self.exact, self._balls, self._dag, self.kind = shape, exact, balls, dag, kind
        self._floats = floats

    def floats(self) -> Any:
        """The float64 array of a ``float64`` record."""
        return self._floats.reshape(self.shape)

    @property
    def square(self) -> bool:
        return self.shape[0] == self.shape[1]

    def arb(self, prec: int) -> flint.arb_mat:
        """An enclosure of the matrix (every entry's ball contains the true entry)."""
        m, n = self.shape
        with flint.ctx.workprec(prec):
            if self.exact is not None:  # entries rounded outward at prec
                return flint.arb_mat([[flint.arb(self.exact[i, j]) for j in range(n)] for i in range(m)])
            if self._balls is not None:
                return flint.arb_mat(self._balls)
        from proofkit.kernel.evaluate import evaluate

        vals = [j[0] for j in evaluate(self._dag, [], 0, prec)]
        with flint.ctx.workprec(prec):
            return flint.arb_mat([vals[i * n:(i + 1) * n] for i in range(m)])


def read_matrix(rec: Any, path: str) -> Matrix:
    """Decode a matrix record of kind ``float64`` (base64 little-endian), ``rational``, ``balls`` or ``dag``."""
    spec = {"kind": ("one", "float64", "rational", "balls", "dag"), "shape": ("list", "nat"), "entries": ("opt", "str")}
    if not isinstance(rec, dict) or set(rec) != {"kind", "shape", "entries"}:
        raise reject(f"{path}: a matrix record has exactly the keys kind, shape, entries")
    read({k: rec[k] for k in ("kind", "shape")}, {k: spec[k] for k in ("kind", "shape")}, path)
    kind, shape, entries = rec["kind"], rec["shape"], rec["entries"]
    if len(shape) != 2 or shape[0] < 1 or shape[1] < 1 or shape[0] * shape[1] > 4_000_000:
        raise reject(f"{path}.shape: expected [m, n] with m, n >= 1")
    m, n = shape
    if kind == "float64":
        import numpy as np

        if not isinstance(entries, str):
            raise reject(f"{path}.entries: expected base64 text")
        try:
            raw = base64.b64decode(entries, validate=True)
        except (binascii.Error, ValueError):
            raise reject(f"{path}.entries: invalid base64") from None
        arr = np.frombuffer(raw, dtype="<f8") if len(raw) % 8 == 0 else None
        if arr is None or arr.size != m * n or not np.all(np.isfinite(arr)):
            raise reject(f"{path}.entries: not {m}x{n} finite float64 numbers")
        exact = flint.fmpq_mat(m, n, [flint.fmpq(*v.as_integer_ratio()) for v in arr.tolist()])
        return Matrix((m, n), exact, None, None, kind, arr)
    if kind == "dag":
        dag = read(entries, "dag", f"{path}.entries")
        if dag.inputs or len(dag.outputs) != m * n:
            raise reject(f"{path}.entries: expected {m * n} constant expressions")
        return Matrix((m, n), None, None, dag, kind)
    rows = read(entries, ("list", ("list", "q" if kind == "rational" else "ball")), f"{path}.entries")
    if len(rows) != m or any(len(r) != n for r in rows):
        raise reject(f"{path}.entries: not a {m}x{n} matrix")
    if kind == "rational":
        return Matrix((m, n), flint.fmpq_mat(rows), None, None, kind)
    return Matrix((m, n), None, rows, None, kind)


def read_preconditioner(raw: Any, n: int, path: str) -> flint.fmpq_mat:
    """Krawczyk's matrix C (any exact matrix is sound): a float64 or rational matrix record, or n rows of
    exact rationals; it must be n x n."""
    if isinstance(raw, dict):
        M = read_matrix(raw, path)
        if M.kind not in ("float64", "rational") or M.exact is None:
            raise reject(f"{path}: expected a float64 or rational matrix")
        C = M.exact
    else:
        rows = read(raw, ("list", ("list", "q")), path)
        if len(rows) != n or any(len(row) != n for row in rows):
            raise reject(f"{path} must be {n} x {n}")
        C = flint.fmpq_mat(rows) if n else flint.fmpq_mat(0, 0)
    if C.nrows() != n or C.ncols() != n:
        raise reject(f"{path} must be {n} x {n}")
    return C

