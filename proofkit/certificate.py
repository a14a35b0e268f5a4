"""Certificates: plain data that a small trusted kernel can re-check.

A :class:`Certificate` records a claim in structured form, the verdict
(``certified``, ``refuted`` or ``inconclusive``), the method, backend and
precision, a hash of the inputs (and the inputs themselves when small), the
data that justify the verdict as exact strings, library versions and the time
taken. It carries no sentence that the kernel would have to check: the text of
a certified or refuted certificate is made by :mod:`proofkit.printing` from its
claim (an inconclusive certificate's ``reason`` says why nothing was proved).

JSON is canonical: keys sorted, no whitespace variation, numbers as exact
strings. ``to_json()`` leaves the timing out so that identical inputs give
byte-identical JSON; ``to_json(timing=True)`` includes it.
"""

from __future__ import annotations

import hashlib
import importlib
import json
from dataclasses import dataclass, field
from typing import Any

import flint

__all__ = [
    "Certificate",
    "VERDICTS",
    "SCHEMA",
    "arb_to_data",
    "arb_from_data",
    "fmpq_to_str",
    "fmpq_from_str",
    "canonical_json",
    "input_hash",
    "float64_hash",
    "matrix_hash",
    "library_versions",
    "claim_digest",
    "LEGACY_SCHEMA",
]

DISPLAY_HOOKS: dict[str, Any] = {}
"""Display of certificates: ``"latex"``/``"html"`` -> function of the certificate (Jupyter), ``"reason"`` ->
function of (claim, verdict) giving the sentence of a certified or refuted certificate.

Filled by :mod:`proofkit.printing` when it is imported, so that this module (part of the
trusted base) imports no printing code."""

SCHEMA = "proofkit.certificate/3"
#: The first schema: still verified, after a translation (:mod:`proofkit.kernel.legacy`).
LEGACY_SCHEMA = "proofkit.certificate/2"
VERDICTS = ("certified", "refuted", "inconclusive")
_VERSIONS: dict[str, str] = {}  # library_versions(), read once per process


def fmpq_to_str(q: Any) -> str:
    """An exact rational as ``"p/q"`` (or ``"p"``)."""
    q = flint.fmpq(q)
    return str(q.p) if q.q == 1 else f"{q.p}/{q.q}"


def fmpq_from_str(s: str) -> flint.fmpq:
    """Parse ``"p/q"`` or ``"p"`` exactly (ValueError on anything else, including ``q = 0``)."""
    if not isinstance(s, str) or not s or len(s) > 100_000 or any(c not in "-/0123456789" for c in s):
        raise ValueError(f"expected a rational string, got {str(s)[:40]!r}")
    p, _, q = s.partition("/")
    if q == "0" or "-" in q or "-" in p[1:] or "/" in q:
        raise ValueError(f"expected a rational string, got {s[:40]!r}")
    return flint.fmpq(flint.fmpz(p), flint.fmpz(q or "1"))


def _dyadic(x: flint.arb) -> str:
    m, e = x.man_exp()
    return f"{m}*2^{e}"


def _undyadic(s: str) -> flint.arb:
    m, e = s.split("*2^")
    m, e = int(m), int(e)
    # exact: a dyadic number needs only as many bits as its mantissa
    with flint.ctx.workprec(max(64, abs(m).bit_length() + 8)):
        return flint.arb(m) * flint.arb(2) ** e if e >= 0 else flint.arb(m) / flint.arb(2) ** (-e)


def arb_to_data(x: flint.arb) -> dict[str, str]:
    """A ball as exact dyadic strings ``{"mid": "m*2^e", "rad": "m*2^e", "text": ...}``."""
    if not x.is_finite():
        raise ValueError("cannot record a non-finite ball")
    return {"mid": _dyadic(x.mid()), "rad": _dyadic(x.rad()), "text": x.str(20, radius=True)}


def arb_from_data(d: dict[str, str]) -> flint.arb:
    """The ball recorded by :func:`arb_to_data` (exactly, radius rounded up)."""
    mid, rad = _undyadic(d["mid"]), _undyadic(d["rad"])
    with flint.ctx.workprec(max(64, mid.mid().man_exp()[0].bit_length() + 8 if not mid.is_zero() else 64)):
        return flint.arb(mid, rad)


