"""Saving and loading claim graphs (``proofkit.graph/2``): atomic writes, every certificate re-checked on load.

A saved graph holds the claims, the certificates (each bound to its claim), the checkers'
own outcomes (hypotheses not met, checker errors) and the incremental-check keys. Statuses
are not saved: they are derived again from the loaded claims and the certificates the kernel
accepts. A certificate that the kernel rejects, or that is bound to another claim, marks its
claim failed; it never stops the load.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from typing import Any

from proofkit.claims.claim import Claim
from proofkit.claims.runner import attach_stored
from proofkit.claims.structure import GraphStructure
from proofkit.errors import CircularDependency, CorruptGraph, DuplicateClaim, ProofkitError

__all__ = ["GRAPH_SCHEMA", "graph_to_dict", "graph_from_json", "save_text", "read_text", "merge_results"]

GRAPH_SCHEMA = "proofkit.graph/2"


def graph_to_dict(g: GraphStructure) -> dict[str, Any]:
    return {"schema": GRAPH_SCHEMA,
            "claims": [g.claims[n].to_dict() for n in sorted(g.claims)],
            "certificates": {k: [c.to_dict(timing=True) for c in v] for k, v in sorted(g.certificates.items())},
            "failures": dict(sorted(g.checker_errors.items())), "unmet": dict(sorted(g.unmet.items())),
            "keys": dict(sorted(g.keys.items()))}


def save_text(path: str | os.PathLike[str], text: str) -> None:
    """Write atomically: a temporary file in the same folder, then a rename."""
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".graph-", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w") as fh:
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
        with open(path) as fh:
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
        for d in data["claims"]:
            if not isinstance(d, dict):
                raise CorruptGraph("graph", "claims as objects", type(d).__name__)
            claim = Claim.from_dict(d)
            if checkers and claim.label in checkers:
                claim.checker = checkers[claim.label]
            g.add_claim(claim)
        g.checker_errors = _strings(data["failures"], "failures")
        g.unmet = _strings(data["unmet"], "unmet")
        g.keys = _strings(data["keys"], "keys")
    except (CircularDependency, DuplicateClaim, CorruptGraph):
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

    Certificates bound to another version of a claim are not taken (its checker will run again).
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
    g.changed()
