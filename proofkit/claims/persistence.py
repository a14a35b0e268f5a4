"""Saving and loading claim graphs (``proofkit.graph/2``): atomic writes, every certificate re-checked on load.

A saved graph holds the claims, the certificates (each bound to its claim), the checkers'
own outcomes (hypotheses not met, checker errors) and the incremental-check keys. Statuses
are not saved: they are derived again from the loaded claims and the certificates the kernel
accepts. A certificate that the kernel rejects, or that is bound to another claim, marks its
claim failed; it never stops the load. A saved graph holds no code: :func:`adopt_code` gives its
claims the checkers (and their declarations of the certificates they produce) of a graph built from
code, for the claims that are unchanged, and compares their certificates with the declarations.
Files are written with the permissions of the umask, like any file the user creates.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable
from typing import Any

from proofkit.claims.claim import Claim
from proofkit.claims.runner import attach_stored, enforce_expectations, expectation_problems
from proofkit.claims.structure import GraphStructure
from proofkit.errors import CircularDependency, CorruptGraph, DanglingReference, DuplicateClaim, ProofkitError

__all__ = ["GRAPH_SCHEMA", "graph_to_dict", "graph_from_json", "save_text", "read_text", "merge_results",
           "adopt_code"]

GRAPH_SCHEMA = "proofkit.graph/2"


def graph_to_dict(g: GraphStructure) -> dict[str, Any]:
    return {"schema": GRAPH_SCHEMA, **({"title": g.title} if g.title else {}),
            "claims": [g.claims[n].to_dict() for n in sorted(g.claims)],
            "certificates": {k: [c.to_dict(timing=True) for c in v] for k, v in sorted(g.certificates.items())},
            "failures": dict(sorted(g.checker_errors.items())), "unmet": dict(sorted(g.unmet.items())),
            "keys": dict(sorted(g.keys.items()))}


def save_text(path: str | os.PathLike[str], text: str) -> None:
    """Write atomically: a temporary file in the same folder, then a rename.

    The temporary file is created (exclusively) with mode 0666 minus the umask, as ``open()`` would create
    the file itself, so the saved graph has the usual permissions (not the 0600 of ``mkstemp``).
    """
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    tmp = os.path.join(folder, f".graph-{os.getpid()}-{uuid.uuid4().hex[:12]}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def read_text(path: str | os.PathLike[str]) -> str:
    try:
        with open(path, encoding="utf-8") as fh:
            return fh.read()
    except FileNotFoundError:
        raise CorruptGraph("path", "an existing graph file", f"{os.fspath(path)!r} does not exist") from None
    except UnicodeDecodeError:
        raise CorruptGraph("graph", "UTF-8 JSON text", "undecodable bytes") from None


def _strings(d: Any, what: str) -> dict[str, str]:
    if not isinstance(d, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in d.items()):
        raise CorruptGraph("graph", f"{what} as an object of strings", type(d).__name__)
    return dict(d)


def graph_from_json(g: GraphStructure, text: str, checkers: dict[str, Callable[[], Any]] | None = None) -> None:
    """Fill the empty graph ``g`` from saved JSON; certificates go through the kernel and the bindings."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CorruptGraph("graph", "JSON text", f"invalid JSON ({exc.msg} at line {exc.lineno})") from None
    except RecursionError:
        raise CorruptGraph("graph", "JSON text", "nested too deeply") from None
    if not isinstance(data, dict) or data.get("schema") != GRAPH_SCHEMA:
        got = data.get("schema") if isinstance(data, dict) else type(data).__name__
        raise CorruptGraph("graph", f"a {GRAPH_SCHEMA} file", f"schema {str(got)[:40]!r}")
    try:
        if not isinstance(data["claims"], list) or not isinstance(data["certificates"], dict):
            raise CorruptGraph("graph", "a list of claims and an object of certificates", "other types")
        claims = []
        for d in data["claims"]:
            if not isinstance(d, dict):
                raise CorruptGraph("graph", "claims as objects", type(d).__name__)
            claim = Claim.from_dict(d)
            if checkers and claim.label in checkers:
                claim.checker = checkers[claim.label]
            claims.append(claim)
        g.add_claims(claims)
        title = data.get("title", "")
        if not isinstance(title, str):
            raise CorruptGraph("graph", "a title string", type(title).__name__)
        g.title = title
        g.checker_errors = _strings(data["failures"], "failures")
        g.unmet = _strings(data["unmet"], "unmet")
        g.keys = _strings(data["keys"], "keys")
    except (CircularDependency, DuplicateClaim, DanglingReference, CorruptGraph):
        raise
    except (KeyError, TypeError, ValueError, ProofkitError) as exc:
        raise CorruptGraph("graph", "claims, certificates, failures, unmet and keys", f"{exc}"[:200]) from None
    g.validate()
    for label, certs in data["certificates"].items():
        if label not in g.claims:
            raise CorruptGraph("graph", "certificates of claims in the graph", f"certificates for {label[:40]!r}")
        for cert in certs if isinstance(certs, list) else [certs]:
            attach_stored(g, label, cert)  # anything at all: the kernel's door turns it into a rejection
    g.changed()


