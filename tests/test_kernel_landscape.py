"""Mutation fuzzing of the landscape kernel rules: genuine certificates, mutated field by field.

Every leaf of a genuine certificate's claim and inputs is replaced by a grossly different value
(numerals shifted, integers changed, names and kinds altered, list entries dropped) and the input
hash is recomputed, so that the hash check cannot be what rejects it. The kernel must reject
each mutant, except the few listed in ``STILL_TRUE`` whose statement stays true (each with the
reason).
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from functools import cache
from typing import Any

import pytest
import sympy

from proofkit import (
    certify_lifted_minimum,
    certify_local_min,
    certify_not_local_min,
    certify_saddle,
    check_certificate,
    classify_critical_point,
)
from proofkit.certificate import input_hash
from proofkit.errors import CertificateRejected

x, y, z, t = sympy.symbols("x y z t")
ROT = (t, [x * sympy.cos(t) - y * sympy.sin(t), x * sympy.sin(t) + y * sympy.cos(t)])


@cache
def genuine() -> dict[str, Any]:
    R = sympy.Rational
    certs = {
        "manifold": certify_local_min((x * y - 1) ** 2 + 3, [x, y], [2, R(1, 2)], manifold={y: 1 / x},
                                      global_value=1),
        "strict_min": certify_local_min((x**2 - 1) ** 2 + x / 4 + y**2, [x, y], [0.96714894, 0],
                                        better_point=[-1, 0]),
        "strict_saddle": certify_saddle(x**2 - y**2 + x * y**2, [x, y], [0, 0]),
        "degenerate_saddle": certify_saddle(x**4 - y**4 + x**2 * y**2, [x, y], [0, 0]),
        "cubic_saddle": certify_saddle((1 - x * y * z) ** 2, [x, y, z], [0, 0, 0]),
        "first_order": certify_not_local_min(x**2 + y, [x, y], [0, 0], radius=[R(1, 10), 0], direction=[0, -1]),
        "classification": classify_critical_point(-(x**2) - y**2, [x, y], [0, 0]),
        "box": certify_not_local_min(-sympy.cosh(x) * sympy.exp(y**2), [x, y], [0, 0]),
        "second_order": certify_not_local_min(sympy.exp(x**2) - 3 * x**2 * sympy.cosh(y), [x, y], [0, 0],
                                              direction=[1, 0]),
        "lift": certify_lifted_minimum((x**2 + y**2 - 1) ** 2 + 2, [x, y], [1, 0], [y], ROT, global_value=1),
    }
    for name, c in certs.items():
        assert c.certified, (name, c.reason)
    return {k: c.to_dict() for k, c in certs.items()}


def _mutants(value: Any, path: tuple) -> Iterator[tuple[tuple, Any]]:
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _mutants(v, (*path, k))
    elif isinstance(value, list):
        if value and path[-1] != "nodes":
            yield path, value[:-1]
        for i, v in enumerate(value):
            yield from _mutants(v, (*path, i))
    elif isinstance(value, bool):
        yield path, not value
    elif isinstance(value, int):
        yield path, value + 1
    elif isinstance(value, str):
        if re.fullmatch(r"-?[0-9]+(/[0-9]+)?", value):
            p, _, q = value.partition("/")
            yield path, f"{int(p) + 7 * int(q or 1)}/{q}" if q else str(int(p) + 7)
            yield path, f"{-int(p) - 1}/{q}" if q else str(-int(p) - 1)
        else:
            yield path, value + "x"
    elif value is None:
        yield path, "0"


def _set(d: dict, path: tuple, value: Any) -> None:
    for k in path[:-1]:
        d = d[k]
    d[path[-1]] = value


_DAG_FIELDS = ("loss", "curve", "manifold", "actions", "orbits")


def _is_dag_structure(path: tuple) -> bool:
    """Mutations inside a stored expression change the subject of the claim; they are fuzzed by the
    decoder's own tests and by the targeted tests (manifold off by 1e-12, forged orbits, ...)."""
    return any(f in path for f in _DAG_FIELDS) and "nodes" in path


