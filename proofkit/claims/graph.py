"""The claim graph: dependencies, derived statuses, incremental checking, persistence.

Edges point from a claim to the claims that use it (as in a blueprint's
dependency graph). Edge kinds: ``uses`` (used by the statement), ``proof``
(used by the proof), ``instance_of``, ``refutes`` and ``generalizes``.
Statuses are derived from the claims, their certificates and the kernel's
re-checks; they are never typed in.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from proofkit.certificate import Certificate, canonical_json
from proofkit.claims.claim import Claim
from proofkit.errors import (
    AssumptionViolated,
    CertificateRejected,
    CircularDependency,
    CorruptGraph,
    DanglingReference,
    DuplicateClaim,
    UnknownClaim,
)
from proofkit.kernel import check_certificate

__all__ = ["ClaimGraph", "CheckReport", "STATUSES", "ESTABLISHED", "GRAPH_SCHEMA"]

GRAPH_SCHEMA = "proofkit.graph/1"

#: Every status a claim can have, most severe first.
STATUSES = ("failed", "refuted", "hypotheses not met", "inconclusive", "instance certified",
            "fully established", "established", "ready", "stated")
#: Statuses that count as established for the claims that depend on them.
ESTABLISHED = ("instance certified", "fully established", "established")
_DEPENDENCY_EDGES = ("uses", "proof", "instance_of")


@dataclass
class CheckReport:
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


class ClaimGraph:
    """Claims with their dependencies and certificates.

    Examples
    --------
    >>> g = ClaimGraph()
    >>> g.add_claim(Claim("A", kind="assumption", statement="$x > 0$", established="cited"))
    >>> g.add_claim(Claim("T", kind="theorem", statement="$x^2 > 0$", uses=["A"], established="proof"))
    >>> g.status("T")
    'fully established'
    """

    def __init__(self) -> None:
        self.graph = nx.DiGraph()
        self.claims: dict[str, Claim] = {}
        self.certificates: dict[str, list[Certificate]] = {}
        self.failures: dict[str, str] = {}
        self.unmet: dict[str, str] = {}
        self.keys: dict[str, str] = {}

    # -- building ----------------------------------------------------------------
    def add_claim(self, claim: Claim) -> None:
        """Add a claim; raises :class:`DuplicateClaim` or :class:`CircularDependency` at once."""
        if claim.label in self.claims:
            raise DuplicateClaim("claim", "a new label", f"the label {claim.label!r} is already in the graph")
        self.graph.add_node(claim.label)
        edges = [(d, claim.label, "uses") for d in claim.uses]
        edges += [(d, claim.label, "proof") for d in claim.proof_uses if d not in claim.uses]
        if claim.instance_of:
            edges.append((claim.instance_of, claim.label, "instance_of"))
        edges += [(claim.label, t, "refutes") for t in claim.refutes]
        edges += [(g, claim.label, "generalizes") for g in claim.generalizes]
        for u, v, kind in edges:
            self.graph.add_edge(u, v, kind=kind)
        self.claims[claim.label] = claim
        cycle = self._find_cycle()
        if cycle:
            for u, v, _ in edges:
                if self.graph.has_edge(u, v):
                    self.graph.remove_edge(u, v)
            del self.claims[claim.label]
            if self.graph.degree(claim.label) == 0:
                self.graph.remove_node(claim.label)
            raise CircularDependency("claim", "an acyclic dependency graph",
                                     f"adding {claim.label!r} closes the cycle {' uses '.join(cycle)}")

    def _dependency_view(self) -> nx.DiGraph:
        return nx.subgraph_view(self.graph, filter_edge=lambda u, v: self.graph[u][v]["kind"] in _DEPENDENCY_EDGES)

    def _find_cycle(self) -> list[str] | None:
        try:
            cyc = nx.find_cycle(self._dependency_view())
        except nx.NetworkXNoCycle:
            return None
        nodes = [u for u, _ in cyc]
        nodes.reverse()  # edges point from a dependency to its user: read the cycle as "uses"
        return nodes + [nodes[0]]

    def validate(self) -> None:
        """Raise :class:`DanglingReference` if an edge names a label with no claim."""
        for node in self.graph.nodes:
            if node not in self.claims:
                users = sorted(self.graph.successors(node)) + sorted(self.graph.predecessors(node))
                raise DanglingReference("uses", "labels of claims in the graph",
                                        f"{node!r} (referenced by {', '.join(map(repr, users))}) is not a claim")

    def __contains__(self, label: str) -> bool:
        return label in self.claims

    def __len__(self) -> int:
        return len(self.claims)

    def claim(self, label: str) -> Claim:
        """The claim with this label; :class:`UnknownClaim` otherwise."""
        try:
            return self.claims[label]
        except KeyError:
            close = [c for c in self.claims if label.lower() in c.lower()][:5]
            hint = f"; similar: {', '.join(close)}" if close else ""
            raise UnknownClaim("label", "the label of a claim in the graph", f"{label!r}{hint}") from None

    def attach(self, label: str, certificate: Certificate) -> None:
        """Attach a certificate to a claim; the kernel re-checks it (a rejection marks the claim failed)."""
        self.claim(label)
        self.certificates.setdefault(label, []).append(certificate)
        self._kernel_check(label, certificate)

    def _kernel_check(self, label: str, cert: Certificate) -> None:
        try:
            check_certificate(cert)
        except CertificateRejected as exc:
            self.failures[label] = str(exc)

    # -- queries ---------------------------------------------------------------------
    def order(self) -> list[str]:
        """Labels in dependency order (dependencies first), ties broken by label."""
        return [n for n in nx.lexicographical_topological_sort(self._dependency_view()) if n in self.claims]

    def ancestors(self, label: str) -> set[str]:
        """Everything ``label`` depends on, transitively."""
        self.claim(label)
        return {n for n in nx.ancestors(self._dependency_view(), label) if n in self.claims}

    def dependants(self, label: str) -> set[str]:
        """Everything that depends on ``label``, transitively."""
        self.claim(label)
        return {n for n in nx.descendants(self._dependency_view(), label) if n in self.claims}

    def breaks_if_refuted(self, label: str) -> list[str]:
        """What would lose its support if ``label`` were refuted (its dependants, in order)."""
        dep = self.dependants(label)
        return [n for n in self.order() if n in dep]

    def refuted_by(self, label: str) -> list[str]:
        """Certified counterexamples that refute ``label``."""
        return sorted(u for u in self.graph.predecessors(label)
                      if self.graph[u][label]["kind"] == "refutes" and u in self.claims
                      and self._own_status(u) == "instance certified")

    def _own_status(self, label: str) -> str:
        claim = self.claim(label)
        if label in self.failures:
            return "failed"
        certs = self.certificates.get(label, [])
        if any(c.verdict == "refuted" for c in certs) and claim.kind != "counterexample":
            return "refuted"
        if label in self.unmet:
            return "hypotheses not met"
        if claim.established == "checked" or certs:
            if certs and all(c.verdict == "certified" for c in certs):
                return "instance certified"
            if certs:
                return "inconclusive"
        return "stated"

    def status(self, label: str) -> str:
        """The derived status of a claim (one of :data:`STATUSES`)."""
        self.claim(label)
        return self._statuses()[label]

    def _statuses(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for label in self.order():
            claim = self.claims[label]
            own = self._own_status(label)
            if own in ("failed", "refuted", "hypotheses not met", "inconclusive", "instance certified"):
                out[label] = own
                continue
            if self.refuted_by(label):
                out[label] = "refuted"
                continue
            deps = [d for d in claim.dependencies if d in self.claims]
            deps_ok = all(out.get(d) in ESTABLISHED for d in deps)
            if claim.established == "cited" or (claim.established == "proof" and deps_ok):
                ancestors_ok = all(out.get(a) in ESTABLISHED for a in self.ancestors(label))
                out[label] = "fully established" if ancestors_ok else "established"
            elif claim.established is None and deps_ok:
                out[label] = "ready"
            else:
                out[label] = "stated"
        for label in self.claims:  # claims outside the dependency order (isolated by refutes edges only)
            out.setdefault(label, self._own_status(label))
        return out

    def statuses(self) -> dict[str, str]:
        """The status of every claim, in dependency order."""
        return self._statuses()

    def flagged(self, label: str) -> list[str]:
        """The refuted claims ``label`` depends on (empty when it rests on nothing refuted)."""
        st = self._statuses()
        return sorted(a for a in self.ancestors(label) if st[a] == "refuted")

    def frontier(self) -> list[str]:
        """Unestablished claims whose dependencies are all established (the next things to prove)."""
        st = self._statuses()
        return [n for n in self.order() if st[n] == "ready"]

    def coverage(self) -> dict[str, int]:
        """How many claims have each status."""
        st = self._statuses()
        return {s: sum(1 for v in st.values() if v == s) for s in STATUSES}

    # -- checking -----------------------------------------------------------------------
    def _key(self, label: str, keys: dict[str, str]) -> str:
        claim = self.claims[label]
        deps = sorted(keys.get(d, "") for d in claim.dependencies)
        return hashlib.sha256(canonical_json([claim.to_dict(), deps]).encode()).hexdigest()

    def check(self, *, force: bool = False, progress: Callable[[int, int, str], None] | None = None
              ) -> CheckReport:
        """Run the checkers whose claim, checker code or dependencies changed; re-check their certificates.

        Every certificate is keyed by a hash of its claim, the checker's code
        version and the keys of its dependencies; unchanged claims are skipped
        (and reported as such) unless ``force``.
        """
        import time

        rep = CheckReport()
        t0 = time.perf_counter()
        new_keys: dict[str, str] = {}
        order = self.order()
        for i, label in enumerate(order):
            claim = self.claims[label]
            key = self._key(label, new_keys)
            new_keys[label] = key
            if progress:
                progress(i + 1, len(order), label)
            if claim.checker is None:
                continue
            if not force and self.keys.get(label) == key and (label in self.certificates or label in self.unmet):
                rep.skipped.append(label)
                continue
            self.certificates.pop(label, None)
            self.failures.pop(label, None)
            self.unmet.pop(label, None)
            rep.ran.append(label)
            try:
                result = claim.checker()
            except AssumptionViolated as exc:
                self.unmet[label] = str(exc)
                rep.hypotheses_not_met[label] = str(exc)
                self.keys[label] = key
                continue
            except Exception as exc:  # a checker that errors marks its claim failed, with the message
                self.failures[label] = f"checker raised {type(exc).__name__}: {exc}"
                rep.failed[label] = self.failures[label]
                continue
            certs = result if isinstance(result, (list, tuple)) else [result]
            for cert in certs:
                if not isinstance(cert, Certificate):
                    self.failures[label] = f"checker returned {type(cert).__name__}, not a Certificate"
                    break
                self.attach(label, cert)
            if label in self.failures:
                rep.failed[label] = self.failures[label]
            self.keys[label] = key
        st = self._statuses()
        rep.refuted = [n for n in order if st[n] == "refuted"]
        rep.seconds = time.perf_counter() - t0
        return rep

    # -- persistence ----------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {"schema": GRAPH_SCHEMA,
                "claims": [self.claims[n].to_dict() for n in sorted(self.claims)],
                "certificates": {k: [c.to_dict(timing=True) for c in v] for k, v in sorted(self.certificates.items())},
                "failures": dict(sorted(self.failures.items())), "unmet": dict(sorted(self.unmet.items())),
                "keys": dict(sorted(self.keys.items()))}

    def to_json(self) -> str:
        """Canonical JSON of the whole graph (claims, certificates, statuses' inputs, keys)."""
        return canonical_json(self.to_dict())

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write atomically: a temporary file in the same folder, then a rename."""
        path = os.fspath(path)
        folder = os.path.dirname(os.path.abspath(path))
        os.makedirs(folder, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".graph-", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(fd, "w") as fh:
                fh.write(self.to_json())
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise

    @classmethod
    def from_json(cls, text: str, checkers: dict[str, Callable[[], Any]] | None = None) -> ClaimGraph:
        """Rebuild a graph; every stored certificate is re-checked by the kernel."""
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise CorruptGraph("graph", "JSON text", f"invalid JSON ({exc.msg} at line {exc.lineno})") from None
        if not isinstance(data, dict) or data.get("schema") != GRAPH_SCHEMA:
            got = data.get("schema") if isinstance(data, dict) else type(data).__name__
            raise CorruptGraph("graph", f"a {GRAPH_SCHEMA} file", f"schema {got!r}")
        g = cls()
        try:
            for d in data["claims"]:
                claim = Claim.from_dict(d)
                if checkers and claim.label in checkers:
                    claim.checker = checkers[claim.label]
                g.add_claim(claim)
            for label, certs in data["certificates"].items():
                g.claim(label)
                g.certificates[label] = [Certificate.from_dict(c) for c in certs]
            g.failures = dict(data["failures"])
            g.unmet = dict(data["unmet"])
            g.keys = dict(data["keys"])
        except (KeyError, TypeError, ValueError) as exc:
            if isinstance(exc, (CircularDependency, DuplicateClaim, UnknownClaim)):
                raise
            raise CorruptGraph("graph", "claims, certificates, failures, unmet and keys", f"{exc}") from None
        g.validate()
        for label, certs in g.certificates.items():
            for cert in certs:
                try:
                    check_certificate(cert)
                except CertificateRejected as exc:
                    raise CertificateRejected(f"claim {label!r}: {exc}") from None
        return g

    @classmethod
    def load(cls, path: str | os.PathLike[str], checkers: dict[str, Callable[[], Any]] | None = None) -> ClaimGraph:
        """Load a saved graph (validated; certificates re-checked by the kernel)."""
        try:
            with open(path) as fh:
                text = fh.read()
        except FileNotFoundError:
            raise CorruptGraph("path", "an existing graph file", f"{os.fspath(path)!r} does not exist") from None
        return cls.from_json(text, checkers)

    def merge_results(self, other: ClaimGraph) -> None:
        """Take certificates, keys and outcomes from ``other`` for claims with the same label (for incremental runs)."""
        for label in self.claims:
            if label in other.keys:
                self.keys[label] = other.keys[label]
            if label in other.certificates:
                self.certificates[label] = list(other.certificates[label])
            if label in other.unmet:
                self.unmet[label] = other.unmet[label]
            if label in other.failures:
                self.failures[label] = other.failures[label]

    def add_claims(self, claims: Iterable[Claim]) -> None:
        for c in claims:
            self.add_claim(c)

    # -- display ----------------------------------------------------------------------------
    def _repr_svg_(self) -> str:
        from proofkit.printing.graphviz import to_svg

        return to_svg(self)
