"""The built-in task kinds: plain-JSON inputs -> a certifier call -> certificates.

============================  ==============================================  ============================================
kind                          required inputs                                 certifier
============================  ==============================================  ============================================
``spurious_minimum``          ``loss``, ``point``, ``better_point`` or        :func:`~proofkit.certify_spurious_minimum`
                              ``global_value`` (``near``: how far from        (its box within ``near`` of ``point``)
                              ``point`` the box may lie)
``critical_point``            ``loss`` or ``gradient``, ``variables``,        :func:`~proofkit.certify_critical_point`
                              ``point``, ``radius``
``strict_local_min``          as ``critical_point``                           :func:`~proofkit.certify_strict_local_min`
``local_min``                 ``loss``, ``point`` (``manifold``)              :func:`~proofkit.certify_local_min`
``saddle``                    ``loss``, ``point`` (``direction``, ``curve``,  :func:`~proofkit.certify_saddle`
                              ``refine``)
``nonsingular``               ``matrix``                                      :func:`~proofkit.certify_nonsingular`
``rank_at_least``             ``matrix``, ``r``                               :func:`~proofkit.certify_rank_at_least`
``positive_definite``         ``matrix``                                      :func:`~proofkit.certify_positive_definite`
``leibniz_witness``           ``X``, ``widths``, ``k``                        Lemma 4.3: ``alpha0`` and ``witness``
``search_spurious_minima``    ``network``, ``X``, ``Y``                       :func:`~proofkit.find_spurious_minima`
``safran_shamir_spurious``    ``k``, ``n``, ``seed``, ``starts``              Safran & Shamir: search, certify vs teacher
``safran_shamir_point``       ``k``, ``n``, ``W`` (k x n float hex, columns   Safran & Shamir: the given point certified
                              the student units, as published)                as a spurious minimum or a strict saddle
``safran_shamir_symmetric``   ``k``, ``blocks`` (diagonal block sizes,        Safran & Shamir: critical points with
                              summing to k)                                   isotropy Delta(S_p1 x ... x S_pr), certified
============================  ==============================================  ============================================

Numbers are exact (see :mod:`proofkit.sweep.exact`). Every kind declares the derivation of
:mod:`proofkit.sweep.binding` that ties its certificates to the task (``proofkit verify DIR`` re-derives
each record's outcome with it). Further kinds are added with one
:func:`~proofkit.sweep.kinds.register_kind` call each.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sympy

from proofkit.errors import InvalidInput
from proofkit.sweep import binding, exact
from proofkit.sweep.kinds import TaskKind, TaskOutput, ball_value, register_kind

__all__ = ["MATRIX_LIMIT"]

#: Matrices in tasks have at most this many entries (so that certificates store them in full).
MATRIX_LIMIT = 10000


def _int(inputs: Mapping[str, Any], name: str, default: int | None = None, lo: int = 0, hi: int = 1 << 20) -> int:
    v = inputs.get(name, default)
    if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
        raise InvalidInput(name, f"an integer in [{lo}, {hi}]", repr(v)[:40])
    return v


def _bool(inputs: Mapping[str, Any], name: str, default: bool) -> bool:
    v = inputs.get(name, default)
    if not isinstance(v, bool):
        raise InvalidInput(name, "true or false", repr(v)[:40])
    return v


def _str(inputs: Mapping[str, Any], name: str, default: str, choices: Any = None) -> str:
    v = inputs.get(name, default)
    if not isinstance(v, str) or (choices is not None and v not in choices):
        raise InvalidInput(name, f"one of {sorted(choices)}" if choices is not None else "a string", repr(v)[:40])
    return v


def _positive(v: Any, name: str) -> sympy.Rational:
    q = exact.exact_number(v, name)
    if q <= 0:
        raise InvalidInput(name, "a positive number", str(q))
    return q


def _matrix(inputs: Mapping[str, Any], name: str = "matrix") -> list[list[Any]]:
    rows = exact.constant_matrix(inputs[name], name)
    if len(rows) * len(rows[0]) > MATRIX_LIMIT:
        raise InvalidInput(name, f"at most {MATRIX_LIMIT} entries", f"{len(rows)}x{len(rows[0])}")
    return rows


def _fixed(value: Any, allowed: list[str]) -> dict[str, sympy.Rational]:
    if not isinstance(value, Mapping):
        raise InvalidInput("fixed", "an object {name: exact number}", type(value).__name__)
    out = {}
    for k, v in value.items():
        if k not in allowed:
            raise InvalidInput("fixed", f"names among {allowed[:8]}", repr(k)[:40])
        out[k] = exact.exact_number(v, f"fixed.{k}")
    return out


def _max_prec(inputs: Mapping[str, Any], default: int) -> int:
    return _int(inputs, "max_prec", default, 53, 1 << 16)


def _evidence_values(cert: Any, names: tuple[str, ...]) -> dict[str, float]:
    """Display values: the kernel's measures of the certificate (``lower``, ``better``, ``gap``), or its evidence."""
    from proofkit.certify.common import kernel_report

    rep = kernel_report(cert) if cert.verdict != "inconclusive" else None
    measures = rep.measures if rep is not None else {}
    out = {}
    for name in names:
        m = measures.get(name)
        v = float(m.mid()) if hasattr(m, "mid") else \
            ball_value(cert.evidence.get(name)) if isinstance(cert.evidence.get(name), Mapping) else None
        if v is not None:
            out[name] = v
    return out


