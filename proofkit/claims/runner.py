"""Running instance checkers and attaching their certificates, each re-checked by the kernel.

A certificate attached to a claim is *bound* to it (``binding = {"label", "claim_hash"}``,
the hash of the claim's statement and instance data, :meth:`Claim.digest`). The kernel
re-checks it; a rejected certificate, or one bound to another claim, is not kept and
marks the claim failed with the reason. A binding is a hash that anyone editing a saved
graph can recompute, so a claim whose checker declares its certificates
(:mod:`proofkit.claims.expect`) also has its certificates compared with that declaration
(:func:`expectation_problems`): after its checker runs, when a graph is loaded with its
code, and when previous results are merged.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from proofkit.certificate import Certificate, canonical_json
from proofkit.claims.expect import compare
from proofkit.claims.structure import GraphStructure
from proofkit.errors import AssumptionViolated, CertificateRejected
from proofkit.kernel import check_certificate
from proofkit.progress import callback
from proofkit.results import ResultDisplay

__all__ = ["CheckReport", "attach", "attach_stored", "run_checks", "binding_for", "expectation_problems",
           "enforce_expectations", "declared"]


@dataclass(repr=False)  # a summarised repr and Jupyter display: ResultDisplay
class CheckReport(ResultDisplay):
    """What :meth:`ClaimGraph.check` did."""

    ran: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    hypotheses_not_met: dict[str, str] = field(default_factory=dict)
    refuted: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failed


def binding_for(graph: GraphStructure, label: str) -> dict[str, str]:
    """The binding a certificate supporting ``label`` must carry."""
    return {"label": label, "claim_hash": graph.claim(label).digest()}


def _reject(graph: GraphStructure, label: str, why: str) -> None:
    n = len(graph.certificates.get(label, [])) + 1
    graph.rejections.setdefault(label, f"certificate {n} rejected: {why}")
    graph.changed()


def attach_stored(graph: GraphStructure, label: str, cert: Any) -> bool:
    """Re-check a stored certificate (object, JSON text or parsed JSON) for ``label``; keep it if accepted.

    It must be bound to this claim as it is now; otherwise, or if the kernel rejects it, the
    claim is marked failed with the reason. Returns whether it was kept.
    """
    try:
        rep = check_certificate(cert)
    except CertificateRejected as exc:
        _reject(graph, label, str(exc))
        return False
    decoded = rep.certificate
    want = binding_for(graph, label)
    if decoded.binding != want:
        got = (decoded.binding or {}).get("label")
        why = "it is not bound to a claim" if decoded.binding is None else \
            (f"it is bound to the claim {got!r}" if got != label else "it is bound to another version of this claim")
        _reject(graph, label, why)
        return False
    graph.certificates.setdefault(label, []).append(decoded)
    graph.reports.setdefault(label, []).append(rep.margin or rep.how)
    graph.changed()
    return True


def attach(graph: GraphStructure, label: str, cert: Certificate) -> bool:
    """Bind a freshly produced certificate to ``label`` (if unbound) and attach it (see :func:`attach_stored`)."""
    graph.claim(label)
    if cert.binding is None:
        cert.binding = binding_for(graph, label)
    return attach_stored(graph, label, cert)


def declared(graph: GraphStructure, label: str) -> Any:
    """The claim's declared certificates (cached per claim and declaration), or the AssumptionViolated it raises."""
    claim = graph.claims[label]
    cache = graph._declarations
    hit = cache.get(label)
    if hit is not None and hit[0] is claim.expects:
        return hit[1]
    try:
        value: Any = list(claim.expects())
    except AssumptionViolated as exc:
        value = exc
    cache[label] = (claim.expects, value)
    return value