def merge_results(g: GraphStructure, other: GraphStructure) -> None:
    """Take certificates, keys and outcomes from ``other`` for claims with the same label and the same data.

    Certificates bound to another version of a claim are not taken (its checker will run again). Results
    of a claim whose checker declares its certificates are compared with the declaration; results that
    contradict it (a moved or deleted certificate, a forged "hypotheses not met") are dropped, so that the
    checker runs again, and the reason is kept in ``g.discarded``.
    """
    for label, claim in g.claims.items():
        if label not in other.claims or other.claims[label].digest() != claim.digest():
            continue
        for store in ("keys", "unmet", "checker_errors", "rejections"):
            if label in getattr(other, store):
                getattr(g, store)[label] = getattr(other, store)[label]
        if label in other.certificates:
            g.certificates[label] = list(other.certificates[label])
            g.reports[label] = list(other.reports.get(label, []))
        problems = expectation_problems(g, label)
        if problems:
            for store in (g.keys, g.unmet, g.checker_errors, g.rejections, g.certificates, g.reports):
                store.pop(label, None)
            g.discarded[label] = "; ".join(problems)
    g.changed()


def adopt_code(g: GraphStructure, code: GraphStructure) -> list[str]:
    """Give the claims of a loaded graph the checkers and declarations of ``code`` (a graph built from code) where
    the claim is the same (same label and digest); compare their results with the declarations (a claim whose
    certificates contradict its declaration is marked failed). A claim of ``code`` that has a checker or a
    declaration but whose copy in ``g`` differs (edited, or saved by another version) cannot be checked against
    its code: it is marked failed too. Returns the labels adopted.

    Examples
    --------
    >>> from proofkit.claims import Claim, ClaimGraph
    >>> g = ClaimGraph()
    >>> g.add_claim(Claim("A", statement="a", established="cited"))
    >>> adopt_code(g, g)
    []
    """
    adopted = []
    for label, claim in g.claims.items():
        mine = code.claims.get(label)
        if mine is None or (mine.checker is None and mine.expects is None) or mine.digest() != claim.digest():
            continue
        claim.checker, claim.expects = mine.checker, mine.expects
        if label in code._declarations:  # declarations are pure: one evaluation serves every copy of the code
            g._declarations[label] = code._declarations[label]
        adopted.append(label)
    for label in g.claims:
        mine = code.claims.get(label)
        if mine is not None and mine.checker is not None and label not in adopted:
            g.rejections[label] = ("its data differ from the claim of this label in the code (edited, or saved by "
                                   "another version of proofkit): its certificates cannot be checked against its "
                                   "checker; rebuild it from the code (`proofkit check`)")
    enforce_expectations(g, adopted)
    g.changed()
    return adopted