# --- spurious_minimum -------------------------------------------------------------------------------------------

def _loss_and_params(inputs: Mapping[str, Any]) -> tuple[sympy.Expr, list[str]]:
    """The task's ``loss`` and its parameter names (``params``, or the sorted free symbols)."""
    if "params" in inputs:
        params = exact.names(inputs["params"], "params")
        loss = exact.expression(inputs["loss"], "loss", params)
    else:
        loss = exact.expression(inputs["loss"], "loss")
        params = sorted(s.name for s in loss.free_symbols)
        if not params:
            raise InvalidInput("loss", "an expression in at least one parameter", str(loss)[:60])
    return loss, params


def _decode_spurious(inputs: Mapping[str, Any]) -> dict[str, Any]:
    loss, params = _loss_and_params(inputs)
    if ("better_point" in inputs) == ("global_value" in inputs):
        raise InvalidInput("inputs", "exactly one of better_point and global_value", "both" if
                           "better_point" in inputs else "neither")
    args: dict[str, Any] = {"loss": loss, "params": params, "point": exact.point(inputs["point"], params, "point"),
                            "refine": _bool(inputs, "refine", True), "max_prec": _max_prec(inputs, 512),
                            "symmetry": _str(inputs, "symmetry", ""),
                            "fixed": _fixed(inputs.get("fixed", {}), params)}
    if "better_point" in inputs:
        args["better_point"] = exact.point(inputs["better_point"], params, "better_point")
    else:
        args["global_value"] = exact.exact_number(inputs["global_value"], "global_value")
    if "radius" in inputs:
        args["radius"] = _positive(inputs["radius"], "radius")
    if "near" in inputs:
        args["near"] = _positive(inputs["near"], "near")
    return args


def _certify_spurious(args: dict[str, Any]) -> TaskOutput:
    from proofkit.certify import certify_spurious_minimum

    cert = certify_spurious_minimum(args["loss"], [sympy.Symbol(p) for p in args["params"]], args["point"],
                                    args.get("better_point"), args.get("global_value"), radius=args.get("radius"),
                                    fixed=args["fixed"], symmetry=args["symmetry"], refine=args["refine"],
                                    max_prec=args["max_prec"])
    values = _evidence_values(cert, ("lower", "better", "gap"))
    if "lower" in values:
        values["loss"] = values.pop("lower")
    return TaskOutput([cert], values=values, note=cert.reason)


