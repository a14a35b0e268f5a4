"""Translation of first-schema certificates (``proofkit.certificate/2``) to the current schema (outside the logic).

A pure-data function: :func:`translate` checks the old envelope and the old input hash, maps each old claim type
to its current form (the slice, strict and spurious minimum types become ``local_min`` with fields; the box of a
slice gets the fixed parameters as coordinates of radius 0), drops what the current schema does not carry
(``statement``, ``reason`` and ``margin`` texts, provenance such as ``attempts``, stated enclosures the kernel
recomputes: ``K``, ``value``, ``lower``, ``better``, ``gap``, ``L0``, ``pivots`` as a leading-minor index) and
recomputes the input hash. The result then passes the whole kernel like any certificate: a mistranslated claim
can only be rejected, because the kernel derives every claim field from the inputs.

The texts of a first-schema certificate are not verified: the sentence shown for it is made by printing from the
verified claim.
"""

from __future__ import annotations

from typing import Any

from proofkit.certificate import SCHEMA, input_hash
from proofkit.kernel.decode import reject

__all__ = ["translate", "OLD_TYPES"]

_OLD_KEYS = {"schema", "claim", "verdict", "method", "backend", "precision", "input_hash", "inputs", "evidence",
             "margin", "reason", "versions"}
_BOXED = ("critical_point", "strict_local_min", "spurious_local_min")
#: The first schema's claim types that are now another type (the others keep their name).
OLD_TYPES = {**{t: "critical_point" if t.startswith("critical") else "local_min"
                for base in _BOXED for t in (base, base + "_on_slice")}}


def _fail(why: str) -> Exception:
    return reject(f"first-schema certificate: {why}")


def _positive(xs: Any) -> bool:
    return isinstance(xs, list) and all(isinstance(x, str) and x != "0" and not x.startswith("-") for x in xs)


def _slice(inp: dict[str, Any], key: str) -> tuple[dict[str, Any], list[str]]:
    """The old box over the variables with the fixed parameters (trailing inputs, by name) as radius-0 coordinates."""
    names, fixed, dag = inp.get("variables"), inp.get("fixed"), inp.get(key)
    if not isinstance(fixed, dict) or not isinstance(names, list) or not isinstance(dag, dict) or \
            dag.get("inputs") != names + sorted(fixed) or not _positive(inp.get("radii")) or \
            not isinstance(inp.get("centers"), list):
        raise _fail(f"the {key} must be an expression in the variables, then the fixed parameters by name, on a box "
                    "of positive radii")
    out = {key: dag, "centers": inp["centers"] + [fixed[k] for k in sorted(fixed)],
           "radii": inp["radii"] + ["0"] * len(fixed)}
    return out, sorted(fixed)


def _boxed(t: str, claim: dict[str, Any], inp: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any], bool]:
    base = t.removesuffix("_on_slice")
    if set(claim) != {"type", "dimension", "slice", *(["compare"] if base == "spurious_local_min" else [])} or \
            claim["slice"] is not t.endswith("_on_slice") or type(claim["dimension"]) is not int:
        raise _fail(f"the claim of a {t} certificate")
    new_inp, fixed = _slice(inp, "gradient" if base == "critical_point" else "loss")
    common = {"dimension": claim["dimension"] + len(fixed), "slice": claim["slice"], "fixed": fixed}
    if base == "critical_point":
        return {"type": "critical_point", **common}, new_inp, True
    compare = claim.get("compare", "none")
    new_inp["compare"] = compare
    if compare != "none" and inp.get("compare") != compare:
        raise _fail("the claim's comparison differs from the recorded one")
    if "better" in inp:
        new_inp["better"] = inp["better"] + [inp["fixed"][k] for k in fixed] if isinstance(inp["better"], list) \
            else inp["better"]
    if "global_value" in inp:
        new_inp["global_value"] = inp["global_value"]
    return {"type": "local_min", "strict": True, "via": "krawczyk", **common, "compare": compare}, new_inp, True