def canonical_json(obj: Any) -> str:
    """Canonical JSON text (sorted keys, compact separators, ASCII)."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def input_hash(inputs: Any) -> str:
    """SHA-256 of the canonical JSON of ``inputs``."""
    return hashlib.sha256(canonical_json(inputs).encode()).hexdigest()


def float64_hash(shape: list[int], raw: bytes) -> str:
    """SHA-256 of a float64 matrix: its shape and little-endian bytes."""
    h = hashlib.sha256(f"float64:{shape[0]}x{shape[1]}:".encode())
    h.update(raw)
    return h.hexdigest()


def matrix_hash(record: dict[str, Any]) -> str:
    """The hash of a stored matrix record (float64 records hash their raw bytes, others their JSON)."""
    if record.get("kind") == "float64":
        import base64

        return float64_hash(record["shape"], base64.b64decode(record["entries"]))
    return input_hash(record)


def library_versions() -> dict[str, str]:
    """Versions of the libraries a verdict may depend on (read from the installed distributions once per process)."""
    if not _VERSIONS:  # reading them costs milliseconds; the imported libraries do not change while a process runs
        from importlib import metadata
        for name in ("proofkit", "python-flint", "mpmath", "numpy", "sympy", "symengine"):
            try:
                _VERSIONS[name] = metadata.version(name)
            except metadata.PackageNotFoundError:
                _VERSIONS[name] = "unknown"
    return dict(_VERSIONS)


def claim_digest(claim_data: dict[str, Any]) -> str:
    """SHA-256 of a claim's statement and instance data (what a certificate's ``binding`` refers to)."""
    return input_hash(claim_data)


@dataclass
class Certificate:
    """A verdict on a claim together with the data that justify it.

    Attributes
    ----------
    claim : dict
        The claim in structured form, e.g. ``{"type": "nonsingular", "n": 5}``.
    verdict : {"certified", "refuted", "inconclusive"}
    method : str
        How the verdict was reached (``"Rump verification"``, ``"exact determinant mod p"``, ...).
    backend : str
        ``"float"``, ``"arb"``, ``"exact"`` or ``"mpmath"``.
    precision : int or None
        Bits of working precision (53 for float).
    inputs : dict or None
        The inputs as exact strings when small enough to store.
    input_hash : str
        SHA-256 of the canonical inputs (always present).
    evidence : dict
        The enclosures and other data behind the verdict (exact strings).
    margin : str or None
        Not part of the JSON (kept for display code; the kernel reports its measures instead).
    reason : str
        For "inconclusive": the possible causes (written to the JSON). For a certified or refuted
        certificate: the sentence :mod:`proofkit.printing` makes from the claim, for display only (the
        JSON's ``reason`` is null: the kernel checks no words).
    versions : dict
        Library versions.
    binding : dict or None
        The claim of a claim graph this certificate supports: ``{"label", "claim_hash"}``
        (set when a checker's certificate is attached; see :func:`claim_digest`).
    time_seconds : float or None
        Wall time (left out of the canonical JSON).
    """

    claim: dict[str, Any]
    verdict: str
    method: str
    backend: str
    precision: int | None
    input_hash: str
    evidence: dict[str, Any] = field(default_factory=dict)
    inputs: dict[str, Any] | None = None
    margin: str | None = None
    reason: str = ""
    versions: dict[str, str] = field(default_factory=library_versions)
    time_seconds: float | None = None
    binding: dict[str, str] | None = None

    def __post_init__(self) -> None:
        if self.verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {VERDICTS}, got {self.verdict!r}")

    @property
    def certified(self) -> bool:
        return self.verdict == "certified"

    def __bool__(self) -> bool:
        return self.certified

    def to_dict(self, timing: bool = False) -> dict[str, Any]:
        d = {"schema": SCHEMA, "claim": self.claim, "verdict": self.verdict, "method": self.method,
             "backend": self.backend, "precision": self.precision, "input_hash": self.input_hash,
             "inputs": self.inputs, "evidence": self.evidence,
             "reason": self.reason if self.verdict == "inconclusive" else None, "versions": self.versions,
             "binding": self.binding}
        if timing:
            d["time_seconds"] = self.time_seconds
        return d

    def to_json(self, timing: bool = False) -> str:
        """Canonical JSON; with ``timing=True`` the wall time is included."""
        return canonical_json(self.to_dict(timing))

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Certificate:
        if not isinstance(d, dict) or d.get("schema") != SCHEMA:
            raise ValueError(f"not a {SCHEMA} certificate")
        keys = ("claim", "verdict", "method", "backend", "precision", "input_hash", "evidence", "inputs",
                "reason", "versions")
        missing = [k for k in keys if k not in d]
        if missing:
            raise ValueError(f"certificate is missing the fields {missing}")
        fields = {k: d[k] for k in keys}
        if fields["reason"] is None:  # certified or refuted: the sentence is printing's (when it is loaded)
            say = DISPLAY_HOOKS.get("reason")
            try:
                fields["reason"] = (say(fields["claim"], fields["verdict"]) or "") if say else ""
            except Exception:  # (display text only: a claim printing cannot phrase gets none)
                fields["reason"] = ""
        return cls(**fields, time_seconds=d.get("time_seconds"), binding=d.get("binding"))

    @classmethod
    def from_json(cls, text: str) -> Certificate:
        """Parse a certificate written by :meth:`to_json`."""
        return cls.from_dict(json.loads(text))

    def summary(self) -> str:
        """One line: verdict, claim, method."""
        return f"{self.verdict}: {self.claim.get('type')} ({self.method}, {self.backend}, {self.precision} bits)"

    def __repr__(self) -> str:
        return f"<Certificate {self.summary()}>"

    def _repr_latex_(self) -> str | None:
        return _display("latex", self)

    def _repr_html_(self) -> str | None:
        return _display("html", self)


def _display(kind: str, cert: Certificate) -> str | None:
    if kind not in DISPLAY_HOOKS:  # printing registers its hooks when imported (this module imports none of it)
        importlib.import_module("proofkit.printing")
    show = DISPLAY_HOOKS.get(kind)
    return show(cert) if show else None
