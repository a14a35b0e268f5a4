"""What a checker's certificates must be: declared by the checker, re-derived from code, compared by the runner.

A certificate attached to a claim is *bound* to it by a hash of the claim (``binding``). Anyone who can
edit a saved graph can recompute that hash, so the binding alone cannot tell a claim's own certificate
from a genuine certificate of another claim moved to it. What ties a certificate to a claim is its
*inputs*: the matrix, the loss, the point the claim is about. A checker therefore declares, next to
itself, the certificates it produces as a list of :class:`Expected` (claim type, the inputs its
definition fixes, and a condition on the rest), computed cheaply from the same definition without
certifying anything. The runner compares every claim's certificates with the declaration when a
checker runs (so a declaration that drifts from its checker fails at once), when a graph is loaded
with its code, and when previous results are merged into a rebuilt graph.

Examples
--------
>>> from proofkit import certify_nonsingular
>>> A = [[1, 2], [3, 4]]
>>> want = [Expected("nonsingular", matrix_inputs(A), what="A is invertible")]
>>> compare(want, [certify_nonsingular(A)])
[]
>>> print(*compare(want, [certify_nonsingular([[2, 1], [3, 4]])]))
certificate 1 (A is invertible): inputs.A_hash is not the one its checker defines (a certificate about other inputs)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from proofkit.certificate import canonical_json

__all__ = ["Expected", "compare", "matrix_inputs", "identity_inputs", "loss_inputs", "dag_inputs",
           "spurious_loss_inputs", "full_space", "leibniz_inputs"]


@dataclass(frozen=True)
class Expected:
    """One certificate a checker produces, as far as the checker's definition fixes it.

    Parameters
    ----------
    claim_type : str or tuple of str
        The certificate's ``claim.type`` (one of them).
    inputs : dict
        Inputs the definition fixes, as the certificate records them (exact JSON: DAGs, rational
        strings, matrix hashes); each must be equal.
    many : bool
        One or more certificates of this form (a search's finds); must be the last entry.
    where : callable, optional
        ``where(inputs, earlier) -> problem or None``: a condition on the other inputs (e.g. "the box of
        the first certificate, extended by zeros"); ``earlier`` are the certificates matched before.
    what : str
        A few words naming the certificate in messages.
    """

    claim_type: str | tuple[str, ...]
    inputs: Mapping[str, Any] = field(default_factory=dict)
    many: bool = False
    where: Callable[[Mapping[str, Any], Sequence[Mapping[str, Any]]], str | None] | None = None
    what: str = ""

    @property
    def types(self) -> tuple[str, ...]:
        return (self.claim_type,) if isinstance(self.claim_type, str) else tuple(self.claim_type)


def _as_dict(cert: Any) -> Mapping[str, Any]:
    if hasattr(cert, "to_dict"):
        return cert.to_dict()
    return cert if isinstance(cert, Mapping) else {}


def _one(e: Expected, cert: Mapping[str, Any], earlier: Sequence[Mapping[str, Any]]) -> str | None:
    t = (cert.get("claim") or {}).get("type")
    if t not in e.types:
        return f"a certificate of claim type {t!r}, where its checker produces {' or '.join(map(repr, e.types))}"
    inputs = cert.get("inputs") if isinstance(cert.get("inputs"), Mapping) else {}
    for key, want in e.inputs.items():
        if key not in inputs or canonical_json(inputs[key]) != canonical_json(want):
            return f"inputs.{key} is not the one its checker defines (a certificate about other inputs)"
    return e.where(inputs, earlier) if e.where is not None else None


def compare(expected: Sequence[Expected], certificates: Sequence[Any]) -> list[str]:
    """The problems between a checker's declaration and a claim's certificates (empty when they match).

    Certificates are matched in order; a ``many`` entry takes all the remaining ones (at least one).

    Guarantee
    ---------
    An empty answer means: there are exactly as many certificates as declared, each of a declared claim
    type, each recording the inputs the checker's definition fixes and meeting its declared condition.
    (The kernel re-checks what each certificate proves about those inputs; this links them to the claim.)
    """
    certs = [_as_dict(c) for c in certificates]
    problems: list[str] = []
    i = 0
    for n, e in enumerate(expected):
        name = f" ({e.what})" if e.what else ""
        if e.many:
            if n != len(expected) - 1:
                raise ValueError("a declaration's `many` entry must be its last")
            if i >= len(certs):
                problems.append(f"missing: at least one certificate{name}")
            for j in range(i, len(certs)):
                why = _one(e, certs[j], certs[:j])
                if why:
                    problems.append(f"certificate {j + 1}{name}: {why}")
            i = len(certs)
            continue
        if i >= len(certs):
            problems.append(f"missing: certificate {i + 1}{name}")
            i += 1
            continue
        why = _one(e, certs[i], certs[:i])
        if why:
            problems.append(f"certificate {i + 1}{name}: {why}")
        i += 1
    if i < len(certs):
        problems.append(f"{len(certs) - i} certificate(s) more than its checker produces")
    return problems


# --- the inputs certifiers record, re-derived without certifying ---------------------------------------------------

def matrix_inputs(A: Any, **extra: Any) -> dict[str, Any]:
    """A matrix certificate: the hash of the matrix (exact, float64 or balls, as the certifier records it)."""
    from proofkit.certify.matrices import as_cert_matrix

    return {"A_hash": as_cert_matrix(A).hash, **extra}


def dag_inputs(exprs: Any, params: Sequence[Any]) -> dict[str, Any]:
    """The stored expression DAG of ``exprs`` in ``params`` (:func:`~proofkit.symbolic.dag.to_dag`)."""
    from proofkit.symbolic.dag import to_dag

    return to_dag(exprs, params)


def identity_inputs(lhs: Any, rhs: Any, variables: Sequence[Any]) -> dict[str, Any]:
    """An identity certificate: both sides as DAGs in the variables (as :func:`~proofkit.certify.identity.certify_identity`)."""
    from proofkit.convert import expr_matrix

    L, R = expr_matrix(lhs, "lhs"), expr_matrix(rhs, "rhs")
    variables = list(variables)
    return {"variables": [v.name for v in variables], "lhs": dag_inputs(list(L), variables),
            "rhs": dag_inputs(list(R), variables)}


def loss_inputs(loss: Any, params: Any = None) -> dict[str, Any]:
    """A landscape certificate (local_min, saddle, not_local_min): the loss DAG and its parameter names."""
    from proofkit.certify.landscape_common import loss_spec

    return loss_spec(loss, params).inputs()


def spurious_loss_inputs(loss: Any, params: Any = None) -> dict[str, Any]:
    """A spurious minimum (a ``local_min`` certificate with a comparison): the loss DAG as
    :func:`~proofkit.certify_spurious_minimum` stores it, compared with a better point (with :func:`full_space`
    as the declaration's condition: no parameter held fixed)."""
    from proofkit.certify.spurious import _loss_dag  # the certifier's own encoding

    dag, _ = _loss_dag(loss, params)
    return {"loss": dag, "compare": "better_point"}


def full_space(inputs: Mapping[str, Any], earlier: Sequence[Mapping[str, Any]]) -> str | None:
    """The condition of a full-space box claim: no radius 0 (no parameter held fixed, not a slice)."""
    radii = inputs.get("radii")
    return None if isinstance(radii, list) and "0" not in radii else "its box holds parameters fixed (a slice)"


def leibniz_inputs(con: Any, alpha: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """Lemma 4.3 for a construction: the inputs of its ``leibniz_alpha0`` certificate with alpha_0 = ``alpha``
    (bounded sigma) and of its ``leibniz_witness`` at ``alpha`` (as :mod:`proofkit.certify.leibniz` records them)."""
    from proofkit.certificate import fmpq_to_str
    from proofkit.numeric.contexts import to_fmpq
    from proofkit.symbolic.dag import exact_rational_text as ex

    (t,) = sorted(con.sigma.expr.free_symbols, key=lambda s: s.name)
    sigma = dag_inputs([con.sigma.expr], [t])
    a = fmpq_to_str(to_fmpq(alpha))
    witness = {"sigma": sigma, "X": [[ex(v) for v in x] for x in con.X], "direction": [ex(v) for v in con.direction],
               "alpha": a, "beta": ex(con.beta), "kind": con.kind, "k": con.k}
    alpha0: dict[str, Any] = {}
    if con.kind == "bounded":
        mu, gamma = con.sigma.limits
        alpha0 = {"sigma": sigma, "t": dag_inputs(list(con.t), []), "mu": ex(mu), "gamma": ex(gamma),
                  "beta": ex(con.beta), "alpha0": a}
    return alpha0, witness