register_kind(TaskKind(
    "spurious_minimum", _decode_spurious, _certify_spurious, required=("loss", "point"),
    optional=("params", "better_point", "global_value", "radius", "fixed", "symmetry", "refine", "max_prec", "near"),
    claim_types=("local_min",), derive=binding.spurious_derivation,
    summary="a strict local minimum within `near` of `point` whose loss exceeds the loss at `better_point` (or "
            "`global_value`)"))


# --- local_min / saddle (landscapes: non-strict minima, strict and degenerate saddles) ----------------------------

def _decode_landscape(inputs: Mapping[str, Any]) -> dict[str, Any]:
    loss, params = _loss_and_params(inputs)
    args: dict[str, Any] = {"loss": loss, "params": params, "point": exact.point(inputs["point"], params, "point")}
    if "radius" in inputs:
        args["radius"] = _positive(inputs["radius"], "radius")
    return args


def _decode_local_min(inputs: Mapping[str, Any]) -> dict[str, Any]:
    args = _decode_landscape(inputs)
    params = args["params"]
    if "better_point" in inputs and "global_value" in inputs:
        raise InvalidInput("inputs", "at most one of better_point and global_value", "both")
    if "better_point" in inputs:
        args["better_point"] = exact.point(inputs["better_point"], params, "better_point")
    if "global_value" in inputs:
        args["global_value"] = exact.exact_number(inputs["global_value"], "global_value")
    if "manifold" in inputs:
        m = inputs["manifold"]
        if not isinstance(m, Mapping) or not m:
            raise InvalidInput("manifold", "an object {normal parameter: expression in the others}", exact._short(m))
        unknown = [k for k in m if k not in params]
        if unknown:
            raise InvalidInput("manifold", f"keys among {params[:8]}", f"unknown {unknown[:4]}")
        args["manifold"] = {sympy.Symbol(k): exact.expression(v, f"manifold.{k}", [p for p in params if p not in m])
                            for k, v in m.items()}
    return args


def _certify_local_min(args: dict[str, Any]) -> TaskOutput:
    from proofkit.certify import certify_local_min

    cert = certify_local_min(args["loss"], [sympy.Symbol(p) for p in args["params"]], args["point"],
                             manifold=args.get("manifold"), radius=args.get("radius"),
                             better_point=args.get("better_point"), global_value=args.get("global_value"))
    return TaskOutput([cert], values={"dimension": len(args["params"]),
                                      "strict": bool(cert.claim.get("strict")) if cert.claim else None},
                      note=cert.reason)


register_kind(TaskKind("local_min", _decode_local_min, _certify_local_min, required=("loss", "point"),
                       optional=("params", "manifold", "radius", "better_point", "global_value"),
                       claim_types=("local_min",), derive=binding.local_min_derivation,
                       summary="a local minimum near `point`: strict, or non-strict on the `manifold` of minima "
                               "through it (optionally spurious: above `better_point` / `global_value`)"))


def _decode_saddle(inputs: Mapping[str, Any]) -> dict[str, Any]:
    args = _decode_landscape(inputs)
    args["refine"] = _bool(inputs, "refine", False)
    if "direction" in inputs:
        args["direction"] = exact.exact_vector(inputs["direction"], "direction", len(args["params"]))
    if "curve" in inputs:
        var = _str(inputs, "curve_variable", "t")
        if var in args["params"]:
            raise InvalidInput("curve_variable", "a name that is not a parameter", var)
        c = inputs["curve"]
        if not isinstance(c, list) or len(c) != len(args["params"]):
            raise InvalidInput("curve", f"a list of {len(args['params'])} expressions in {var}", exact._short(c))
        args["curve"] = [exact.expression(e, f"curve[{i}]", [var]) for i, e in enumerate(c)]
    return args


def _certify_saddle(args: dict[str, Any]) -> TaskOutput:
    from proofkit.certify import certify_saddle

    cert = certify_saddle(args["loss"], [sympy.Symbol(p) for p in args["params"]], args["point"],
                          direction=args.get("direction"), curve=args.get("curve"), radius=args.get("radius"),
                          refine=args["refine"])
    kind = cert.claim.get("kind") if cert.claim else None
    return TaskOutput([cert], values={"dimension": len(args["params"]), "kind": kind}, note=cert.reason)


