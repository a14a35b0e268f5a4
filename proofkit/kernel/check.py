"""Re-check a stored certificate from its data alone: the kernel's single entry point.

:func:`check_certificate` decodes the certificate strictly, checks the hashes,
dispatches to the rule of its claim type (:data:`proofkit.kernel.rules.RULES`)
and checks that the text it shows (``reason``, ``margin``) is the text derived
from the checked values. Whatever the input, the only exception it raises is
:class:`CertificateRejected`. Inconclusive certificates claim nothing and are
accepted once their envelope and hash are sound.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from proofkit.certificate import SCHEMA, VERDICTS, Certificate, canonical_json, input_hash, matrix_hash, reason_for
from proofkit.errors import CertificateRejected
from proofkit.kernel.decode import parse_json, read, read_matrix, reject
from proofkit.kernel.rules import RULES, Decoded, same

__all__ = ["KernelReport", "check_certificate"]

ENVELOPE = {"schema": ("one", SCHEMA), "claim": ("map", "any"), "verdict": ("one", *VERDICTS), "method": "str",
            "backend": "str", "precision": ("opt", "nat"), "input_hash": "hash", "inputs": ("map", "any"),
            "evidence": ("map", "any"), "margin": ("opt", "str"), "reason": "str", "versions": ("map", "str"),
            "binding?": ("opt", {"label": "str", "claim_hash": "hash"}), "time_seconds?": ("opt", "float")}
_ATTEMPT = re.compile(r"exact|float|arb[0-9]{2,5}")


@dataclass
class KernelReport:
    """What the kernel re-checked: ``ok``, how, the margin it measured, and the decoded certificate."""

    ok: bool
    claim_type: str
    verdict: str
    how: str
    margin: str | None = None
    certificate: Certificate | None = None


def _raw(cert: Any) -> Any:
    if isinstance(cert, Certificate):
        return parse_json(canonical_json(cert.to_dict(timing=cert.time_seconds is not None)))
    if isinstance(cert, (str, bytes)):
        return parse_json(cert)
    if isinstance(cert, dict):
        return parse_json(canonical_json(cert))
    raise reject(f"not a certificate (a {type(cert).__name__})")


def _check(cert: Any, matrix: Any) -> KernelReport:
    raw = _raw(cert)
    if not isinstance(raw, dict):
        raise reject("a certificate is a JSON object")
    env = read(raw, ENVELOPE, "certificate")
    if env["precision"] is not None and not 2 <= env["precision"] <= 1 << 16:
        raise reject("precision out of range")
    claim, verdict, inputs = raw["claim"], raw["verdict"], raw["inputs"]
    t = claim.get("type")
    if not isinstance(t, str) or t not in RULES:
        raise reject(f"unknown claim type {str(t)[:40]!r}")
    if input_hash({k: v for k, v in inputs.items() if k != "A"}) != raw["input_hash"]:
        raise reject("input_hash does not match the recorded inputs (tampered or corrupted)")
    rule = RULES[t]
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
    decoded = Certificate.from_dict(raw)
    if raw.get("time_seconds") is not None:
        decoded.time_seconds = float(raw["time_seconds"])
        if not 0 <= decoded.time_seconds < float("inf"):
            raise reject("time_seconds must be a finite non-negative number")
    if verdict == "inconclusive":
        return KernelReport(True, t, verdict, "inconclusive: nothing is claimed", None, decoded)
    if verdict not in rule.evidence:
        raise reject(f"{t}: no rule for the verdict {verdict!r}")
    spec = {k: s for k, s in rule.inputs.items() if k != "A"}
    dec_inputs = read({k: v for k, v in inputs.items() if k != "A"}, spec, "inputs")
    evidence = read(raw["evidence"], rule.evidence[verdict], "evidence")
    if not all(isinstance(a, str) and _ATTEMPT.fullmatch(a) for a in evidence.get("attempts", [])):
        raise reject("evidence.attempts: unknown attempt")
    out = rule.check(Decoded(claim, verdict, env["precision"], dec_inputs, evidence, M))
    if raw["reason"] != reason_for(claim, verdict):
        raise reject(f"the reason {raw['reason'][:80]!r} is not the one the checked claim gives: "
                     f"{reason_for(claim, verdict)!r}")
    if raw["margin"] is not None and not same(raw["margin"], out.margin):
        raise reject(f"the margin {raw['margin'][:80]!r} is not the one the kernel measured: {out.margin!r}")
    return KernelReport(True, t, verdict, out.how, out.margin, decoded)


def check_certificate(cert: Any, matrix: dict[str, Any] | None = None) -> KernelReport:
    """Re-check a certificate (object, JSON text or parsed JSON) from its data alone.

    Parameters
    ----------
    cert : Certificate, str, bytes or dict
    matrix : dict, optional
        The record of a matrix too large to be stored in the certificate;
        it must match the certificate's ``A_hash``.

    Returns
    -------
    KernelReport
        ``how`` the verdict was re-proved and the ``margin`` the kernel measured.

    Raises
    ------
    CertificateRejected
        For any input that is not a sound certificate: malformed data, tampered inputs,
        unknown claims, a claim field the inputs do not give, or a fact that fails.
        No other exception escapes.

    Guarantee
    ---------
    An accepted ``certified`` (``refuted``) certificate's claim holds (fails) for its
    recorded inputs, as re-proved by the kernel's rule for its claim type.

    Examples
    --------
    >>> from proofkit import certify_nonsingular
    >>> check_certificate(certify_nonsingular([[1, 2], [3, 4]]).to_json()).ok
    True
    """
    try:
        return _check(cert, matrix)
    except CertificateRejected:
        raise
    except RecursionError:
        raise reject("malformed certificate (nested too deeply)") from None
    except Exception as exc:  # the door: nothing but a rejection leaves the kernel
        raise reject(f"malformed certificate ({type(exc).__name__}: {str(exc)[:120]})") from None
