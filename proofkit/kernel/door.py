"""The kernel's door: :func:`check_certificate`, its single entry point.

It parses the certificate strictly, translates a first-schema certificate (:mod:`proofkit.kernel.legacy`),
reads the envelope, checks the hashes, opens the work budget, looks up the rule of the claim's type, variant and
verdict (:data:`proofkit.kernel.rules.RULES`), reads the inputs and evidence against the rule's schemas, runs the
rule and requires the certificate's claim to be exactly the claim the rule derived. Whatever the input, the only
exception that leaves it is :class:`CertificateRejected`. Inconclusive certificates claim nothing and are
accepted once their envelope and hash are sound.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from proofkit.certificate import LEGACY_SCHEMA, SCHEMA, VERDICTS, Certificate, canonical_json, input_hash, matrix_hash
from proofkit.errors import CertificateRejected
from proofkit.kernel import legacy
from proofkit.kernel.cost import Budget, spent
from proofkit.kernel.decode import parse_json, read, read_matrix, reject
from proofkit.kernel.facts import weakest
from proofkit.kernel.primitives import MAX_PREC
from proofkit.kernel.rules import CLAIM_TYPES, RULES, VARIANT, Decoded, Nested

__all__ = ["KernelReport", "check_certificate", "default_budget"]

ENVELOPE = {"schema": ("one", SCHEMA), "claim": ("map", "data"), "verdict": ("one", *VERDICTS), "method": "str",
            "backend": "str", "precision": ("opt", "nat"), "input_hash": "hash", "inputs": "object",
            "evidence": "object", "reason": ("opt", "str"), "versions": ("map", "str"),
            "binding?": ("opt", {"label": "str", "claim_hash": "hash"}), "time_seconds?": ("opt", "float")}


def default_budget(size: int) -> float:
    """The default work budget of a certificate of ``size`` bytes: 1 s plus 1 s per KB (estimated seconds)."""
    return 1.0 + size / 1000


@dataclass(frozen=True)
class KernelReport:
    """What the kernel re-checked.

    ``rule`` is the code of the rule that proved the verdict, ``tier`` the weakest trust tier it rests on
    (``exact``, ``arb``, ``float64``; ``nested`` when nested certificates are part of the proof, and then
    ``rests_on`` is the weakest tier of all), ``facts`` and ``measures`` what the rule proved and measured,
    ``certificate`` the decoded certificate (a first-schema one translated), ``cost`` the estimated seconds
    charged. Inconclusive certificates have no rule and no tier.
    """

    ok: bool
    claim_type: str
    verdict: str
    rule: str | None
    tier: str | None
    rests_on: str | None
    facts: tuple = ()
    measures: dict[str, Any] = field(default_factory=dict)
    certificate: Certificate | None = None
    cost: float = 0.0

    @property
    def how(self) -> str:
        """The rule code (``inconclusive`` when nothing is claimed)."""
        return self.rule or "inconclusive"

    @property
    def margin(self) -> str | None:
        """The first measure as ``name=value`` (numbers only; printing makes sentences)."""
        k = next((k for k in self.measures if k != "nested"), None)
        return None if k is None else f"{k}={_text(self.measures[k])}"


def _text(v: Any) -> str:
    if hasattr(v, "str") and hasattr(v, "mid"):
        return v.str(10, radius=True)
    return str(v)[:200]


def _raw(cert: Any) -> tuple[Any, int]:
    if isinstance(cert, Certificate):
        text = canonical_json(cert.to_dict(timing=cert.time_seconds is not None))
    elif isinstance(cert, (str, bytes)):
        text = cert
    elif isinstance(cert, dict):
        text = canonical_json(cert)
    else:
        raise reject(f"not a certificate (a {type(cert).__name__})")
    return parse_json(text), len(text)


def _same(a: Any, b: Any) -> bool:
    """Equality that tells ``True`` from ``1`` (JSON types must agree)."""
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def _check(raw: Any, matrix: Any) -> tuple[KernelReport, dict[str, Any]]:
    if not isinstance(raw, dict):
        raise reject("a certificate is a JSON object")
    if raw.get("schema") == LEGACY_SCHEMA:
        raw = legacy.translate(raw)
    env = read(raw, ENVELOPE, "certificate")
    if env["precision"] is not None and not 2 <= env["precision"] <= MAX_PREC:
        raise reject(f"precision out of range (2..{MAX_PREC} bits)")
    claim, verdict, inputs, t = env["claim"], env["verdict"], env["inputs"], env["claim"].get("type")
    if t not in CLAIM_TYPES:
        raise reject(f"unknown claim type {str(t)[:40]!r}")
    if input_hash({k: v for k, v in inputs.items() if k != "A"}) != env["input_hash"]:
        raise reject("input_hash does not match the recorded inputs (tampered or corrupted)")
    if (verdict == "inconclusive") != (env["reason"] is not None):
        raise reject("a reason is the text of an inconclusive certificate only (a verdict's sentence is printing's)")
    decoded = Certificate.from_dict(raw)
    decoded.time_seconds = env.get("time_seconds")  # (read by the schema: a finite non-negative float, or None)
    if verdict == "inconclusive":  # nothing is claimed: plain data, nothing more
        read({"inputs": inputs, "evidence": env["evidence"]}, {"inputs": "data", "evidence": "data"}, "certificate")
        return KernelReport(True, t, verdict, None, None, None, certificate=decoded), {}
    variant = claim.get(VARIANT[t]) if t in VARIANT else None
    rule = RULES.get((t, variant if isinstance(variant, str) or t not in VARIANT else "?", verdict))
    if rule is None:
        raise reject(f"{t}: no rule for {f'{VARIANT[t]} = {str(variant)[:40]!r}, ' if t in VARIANT else ''}"
                     f"the verdict {verdict!r}")
    M = None
    if "A" in inputs and "A" not in rule.inputs:
        raise reject(f"inputs.A: a {t} certificate stores no matrix")
    if "A" in rule.inputs:
        rec = matrix if matrix is not None else inputs.get("A")
        if rec is None:
            raise reject("the matrix is not stored in the certificate (it is large); pass its record as "
                         "check_certificate(cert, matrix=proofkit.certify.matrix_record(A))")
        M = read_matrix(rec, "inputs.A")
        if not isinstance(inputs.get("A_hash"), str) or matrix_hash(rec) != inputs["A_hash"]:
            raise reject("the stored matrix does not match its hash (tampered or corrupted)")
    spec = {k: s for k, s in rule.inputs.items() if k != "A"}
    dec = read({k: v for k, v in inputs.items() if k != "A"}, spec, "inputs")
    evidence = read(raw["evidence"], rule.evidence, "evidence", nested=_nested)
    result = rule.check(Decoded(claim, verdict, env["precision"], dec, evidence, M))
    if not _same(claim, result.claim):
        raise reject(f"the claim {json.dumps(claim)[:200]} is not the one the checked inputs give: "
                     f"{json.dumps(result.claim)[:200]}")
    return KernelReport(True, t, verdict, result.code, None, None, result.facts, result.measures, decoded), dec


def _nested(value: Any) -> Nested:
    """A nested certificate, checked by the whole kernel within the same budget."""
    try:
        rep, dec = _check(parse_json(canonical_json(value)), None)
    except CertificateRejected as exc:
        raise reject(f"the nested certificate: {str(exc).removeprefix('certificate rejected: ')}") from None
    return Nested(rep.certificate.claim, rep.verdict, dec, rep)


def check_certificate(cert: Any, matrix: dict[str, Any] | None = None, budget: float | None = None) -> KernelReport:
    """Re-check a certificate (object, JSON text or parsed JSON) from its data alone.

    Parameters
    ----------
    cert : Certificate, str, bytes or dict
        A ``proofkit.certificate/3`` certificate, or a first-schema (``proofkit.certificate/2``) one, which is
        translated first (:mod:`proofkit.kernel.legacy`).
    matrix : dict, optional
        The record of a matrix too large to be stored in the certificate; it must match its ``A_hash``.
    budget : float, optional
        The work budget in estimated seconds (default :func:`default_budget`: 1 s plus 1 s per KB of
        certificate and of ``matrix``); a step that would exceed it is refused.

    Returns
    -------
    KernelReport
        The rule that proved the verdict, the trust tier, the facts and the measures.

    Raises
    ------
    CertificateRejected
        For any input that is not a sound certificate: malformed data, tampered inputs, unknown claims, a claim
        field the inputs do not give, a fact that fails, or work beyond the budget. No other exception escapes.

    Guarantee
    ---------
    An accepted ``certified`` (``refuted``) certificate's claim holds (fails) for its recorded inputs, as
    re-proved by the kernel's rule for its claim type, under the assumptions of the reported trust tier.

    Examples
    --------
    >>> from proofkit import certify_nonsingular
    >>> rep = check_certificate(certify_nonsingular([[1, 2], [3, 4]]).to_json())
    >>> rep.ok, rep.rule, rep.tier
    (True, 'det mod p', 'exact')
    """
    try:
        raw, size = _raw(cert)
        size += len(json.dumps(matrix)) if matrix is not None else 0  # (a matrix too large to be stored counts too)
        with Budget(budget if budget is not None else default_budget(size)) as b:
            rep, _ = _check(raw, matrix)
            nested = any(isinstance(r, KernelReport) for r in rep.measures.values())
            rests = weakest(b.tiers) if rep.rule else None  # (nested checks share the budget and its tiers)
            return KernelReport(rep.ok, rep.claim_type, rep.verdict, rep.rule, "nested" if nested and rests else rests,
                                rests, rep.facts, rep.measures, rep.certificate, spent())
    except CertificateRejected:
        raise
    except RecursionError:
        raise reject("malformed certificate (nested too deeply)") from None
    except Exception as exc:  # the door: nothing but a rejection leaves the kernel
        raise reject(f"malformed certificate ({type(exc).__name__}: {str(exc)[:120]})") from None
