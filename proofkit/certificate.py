"""Certificates: plain data that a small trusted kernel can re-check.

A :class:`Certificate` records a claim in structured form, the verdict
(``certified``, ``refuted`` or ``inconclusive``), the method, backend and
precision, a hash of the inputs (and the inputs themselves when small), the
enclosures that justify the verdict as exact strings, the margin, library
versions and the time taken.

JSON is canonical: keys sorted, no whitespace variation, numbers as exact
strings. ``to_json()`` leaves the timing out so that identical inputs give
byte-identical JSON; ``to_json(timing=True)`` includes it.
"""

from __future__ import annotations

import hashlib
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
    "reason_for",
]

DISPLAY_HOOKS: dict[str, Any] = {}
"""Rich display of certificates in Jupyter: ``"latex"``/``"html"`` -> function of the certificate.

Filled by :mod:`proofkit.printing` when it is imported, so that this module (part of the
trusted base) imports no printing code."""

SCHEMA = "proofkit.certificate/2"
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
    with _prec(max(64, abs(m).bit_length() + 8)):
        return flint.arb(m) * flint.arb(2) ** e if e >= 0 else flint.arb(m) / flint.arb(2) ** (-e)


class _prec:
    def __init__(self, bits: int) -> None:
        self.bits = bits

    def __enter__(self) -> None:
        self.old = flint.ctx.prec
        flint.ctx.prec = self.bits

    def __exit__(self, *exc: Any) -> None:
        flint.ctx.prec = self.old


def arb_to_data(x: flint.arb) -> dict[str, str]:
    """A ball as exact dyadic strings ``{"mid": "m*2^e", "rad": "m*2^e", "text": ...}``."""
    if not x.is_finite():
        raise ValueError("cannot record a non-finite ball")
    return {"mid": _dyadic(x.mid()), "rad": _dyadic(x.rad()), "text": x.str(20, radius=True)}


def arb_from_data(d: dict[str, str]) -> flint.arb:
    """The ball recorded by :func:`arb_to_data` (exactly, radius rounded up)."""
    mid, rad = _undyadic(d["mid"]), _undyadic(d["rad"])
    with _prec(max(64, mid.mid().man_exp()[0].bit_length() + 8 if not mid.is_zero() else 64)):
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


_REASONS = {
    ("nonsingular", "certified"): "the matrix is invertible",
    ("nonsingular", "refuted"): "the matrix is singular (exact rank below n)",
    ("rank_at_least", "certified"): "the recorded {r}x{r} minor is non-singular, so rank >= {r}",
    ("rank_at_least", "refuted"): "the exact rank over Q is below {r}",
    ("exact_rank", "certified"): "the rank over Q is exactly {rank}",
    ("rank_deficient", "certified"): "the exact rank over Q is below min(m, n)",
    ("rank_deficient", "refuted"): "the exact rank over Q equals min(m, n)",
    ("det_sign", "certified"): "the sign of the determinant is proven: {sign}",
    ("positive_definite", "certified"): "the matrix is positive definite",
    ("positive_definite", "refuted"): "the matrix is not positive definite",
    ("indefinite", "certified"): "witness vectors prove the matrix indefinite",
    ("eigenvalues", "certified"): "all eigenvalues isolated in disjoint balls that exclude 0; inertia {inertia}",
    ("critical_point", "certified"): "exactly one critical point in the box{on_slice}",
    ("strict_local_min", "certified"): "exactly one critical point in the box and the Hessian is positive definite "
                                       "on the whole box: it is a strict local minimum{on_slice}",
    ("spurious_local_min", "certified"): "a strict local minimum in the box whose loss exceeds {than}{on_slice}",
    ("critical_point_on_slice", "certified"): "on the slice of fixed parameters only (no full-space claim): exactly "
                                              "one critical point of the restriction in the box",
    ("strict_local_min_on_slice", "certified"): "on the slice of fixed parameters only (no full-space claim): a strict "
                                                "local minimum of the restriction to the slice",
    ("spurious_local_min_on_slice", "certified"): "on the slice of fixed parameters only (no full-space claim): a "
                                                  "strict local minimum of the restriction whose loss exceeds {than}",
    **{(t, "certified"): "{statement}" for t in ("local_min", "local_max", "saddle", "not_local_min",
                                                 "classification", "leibniz_witness")},
    ("teacher_student", "certified"): "exactly one critical point of Safran & Shamir's teacher-student loss F "
                                      "(k = {k}, n = {n}) in the box, and it is a {kind}",
    ("identity", "certified"): "lhs - rhs expands to 0 in every entry",
    ("identity", "refuted"): "lhs - rhs is certified non-zero at the witness point",
    ("leibniz_alpha0", "certified"): "for sigma strictly increasing from mu to gamma, det E(alpha) != 0 for every "
                                     "alpha >= alpha_0 = {alpha0} (N = {N})",
    ("relu_linear_region", "certified"): "every pre-activation is positive on the box, so "
                                         "rank([F_1, 1]) <= rank([X, 1]) = {rank_bound} < N = {N}",
}


def reason_for(claim: dict[str, Any], verdict: str) -> str | None:
    """The one sentence a certified or refuted certificate shows, built from its (kernel-checked) claim fields."""
    template = _REASONS.get((claim.get("type"), verdict))
    if template is None:
        return None
    fields = dict(claim)
    fields["on_slice"] = " (on the recorded slice of fixed parameters)" if claim.get("slice") else ""
    fields["than"] = "the loss at the better point" if claim.get("compare") == "better_point" else \
        "the stated global value"
    return template.format(**fields)


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
        How far the decisive quantity is from the threshold (human readable).
    reason : str
        A sentence on what the verdict means; for "inconclusive", the possible causes.
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
             "inputs": self.inputs, "evidence": self.evidence, "margin": self.margin,
             "reason": self.reason, "versions": self.versions, "binding": self.binding}
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
                "margin", "reason", "versions")
        missing = [k for k in keys if k not in d]
        if missing:
            raise ValueError(f"certificate is missing the fields {missing}")
        return cls(**{k: d[k] for k in keys}, time_seconds=d.get("time_seconds"), binding=d.get("binding"))

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
        show = DISPLAY_HOOKS.get("latex")
        return show(self) if show else None

    def _repr_html_(self) -> str | None:
        show = DISPLAY_HOOKS.get("html")
        return show(self) if show else None