register_kind(TaskKind("saddle", _decode_saddle, _certify_saddle, required=("loss", "point"),
                       optional=("params", "direction", "curve", "curve_variable", "radius", "refine"),
                       claim_types=("saddle",), derive=binding.saddle_derivation,
                       summary="a saddle at (or near) `point`: strict (Krawczyk + curvatures of both signs; "
                               "`refine`: Newton steps first) or exact leading terms along a `curve` (order 2: a "
                               "negative eigenvalue of a singular Hessian, higher: a degenerate saddle)"))


# --- critical_point / strict_local_min ----------------------------------------------------------------------------

def _decode_critical(inputs: Mapping[str, Any]) -> dict[str, Any]:
    variables = exact.names(inputs["variables"], "variables")
    if ("loss" in inputs) == ("gradient" in inputs):
        raise InvalidInput("inputs", "exactly one of loss and gradient", "both" if "loss" in inputs else "neither")
    f = None
    if "loss" in inputs:
        f = exact.expression(inputs["loss"], "loss", variables)
        grad = [f.diff(sympy.Symbol(v)) for v in variables]
    else:
        g = inputs["gradient"]
        if not isinstance(g, list) or len(g) != len(variables):
            raise InvalidInput("gradient", f"a list of {len(variables)} expressions (one per variable)",
                               exact._short(g))
        grad = [exact.expression(e, f"gradient[{i}]", variables) for i, e in enumerate(g)]
    fixed = _fixed(inputs.get("fixed", {}), variables)
    free = [v for v in variables if v not in fixed]
    radius = inputs["radius"]
    radii = ([_positive(r, f"radius[{i}]") for i, r in enumerate(radius)] if isinstance(radius, list)
             else _positive(radius, "radius"))
    return {"grad": grad, "variables": variables, "fixed": fixed, "point": exact.point(inputs["point"], free, "point"),
            "radius": radii, "max_prec": _max_prec(inputs, 512), "loss": f}


def _critical_kind(name: str, certifier_name: str) -> TaskKind:
    def certify(args: dict[str, Any]) -> TaskOutput:
        import proofkit.certify as certify_module

        fn = getattr(certify_module, certifier_name)
        # a strict local minimum is certified from the loss itself (the kernel derives gradient and Hessian)
        extra = {"loss": args["loss"]} if name == "strict_local_min" and args.get("loss") is not None else {}
        cert = fn(args["grad"], None, args["point"], args["radius"],
                  variables=[sympy.Symbol(v) for v in args["variables"]], fixed=args["fixed"],
                  max_prec=args["max_prec"], **extra)
        return TaskOutput([cert], values={"dimension": len(args["point"])}, note=cert.reason)

    return TaskKind(name, _decode_critical, certify, required=("variables", "point", "radius"),
                    optional=("loss", "gradient", "fixed", "max_prec"),
                    claim_types=("critical_point",) if name == "critical_point" else ("local_min",),
                    derive=binding.critical_derivation(name),
                    summary=f"{name.replace('_', ' ')} in the box `point` +- `radius` (gradient of `loss`, or "
                            "`gradient` given)")


register_kind(_critical_kind("critical_point", "certify_critical_point"))
register_kind(_critical_kind("strict_local_min", "certify_strict_local_min"))


# --- matrices ------------------------------------------------------------------------------------------------------

def _decode_nonsingular(inputs: Mapping[str, Any]) -> dict[str, Any]:
    return {"A": _matrix(inputs), "backend": _str(inputs, "backend", "auto", ("auto", "float", "arb", "exact")),
            "max_prec": _max_prec(inputs, 1024)}


def _certify_nonsingular(args: dict[str, Any]) -> TaskOutput:
    from proofkit.certify import certify_nonsingular

    cert = certify_nonsingular(args["A"], backend=args["backend"], max_prec=args["max_prec"])
    return TaskOutput([cert], values={"n": len(args["A"])}, note=cert.reason)