def _q(s: str) -> sympy.Rational:
    import flint  # (numerals may have more digits than Python's int() parses by default)

    p, _, q = s.partition("/")
    return sympy.Rational(int(flint.fmpz(p)), int(flint.fmpz(q or "1")))


def _unit(v: list) -> Any:
    """A direction as floats, scaled to max-norm 1 exactly first (its sign along each axis is what matters)."""
    import numpy as np

    q = [_q(x) for x in v]
    m = max(abs(x) for x in q) or 1
    return np.array([float(x / m) for x in q])


def _oracle(d: dict) -> bool:
    """An independent check (sympy and floating point, no proofkit certification code) that the
    mutated statement is still true; only called for mutants the kernel accepted."""
    import numpy as np

    from proofkit.symbolic.dag import from_dag

    claim, inp = d["claim"], d["inputs"]
    names = inp["loss"]["inputs"]
    syms = [sympy.Symbol(n) for n in names]  # (a mutated name may contain spaces or commas)
    (L,) = from_dag(inp["loss"], syms)
    grad = [sympy.diff(L, s) for s in syms]
    H = sympy.hessian(L, syms)
    f_H = sympy.lambdify(syms, H, "numpy")
    if claim["type"] == "not_local_min" and claim["how"] == "first order":
        c, r = [float(_q(v)) for v in inp["centers"]], [float(_q(v)) for v in inp["radii"]]
        dvec = _unit(inp["direction"])
        f_g = sympy.lambdify(syms, grad, "numpy")
        rng = np.random.default_rng(0)
        pts = [np.array(c) + np.array(r) * rng.uniform(-1, 1, len(c)) for _ in range(200)]
        return all(float(np.dot(f_g(*p), dvec)) < 0 for p in pts)
    rng = np.random.default_rng(0)

    def box_points(c: list, r: list, k: int = 60) -> list:
        return [np.array(c) + np.array(r) * rng.uniform(-1, 1, len(c)) for _ in range(k)] + [np.array(c)]

    def hess(p: Any, idx: list[int] | None = None) -> np.ndarray:
        Hp = np.array(f_H(*p), float)
        return Hp if idx is None else Hp[np.ix_(idx, idx)]

    def better_ok(value: float) -> bool:
        if inp.get("compare") == "better_point":
            return value > float(L.subs(dict(zip(syms, [_q(v) for v in inp["better"]]))))
        if inp.get("compare") == "stated global value":
            return value > float(_q(inp["global_value"]))
        return True

    if claim["type"] == "classification":
        return _oracle(d["evidence"]["certificate"])
    if claim["type"] in ("saddle", "not_local_min") and claim.get("kind", claim.get("how")) in ("degenerate", "curve"):
        p = {s_: _q(v) for s_, v in zip(syms, inp["point"])}
        if claim["type"] == "saddle" and any(g.subs(p) != 0 for g in grad):
            return False
        signs = []
        for key in ("negative", "positive"):
            rec = inp.get(key)
            if rec is None or rec == "same":
                continue
            (tt,) = sympy.symbols("t_oracle", seq=True)
            curve = from_dag(rec["curve"], [tt])
            if any(e.subs(tt, 0) != p[s_] for e, s_ in zip(curve, syms)):
                return False
            ser = sympy.Poly(sympy.series(L.xreplace(dict(zip(syms, curve))) - L.subs(p), tt, 0, 20).removeO(), tt)
            terms = sorted((m, c_) for (m,), c_ in ser.terms() if c_ != 0 and m >= 1)
            if not terms or terms[0] != (rec["order"], _q(rec["coefficient"])):
                return False
            signs.append(1 if terms[0][1] > 0 else -1)
        if inp.get("positive") == "same":
            return signs == [-1] and inp["negative"]["order"] % 2 == 1
        return signs[0] == -1 and (claim["type"] == "not_local_min" or signs[1:] == [1])
    if claim["type"] in ("local_min", "local_max") and claim.get("via", "krawczyk") in ("krawczyk", "symmetry"):
        c = [float(_q(v)) for v in inp["centers"]]
        r = [float(_q(v)) for v in inp["radii"]]
        free = [i for i in range(len(syms)) if r[i] > 0]
        fixed = {syms[i]: _q(inp["centers"][i]) for i in range(len(syms)) if r[i] == 0}
        try:
            crit = sympy.nsolve([grad[i].subs(fixed) for i in free], [syms[i] for i in free], [c[i] for i in free])
        except (ValueError, ZeroDivisionError):
            return False
        full = list(c)
        for k, i in enumerate(free):
            full[i] = float(crit[k])
        if any(abs(full[i] - c[i]) > r[i] for i in free):
            return False
        sign = 1 if claim["type"] == "local_min" else -1
        if not all(np.all(np.linalg.eigvalsh(sign * hess(q, free)) > 0) for q in box_points(c, r) + [np.array(full)]):
            return False
        if claim.get("via") == "symmetry":
            k = len(inp["actions"])
            t_ = sympy.Symbol("t_oracle")
            for a in inp["actions"]:
                maps = from_dag(a, [*syms, t_])
                if sympy.simplify(sympy.expand_trig(L.xreplace(dict(zip(syms, maps))) - L)) != 0:
                    return False
            orb = from_dag(inp["orbits"], syms)
            fx = [i for i in range(len(syms)) if r[i] == 0]
            M = sympy.Matrix(k, k, lambda a_, b_: orb[a_ * len(syms) + fx[b_]].subs(dict(zip(syms, full))))
            if abs(float(M.det())) < 1e-9:
                return False
        return better_ok(float(L.subs(dict(zip(syms, full)))))
    if claim["type"] == "local_min" and claim.get("via") == "manifold":
        T, V = inp["tangent"], inp["normal"]
        phi = from_dag(inp["manifold"], [syms[i] for i in T])
        sub = {syms[i]: f for i, f in zip(V, phi)}
        if any(sympy.simplify(grad[i].xreplace(sub)) != 0 for i in V):
            return False
        restricted = sympy.simplify(L.xreplace(sub))
        if inp["value"] is not None and restricted != _q(inp["value"]):
            return False
        c = [float(_q(v)) for v in inp["centers"]]
        r = [float(_q(v)) for v in inp["radii"]]
        f_phi = sympy.lambdify([syms[i] for i in T], phi, "numpy")
        for q in box_points([c[i] for i in T], [r[i] for i in T]):
            img = f_phi(*q)
            if any(abs(float(v) - c[i]) >= r[i] for v, i in zip(img, V)):
                return False
        if not all(np.all(np.linalg.eigvalsh(hess(q, V)) > 0) for q in box_points(c, r)):
            return False
        value = float(_q(inp["value"])) if inp["value"] is not None else float(
            restricted.subs({syms[i]: _q(inp["centers"][i]) for i in T}))
        return better_ok(value)
    if claim["type"] == "not_local_min" and claim["how"] == "second order":
        p = [_q(v) for v in inp["point"]]
        dvec = [_q(v) for v in inp["direction"]]
        slope = sum(dv * g.subs(dict(zip(syms, p))) for dv, g in zip(dvec, grad))
        if sympy.simplify(slope) != 0:
            return False
        tau = float(_q(inp["t_radius"]))
        dv = np.array([float(v) for v in dvec])
        return all(dv @ np.array(f_H(*(np.array([float(v) for v in p]) + s * dv)), float) @ dv < 0
                   for s in np.linspace(0, tau, 50))
    if (claim["type"] == "saddle" and claim["kind"] == "strict") or claim.get("how") == "box":
        c = [float(_q(v)) for v in inp["centers"]]
        r = [float(_q(v)) for v in inp["radii"]]
        crit = [float(v) for v in sympy.nsolve(grad, syms, c)]
        if any(abs(a - b) > rr for a, b, rr in zip(crit, c, r)):
            return False
        rng = np.random.default_rng(0)
        pts = [np.array(c) + np.array(r) * rng.uniform(-1, 1, len(c)) for _ in range(100)] + [np.array(crit)]
        neg = _unit(inp["negative"])
        pos = _unit(inp["positive"]) if "positive" in inp else None
        return all(neg @ np.array(f_H(*p), float) @ neg < 0 and
                   (pos is None or pos @ np.array(f_H(*p), float) @ pos > 0) for p in pts)
    return False


