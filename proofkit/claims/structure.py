"""The claim graph's structure: claims, dependency edges, queries and derived statuses.

Edges point from a claim to the claims that use it (as in a blueprint's
dependency graph). Edge kinds: ``uses`` (used by the statement), ``proof``
(used by the proof), ``instance_of``, ``refutes`` and ``generalizes``.
Statuses are derived in one pass from the claims, their kernel-checked
certificates and the checkers' outcomes; they are cached until the next change
and never typed in or read from a file.
"""

from __future__ import annotations

from collections.abc import Iterable

import networkx as nx

from proofkit.certificate import Certificate
from proofkit.claims.claim import Claim
from proofkit.errors import CircularDependency, DanglingReference, DuplicateClaim, UnknownClaim

__all__ = ["GraphStructure", "STATUSES", "ESTABLISHED"]

#: Every status a claim can have, most severe first. ``stale``: the claim has a checker (or was established
#: by one) but no certificate and no recorded outcome: its results are missing or were never computed.
STATUSES = ("failed", "refuted", "stale", "hypotheses not met", "inconclusive", "instance certified",
            "fully established", "established", "ready", "stated")
#: Statuses that count as established for the claims that depend on them.
ESTABLISHED = ("instance certified", "fully established", "established")
_DEPENDENCY_EDGES = ("uses", "proof", "instance_of")
#: The fields of a claim that name other claims (all must exist when the claim is added).
_REFERENCES = ("uses", "proof_uses", "instance_of", "refutes", "generalizes")


class GraphStructure:
    """Claims with their dependencies; statuses derived from kernel-checked certificates.

    ``certificates`` holds only certificates the kernel accepted for the claim they are
    bound to; ``rejections`` the reasons for those it rejected; ``checker_errors`` and
    ``unmet`` the checkers' own outcomes (an exception, or hypotheses not met);
    ``failures`` is both kinds of failure together. ``discarded`` says why previous results
    merged into this graph were dropped (they did not match the checkers' declarations).
    ``title`` names the document the graph belongs to (its own results cite ``"this paper"``).
    """

    def __init__(self, title: str = "") -> None:
        self.title = title
        self.discarded: dict[str, str] = {}
        self.graph = nx.DiGraph()
        self.claims: dict[str, Claim] = {}
        self.certificates: dict[str, list[Certificate]] = {}
        self.reports: dict[str, list[str]] = {}
        self.rejections: dict[str, str] = {}
        self.checker_errors: dict[str, str] = {}
        self.unmet: dict[str, str] = {}
        self.keys: dict[str, str] = {}
        self._cache: dict[str, str] | None = None
        self._declarations: dict[str, tuple[object, object]] = {}  # label -> (expects, its value), see runner

    # -- building ----------------------------------------------------------------
    @property
    def failures(self) -> dict[str, str]:
        """Why claims failed: a rejected certificate, or a checker error."""
        return {**self.checker_errors, **self.rejections}

    def add_claim(self, claim: Claim) -> None:
        """Add a claim whose references are claims of the graph (:meth:`add_claims` takes several at once).

        Raises :class:`DuplicateClaim`, or :class:`DanglingReference` when ``uses``, ``proof_uses``,
        ``instance_of``, ``refutes`` or ``generalizes`` names a label that is not in the graph.
        """
        self.add_claims([claim])

    def add_claims(self, claims: Iterable[Claim]) -> None:
        """Add claims that may refer to each other, in any order; nothing is added if one is wrong.

        Every reference must be a claim already in the graph or one of ``claims``; the claims are
        added in dependency order (given order among independent ones).

        Raises
        ------
        DuplicateClaim
            A label already in the graph, or twice among ``claims``.
        DanglingReference
            A reference to a label that is neither in the graph nor among ``claims``.
        CircularDependency
            The dependencies (``uses``, ``proof_uses``, ``instance_of``) among ``claims`` form a cycle.
        """
        claims = list(claims)
        batch: dict[str, Claim] = {}
        for c in claims:
            if not isinstance(c, Claim):
                raise TypeError(f"add_claims takes Claim objects, got {type(c).__name__}")
            if c.label in self.claims or c.label in batch:
                raise DuplicateClaim("claim", "a new label", f"the label {c.label!r} is already in the graph")
            batch[c.label] = c
        for c in claims:
            for name in _REFERENCES:
                refs = getattr(c, name)
                for ref in ([refs] if isinstance(refs, str) else refs) if refs else []:
                    if ref not in self.claims and ref not in batch:
                        raise DanglingReference(name, "labels of claims in the graph (add them first, or together "
                                                      "with add_claims)",
                                                f"{ref!r} (in {name} of {c.label!r}) is not a claim")
        local = nx.DiGraph()
        local.add_nodes_from(batch)
        local.add_edges_from((d, c.label) for c in claims for d in c.dependencies if d in batch)
        try:
            cyc = nx.find_cycle(local)
        except nx.NetworkXNoCycle:
            cyc = None
        if cyc:
            nodes = [u for u, _ in cyc][::-1]  # edges point from a dependency to its user: read it as "uses"
            raise CircularDependency("claim", "an acyclic dependency graph",
                                     f"adding {nodes[0]!r} closes the cycle {' uses '.join(nodes + [nodes[0]])}")
        index = {c.label: i for i, c in enumerate(claims)}
        for label in nx.lexicographical_topological_sort(local, key=index.__getitem__):
            self._add_one(batch[label])

    def _add_one(self, claim: Claim) -> None:
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
        self.changed()

    def _dependency_view(self) -> nx.DiGraph:
        return nx.subgraph_view(self.graph, filter_edge=lambda u, v: self.graph[u][v]["kind"] in _DEPENDENCY_EDGES)

    def validate(self) -> None:
        """Raise :class:`DanglingReference` if an edge names a label with no claim (cannot happen through
        :meth:`add_claims`, which rejects such a claim when it is added)."""
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
        if label in self.checker_errors or label in self.rejections:
            return "failed"
        certs = self.certificates.get(label, [])
        counterexample = claim.kind == "counterexample"
        if any(c.verdict == "refuted" for c in certs) and not counterexample:
            return "refuted"
        if label in self.unmet:
            return "hypotheses not met"
        if certs:
            # a counterexample is established by conclusive certificates of either verdict: its checker
            # proves the property that makes its target fail (e.g. "A is singular" as a refuted nonsingular)
            settled = ("certified", "refuted") if counterexample else ("certified",)
            return "instance certified" if all(c.verdict in settled for c in certs) else "inconclusive"
        if claim.checker is not None or claim.established == "checked":
            return "stale"
        return "stated"

    def status(self, label: str) -> str:
        """The derived status of a claim (one of :data:`STATUSES`)."""
        self.claim(label)
        return self._statuses()[label]

    def changed(self) -> None:
        """Forget the derived statuses (called by every change of claims, certificates or outcomes)."""
        self._cache = None

    def _statuses(self) -> dict[str, str]:
        if self._cache is None:
            self._cache = self._derive()
        return self._cache

    def _derive(self) -> dict[str, str]:
        """Every status in one pass over the dependency order."""
        out: dict[str, str] = {}
        for label in self.order():
            claim = self.claims[label]
            own = self._own_status(label)
            if own in ("failed", "refuted", "stale", "hypotheses not met", "inconclusive", "instance certified"):
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
        return dict(self._statuses())

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

    def failure(self, label: str) -> str | None:
        """Why a claim failed (a rejected certificate or a checker error), if it did."""
        return self.rejections.get(label) or self.checker_errors.get(label)
