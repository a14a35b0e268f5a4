"""The registry of task kinds: one small adapter per kind.

A :class:`TaskKind` turns the plain-JSON inputs of a task into arguments of a
certifier (``decode``, which also validates, so a task file can be checked
before anything runs) and calls the certifier (``certify``), returning a
:class:`TaskOutput`: the certificates, the outcome and a few numbers for the
summary. A kind also says how its certificates are tied to the task (``derive``
or ``bind``, see :mod:`proofkit.sweep.binding`): without that link a record
cannot be verified and the worker records ``rejected``. Adding a kind is one
:func:`register_kind` call; the built-in kinds live in :mod:`proofkit.sweep.adapters`.

Examples
--------
>>> import sympy
>>> from proofkit.certify import certify_nonsingular
>>> from proofkit.sweep.exact import exact_matrix
>>> from proofkit.certify.matrices import as_cert_matrix
>>> kind = TaskKind("my_nonsingular", decode=lambda inp: {"A": exact_matrix(inp["matrix"], "matrix")},
...                 certify=lambda a: TaskOutput([certify_nonsingular(a["A"])]),
...                 required=("matrix",), claim_types=("nonsingular",),
...                 bind=lambda a, cert: None if cert["inputs"]["A_hash"] == as_cert_matrix(a["A"]).hash
...                 else "a certificate about another matrix")
>>> _ = register_kind(kind)
>>> run_kind("my_nonsingular", {"matrix": [[1, 2], [3, 4]]}).outcome
'certified'
>>> unregister_kind("my_nonsingular")
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from proofkit.certificate import Certificate
from proofkit.errors import InvalidInput, UnknownName

__all__ = ["TaskKind", "TaskOutput", "KINDS", "OUTCOMES", "register_kind", "unregister_kind", "get_kind",
           "decode_inputs", "run_kind", "ball_value"]

#: Every outcome a task can have. The first three are certificate verdicts; ``timeout``, ``crashed``
#: and ``lost`` are re-run when a sweep resumes.
OUTCOMES = ("certified", "refuted", "inconclusive", "error", "rejected", "timeout", "crashed", "lost")


@dataclass
class TaskOutput:
    """What an adapter returns.

    Attributes
    ----------
    certificates : list of Certificate
    outcome : str, optional
        Default: the verdict of the single certificate; with several, ``certified`` if any is,
        then ``refuted`` if any is, else ``inconclusive`` (also when there is none).
    values : dict
        Numbers for the summary and the plots (floats, ints or lists of floats; for display only,
        the certificates hold the exact data).
    note : str
        One line for the summary.
    """

    certificates: list[Certificate]
    outcome: str | None = None
    values: dict[str, Any] = field(default_factory=dict)
    note: str = ""

    def __post_init__(self) -> None:
        if self.outcome is None:
            verdicts = [c.verdict for c in self.certificates]
            self.outcome = next((v for v in ("certified", "refuted") if v in verdicts), "inconclusive")
        if self.outcome not in ("certified", "refuted", "inconclusive"):
            raise ValueError(f"an adapter's outcome is a verdict, got {self.outcome!r}")


@dataclass(frozen=True)
class TaskKind:
    """One kind of task: field names, a decoder of plain JSON, and a call of a certifier.

    Attributes
    ----------
    name : str
    decode : callable
        ``decode(inputs) -> args``: validates and decodes the plain-JSON inputs exactly, raising a
        named :class:`~proofkit.errors.InvalidInput` naming the field on bad input.
    certify : callable
        ``certify(args) -> TaskOutput``.
    required, optional : tuple of str
        The input fields (unknown fields are an error).
    claim_types : tuple of str
        The ``claim.type`` of the certificates this kind produces (checked by ``proofkit verify``).
    summary : str
        One line for ``proofkit sweep --help`` and the docs.
    derive : callable, optional
        ``derive(args, certificate_dicts) -> Derivation``: re-derives from the task's decoded inputs what its
        certificates must be (their inputs: same loss, same matrix, same point, ...) and the outcome their
        verdicts imply (see :mod:`proofkit.sweep.binding`). It runs on the worker (the record's outcome is
        the derived one) and in ``proofkit verify DIR`` (a record whose outcome differs is reported). Every
        built-in kind has one; a kind without it (and without ``bind``) cannot be verified.
    bind : callable, optional
        ``bind(args, certificate_dict) -> problem or None``: a simpler link for plug-in kinds, checked for
        every certificate (the outcome is then the default of :class:`TaskOutput`).
    """

    name: str
    decode: Callable[[Mapping[str, Any]], dict[str, Any]]
    certify: Callable[[dict[str, Any]], TaskOutput]
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    claim_types: tuple[str, ...] = ()
    summary: str = ""
    bind: Callable[[dict[str, Any], dict[str, Any]], str | None] | None = None
    derive: Callable[[dict[str, Any], list[dict[str, Any]]], Any] | None = None


#: The registered kinds, by name.
KINDS: dict[str, TaskKind] = {}


def register_kind(kind: TaskKind, *, replace: bool = False) -> TaskKind:
    """Add a kind to :data:`KINDS` (``replace=True`` to redefine one)."""
    if not isinstance(kind, TaskKind):
        raise InvalidInput("kind", "a TaskKind", type(kind).__name__)
    if kind.name in KINDS and not replace:
        raise InvalidInput("kind", "a new kind name (or replace=True)", f"{kind.name!r} is registered")
    KINDS[kind.name] = kind
    return kind


def unregister_kind(name: str) -> None:
    """Remove a kind (for tests and plug-ins)."""
    KINDS.pop(name, None)


def get_kind(name: Any) -> TaskKind:
    """The kind called ``name``, or :class:`~proofkit.errors.UnknownName`."""
    if not isinstance(name, str) or name not in KINDS:
        raise UnknownName("kind", f"one of {sorted(KINDS)}", repr(name)[:60])
    return KINDS[name]


def decode_inputs(name: Any, inputs: Any) -> tuple[TaskKind, dict[str, Any]]:
    """Check the field names of ``inputs`` against the kind and decode them."""
    kind = get_kind(name)
    if not isinstance(inputs, Mapping):
        raise InvalidInput("inputs", "a JSON object", type(inputs).__name__)
    missing = [f for f in kind.required if f not in inputs]
    if missing:
        raise InvalidInput("inputs", f"the fields {list(kind.required)} of {kind.name}", f"missing {missing}")
    unknown = [f for f in inputs if f not in kind.required and f not in kind.optional]
    if unknown:
        raise InvalidInput("inputs", f"fields among {list(kind.required + kind.optional)}", f"unknown {unknown}")
    return kind, kind.decode(inputs)


def run_kind(name: str, inputs: Mapping[str, Any]) -> TaskOutput:
    """Decode and run one task in this process (no timeout, no kernel re-check)."""
    kind, args = decode_inputs(name, inputs)
    out = kind.certify(args)
    if not isinstance(out, TaskOutput):
        raise TypeError(f"the adapter of {name!r} returned {type(out).__name__}, not TaskOutput")
    return out


def ball_value(data: Any) -> float | None:
    """The midpoint of a recorded ball (``{"mid": "m*2^e", ...}``) as a float, for display; None if unusable."""
    try:
        m, e = str(data["mid"]).split("*2^")
        v = float(Fraction(int(m)) * Fraction(2) ** int(e))
    except (KeyError, TypeError, ValueError, OverflowError, ZeroDivisionError):
        return None
    return v if math.isfinite(v) else None