#: Mutations that leave the statement true, with the reason.
STILL_TRUE = {
    ("manifold", ("inputs", "global_value")): "3 exceeds any lower stated value as well",
    ("lift", ("inputs", "global_value")): "2 exceeds any lower stated value as well",
    ("manifold", ("inputs", "radii", 1)): "the normal Hessian 2x^2 of (xy - 1)^2 + 3 is positive on any larger V",
    ("degenerate_saddle", ("inputs", "negative", "curve", "inputs", 0)): "the name of the curve parameter",
    ("degenerate_saddle", ("inputs", "positive", "curve", "inputs", 0)): "the name of the curve parameter",
    ("cubic_saddle", ("inputs", "negative", "curve", "inputs", 0)): "the name of the curve parameter",
    ("lift", ("inputs", "actions", 0, "inputs", 2)): "the name of the group parameter",
    ("lift", ("inputs", "t_radius")): "the rotations are smooth for every t",
}


@pytest.mark.parametrize("name", ["manifold", "strict_min", "strict_saddle", "degenerate_saddle", "cubic_saddle",
                                  "first_order", "classification", "lift", "box", "second_order"])
def test_every_mutation_is_rejected_unless_still_true(name):
    base = genuine()[name]
    assert check_certificate(json.dumps(base)).ok
    accepted, tried = [], 0
    for section in ("claim", "inputs"):
        for path, new in _mutants(base[section], (section,)):
            if _is_dag_structure(path):
                continue
            d = copy.deepcopy(base)
            _set(d, path, new)
            d["input_hash"] = input_hash(d["inputs"])
            tried += 1
            try:
                check_certificate(json.dumps(d))
            except (CertificateRejected, ValueError, KeyError, TypeError, IndexError):
                continue
            if (name, path) not in STILL_TRUE and not _oracle(d):
                accepted.append((path, new))
    assert tried > 10
    assert not accepted, accepted