register_kind(TaskKind("nonsingular", _decode_nonsingular, _certify_nonsingular, required=("matrix",),
                       optional=("backend", "max_prec"), claim_types=("nonsingular",),
                       derive=binding.matrix_derivation("nonsingular"),
                       summary="the square `matrix` is invertible"))


def _decode_rank(inputs: Mapping[str, Any]) -> dict[str, Any]:
    A = _matrix(inputs)
    return {"A": A, "r": _int(inputs, "r", None, 0, min(len(A), len(A[0]))), "max_prec": _max_prec(inputs, 1024)}


def _certify_rank(args: dict[str, Any]) -> TaskOutput:
    from proofkit.certify import certify_rank_at_least

    cert = certify_rank_at_least(args["A"], args["r"], max_prec=args["max_prec"])
    return TaskOutput([cert], values={"r": args["r"]}, note=cert.reason)


register_kind(TaskKind("rank_at_least", _decode_rank, _certify_rank, required=("matrix", "r"),
                       optional=("max_prec",), claim_types=("rank_at_least",),
                       derive=binding.matrix_derivation("rank_at_least", with_r=True),
                       summary="rank(`matrix`) >= `r`"))


def _decode_pd(inputs: Mapping[str, Any]) -> dict[str, Any]:
    return {"A": _matrix(inputs), "max_prec": _max_prec(inputs, 1024),
            "exact_limit": _int(inputs, "exact_limit", 80, 0, 2000)}


def _certify_pd(args: dict[str, Any]) -> TaskOutput:
    from proofkit.certify import certify_positive_definite

    cert = certify_positive_definite(args["A"], max_prec=args["max_prec"], exact_limit=args["exact_limit"])
    return TaskOutput([cert], values={"n": len(args["A"])}, note=cert.reason)


register_kind(TaskKind("positive_definite", _decode_pd, _certify_pd, required=("matrix",),
                       optional=("max_prec", "exact_limit"), claim_types=("positive_definite",),
                       derive=binding.matrix_derivation("positive_definite"),
                       summary="the symmetric `matrix` is positive definite"))


# --- Lemma 4.3 witness --------------------------------------------------------------------------------------------

def _widths(value: Any) -> list[int]:
    if not isinstance(value, list) or len(value) < 2 or not all(
            isinstance(n, int) and not isinstance(n, bool) and 1 <= n <= 4096 for n in value):
        raise InvalidInput("widths", "a list [d, n_1, ..., m] of at least two positive integers", exact._short(value))
    return value


def _decode_leibniz(inputs: Mapping[str, Any]) -> dict[str, Any]:
    from proofkit.symbolic.activations import ACTIVATIONS

    widths = _widths(inputs["widths"])
    args = {"X": exact.exact_matrix(inputs["X"], "X"), "widths": widths,
            "k": _int(inputs, "k", None, 1, len(widths) - 2),
            "sigma": _str(inputs, "sigma", "sigmoid", set(ACTIVATIONS)),
            "beta": exact.exact_number(inputs.get("beta", 0), "beta")}
    if "alpha" in inputs:
        args["alpha"] = _positive(inputs["alpha"], "alpha")
    return args


def _certify_leibniz(args: dict[str, Any]) -> TaskOutput:
    from proofkit.certify.leibniz import certify_leibniz_alpha0
    from proofkit.symbolic.leibniz import leibniz_construction

    con = leibniz_construction(args["X"], args["widths"], args["k"], args["sigma"], args["beta"])
    values: dict[str, Any] = {"N": con.N}
    certs = []
    if "alpha" in args:
        alpha = args["alpha"]
    else:
        proof = con.alpha0()
        if not proof["proved"]:
            return TaskOutput([], "inconclusive", values, f"no alpha_0 found: {proof.get('argument', '')}")
        alpha = proof["alpha0"]
        values["alpha0"] = float(alpha.p) / float(alpha.q) if hasattr(alpha, "p") else float(alpha)
        if con.kind == "bounded":  # "det E(alpha) != 0 for every alpha >= alpha_0", re-checked by the kernel
            certs.append(certify_leibniz_alpha0(con, alpha))
    cert = con.witness(alpha)
    certs.append(cert)
    # certified only when every certificate is (alpha_0 *and* the witness at it)
    outcome = "certified" if all(c.verdict == "certified" for c in certs) else "inconclusive"
    return TaskOutput(certs, outcome, values=values, note=cert.reason)