def expectation_problems(graph: GraphStructure, label: str) -> list[str]:
    """What contradicts the checker's declaration of ``label``: its certificates (another claim's inputs,
    missing, surplus), or a recorded "hypotheses not met" that the declaration does not raise (or the
    reverse). Empty when the claim declares nothing, or when it has no outcome yet (then it is stale).

    Guarantee
    ---------
    Empty for a claim with a declaration means every certificate it holds records the inputs its
    checker's definition fixes (:func:`proofkit.claims.expect.compare`), and "hypotheses not met" is
    recorded only if the definition itself raises :class:`~proofkit.errors.AssumptionViolated`.
    """
    claim = graph.claims[label]
    if claim.expects is None:
        return []
    certs = graph.certificates.get(label, [])
    try:
        want = declared(graph, label)
    except Exception as exc:  # a declaration that cannot be evaluated cannot vouch for anything
        return [f"its checker's declaration could not be evaluated ({type(exc).__name__}: {exc})"]
    if isinstance(want, AssumptionViolated):
        if certs:
            return [f"its checker's hypotheses are not met ({want}), yet it holds {len(certs)} certificate(s)"]
        return []
    if label in graph.unmet:
        return ["it is recorded as 'hypotheses not met', but the hypotheses of its checker's definition hold"]
    if not certs:
        return []
    return compare(want, certs)


def enforce_expectations(graph: GraphStructure, labels: Any = None) -> dict[str, str]:
    """Mark failed every claim (of ``labels``, default all) whose results contradict its checker's declaration;
    returns label -> why."""
    out = {}
    for label in list(graph.claims if labels is None else labels):
        problems = expectation_problems(graph, label)
        if problems:
            out[label] = "its certificates are not the ones its checker defines: " + "; ".join(problems)
            graph.rejections[label] = out[label]
    if out:
        graph.changed()
    return out


def _key(graph: GraphStructure, label: str, keys: dict[str, str]) -> str:
    claim = graph.claims[label]
    deps = sorted(keys.get(d, "") for d in claim.dependencies)
    return hashlib.sha256(canonical_json([claim.to_dict(), deps]).encode()).hexdigest()


def _forget(graph: GraphStructure, label: str) -> None:
    for store in (graph.certificates, graph.reports, graph.rejections, graph.checker_errors, graph.unmet):
        store.pop(label, None)
    graph.changed()


def run_checks(graph: GraphStructure, *, force: bool = False,
               progress: Callable[[int, int, str], None] | None = None) -> CheckReport:
    """Run the checkers whose claim, checker code or dependencies changed; attach their certificates.

    Every claim is keyed by a hash of its data, its checker's code version and the keys of its
    dependencies; unchanged claims are skipped (and reported as such) unless ``force``.
    """
    rep = CheckReport()
    t0 = time.perf_counter()
    new_keys: dict[str, str] = {}
    order = graph.order()
    progress = progress or callback("checking claims")
    for i, label in enumerate(order):
        claim = graph.claims[label]
        key = _key(graph, label, new_keys)
        new_keys[label] = key
        if progress:
            progress(i + 1, len(order), label)
        if claim.checker is None:
            continue
        if not force and graph.keys.get(label) == key and \
                (label in graph.certificates or label in graph.unmet or label in graph.rejections):
            rep.skipped.append(label)
            continue
        _forget(graph, label)
        rep.ran.append(label)
        try:
            result = claim.checker()
        except AssumptionViolated as exc:
            graph.unmet[label] = str(exc)
            rep.hypotheses_not_met[label] = str(exc)
            graph.keys[label] = key
            if enforce_expectations(graph, [label]):
                rep.failed[label] = graph.failure(label)
            continue
        except Exception as exc:  # a checker that errors marks its claim failed, with the message
            graph.checker_errors[label] = f"checker raised {type(exc).__name__}: {exc}"
            rep.failed[label] = graph.checker_errors[label]
            continue
        for cert in result if isinstance(result, (list, tuple)) else [result]:
            if not isinstance(cert, Certificate):
                graph.checker_errors[label] = f"checker returned {type(cert).__name__}, not a Certificate"
                break
            attach(graph, label, cert)
        if not graph.failure(label):  # the checker against its own declaration: a drift fails at once
            enforce_expectations(graph, [label])
        if graph.failure(label):
            rep.failed[label] = graph.failure(label)
        graph.keys[label] = key
    graph.changed()
    st = graph.statuses()
    rep.refuted = [n for n in order if st[n] == "refuted"]
    rep.seconds = time.perf_counter() - t0
    return rep
