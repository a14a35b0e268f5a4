"""Sources of claims: bibliography keys and entries, sections per source, and the papers' own numbering.

A claim's ``source`` reads like ``"Nguyen & Hein 2017, Theorem 3.8"`` or
``"Yu & Chen 1995; lecture notes"``. The part up to the year (or the first comma)
names the work; the rest locates the result in it. A part that names the document the
graph belongs to (``"this paper, Lemma 2"``, see :mod:`proofkit.claims.citation`) is not
a citation: such claims form the section of the document's own results (first), with
their numbers, and are never cited. Claims keep the number their paper gives them
(Theorem 3.8 stays 3.8); instances of a numbered result are numbered after it (3.8a,
3.8b); other claims get a number within their section.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from proofkit.claims.citation import SELF_REFERENCES, source_parts
from proofkit.printing.bibliography import SEED_REFERENCES, bib_key, register

if TYPE_CHECKING:  # pragma: no cover
    from proofkit.claims import ClaimGraph

__all__ = ["REFERENCES", "register_reference", "work_keys", "cite_key", "Numbered", "Section", "number_claims",
           "sections", "by_number", "OWN_SECTION", "OWN_RESULTS", "ClaimSubgraph", "source_subgraph"]

#: One line of plain text per work cited by the seed library, by the name used in ``Claim.source``
#: (kept in step with :mod:`proofkit.printing.bibliography`, which holds the BibTeX entries).
REFERENCES: dict[str, str] = {name: ref.text() for name, ref in SEED_REFERENCES.items()}

#: The section of claims that come from no paper (conjectures and counterexamples checked here).
OWN_SECTION = "Checked here"
#: The section of the results of the document the graph belongs to (sources such as ``"this paper, Lemma 2"``).
OWN_RESULTS = "this paper"


def register_reference(name: str, text: str | None = None, **fields: str) -> None:
    """Add (or replace) the reference of the work called ``name`` in claim sources: BibTeX ``fields``
    (``entry_type``, ``author``, ``title``, ``journal``, ``year``, ``doi``, ``eprint``, ...) or a free ``text``.

    Examples
    --------
    >>> register_reference("Folklore 1900", "Folklore. Known facts, 1900.")
    >>> cite_key("Folklore 1900")
    'folklore1900'
    """
    REFERENCES[name] = register(name, text=text, **fields).text()


def _work_name(work: str) -> str:
    return "Lecture notes" if work.strip().lower() == "lecture notes" else work.strip()


def work_keys(source: str) -> list[tuple[str, str]]:
    """``[(work, location)]`` for each ``;``-separated part of a source that cites a work (a part naming the
    document itself, ``"this paper, Lemma 2"``, is no citation: :func:`proofkit.claims.citation.source_parts`).

    Examples
    --------
    >>> work_keys("Nguyen & Hein 2017, Lemma 4.2; Mityagin")
    [('Nguyen & Hein 2017', 'Lemma 4.2'), ('Mityagin', '')]
    >>> work_keys("Kawaguchi, Huang & Kaelbling 2019, Theorem 1")
    [('Kawaguchi, Huang & Kaelbling 2019', 'Theorem 1')]
    >>> work_keys("this paper, Lemma 2; Doe 2020")
    [('Doe 2020', '')]
    """
    return [(_work_name(p.work), p.location) for p in source_parts(source) if not p.own]


def _cited(claim: Any) -> list[tuple[str, str]]:
    """The works a claim cites (:meth:`~proofkit.claims.Claim.cited_works`), names as the bibliography knows them."""
    return [(_work_name(w), loc) for w, loc in claim.cited_works()]


def cite_key(work: str) -> str:
    """The BibTeX key of a work name (see :func:`proofkit.printing.bibliography.bib_key`)."""
    return bib_key(work)


_NAMES = {"thm": "Theorem", "theorem": "Theorem", "lemma": "Lemma", "cor": "Corollary", "corollary": "Corollary",
          "def": "Definition", "definition": "Definition", "assumption": "Assumption", "assumptions": "Assumptions",
          "example": "Example", "examples": "Examples", "prop": "Proposition", "proposition": "Proposition",
          "section": "Section", "conjecture": "Conjecture", "remark": "Remark", "setting": "Setting"}
_NUMBERED = re.compile(r"^(Theorem|Thm\.?|Lemma|Corollary|Cor\.?|Definition|Def\.?|Assumptions?|Examples?|"
                       r"Proposition|Prop\.?|Conjecture|Remark)\s+(\d+(?:\.\d+)*(?:\s*[-\u2013]\s*\d+)?)\b(.*)$", re.I)


@dataclass
class Numbered:
    """How a claim is headed: ``name`` (Theorem), ``number`` (3.8), the rest of its title, its work and location."""

    name: str
    number: str
    rest: str
    works: list[tuple[str, str]]
    from_paper: bool
    ref: str = ""

    @property
    def heading(self) -> str:
        return f"{self.name} {self.number}".strip()


def _parse_number(text: str) -> tuple[str, str, str] | None:
    m = _NUMBERED.match(text.strip())
    if not m:
        return None
    name = _NAMES.get(m.group(1).lower().rstrip("."), m.group(1))
    return name, re.sub(r"\s*[-\u2013]\s*", "\u2013", m.group(2)), m.group(3).strip()


@dataclass
class Section:
    """A section of the report: the claims from one work."""

    key: str
    title: str
    labels: list[str]


def _section_of(graph: ClaimGraph, label: str, memo: dict[str, str]) -> str:
    if label in memo:
        return memo[label]
    claim = graph.claims[label]
    parts = source_parts(claim.source)
    if parts:
        sec = OWN_RESULTS if parts[0].own else _work_name(parts[0].work)
    elif claim.instance_of and claim.instance_of in graph.claims:
        sec = _section_of(graph, claim.instance_of, memo)
    elif claim.kind == "conjecture":  # with the counterexamples that refute it when they share a source
        refuters = {_section_of(graph, r, memo) for r, c in graph.claims.items() if label in c.refutes}
        sec = refuters.pop() if len(refuters) == 1 else OWN_SECTION
    elif claim.kind == "counterexample":
        sec = OWN_SECTION
    else:
        deps = {_section_of(graph, d, memo) for d in claim.dependencies if d in graph.claims}
        sec = deps.pop() if len(deps) == 1 else OWN_SECTION
    memo[label] = sec
    return sec


def _own_results_title(graph: ClaimGraph) -> str:
    """``"Results of this paper"`` (or of this thesis, this work, ...: the words the claims' sources use)."""
    for claim in graph.claims.values():
        text = str(claim.source or "").strip().lower()
        for word in SELF_REFERENCES:
            if text.startswith(word) or f"; {word}" in text:
                return f"Results of {word}"
    return "Results of this paper"


def _section_title(graph: ClaimGraph, key: str) -> str:
    if key == OWN_SECTION:
        return "Counterexamples and conjectures checked here"
    if key == OWN_RESULTS:
        return _own_results_title(graph)
    return key


def _grouped(graph: ClaimGraph, memo: dict[str, str]) -> list[Section]:
    groups: dict[str, list[str]] = {}
    for label in graph.claims:
        groups.setdefault(_section_of(graph, label, memo), []).append(label)
    # the document's own results first, then the largest source, the claims checked here last (independent
    # of the order claims were added in)
    keys = sorted((k for k in groups if k not in (OWN_SECTION, OWN_RESULTS)), key=lambda k: (-len(groups[k]), k.lower()))
    order = [*([OWN_RESULTS] if OWN_RESULTS in groups else []), *keys, *([OWN_SECTION] if OWN_SECTION in groups else [])]
    return [Section(k, _section_title(graph, k), groups[k]) for k in order]


def sections(graph: ClaimGraph) -> list[Section]:
    """Claims grouped by work, works in the order their first claim was added, claims by their papers' numbers."""
    if isinstance(graph, ClaimSubgraph):
        out = [Section(s.key, s.title, [lab for lab in s.labels if lab in graph.claims]) for s in sections(graph.whole)]
        return [s for s in out if s.labels]
    memo: dict[str, str] = {}
    order = {lab: i for i, lab in enumerate(graph.claims)}
    nums = number_claims(graph)
    groups = {sec.key: sec.labels for sec in _grouped(graph, memo)}

    def sort_key(label: str) -> tuple:
        num = nums[label]
        parent = graph.claims[label].instance_of
        if num.from_paper:
            return (0, [int(d) for d in re.findall(r"\d+", num.number)], 0, order[label])
        located = [int(d) for _, loc in num.works for d in re.findall(r"\d+", loc)[:2]]
        if located:  # e.g. the setting of Section 2 sorts before the results of Section 3
            return (0, located, -1, order[label])
        if parent and parent in graph.claims and memo.get(parent) == memo.get(label):
            return (*sort_key(parent)[:2], 1, order[label])
        return (1, [order[label]], 0, order[label])

    return [Section(key, _section_title(graph, key), sorted(labels, key=sort_key)) for key, labels in groups.items()]


def number_claims(graph: ClaimGraph) -> dict[str, Numbered]:
    """Headings with the papers' own numbers; instances after their result; the rest numbered per section.

    Examples
    --------
    >>> from proofkit.claims import Claim, ClaimGraph
    >>> g = ClaimGraph()
    >>> g.add_claim(Claim("T", kind="theorem", title="Theorem 3.8", source="A & B 2017, Theorem 3.8"))
    >>> g.add_claim(Claim("T:i", kind="instance", instance_of="T", statement="$1=1$"))
    >>> number_claims(g)["T"].heading, number_claims(g)["T:i"].heading
    ('Theorem 3.8', 'Instance 3.8a')
    """
    if isinstance(graph, ClaimSubgraph):
        return {lab: num for lab, num in number_claims(graph.whole).items() if lab in graph.claims}
    out: dict[str, Numbered] = {}
    pending = []
    for label, claim in graph.claims.items():
        works = _cited(claim)  # "this paper, Lemma 2" locates the result but is no citation
        located = [p.location for p in source_parts(claim.source)]
        own = bool(claim.source) or claim.kind not in ("instance", "counterexample", "conjecture")
        parsed = _parse_number(claim.title) if claim.title and own else None
        title_rest = claim.title
        if parsed:
            title_rest = parsed[2]
        if not parsed:
            for loc in located:
                parsed = _parse_number(loc)
                if parsed:
                    break
        if parsed:
            name, number, _ = parsed
            rest = title_rest.strip()
            rest = re.sub(r"^\((.*)\)$", r"\1", rest)
            rest = re.sub(r"(^|,\s*)cited$", "", rest).strip(" ,")
            out[label] = Numbered(name, number, rest, works, True)
        else:
            pending.append(label)
    letters = "abcdefghijklmnopqrstuvwxyz"
    per_parent: dict[str, int] = {}
    memo: dict[str, str] = {}
    per_section: dict[str, int] = {}
    section_index = {sec.key: i for i, sec in enumerate(_grouped(graph, memo))}
    for label in pending:
        claim = graph.claims[label]
        name = claim.kind.capitalize()
        parent = claim.instance_of
        if parent and parent in out and out[parent].from_paper:
            i = per_parent.get(parent, 0)
            per_parent[parent] = i + 1
            number = out[parent].number + (letters[i] if i < 26 else str(i))
        else:
            sec = _section_of(graph, label, memo)
            i = per_section.get(sec, 0) + 1
            per_section[sec] = i
            number = f"{letters[section_index[sec]].upper()}{i}"
        rest = re.sub(r"\s*\(cited\)$", "", claim.title or "")
        out[label] = Numbered(name, number, rest, _cited(claim), False)
    seen: dict[str, int] = {}
    for num in out.values():
        seen[num.heading] = seen.get(num.heading, 0) + 1
    for num in out.values():  # "Theorem 2" of two papers: references name the paper too
        num.ref = num.heading if seen[num.heading] == 1 or not num.works else f"{num.heading} of {num.works[0][0]}"
    return out


def by_number(labels: list[str], nums: dict[str, Numbered]) -> list[str]:
    """Labels in the order of their headings' numbers (Instance 2.3a, 2.3b, ..., 2.3j, 2.3k; 2 before 10).

    Examples
    --------
    >>> nums = {k: Numbered("Instance", n, "", [], False) for k, n in (("x", "2.3d"), ("y", "2.3c"), ("z", "10.1a"))}
    >>> by_number(["z", "x", "y"], nums)
    ['y', 'x', 'z']
    """
    def key(label: str) -> list[tuple[int, int | str]]:
        parts = re.split(r"(\d+)", nums[label].heading)
        return [(0, int(p)) if p.isdigit() else (1, p) for p in parts if p]

    return sorted(labels, key=key)


class ClaimSubgraph:
    """Some claims of a claim graph, printed as the whole graph prints them: the same numbers, sections,
    statuses and provenance (a view for drawing one source's part of a large graph).

    Everything not defined here (certificates, failures, ...) is the whole graph's.
    """

    def __repr__(self) -> str:
        return f"ClaimSubgraph({len(self.claims)} of {len(self.whole.claims)} claims)"

    def __init__(self, whole: ClaimGraph, labels: set[str] | list[str]) -> None:
        self.whole = whole
        keep = set(labels)
        self.claims = {lab: c for lab, c in whole.claims.items() if lab in keep}
        self.graph = whole.graph.subgraph(self.claims).copy()

    def __getattr__(self, name: str) -> object:
        return getattr(self.whole, name)

    def __len__(self) -> int:
        return len(self.claims)

    def __contains__(self, label: str) -> bool:
        return label in self.claims

    def statuses(self) -> dict[str, str]:
        return {lab: s for lab, s in self.whole.statuses().items() if lab in self.claims}

    def order(self) -> list[str]:
        return [lab for lab in self.whole.order() if lab in self.claims]


def source_subgraph(graph: ClaimGraph, section: Section) -> ClaimSubgraph:
    """The claims of one section with their direct neighbours in other sections (what they use, what refutes,
    generalises or instantiates them), as a :class:`ClaimSubgraph`.

    Examples
    --------
    >>> from proofkit.claims import Claim, ClaimGraph
    >>> g = ClaimGraph()
    >>> g.add_claim(Claim("A", kind="assumption", source="Doe 2020, Assumption 1", established="cited"))
    >>> g.add_claim(Claim("B", kind="theorem", source="Roe 2021, Theorem 1", uses=["A"], established="cited"))
    >>> sorted(source_subgraph(g, sections(g)[1]).claims)
    ['A', 'B']
    """
    inside = set(section.labels)
    near = set(inside)
    for u, v in graph.graph.edges():
        if u in graph.claims and v in graph.claims and (u in inside or v in inside):
            near.update((u, v))
    return ClaimSubgraph(graph, near)