register_kind(TaskKind("leibniz_witness", _decode_leibniz, _certify_leibniz, required=("X", "widths", "k"),
                       optional=("sigma", "beta", "alpha"), claim_types=("leibniz_witness", "leibniz_alpha0"),
                       derive=binding.leibniz_derivation,
                       summary="Lemma 4.3 (Nguyen & Hein 2017): explicit alpha_0 and a certified rank([F_k, 1_N]) = N"))


# --- search -------------------------------------------------------------------------------------------------------

def _decode_search(inputs: Mapping[str, Any]) -> dict[str, Any]:
    from proofkit.symbolic.activations import ACTIVATIONS
    from proofkit.symbolic.losses import LOSSES

    net = inputs["network"]
    if not isinstance(net, Mapping) or "widths" not in net:
        raise InvalidInput("network", "an object {widths, activation, output_activation, bias}", exact._short(net))
    unknown = [k for k in net if k not in ("widths", "activation", "output_activation", "bias")]
    if unknown:
        raise InvalidInput("network", "fields among widths, activation, output_activation, bias", f"unknown {unknown}")
    widths = _widths(net["widths"])
    scale = _positive(inputs.get("scale", 2), "scale")
    return {"widths": widths, "activation": _str(net, "activation", "sigmoid", set(ACTIVATIONS)),
            "output_activation": _str(net, "output_activation", "identity", set(ACTIVATIONS)),
            "bias": _bool(net, "bias", True), "X": exact.exact_matrix(inputs["X"], "X"),
            "Y": exact.exact_matrix(inputs["Y"], "Y"), "loss": _str(inputs, "loss", "squared", set(LOSSES)),
            "starts": _int(inputs, "starts", 40, 1, 100000), "seed": _int(inputs, "seed", 0, 0, 2**63 - 1),
            "scale": float(scale), "max_certify": _int(inputs, "max_certify", 6, 0, 1000)}


def _certify_search(args: dict[str, Any]) -> TaskOutput:
    from proofkit.certify.search import find_spurious_minima
    from proofkit.symbolic import Network

    net = Network(args["widths"], activation=args["activation"], output_activation=args["output_activation"],
                  bias=args["bias"])
    rep = find_spurious_minima(net, args["X"], args["Y"], args["loss"], starts=args["starts"], seed=args["seed"],
                               scale=args["scale"], max_certify=args["max_certify"])
    certs = [s.certificate for s in rep.certified]
    values: dict[str, Any] = {"candidates": len(rep.candidates), "certified_minima": len(certs)}
    if rep.certified:
        values["loss"] = [s.loss for s in rep.certified]
        values["best_loss"] = rep.best_loss
    note = (f"{len(certs)} certified spurious minima among {len(rep.candidates)} distinct local minima found "
            f"from {rep.starts} starts")
    return TaskOutput(certs, "certified" if certs else "inconclusive", values, note)


register_kind(TaskKind("search_spurious_minima", _decode_search, _certify_search, required=("network", "X", "Y"),
                       optional=("loss", "starts", "seed", "scale", "max_certify"),
                       claim_types=("local_min",), derive=binding.search_derivation,
                       summary="multi-start search on a network's loss; every spurious minimum found is certified"))


# --- Safran & Shamir ----------------------------------------------------------------------------------------------

def _decode_safran_shamir(inputs: Mapping[str, Any]) -> dict[str, Any]:
    k = _int(inputs, "k", None, 1, 60)
    n = _int(inputs, "n", None, k, 80)
    return {"k": k, "n": n, "seed": _int(inputs, "seed", 0, 0, 2**63 - 1),
            "starts": _int(inputs, "starts", 200, 1, 100000), "max_certify": _int(inputs, "max_certify", 4, 1, 100)}


