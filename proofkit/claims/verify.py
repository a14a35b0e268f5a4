"""Re-check a claim graph as a reader would: what failed, what is stale, which expectation does not hold.

:func:`graph_problems` lists the claims that stand in the way of a graph being what it says:
a failed claim (a rejected certificate, a certificate that is not the one its checker declares, a
checker error), a stale claim (its checker's certificates are missing), a claim whose recorded
expectation (``expected="refuted"``, ``"hypotheses not met"``) does not hold, and a claim refuted
although nobody expected it. ``proofkit check`` exits 1 when this list is not empty.

:func:`verify_graph_text` re-checks a saved graph file (``proofkit verify graph.json``, or a report
folder): the certificates with the kernel, their bindings, and, for the claims of the seed library
that the file holds unchanged, the certificates each checker declares (a saved graph holds no code;
the library's code is what can tell a claim's own certificate from a genuine one moved to it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["graph_problems", "load_with_library", "verify_graph_text", "GraphCheck", "unbound_claims",
           "certificate_text"]

_STALE = ("its checker's certificates are missing (never computed, or deleted): run the checker (`proofkit check` "
          "for the seed library; in Python, graph.check())")


def _why_not(graph: Any, label: str, status: str, expected: str) -> str:
    """Why a claim does not have its expected status, in one sentence."""
    out = f"expected {expected!r}, but it is {status!r}"
    if expected == "refuted":
        st = graph.statuses()
        cex = sorted(u for u in graph.graph.predecessors(label)
                     if graph.graph[u][label]["kind"] == "refutes" and u in graph.claims)
        if cex:
            out += "; its counterexamples: " + ", ".join(f"{c} is {st[c]!r}" for c in cex)
        else:
            out += "; no counterexample refutes it"
    return out


def graph_problems(graph: Any) -> list[tuple[str, str, str]]:
    """``(label, status, why)`` for every claim that failed, is stale, misses its expected outcome, or is refuted
    unexpectedly (in dependency order).

    Examples
    --------
    >>> from proofkit.claims import Claim, ClaimGraph
    >>> g = ClaimGraph()
    >>> g.add_claim(Claim("Q", kind="conjecture", statement="open", expected="refuted"))
    >>> graph_problems(g)
    [('Q', 'ready', "expected 'refuted', but it is 'ready'; no counterexample refutes it")]
    """
    st = graph.statuses()
    order = graph.order()
    order += [lab for lab in graph.claims if lab not in set(order)]
    out = []
    for label in order:
        status, claim = st[label], graph.claims[label]
        if status == "failed":
            why = graph.failure(label) or "failed"
        elif status == "stale":
            why = _STALE
        elif claim.expected is not None and status != claim.expected:
            why = _why_not(graph, label, status, claim.expected)
        elif claim.expected is None and status == "refuted":
            by = graph.refuted_by(label)
            why = "refuted unexpectedly" + (f" by {', '.join(by)}" if by else " (a certificate of its own is refuted)")
        else:
            continue
        out.append((label, status, why))
    return out


def load_with_library(text: str, code: Any = None) -> tuple[Any, list[str]]:
    """A saved graph (JSON text), with the seed library's checkers and declarations (or those of ``code``, a graph
    built from code) adopted by the claims that are unchanged; returns the graph and the adopted labels."""
    from proofkit.claims import ClaimGraph
    from proofkit.claims.runner import declared

    graph = ClaimGraph.from_json(text)
    if code is None:
        from proofkit.library import seed_graph

        code = seed_graph()
    for label in graph.claims:  # evaluated on the code graph, so that a code graph used again evaluates none
        if label in code.claims and code.claims[label].expects is not None:
            try:
                declared(code, label)
            except Exception:  # reported when the claim's results are compared with it
                pass
    adopted = graph.adopt_code(code) if any(label in code.claims for label in graph.claims) else []
    return graph, adopted


@dataclass
class GraphCheck:
    """What :func:`verify_graph_text` found: one line per problem, the certificates stored and accepted, and the
    claims whose certificates only their binding ties to them (no checker declaration here)."""

    problems: list[str] = field(default_factory=list)
    stored: int = 0
    accepted: int = 0
    unbound: list[str] = field(default_factory=list)
    held: dict[str, set[str]] = field(default_factory=dict)  # label -> canonical JSON of its accepted certificates


def unbound_claims(graph: Any) -> list[str]:
    """Claims holding certificates that no declaration ties to them: only their binding does, a hash that anyone
    editing the file can recompute (user claims loaded without their code)."""
    return sorted(lab for lab, certs in graph.certificates.items() if certs and graph.claims[lab].expects is None)


def verify_graph_text(text: str, code: Any = None) -> GraphCheck:
    """Re-check a saved graph (JSON text): its problems, one line each (none when every claim is what the graph
    says), the certificates it stores and those the kernel accepted for their claims, and the unbound claims.
    ``code``: the graph built from code whose checkers apply (default: the seed library).

    Guarantee
    ---------
    No problem means: every stored certificate passed the kernel and is bound to its claim; the certificates of
    every seed-library claim are the ones its checker declares (none for a claim without checker), and every
    library claim with a checker is the library's own; no claim is failed or stale; every expected outcome holds
    and nothing is refuted unexpectedly. Claims outside the library are tied to their certificates by their
    binding only (listed in ``unbound``).
    """
    import json

    from proofkit.errors import ProofkitError

    try:
        graph, _ = load_with_library(text, code)
    except ProofkitError as exc:
        return GraphCheck([f"not a readable claim graph ({exc})"])
    stored = json.loads(text).get("certificates", {})
    n = sum(len(v) if isinstance(v, list) else 1 for v in stored.values()) if isinstance(stored, dict) else 0
    accepted = sum(len(v) for v in graph.certificates.values())
    held = {label: {certificate_text(c) for c in certs} for label, certs in graph.certificates.items()}
    return GraphCheck([f"{label} is {status}: {why}" for label, status, why in graph_problems(graph)], n, accepted,
                      unbound_claims(graph), held)


def certificate_text(cert: Any) -> str:
    """A certificate's canonical JSON without its timing (how copies of one certificate are compared)."""
    from proofkit.certificate import canonical_json

    data = dict(cert.to_dict() if hasattr(cert, "to_dict") else cert)
    data.pop("time_seconds", None)
    return canonical_json(data)
