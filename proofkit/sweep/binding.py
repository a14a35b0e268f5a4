"""What a task's certificates must be, re-derived from its task line: the link between a record and its task.

The kernel proves what a certificate says about *its own* inputs. A sweep record claims more: that the
certificates are about *this task's* inputs (same loss, same matrix, same point, ...) and that the
record's outcome is the one their verdicts imply. For every kind, a *derivation* takes the decoded
inputs of the task and the certificates of its record (each already accepted by the kernel) and returns

* the problems that break the link: a certificate about other inputs (another loss, another matrix,
  another point or box, another comparison), a missing or surplus certificate, a certificate of a claim
  type the kind never produces;
* otherwise the outcome those verdicts imply for the task.

The same function runs on the worker (the outcome written in a record *is* the derived outcome) and in
``proofkit verify DIR`` (which reports any record whose outcome differs). Inputs are re-derived with the
code the certifiers use to record them (:func:`~proofkit.symbolic.dag.to_dag`, the loss specifications,
:class:`~proofkit.certify.matrices.CertMatrix` hashes), never by certifying again, so verifying a record
costs one kernel check per certificate plus the cost of building the task's expressions.

Examples
--------
>>> from proofkit.sweep.execute import execute
>>> rec = execute({"kind": "nonsingular", "inputs": {"matrix": [[1, 2], [3, 4]]}})
>>> derive_record({"kind": "nonsingular", "inputs": {"matrix": [[1, 2], [3, 4]]}}, rec["certificates"]).outcome
'certified'
>>> derive_record({"kind": "nonsingular", "inputs": {"matrix": [[2, 1], [3, 4]]}}, rec["certificates"]).problems
["certificate 1: inputs.A_hash is not this task's (the certificate is about other inputs)"]
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import flint
import sympy

from proofkit.certificate import canonical_json, fmpq_to_str

__all__ = ["Derivation", "derive", "derive_record", "near_default", "single", "all_certified", "any_certified",
           "matrix_derivation", "critical_derivation", "spurious_derivation", "local_min_derivation",
           "saddle_derivation", "leibniz_derivation", "search_derivation", "safran_shamir_derivation",
           "safran_shamir_point_derivation", "safran_shamir_symmetric_derivation"]

#: A derivation: ``(decoded task inputs, accepted certificates as parsed JSON) -> Derivation``.
Deriver = Callable[[dict[str, Any], list[dict[str, Any]]], "Derivation"]
#: A binding of one certificate: ``(decoded task inputs, certificate) -> problem or None``.
Binder = Callable[[dict[str, Any], Mapping[str, Any]], "str | None"]


@dataclass
class Derivation:
    """The outcome a record's certificates imply for its task, or why they cannot.

    Attributes
    ----------
    outcome : str
        ``certified``, ``refuted`` or ``inconclusive``; ``rejected`` when there are problems.
    problems : list of str
        What breaks the link between the certificates and the task (empty when none).
    notes : list of str
        Why a verdict was weakened for this task (e.g. a box farther from the task's point than ``near``).
    """

    outcome: str
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _q(value: Any) -> str:
    """The exact text a certificate records for a number (``"p"`` or ``"p/q"``)."""
    if isinstance(value, sympy.Rational):
        return fmpq_to_str(flint.fmpq(int(value.p), int(value.q)))
    return fmpq_to_str(value)


def _frac(text: Any) -> flint.fmpq | None:
    try:
        return flint.fmpq(int(str(text).partition("/")[0]), int(str(text).partition("/")[2] or 1))
    except (TypeError, ValueError, ZeroDivisionError):
        return None


def differs(cert: Mapping[str, Any], expected: Mapping[str, Any]) -> str | None:
    """The first recorded input that is not the expected one (compared as canonical JSON), or None."""
    inputs = cert.get("inputs") if isinstance(cert.get("inputs"), Mapping) else {}
    for key, want in expected.items():
        if key not in inputs or canonical_json(inputs[key]) != canonical_json(want):
            return f"inputs.{key} is not this task's (the certificate is about other inputs)"
    return None


def _claim_type(cert: Mapping[str, Any], allowed: Sequence[str]) -> str | None:
    t = (cert.get("claim") or {}).get("type")
    return None if t in allowed else \
        f"a certificate of claim type {t!r}, where this task produces {' or '.join(map(repr, allowed))}"


# --- derivations built from bindings -------------------------------------------------------------------------------

def single(bind: Binder, claim_types: Callable[[dict[str, Any]], Sequence[str]]) -> Deriver:
    """Exactly one certificate, bound to the task; the outcome is its verdict."""
    def derive_one(args: dict[str, Any], certs: list[dict[str, Any]]) -> Derivation:
        if len(certs) != 1:
            return Derivation("rejected", [f"this task has exactly one certificate, the record has {len(certs)}"])
        why = _claim_type(certs[0], claim_types(args)) or bind(args, certs[0])
        if why:
            return Derivation("rejected", [f"certificate 1: {why}"])
        return Derivation(certs[0]["verdict"])

    return derive_one


def any_certified(bind: Binder, claim_types: Sequence[str]) -> Deriver:
    """Searches: any number of certified certificates, each bound to the task; ``certified`` if there is one."""
    def derive_some(args: dict[str, Any], certs: list[dict[str, Any]]) -> Derivation:
        problems = []
        for i, c in enumerate(certs, 1):
            why = _claim_type(c, claim_types) or bind(args, c)
            if not why and c.get("verdict") != "certified":
                why = f"a certificate with the verdict {c.get('verdict')!r}, where this task keeps only certified ones"
            if why:
                problems.append(f"certificate {i}: {why}")
        if problems:
            return Derivation("rejected", problems)
        return Derivation("certified" if certs else "inconclusive")

    return derive_some


def all_certified(expected: list[tuple[Sequence[str], Binder]], args: dict[str, Any],
                  certs: list[dict[str, Any]]) -> Derivation:
    """A fixed list of certificates, in order; ``certified`` when every one is, else ``inconclusive``."""
    if len(certs) != len(expected):
        return Derivation("rejected", [f"this task has {len(expected)} certificates, the record has {len(certs)}"])
    problems = []
    for i, ((types, bind), c) in enumerate(zip(expected, certs), 1):
        why = _claim_type(c, types) or bind(args, c)
        if why:
            problems.append(f"certificate {i}: {why}")
    if problems:
        return Derivation("rejected", problems)
    return Derivation("certified" if all(c["verdict"] == "certified" for c in certs) else "inconclusive")


# --- matrices -------------------------------------------------------------------------------------------------------

def matrix_derivation(claim_type: str, with_r: bool = False) -> Deriver:
    """nonsingular, positive_definite, rank_at_least: one certificate that records the hash of the task's matrix
    (the kernel checks the stored matrix against it) and, for a rank, the task's ``r``."""
    def bind(args: dict[str, Any], cert: Mapping[str, Any]) -> str | None:
        from proofkit.certify.matrices import as_cert_matrix

        return differs(cert, {"A_hash": as_cert_matrix(args["A"]).hash, **({"r": args["r"]} if with_r else {})})

    return single(bind, lambda args: (claim_type,))


# --- critical points -----------------------------------------------------------------------------------------------

def critical_derivation(name: str) -> Deriver:
    """critical_point, strict_local_min (a ``local_min`` certificate): the box is the task's ``point +- radius``
    with the task's fixed parameters at radius 0, the stored gradient (or loss) is the one derived from the task's
    expression."""
    def expected(args: dict[str, Any]) -> dict[str, Any]:
        from proofkit.certify.critical import prepare_gradient
        from proofkit.symbolic.dag import to_dag

        variables = [sympy.Symbol(v) for v in args["variables"]]
        grad_free, free, fixed_map = prepare_gradient(args["grad"], variables, args["fixed"], substitute=False)
        fixed_syms = sorted(fixed_map, key=lambda s: s.name)
        radius = args["radius"]
        radii = radius if isinstance(radius, list) else [radius] * len(free)
        out: dict[str, Any] = {"centers": [_q(c) for c in args["point"]] + [_q(fixed_map[s]) for s in fixed_syms],
                               "radii": [_q(r) for r in radii] + ["0"] * len(fixed_syms)}
        if name == "strict_local_min" and args.get("loss") is not None:
            out["loss"] = to_dag([args["loss"]], free + fixed_syms)
            out["compare"] = "none"
        else:
            out["gradient"] = to_dag(grad_free, free + fixed_syms)
        return out

    def bind(args: dict[str, Any], cert: Mapping[str, Any]) -> str | None:
        return differs(cert, expected(args))

    return single(bind, lambda args: ("critical_point" if name == "critical_point" else "local_min",))


# --- spurious minima -----------------------------------------------------------------------------------------------

def near_default(point: Sequence[Any], radius: Any = None) -> sympy.Rational:
    """How far a spurious minimum's box may reach from the task's ``point`` by default: ``(1 + max |p_i|) / 100`` (how
    far Newton's refinement may move the centre), plus the task's ``radius`` when it gives one (the box's half-width).

    Examples
    --------
    >>> near_default([sympy.Rational(97, 100)]), near_default([0], sympy.Rational(1, 20))
    (197/10000, 3/50)
    """
    base = (1 + max((abs(sympy.Rational(p)) for p in point), default=sympy.Integer(0))) / 100
    return base + sympy.Rational(radius) if radius is not None else base


def _box_distance(cert: Mapping[str, Any], point: Sequence[Any]) -> flint.fmpq | None:
    """max_i |c_i - p_i| + r_i: the sup-norm distance from the point to the far side of the recorded box."""
    inputs = cert.get("inputs") or {}
    cs, rs = inputs.get("centers"), inputs.get("radii")
    if not isinstance(cs, list) or not isinstance(rs, list) or len(cs) != len(point) or len(rs) != len(point):
        return None
    out = flint.fmpq(0)
    for c, r, p in zip(cs, rs, point):
        cq, rq = _frac(c), _frac(r)
        if cq is None or rq is None:
            return None
        d = abs(cq - flint.fmpq(int(sympy.Rational(p).p), int(sympy.Rational(p).q))) + rq
        out = d if d > out else out
    return out


def spurious_expected(args: dict[str, Any]) -> dict[str, Any]:
    """The inputs a ``spurious_minimum`` task's certificate records, re-derived from the task."""
    from proofkit.certify.spurious import _loss_dag, slice_inputs_last  # the certifier's own encoding

    dag, names = _loss_dag(args["loss"], [sympy.Symbol(p) for p in args["params"]])
    fixed = {nm: v for nm, v in args["fixed"].items()}
    order = [nm for nm in names if nm not in fixed] + sorted(fixed)  # the stored loss's inputs: fixed ones last
    out: dict[str, Any] = {"loss": slice_inputs_last(dag, fixed) if fixed else dag}
    if "better_point" in args:
        out["compare"] = "better_point"
        out["better"] = [_q(args["better_point"][names.index(nm)]) for nm in order]
    else:
        out["compare"] = "stated global value"
        out["global_value"] = _q(args["global_value"])
    if "radius" in args:
        out["radii"] = [_q(args["radius"]) if nm not in fixed else "0" for nm in order]
    return out


def spurious_derivation(args: dict[str, Any], certs: list[dict[str, Any]]) -> Derivation:
    """spurious_minimum: one certificate on the task's loss, slice and comparison, whose box lies within ``near``
    of ``point`` (sup norm); a certified box farther away is a spurious minimum, but not one near this point."""
    d = single(lambda a, c: differs(c, spurious_expected(a)) or _slice_of(c, a["fixed"]), lambda a: ("local_min",))(
        args, certs)
    if d.problems or d.outcome != "certified":
        return d
    free = [p for p in args["params"] if p not in args["fixed"]]
    order = free + sorted(args["fixed"])  # the box's coordinates: the fixed parameters last, at radius 0
    point = [args["point"][args["params"].index(p)] for p in order]
    near = args.get("near", near_default(point, args.get("radius")))
    dist = _box_distance(certs[0], point)
    if dist is None:
        return Derivation("rejected", ["certificate 1: its box is not a box around the task's point"])
    if dist > flint.fmpq(int(near.p), int(near.q)):
        return Derivation("inconclusive", notes=[
            f"the certified box lies up to {float(dist):.3g} from `point`, farther than near = {near} (sup norm): a "
            "spurious minimum, but not one near this point (give a larger `near` or a better `point`)"])
    return d


# --- landscapes: local minima and saddles --------------------------------------------------------------------------

def _loss_inputs(args: dict[str, Any]) -> dict[str, Any]:
    from proofkit.certify.landscape_common import loss_spec

    return loss_spec(args["loss"], [sympy.Symbol(p) for p in args["params"]]).inputs()


def _comparison(args: dict[str, Any]) -> dict[str, Any]:
    if "better_point" in args:
        return {"compare": "better_point", "better": [_q(v) for v in args["better_point"]]}
    if "global_value" in args:
        return {"compare": "stated global value", "global_value": _q(args["global_value"])}
    return {"compare": "none"}


def _conclusive(cert: Mapping[str, Any]) -> bool:
    return cert.get("verdict") in ("certified", "refuted")


def local_min_derivation(args: dict[str, Any], certs: list[dict[str, Any]]) -> Derivation:
    """local_min: the task's loss, parameters and comparison; strict (Krawczyk): the box is centred at ``point``
    (with the task's radius); on a ``manifold``: the task's manifold, the box centred at ``point``'s tangent
    coordinates (the normal ones are phi of them)."""
    def bind(a: dict[str, Any], cert: Mapping[str, Any]) -> str | None:
        from proofkit.symbolic.dag import to_dag

        want = {**_loss_inputs(a), **_comparison(a)}
        params = a["params"]
        if "manifold" in a:
            phi = {params.index(s.name): e for s, e in a["manifold"].items()}
            normal = sorted(phi)
            tangent = [i for i in range(len(params)) if i not in phi]
            want.update(manifold=to_dag([phi[i] for i in normal], [sympy.Symbol(params[i]) for i in tangent]),
                        tangent=tangent, normal=normal)
        why = differs(cert, want)
        if why or not _conclusive(cert):
            return why
        via = (cert.get("claim") or {}).get("via")
        if via != ("manifold" if "manifold" in a else "krawczyk"):
            return f"a local minimum certified via {via!r}, which this task does not ask for"
        centers, radii = cert["inputs"].get("centers"), cert["inputs"].get("radii")
        if not isinstance(centers, list) or len(centers) != len(params):
            return "inputs.centers is not this task's (the certificate is about other inputs)"
        normal = {s.name for s in a.get("manifold", {})}
        coords = [i for i in range(len(params)) if params[i] not in normal]  # all of them for a strict minimum
        if any(centers[i] != _q(a["point"][i]) for i in coords):
            return "its box is not centred at the task's point (the certificate is about other inputs)"
        if "radius" in a and any(radii[i] != _q(a["radius"]) for i in coords):
            return "inputs.radii is not this task's (the certificate is about other inputs)"
        return None

    return single(bind, lambda a: ("local_min",))(args, certs)


def saddle_derivation(args: dict[str, Any], certs: list[dict[str, Any]]) -> Derivation:
    """saddle: the task's loss and parameters; a strict saddle's box is centred at ``point`` (with the task's
    radius; with ``refine``, a box within :func:`near_default` of ``point``), a degenerate saddle is at ``point``
    exactly (curves and directions are the certificate's own)."""
    def bind(a: dict[str, Any], cert: Mapping[str, Any]) -> str | None:
        why = differs(cert, _loss_inputs(a))
        if why or not _conclusive(cert):
            return why
        point = [_q(v) for v in a["point"]]
        inputs = cert["inputs"]
        if (cert.get("claim") or {}).get("kind") == "strict" and a.get("refine"):
            dist, near = _box_distance(cert, a["point"]), near_default(a["point"], a.get("radius"))
            if dist is None or dist > flint.fmpq(int(near.p), int(near.q)):
                return f"the refined saddle's box is not within {near} of the task's point (sup norm)"
            return differs(cert, {"radii": [_q(a["radius"])] * len(point)}) if "radius" in a else None
        if (cert.get("claim") or {}).get("kind") == "strict":
            want = {"centers": point, **({"radii": [_q(a["radius"])] * len(point)} if "radius" in a else {})}
        else:
            want = {"point": point}
        return differs(cert, want) if isinstance(inputs, Mapping) else "no inputs"

    return single(bind, lambda a: ("saddle",))(args, certs)


# --- Lemma 4.3 ------------------------------------------------------------------------------------------------------

def leibniz_derivation(args: dict[str, Any], certs: list[dict[str, Any]]) -> Derivation:
    """leibniz_witness: the construction is rebuilt from the task (cheap: no certification); the witness is at
    the task's ``alpha``, or at the alpha_0 the construction proves (for a bounded sigma, with the kernel-checked
    alpha_0 certificate before it); no certificate only when no alpha_0 is found."""
    from proofkit.claims.expect import leibniz_inputs
    from proofkit.symbolic.leibniz import leibniz_construction

    con = leibniz_construction(args["X"], args["widths"], args["k"], args["sigma"], args["beta"])
    if "alpha" in args:
        alpha = args["alpha"]
    else:
        proof = con.alpha0()
        if not proof["proved"]:
            if certs:
                return Derivation("rejected", [f"no alpha_0 is found for this task, the record has {len(certs)} "
                                               "certificates"])
            return Derivation("inconclusive")
        alpha = proof["alpha0"]
    a0, witness = leibniz_inputs(con, alpha)
    expected: list[tuple[Sequence[str], Binder]] = []
    if "alpha" not in args and con.kind == "bounded":
        expected.append((("leibniz_alpha0",), lambda a, c: differs(c, a0)))
    expected.append((("leibniz_witness",), lambda a, c: differs(c, witness)))
    return all_certified(expected, args, certs)


# --- searches -------------------------------------------------------------------------------------------------------

def _search_loss(args: dict[str, Any]) -> dict[str, Any]:
    from proofkit.certify.spurious import _loss_dag  # the certifier's own encoding
    from proofkit.symbolic import Network

    net = Network(args["widths"], activation=args["activation"], output_activation=args["output_activation"],
                  bias=args["bias"])
    return _loss_dag(net.loss(args["X"], args["Y"], args["loss"]), None)[0]


def _slice_of(cert: Mapping[str, Any], fixed: Mapping[str, Any]) -> str | None:
    """The certificate's claim is about the task's slice (exactly the task's fixed parameters), or the full space."""
    claim = cert.get("claim") or {}
    if claim.get("slice") is not bool(fixed) or claim.get("fixed") != sorted(fixed):
        return "a minimum on another slice than the task's (its fixed parameters differ)"
    return None


def _full_space_spurious(loss: dict[str, Any], better: list[str] | None = None) -> dict[str, Any]:
    out = {"loss": loss, "compare": "better_point"}
    if better is not None:
        out["better"] = better
    return out


def _full_space(cert: Mapping[str, Any], want: dict[str, Any]) -> str | None:
    """The certificate records ``want`` and its claim is about the full space (no parameter held fixed)."""
    why = differs(cert, want)
    if why is None and (cert.get("claim") or {}).get("slice") is not False:
        why = "a minimum on a slice of fixed parameters, where this task asks for one of the full loss"
    return why


def search_derivation(args: dict[str, Any], certs: list[dict[str, Any]]) -> Derivation:
    """search_spurious_minima: every certificate is a certified full-space spurious minimum of the task's network
    loss on the task's data, against some better point (the search's best); ``certified`` if there is one."""
    loss = _search_loss(args) if certs else None
    return any_certified(lambda a, c: _full_space(c, _full_space_spurious(loss)), ("local_min",))(args, certs)


def safran_shamir_derivation(args: dict[str, Any], certs: list[dict[str, Any]]) -> Derivation:
    """safran_shamir_spurious: certified spurious minima of F for the task's (k, n) (``teacher_student`` certificates
    of the recipe (k, n): the kernel compares each with the teacher point, F = 0); ``certified`` if there is one."""
    from proofkit.certify.teacher_student import teacher_student_inputs

    want = teacher_student_inputs(args["k"], args["n"], "spurious local minimum")
    return any_certified(lambda a, c: differs(c, want), ("teacher_student",))(args, certs)


def safran_shamir_point_derivation(args: dict[str, Any], certs: list[dict[str, Any]]) -> Derivation:
    """safran_shamir_point: one ``teacher_student`` certificate of the task's recipe (k, n), of the task's kind (any
    kind for ``auto``) and radius (if the task gives one); a certified box must lie within ``near`` of the task's
    point W (sup norm, to the box's far side), else the task is ``inconclusive`` (a critical point, but not one
    near this point)."""
    from proofkit.certify.teacher_student import box_distance, teacher_student_inputs

    k, n, kind = args["k"], args["n"], args["kind"]

    def bind(a: dict[str, Any], cert: Mapping[str, Any]) -> str | None:
        inputs = cert.get("inputs") if isinstance(cert.get("inputs"), Mapping) else {}
        got = inputs.get("kind")
        why = differs(cert, teacher_student_inputs(k, n, got if kind == "auto" and isinstance(got, str) else kind))
        if why:
            return why
        if "radius" in a and (box_distance(cert, a["W"]) or (0, None))[1] != a["radius"]:
            return "inputs.radius is not this task's (the certificate is about other inputs)"
        return None

    d = single(bind, lambda a: ("teacher_student",))(args, certs)
    if d.problems or d.outcome != "certified":
        return d
    rel = box_distance(certs[0], args["W"])
    if rel is None:
        return Derivation("rejected", ["certificate 1: its box is not a box of this task's shape"])
    far = flint.fmpq(*rel[0].as_integer_ratio()) + flint.fmpq(*rel[1].as_integer_ratio())
    near = args["near"]
    if far > flint.fmpq(int(near.p), int(near.q)):
        return Derivation("inconclusive", notes=[
            f"the certified box reaches {float(far):.3g} from W, farther than near = {float(near):.3g} (sup norm): a "
            "critical point of F, but not one near this point"])
    return d


def safran_shamir_symmetric_derivation(args: dict[str, Any], certs: list[dict[str, Any]]) -> Derivation:
    """safran_shamir_symmetric: ``teacher_student`` certificates of the task's recipe (k, n), each a spurious minimum
    or a strict saddle whose box is centred exactly in the fixed space of the task's group
    ``H = Delta(S_p1 x … x S_pr)`` (canonical layout: every orbit's entries the same float64), so that the one
    critical point in the box is fixed by H; ``certified`` if one is."""
    from proofkit.certify.teacher_student import teacher_student_inputs
    from proofkit.errors import CertificateRejected
    from proofkit.kernel import read_floats
    from proofkit.library.safran_shamir_symmetry import IsotropyPattern

    k, n = args["k"], args["n"]
    pattern = IsotropyPattern(tuple(args["blocks"]), n - k)

    def bind(a: dict[str, Any], cert: Mapping[str, Any]) -> str | None:
        inputs = cert.get("inputs") if isinstance(cert.get("inputs"), Mapping) else {}
        got = inputs.get("kind")
        why = differs(cert, teacher_student_inputs(k, n, got if isinstance(got, str) else ""))
        if why:
            return why
        try:
            centre = read_floats(inputs.get("centre"), "inputs.centre")
        except CertificateRejected:
            centre = None
        if centre is None or centre.shape != (n, k):
            return "inputs.centre is not an n x k float64 record"
        if not pattern.contains(centre):
            return f"the box's centre is not in the fixed space of this task's group {pattern.name}"
        return None

    return any_certified(bind, ("teacher_student",))(args, certs)


# --- entry points ---------------------------------------------------------------------------------------------------

def derive(kind: Any, args: dict[str, Any], texts: Sequence[str], checks: Sequence[Mapping[str, Any]] | None = None
           ) -> Derivation:
    """The outcome that ``texts`` (a record's certificates) imply for a task of ``kind`` with decoded ``args``.

    Every certificate is re-checked by the kernel (or ``checks`` gives the kernel's findings); a rejection
    is a problem; then the kind's derivation binds the certificates to the task.

    Guarantee
    ---------
    A derivation without problems means: every certificate passed the kernel, each is about the inputs the
    task's line defines (as the kind's derivation re-derives them), none is missing, and the outcome is
    the one their verdicts imply.
    """
    from proofkit.sweep.execute import kernel_check

    checks = list(checks) if checks is not None else [kernel_check(t, kind.claim_types) for t in texts]
    problems = [f"certificate {i}: {c.get('reason', 'rejected')}" for i, c in enumerate(checks, 1) if not c["ok"]]
    if problems:
        return Derivation("rejected", problems)
    from proofkit.certificate import LEGACY_SCHEMA
    from proofkit.kernel import upgrade

    certs = [json.loads(t) for t in texts]  # (first-schema certificates in the current layout, as the kernel reads them)
    certs = [upgrade(c) if isinstance(c, dict) and c.get("schema") == LEGACY_SCHEMA else c for c in certs]
    if kind.derive is not None:
        try:
            return kind.derive(args, certs)
        except Exception as exc:  # rebuilding a task's inputs must never crash verify: it is reported
            return Derivation("rejected", [f"the task's certificate inputs could not be re-derived "
                                           f"({type(exc).__name__}: {exc})"])
    if kind.bind is not None:  # a plug-in kind with a per-certificate binding only
        problems = [f"certificate {i}: {why}" for i, c in enumerate(certs, 1) if (why := kind.bind(args, c))]
        if problems:
            return Derivation("rejected", problems)
        verdicts = [c["verdict"] for c in certs]
        return Derivation(next((v for v in ("certified", "refuted") if v in verdicts), "inconclusive"))
    return Derivation("rejected", [f"the kind {kind.name!r} declares no derivation (nor binding): its certificates "
                                   "cannot be tied to its task"])


def derive_record(task: Mapping[str, Any], texts: Sequence[str]) -> Derivation:
    """:func:`derive` for a task as recorded (``{"kind": ..., "inputs": ...}``) and its certificate texts."""
    from proofkit.errors import ProofkitError
    from proofkit.sweep.kinds import KINDS, decode_inputs

    name = task.get("kind") if isinstance(task, Mapping) else None
    if not isinstance(name, str) or name not in KINDS:
        return Derivation("rejected", [f"unknown kind {str(name)[:60]!r}: this proofkit cannot re-derive its "
                                       "certificates' inputs"])
    try:
        kind, args = decode_inputs(name, task.get("inputs"))
    except ProofkitError as exc:
        return Derivation("rejected", [f"the recorded task does not decode ({exc})"])
    return derive(kind, args, texts)