def _certify_safran_shamir(args: dict[str, Any]) -> TaskOutput:
    from proofkit.library.safran_shamir import certify_minimum, search

    k, n = args["k"], args["n"]
    cands = search(k, n, starts=args["starts"], seed=args["seed"])
    certs, losses, reasons = [], [], []
    for c in cands[:args["max_certify"]]:
        cert = certify_minimum(k, n, c.W)
        if cert.verdict == "certified":
            certs.append(cert)
            losses.append(c.loss)
        else:
            reasons.append(cert.reason)
    values: dict[str, Any] = {"families_found": len(cands), "certified_minima": len(certs)}
    if losses:
        values["F"] = losses
    note = (f"(k, n) = ({k}, {n}): {len(cands)} distinct spurious-minimum candidates from {args['starts']} starts, "
            f"{len(certs)} certified against the teacher (F = 0)" + (f"; not certified: {reasons[0]}" if reasons else ""))
    return TaskOutput(certs, "certified" if certs else "inconclusive", values, note)


register_kind(TaskKind("safran_shamir_spurious", _decode_safran_shamir, _certify_safran_shamir, required=("k", "n"),
                       optional=("seed", "starts", "max_certify"), claim_types=("teacher_student",),
                       derive=binding.safran_shamir_derivation,
                       summary="Safran & Shamir's teacher-student loss: search for spurious minima, certify each "
                               "against the teacher"))


def _decode_safran_shamir_point(inputs: Mapping[str, Any]) -> dict[str, Any]:
    from fractions import Fraction

    import numpy as np

    k = _int(inputs, "k", None, 1, 60)
    n = _int(inputs, "n", None, 1, 60)
    rows = inputs["W"]
    if not isinstance(rows, list) or len(rows) != k or any(not isinstance(r, list) or len(r) != n for r in rows):
        raise InvalidInput("W", f"{k} rows of {n} numbers (k x n: row t is input coordinate t, column i student unit i, "
                                "as published)", exact._short(rows))
    W = np.empty((n, k))
    for t, row in enumerate(rows):
        for i, v in enumerate(row):
            q = Fraction(exact.exact_number(v, f"W[{t}][{i}]"))
            try:
                f = float(q)
            except OverflowError:
                f = float("inf")
            if not np.isfinite(f) or Fraction(f) != q:
                raise InvalidInput(f"W[{t}][{i}]", "a float64 number (e.g. float hex '0x1.8p-1')", exact._short(v))
            W[i, t] = f
    args: dict[str, Any] = {"k": k, "n": n, "W": W,
                            "kind": _str(inputs, "kind", "auto", ("auto", "spurious local minimum", "strict saddle"))}
    if "radius" in inputs:
        r = Fraction(_positive(inputs["radius"], "radius"))
        if Fraction(float(r)) != r:
            raise InvalidInput("radius", "a positive float64 number", exact._short(inputs["radius"]))
        args["radius"] = float(r)
    scale = 1 + max(abs(v) for v in W.reshape(-1).tolist())
    args["near"] = _positive(inputs["near"], "near") if "near" in inputs else \
        sympy.Rational(Fraction(scale)) / 10**5
    for key in ("family", "runs"):
        if key in inputs:
            args[key] = _int(inputs, key, None, 0, 10**9)
    if "F" in inputs:
        args["F"] = exact.exact_number(inputs["F"], "F")
    return args


def _certify_safran_shamir_point(args: dict[str, Any]) -> TaskOutput:
    from proofkit.library.safran_shamir import certify_point, loss_and_grad

    res = certify_point(args["k"], args["n"], args["W"], kind=args["kind"], radius=args.get("radius"))
    cert = res.certificate
    values: dict[str, Any] = {"saddle": int(res.kind == "strict saddle"), "polished": int(res.polished),
                              "distance": res.distance + res.radius if res.kind else None,
                              "bytes": len(cert.to_json())}
    if res.kind:
        values["F"] = float(loss_and_grad(args["W"][None], args["k"])[0][0])
    return TaskOutput([cert], values={k: v for k, v in values.items() if v is not None},
                      note=res.statement if res.kind else cert.reason)