def _landscape(t: str, claim: dict[str, Any], inp: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any], bool]:
    loss = inp.get("loss")
    if not isinstance(loss, dict) or inp.get("params") != loss.get("inputs"):
        raise _fail("inputs.params must be the inputs of the stored loss, in order")
    new_claim = {k: v for k, v in claim.items() if k != "statement"}
    new_inp = {k: v for k, v in inp.items() if k != "params"}
    keeps_c = t in ("local_max",) or claim.get("kind") == "strict" or claim.get("how") == "box"
    if t == "local_max":
        new_inp.pop("compare", None)
    if t == "local_min":
        via, n = claim.get("via"), len(inp["params"])
        new_claim.update(slice=False, fixed=claim.get("fixed", []) if via == "symmetry" else [])
        new_claim = {k: new_claim[k] for k in ("type", "strict", "via", "dimension", "slice", "fixed", "compare",
                                               "tangent", "value") if k in new_claim}
        if via == "symmetry":
            fixed, radii = new_inp.pop("fixed", None), inp.get("radii")
            if not isinstance(fixed, list) or not isinstance(radii, list) or len(radii) != n or \
                    any((r == "0") != (i in fixed) for i, r in enumerate(radii)) or not _positive(
                        [r for r in radii if r != "0"]):
                raise _fail("a lift's box has radius 0 exactly in the fixed coordinates")
        elif not _positive(inp.get("radii")):
            raise _fail("the box radii must be positive")
        keeps_c = via != "manifold"
    return new_claim, new_inp, keeps_c


def _evidence(t: str, verdict: str, ev: dict[str, Any], keeps_c: bool) -> dict[str, Any]:
    if t in ("nonsingular", "rank_at_least"):
        keep = ("rank",) if verdict == "refuted" else ("prime", "det_mod_p", "scaling", "rows", "cols")
        return {k: v for k, v in ev.items() if k in keep}
    if t == "positive_definite":
        if "pivots" in ev and "witness" in ev:
            raise _fail("record exact pivots or a witness, not both")
        if verdict == "certified":
            return {}
        if isinstance(ev.get("pivots"), list):
            return {"minor": len(ev["pivots"])}
        return {"witness": ev["witness"]} if "witness" in ev else {}
    if t == "indefinite":
        return {s: ev[s].get("v") if isinstance(ev.get(s), dict) else ev.get(s) for s in ("negative", "positive")}
    if t == "classification":
        return {**ev, "certificate": translate(ev["certificate"])} if isinstance(ev.get("certificate"), dict) else ev
    if t in OLD_TYPES or t in ("local_min", "local_max", "saddle", "not_local_min"):
        return {"C": ev["C"]} if keeps_c and "C" in ev else {}
    return ev


def translate(raw: dict[str, Any]) -> dict[str, Any]:
    """The current form of a first-schema certificate (raw JSON data), with its input hash recomputed.

    Raises :class:`~proofkit.errors.CertificateRejected` when the old envelope is malformed or its input hash
    does not match its inputs.
    """
    if not _OLD_KEYS <= set(raw) <= _OLD_KEYS | {"binding", "time_seconds"}:
        raise _fail(f"expected the keys {sorted(_OLD_KEYS)}")
    claim, inputs, ev, verdict = raw["claim"], raw["inputs"], raw["evidence"], raw["verdict"]
    if not isinstance(claim, dict) or not isinstance(inputs, dict) or not isinstance(ev, dict) or \
            not isinstance(raw["input_hash"], str):
        raise _fail("claim, inputs and evidence must be objects")
    if input_hash({k: v for k, v in inputs.items() if k != "A"}) != raw["input_hash"]:
        raise reject("input_hash does not match the recorded inputs (tampered or corrupted)")
    if not (raw["margin"] is None or isinstance(raw["margin"], str)) or not isinstance(raw["reason"], str):
        raise _fail("margin and reason must be text")
    t = claim.get("type")
    if verdict == "inconclusive":  # nothing is claimed: the type is renamed, the data kept
        new_claim, new_inp = {**claim, "type": OLD_TYPES.get(t, t)}, inputs
    elif t in OLD_TYPES:
        new_claim, new_inp, keeps_c = _boxed(t, claim, inputs)
        ev = _evidence(t, verdict, ev, keeps_c)
    else:
        new_claim, new_inp, keeps_c = _landscape(t, claim, inputs) if t in (
            "local_min", "local_max", "saddle", "not_local_min", "classification") else (
            {k: v for k, v in claim.items() if k != "statement"} if t == "leibniz_witness" else claim, inputs, False)
        ev = _evidence(t, verdict, ev, keeps_c)
        if t == "classification" and new_claim.get("reason_code") == "degenerate" and \
                isinstance(ev.get("certificate"), dict) and ev["certificate"].get("claim", {}).get("order") == 2:
            new_claim = {**new_claim, "reason_code": "strict"}  # (a negative Hessian eigenvalue: now named strict)
    out = {**{k: v for k, v in raw.items() if k not in ("margin", "schema")}, "schema": SCHEMA, "claim": new_claim,
           "inputs": new_inp, "evidence": ev, "reason": raw["reason"] if verdict == "inconclusive" else None,
           "input_hash": input_hash({k: v for k, v in new_inp.items() if k != "A"})}
    return out