def test_the_oracle_can_fail():
    d = copy.deepcopy(genuine()["strict_saddle"])
    d["inputs"]["negative"], d["inputs"]["positive"] = d["inputs"]["positive"], d["inputs"]["negative"]
    assert not _oracle(d)
    with pytest.raises(CertificateRejected):
        d["input_hash"] = input_hash(d["inputs"])
        check_certificate(json.dumps(d))


_HARMLESS = ("versions/", "method", "backend", "time_seconds", "evidence/C/", "evidence/identities_proved_by")


def test_random_mutants_of_the_kernel_fuzzer_are_rejected_unless_still_true():
    """The kernel's own random mutator (every field, stored-expression nodes included) on these types."""
    import random

    from proofkit.certificate import canonical_json
    from proofkit.testing.mutants import mutate

    rng = random.Random(20261123)
    corpus = genuine()
    names = sorted(corpus)
    accepted, rejected = [], 0
    for i in range(400):
        name = names[i % len(names)]
        where, mutant = mutate(corpus[name], rng)
        try:
            check_certificate(canonical_json(mutant))
        except CertificateRejected:
            rejected += 1
            continue
        path = tuple(int(p) if p.isdigit() else p for p in where.split("/"))
        if mutant == corpus[name] or where.startswith(_HARMLESS) or (name, path) in STILL_TRUE or \
                mutant["verdict"] == "inconclusive" or where in ("precision", "versions") or \
                where.startswith("evidence/certificate/versions"):
            continue  # claims nothing, or a field no statement depends on
        if _oracle(mutant):
            continue
        accepted.append(f"{name} {where}")
    assert rejected > 200
    assert not accepted, "\n".join(accepted)