register_kind(TaskKind("safran_shamir_point", _decode_safran_shamir_point, _certify_safran_shamir_point,
                       required=("k", "n", "W"), optional=("kind", "radius", "near", "family", "runs", "F"),
                       claim_types=("teacher_student",), derive=binding.safran_shamir_point_derivation,
                       summary="Safran & Shamir's teacher-student loss: the given point W (k x n, as published) certified "
                               "as a spurious local minimum or a strict saddle within `near` of W"))


def _decode_safran_shamir_symmetric(inputs: Mapping[str, Any]) -> dict[str, Any]:
    k = _int(inputs, "k", None, 1, 60)
    n = _int(inputs, "n", k, k, 60)
    if n * k > 3000:
        raise InvalidInput("k, n", "widths with n k <= 3000 (the kernel's teacher_student rule)", f"({k}, {n})")
    blocks = inputs.get("blocks")
    if not isinstance(blocks, list) or not blocks or any(isinstance(p, bool) or not isinstance(p, int) or p < 1
                                                         for p in blocks) or sum(blocks) != k:
        raise InvalidInput("blocks", f"a list of positive integers summing to k = {k} (the diagonal blocks of "
                                     "Delta(S_p1 x ... x S_pr))", exact._short(blocks))
    return {"k": k, "n": n, "blocks": tuple(blocks), "seed": _int(inputs, "seed", 0, 0, 2**63 - 1),
            "starts": _int(inputs, "starts", 32, 1, 100000), "max_certify": _int(inputs, "max_certify", 16, 1, 1000),
            "proper": _bool(inputs, "proper", True)}


def _certify_safran_shamir_symmetric(args: dict[str, Any]) -> TaskOutput:
    from proofkit.library.safran_shamir_symmetry import certify_symmetric, symmetric_search

    k, n = args["k"], args["n"]
    cands = [c for c in symmetric_search(k, n, args["blocks"], starts=args["starts"], seed=args["seed"],
                                         proper=args["proper"]) if c.kind]
    certs, minima, saddles, reasons = [], [], [], []
    for c in cands[:args["max_certify"]]:
        res = certify_symmetric(c)
        if res.certificate.verdict != "certified":  # the task keeps certified certificates only; the note says why
            reasons.append(res.certificate.reason)
            continue
        certs.append(res.certificate)
        (saddles if res.kind == "strict saddle" else minima).append(c.loss)
    pattern = cands[0].pattern.name if cands else f"blocks {list(args['blocks'])}"
    values: dict[str, Any] = {"critical_points": len(cands), "certified_minima": len(minima),
                              "certified_saddles": len(saddles), "not_certified": len(reasons)}
    if minima:
        values["F"] = minima
    if saddles:
        values["F_saddles"] = saddles
    note = (f"(k, n) = ({k}, {n}), {pattern}: {len(cands)} critical points in Fix(H) from {args['starts']} starts; "
            f"certified {len(minima)} spurious minima, {len(saddles)} strict saddles"
            + (f"; not certified: {reasons[0]}" if reasons else ""))
    return TaskOutput(certs, values=values, note=note)


register_kind(TaskKind("safran_shamir_symmetric", _decode_safran_shamir_symmetric, _certify_safran_shamir_symmetric,
                       required=("k", "blocks"), optional=("n", "seed", "starts", "max_certify", "proper"),
                       claim_types=("teacher_student",), derive=binding.safran_shamir_symmetric_derivation,
                       summary="Safran & Shamir's teacher-student loss: critical points with isotropy "
                               "Delta(S_p1 x ... x S_pr) found in its fixed space, each certified as a spurious "
                               "minimum or a strict saddle in a box centred in that space"))
