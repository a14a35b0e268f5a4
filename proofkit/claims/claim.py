"""Claims: lemmas, theorems, instances and counterexamples as plain data."""

from __future__ import annotations

import functools
import hashlib
import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from proofkit.errors import InvalidInput

__all__ = ["Claim", "KINDS", "PROOF_KINDS"]

#: The kinds of claims, with the amsthm environment each is typeset in.
KINDS = {
    "definition": "definition",
    "assumption": "assumption",
    "lemma": "lemma",
    "theorem": "theorem",
    "corollary": "corollary",
    "conjecture": "conjecture",
    "instance": "instance",
    "counterexample": "counterexample",
}

#: How a claim is established: cited (a published result we trust), by the paper's proof
#: from its dependencies, or by certificates of an instance checker.
PROOF_KINDS = (None, "cited", "proof", "checked")


@dataclass
class Claim:
    """A statement with its dependencies, source and optional instance checker.

    Parameters
    ----------
    label : str
        Unique identifier (``"NH17:thm3.8"``).
    kind : str
        One of :data:`KINDS`.
    statement : str
        The statement in LaTeX.
    uses : list of str
        Claims the *statement* uses (definitions, assumptions).
    proof_uses : list of str
        Claims the *proof* uses.
    source : str
        Paper, number, page or equation.
    hypotheses : dict
        Structured hypotheses (e.g. ``{"width": "n_k >= N - 1"}``).
    established : {None, "cited", "proof", "checked"}
        ``"cited"``: a published result recorded as trusted; ``"proof"``: proved
        in the source from ``proof_uses``; ``"checked"``: established by the
        certificates of its checker (instances, counterexamples).
    checker : callable, optional
        ``checker() -> Certificate | list[Certificate]``: produces certificates on
        concrete data. It may raise :class:`~proofkit.errors.AssumptionViolated`
        to say that the hypotheses are not met.
    expects : callable, optional
        ``expects() -> list[Expected]``: the certificates the checker produces, as far as its
        definition fixes them (claim types and inputs, :mod:`proofkit.claims.expect`), computed
        cheaply without certifying; it raises :class:`~proofkit.errors.AssumptionViolated` exactly when
        the checker does. A claim's certificates count only if they match it: a genuine certificate of
        another claim moved to this one (even with its binding recomputed) is rejected. Without it,
        certificates are tied to the claim by their binding (a hash anyone can recompute) only.
    refutes : list of str
        For counterexamples: the claims a certified counterexample refutes.
    instance_of : str, optional
        For instances: the claim this is an instance of.
    generalizes : list of str
        Claims this one generalises.
    note : str
        Free text (e.g. which hypothesis a counterexample violates).
    title : str
        A short human title (``"Theorem 3.8"``).
    expected : {None, "refuted", "hypotheses not met"}
        An outcome that is expected and therefore not a failure of ``proofkit check``
        (e.g. the ReLU variant of a lemma, refuted by a counterexample on purpose).
    proof : str
        The proof (or a proof sketch) in LaTeX, math in ``$...$``, shown after the statement in the
        PDF and on the claim's HTML page. Not checked: what is checked is the certificates.

    Examples
    --------
    >>> c = Claim("L1", kind="lemma", statement="$x^2 \\\\ge 0$", established="cited", source="folklore")
    >>> c.kind, c.established
    ('lemma', 'cited')
    """

    label: str
    kind: str = "lemma"
    statement: str = ""
    uses: list[str] = field(default_factory=list)
    proof_uses: list[str] = field(default_factory=list)
    source: str = ""
    hypotheses: dict[str, Any] = field(default_factory=dict)
    established: str | None = None
    checker: Callable[[], Any] | None = None
    refutes: list[str] = field(default_factory=list)
    instance_of: str | None = None
    generalizes: list[str] = field(default_factory=list)
    note: str = ""
    title: str = ""
    expected: str | None = None
    expects: Callable[[], Any] | None = field(default=None, repr=False, compare=False)
    stored_checker_version: str = field(default="", repr=False)
    proof: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.label, str) or not self.label.strip():
            raise InvalidInput("label", "a non-empty string", repr(self.label))
        if self.kind not in KINDS:
            raise InvalidInput("kind", f"one of {sorted(KINDS)}", repr(self.kind))
        if self.established not in PROOF_KINDS:
            raise InvalidInput("established", f"one of {PROOF_KINDS}", repr(self.established))
        for name in ("uses", "proof_uses", "refutes", "generalizes"):
            value = getattr(self, name)
            if isinstance(value, str) or not all(isinstance(v, str) for v in value):
                raise InvalidInput(name, "a list of claim labels", repr(value))
        if not isinstance(self.proof, str):
            raise InvalidInput("proof", "a string (LaTeX, math in $...$)", repr(self.proof))
        if self.checker is not None and not callable(self.checker):
            raise InvalidInput("checker", "a callable or None", repr(self.checker))
        if self.expects is not None and not callable(self.expects):
            raise InvalidInput("expects", "a callable returning the expected certificates, or None",
                               repr(self.expects))
        if self.checker is not None and self.established is None:
            self.established = "checked"

    def cited_works(self) -> list[tuple[str, str]]:
        """The works the source cites, as ``(work, location)``; references to the document itself
        (``"this paper"``, :data:`~proofkit.claims.citation.SELF_REFERENCES`) are not citations.

        Examples
        --------
        >>> Claim("L", source="this paper, Lemma 2").cited_works(), Claim("L", source="this paper").own
        ([], True)
        """
        from proofkit.claims.citation import source_parts

        return [(p.work, p.location) for p in source_parts(self.source) if not p.own]

    @property
    def own(self) -> bool:
        """Whether the source names the document itself (a result of the graph's own paper, not a citation)."""
        from proofkit.claims.citation import source_parts

        return any(p.own for p in source_parts(self.source))

    @property
    def dependencies(self) -> list[str]:
        """Every claim this one depends on (statement and proof)."""
        out = list(dict.fromkeys([*self.uses, *self.proof_uses, *([self.instance_of] if self.instance_of else [])]))
        return out

    def checker_version(self) -> str:
        """A hash of the checker's source code (changes when the checker changes)."""
        if self.checker is None:
            return self.stored_checker_version
        func, args, kwargs = self.checker, (), {}
        while isinstance(func, functools.partial):  # a partial: its function's code and its arguments
            func, args, kwargs = func.func, func.args + args, {**func.keywords, **kwargs}
        try:
            src = inspect.getsource(func)
        except (OSError, TypeError):
            src = getattr(func, "__qualname__", type(func).__name__)
        extra = getattr(self.checker, "version", "")
        return hashlib.sha256(f"{src}{args!r}{sorted(kwargs.items())!r}{extra}".encode()).hexdigest()[:16]

    def digest(self) -> str:
        """The hash a certificate supporting this claim is bound to: statement, hypotheses, instance data
        (the checker's code and arguments, via :meth:`checker_version`) and every other field of the claim."""
        from proofkit.certificate import claim_digest

        return claim_digest(self.to_dict())

    def to_dict(self) -> dict[str, Any]:
        """The claim as data (the checker is represented by its version hash)."""
        return {"label": self.label, "kind": self.kind, "statement": self.statement, "uses": self.uses,
                "proof_uses": self.proof_uses, "source": self.source, "hypotheses": self.hypotheses,
                "established": self.established, "refutes": self.refutes, "instance_of": self.instance_of,
                "generalizes": self.generalizes, "note": self.note, "title": self.title, "expected": self.expected,
                "checker_version": self.checker_version(), **({"proof": self.proof} if self.proof else {})}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Claim:
        keys = ("label", "kind", "statement", "uses", "proof_uses", "source", "hypotheses", "established",
                "refutes", "instance_of", "generalizes", "note", "title", "expected", "proof")
        return cls(**{k: d[k] for k in keys if k in d}, stored_checker_version=d.get("checker_version", ""))

    def _repr_latex_(self) -> str:
        from proofkit.printing.latex import repr_latex

        return repr_latex(self)

    def _repr_html_(self) -> str:
        from proofkit.printing.latex import repr_html

        return repr_html(self)
