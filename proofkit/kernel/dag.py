"""Strict decoding of stored expressions in the ``proofkit.dag/1`` format.

A certificate stores each expression (a loss, a gradient) as a directed acyclic graph of
numbered nodes with exact numerals, never as printed text: printing rounds floats and
parsing re-folds them. This module is the kernel's door for such graphs: :func:`decode_dag`
accepts exactly the documented format and raises
:class:`~proofkit.errors.CertificateRejected` for anything else (unknown keys or operations,
wrong arities, forward or out-of-range references, inexact or oversized numerals).

The format::

    {"format": "proofkit.dag/1",
     "inputs": ["x0", "x1"],
     "nodes": [["var", 0], ["var", 1], ["const", "-3/2"], ["mul", 0, 1], ["add", 3, 2], ["exp", 4]],
     "outputs": [5]}

Nodes are topologically ordered: every argument index refers to an earlier node. Leaves are
``["var", k]``, ``["const", "p/q"]`` (lowest terms, ``q > 0``, ``"p"`` for integers), ``["pi"]``
and ``["E"]``. Arithmetic: ``add`` and ``mul`` (two or more arguments) and
``["pow", a, "p/q"]`` with an exact rational exponent. Unary functions: see
:data:`UNARY_OPS`. Non-smooth: ``max``/``min`` (two or more arguments),
``["heaviside", a, "h0"]`` and ``["piecewise", v1, c1, v2, c2, ...]`` (the first true condition
wins). Conditions: ``lt``, ``le``, ``gt``, ``ge`` (two arguments), ``and``/``or`` (two or more),
``not``, ``true``, ``false``; they may appear only as piecewise conditions or inside other
conditions, and values may not be conditions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import flint

from proofkit.errors import CertificateRejected

__all__ = [
    "DAG_FORMAT",
    "UNARY_OPS",
    "NONSMOOTH_OPS",
    "CONDITION_OPS",
    "MAX_NUMERAL_DIGITS",
    "Dag",
    "decode_dag",
    "parse_rational",
]

DAG_FORMAT = "proofkit.dag/1"
UNARY_OPS = frozenset({"exp", "log", "sin", "cos", "tan", "tanh", "sinh", "cosh", "atan", "asin", "acos", "erf",
                       "abs", "sign"})
NONSMOOTH_OPS = frozenset({"abs", "sign", "max", "min", "heaviside", "piecewise"})
CONDITION_OPS = frozenset({"lt", "le", "gt", "ge", "and", "or", "not", "true", "false"})
MAX_NUMERAL_DIGITS = 20_000
"""Longest numerator or denominator (in decimal digits) a stored numeral may have."""

_RATIONAL = re.compile(r"-?(0|[1-9][0-9]*)(/[1-9][0-9]*)?")
_KEYS = {"format", "inputs", "nodes", "outputs"}


@dataclass(frozen=True)
class Dag:
    """A decoded expression graph: inputs, nodes (op first) and output node indices.

    ``nodes[i]`` is a tuple whose first entry is the operation; the other entries are indices
    of earlier nodes, except for ``var`` (an input index), ``const`` (a ``flint.fmpq``), the
    exponent of ``pow`` and the value at 0 of ``heaviside`` (both ``flint.fmpq``).
    """

    inputs: tuple[str, ...]
    nodes: tuple[tuple[Any, ...], ...]
    outputs: tuple[int, ...]


def _reject(msg: str) -> CertificateRejected:
    return CertificateRejected(f"certificate rejected: stored expression: {msg}")


def parse_rational(text: Any, what: str = "numeral") -> flint.fmpq:
    """Parse an exact rational written ``"p"`` or ``"p/q"`` in lowest terms with ``q > 0``.

    Raises :class:`~proofkit.errors.CertificateRejected` for anything else, including numerals
    longer than :data:`MAX_NUMERAL_DIGITS` digits and non-canonical forms such as ``"2/4"``,
    ``"+1"``, ``"1/1"`` or ``"0.5"``.

    Examples
    --------
    >>> parse_rational("-3/2")
    -3/2
    """
    if not isinstance(text, str) or len(text) > 2 * MAX_NUMERAL_DIGITS + 2 or not _RATIONAL.fullmatch(text) \
            or text.startswith("-0"):
        raise _reject(f"{what} {str(text)[:40]!r} is not an exact rational 'p' or 'p/q'")
    p_text, _, q_text = text.partition("/")
    if max(len(p_text.lstrip("-")), len(q_text)) > MAX_NUMERAL_DIGITS:
        raise _reject(f"{what} has more than {MAX_NUMERAL_DIGITS} digits")
    p, q = flint.fmpz(p_text), flint.fmpz(q_text or "1")  # no int(): Python limits int() to 4300 digits
    if q_text and (q == 1 or p.gcd(q) != 1):
        raise _reject(f"{what} {text[:40]!r} is not in lowest terms")
    return flint.fmpq(p, q)


def _index(arg: Any, i: int) -> int:
    if type(arg) is not int or not 0 <= arg < i:
        raise _reject(f"node {i} refers to {str(arg)[:20]!r}, which is not an earlier node")
    return arg


def _decode_node(node: Any, i: int, n_inputs: int, is_cond: list[bool]) -> tuple[Any, ...]:
    if not isinstance(node, list) or not node or not isinstance(node[0], str):
        raise _reject(f"node {i} is not a list starting with an operation name")
    op, args = node[0], node[1:]

    def arity(lo: int, hi: int | None = None) -> None:
        if len(args) < lo or (hi is not None and len(args) > hi):
            raise _reject(f"node {i} ({op}) has {len(args)} arguments")

    def values(idx: list[int]) -> None:
        if any(is_cond[j] for j in idx):
            raise _reject(f"node {i} ({op}) takes a condition where a value is needed")

    def conds(idx: list[int]) -> None:
        if not all(is_cond[j] for j in idx):
            raise _reject(f"node {i} ({op}) takes a value where a condition is needed")

    if op == "var":
        arity(1, 1)
        k = args[0]
        if type(k) is not int or not 0 <= k < n_inputs:
            raise _reject(f"node {i} refers to input {str(k)[:20]!r} of {n_inputs}")
        return ("var", k)
    if op == "const":
        arity(1, 1)
        return ("const", parse_rational(args[0], f"constant of node {i}"))
    if op in ("pi", "E", "true", "false"):
        arity(0, 0)
        return (op,)
    if op == "pow":
        arity(2, 2)
        a = _index(args[0], i)
        values([a])
        return ("pow", a, parse_rational(args[1], f"exponent of node {i}"))
    if op == "heaviside":
        arity(2, 2)
        a = _index(args[0], i)
        values([a])
        return ("heaviside", a, parse_rational(args[1], f"value at 0 of node {i}"))
    idx = [_index(a, i) for a in args]
    if op in UNARY_OPS:
        arity(1, 1)
        values(idx)
    elif op in ("add", "mul", "max", "min"):
        arity(2)
        values(idx)
    elif op in ("lt", "le", "gt", "ge"):
        arity(2, 2)
        values(idx)
    elif op in ("and", "or"):
        arity(2)
        conds(idx)
    elif op == "not":
        arity(1, 1)
        conds(idx)
    elif op == "piecewise":
        arity(2)
        if len(idx) % 2:
            raise _reject(f"node {i} (piecewise) needs value/condition pairs")
        values(idx[0::2])
        conds(idx[1::2])
    else:
        raise _reject(f"node {i} has the unknown operation {op[:30]!r}")
    return (op, *idx)


def decode_dag(obj: Any, *, n_inputs: int | None = None, n_outputs: int | None = None) -> Dag:
    """Decode and validate a stored expression graph.

    Parameters
    ----------
    obj : dict
        The JSON object of the ``proofkit.dag/1`` format.
    n_inputs, n_outputs : int, optional
        When given, the graph must have exactly this many inputs / outputs.

    Returns
    -------
    Dag

    Raises
    ------
    CertificateRejected
        For anything that is not exactly the documented format.

    Examples
    --------
    >>> d = decode_dag({"format": "proofkit.dag/1", "inputs": ["x"],
    ...                 "nodes": [["var", 0], ["const", "1/2"], ["mul", 0, 1]], "outputs": [2]})
    >>> d.nodes[2], d.outputs
    (('mul', 0, 1), (2,))
    """
    if not isinstance(obj, dict) or set(obj) != _KEYS:
        raise _reject(f"expected an object with exactly the keys {sorted(_KEYS)}")
    if obj["format"] != DAG_FORMAT:
        raise _reject(f"unknown format {str(obj['format'])[:40]!r}")
    inputs, nodes, outputs = obj["inputs"], obj["nodes"], obj["outputs"]
    if not isinstance(inputs, list) or not all(isinstance(s, str) for s in inputs) or len(set(inputs)) != len(inputs):
        raise _reject("inputs must be a list of distinct names")
    if n_inputs is not None and len(inputs) != n_inputs:
        raise _reject(f"{len(inputs)} inputs where {n_inputs} are expected")
    if not isinstance(nodes, list) or not nodes:
        raise _reject("nodes must be a non-empty list")
    is_cond: list[bool] = []
    decoded = []
    for i, node in enumerate(nodes):
        d = _decode_node(node, i, len(inputs), is_cond)
        decoded.append(d)
        is_cond.append(d[0] in CONDITION_OPS)
    if not isinstance(outputs, list) or not outputs:
        raise _reject("outputs must be a non-empty list of node indices")
    outs = tuple(_index(k, len(decoded)) for k in outputs)
    if any(is_cond[k] for k in outs):
        raise _reject("an output is a condition, not a value")
    if n_outputs is not None and len(outs) != n_outputs:
        raise _reject(f"{len(outs)} outputs where {n_outputs} are expected")
    return Dag(tuple(inputs), tuple(decoded), outs)
