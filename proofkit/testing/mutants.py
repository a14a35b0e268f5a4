"""Kernel mutation fuzzing: genuine certificates mutated field by field, re-hashed, judged by an exact oracle.

:func:`genuine_corpus` builds certified and refuted certificates of every claim type;
:func:`mutate` changes one field (a number, a verdict, a claim field, a shape, a witness,
a node of a stored expression, a key) and recomputes the hashes so that they cannot save the
kernel. :func:`run_fuzz` submits each mutant to the kernel and, for every mutant it accepts,
asks the independent oracle (:mod:`proofkit.testing.oracle`) whether the mutated statement
is still true. A sound kernel accepts no false statement.
"""

from __future__ import annotations

import copy
import json
import random
import re
import time
from dataclasses import dataclass, field
from typing import Any

from proofkit.certificate import canonical_json, input_hash, matrix_hash
from proofkit.errors import CertificateRejected
from proofkit.results import ResultDisplay
from proofkit.testing.oracle import statement_holds

__all__ = ["genuine_corpus", "legacy_corpus", "mutate", "run_fuzz", "FuzzReport"]

_Q = re.compile(r"-?(0|[1-9][0-9]*)(/[1-9][0-9]*)?")
_DYADIC = re.compile(r"(-?[0-9]+)\*2\^(-?[0-9]+)")
_OPS = ["add", "mul", "pow", "exp", "log", "sin", "tanh", "abs", "sign", "max", "min", "var", "const", "lt", "true"]
_TYPES = ["nonsingular", "rank_at_least", "exact_rank", "rank_deficient", "det_sign", "positive_definite",
          "indefinite", "eigenvalues", "critical_point", "local_min", "local_max", "saddle", "not_local_min",
          "classification", "identity", "relu_linear_region", "leibniz_alpha0", "leibniz_witness"]


def genuine_corpus() -> list[dict[str, Any]]:
    """Certified and refuted certificates of every claim type (as parsed JSON), all true statements."""
    import numpy as np
    import sympy

    from proofkit.certify import (
        certify_critical_point,
        certify_identity,
        certify_indefinite,
        certify_nonsingular,
        certify_positive_definite,
        certify_rank_at_least,
        certify_rank_deficient,
        certify_relu_linear_region,
        certify_spurious_minimum,
        certify_strict_local_min,
        enclose_det,
        enclose_eigenvalues,
        exact_rank,
    )
    from proofkit.certify.leibniz import certify_leibniz_witness
    from proofkit.symbolic.leibniz import leibniz_construction

    x = sympy.Symbol("x")
    p = sympy.Symbol("p", positive=True)
    f = x**4 - 2 * x**2 + x / 4
    root = sympy.Rational(str(sympy.nsolve(f.diff(x), x, 0.97, prec=40)))
    half = sympy.Rational(1, 2)
    R3 = [[1, 2, 3], [2, 4, 6], [1, 0, 1]]
    certs = [
        certify_nonsingular([[1, 2], [3, 4]]), certify_nonsingular(np.array([[1.5, 2.0], [3.0, 4.25]])),
        certify_nonsingular([[1, 2], [2, 4]]), certify_rank_at_least(R3, 2), certify_rank_at_least(R3, 3),
        exact_rank(R3), certify_rank_deficient([[1, 2], [2, 4]]), certify_rank_deficient([[1, 2], [3, 4]]),
        enclose_det([[2, 1], [1, 3]]), enclose_det([[1, 2], [3, 4]]),
        certify_positive_definite([[2, 1], [1, 2]]), certify_positive_definite([[1, 2], [2, 1]]),
        certify_positive_definite([[1, 2], [2, 1]], exact_limit=0),
        certify_positive_definite(np.array([[4.0, 1.0], [1.0, 3.0]])),
        certify_indefinite([[1, 2], [2, 1]]), enclose_eigenvalues([[2, 1, 0], [1, 3, 1], [0, 1, 5]]),
        certify_identity([(x + 1) ** 2, (x - 1) * (x + 1) / x], [x**2 + 2 * x + 1, x - 1 / x], [x]),
        certify_identity([(x + 1) ** 2], [x**2 + 1], [x]), certify_identity([p**2 - 4], [(p - 2) * (p + 3)], [p]),
        certify_relu_linear_region([[1], [2], [3]], [1, 1, 1, 1], [half] * 4, 2),
        certify_critical_point([f.diff(x)], None, [root], sympy.Rational(1, 10**20), variables=[x]),
        certify_strict_local_min([f.diff(x)], None, [root], sympy.Rational(1, 10**20), variables=[x], loss=f),
        certify_spurious_minimum(f, [x], [0.97], better_point=[-1.03]),
        certify_spurious_minimum(f, [x], [0.97], global_value=-2),
        certify_leibniz_witness(leibniz_construction([[0, 1], [1, 0], [3, 3], [4, -1]], [2, 3, 1], 1), 8),
        certify_leibniz_witness(leibniz_construction([[0], [1], [3]], [1, 2, 2, 1], 2, "tanh", half), 16),
    ]
    certs += nonsmooth_certificates()
    out = [json.loads(c.to_json()) for c in certs]
    out += [c["evidence"]["certificate"] for c in out  # the nested ones: a strict local maximum, a saddle, ...
            if c["claim"]["type"] == "classification" and c["claim"]["kind"] == "strict local maximum"]
    bad = [c["claim"]["type"] for c in out if c["verdict"] == "inconclusive" or statement_holds(c) is not True]
    if bad:
        raise RuntimeError(f"corpus certificates not conclusive and true: {bad}")
    return out


def legacy_corpus() -> list[dict[str, Any]]:
    """The first-schema certificates of ``tests/data/kernel_corpus_v1`` whose statements the oracle decides (after the
    translation): conclusive exact matrices, identities, ReLU regions, one-variable critical points and minima, Lemma
    4.3 witnesses."""
    import pathlib

    from proofkit.kernel import upgrade

    here = pathlib.Path(__file__).resolve().parents[2] / "tests" / "data" / "kernel_corpus_v1"
    out = []
    for entry in json.loads((here / "index.json").read_text()):
        cert = json.loads((here / f"{entry['name']}.json").read_text())
        if cert["verdict"] != "inconclusive" and "matrix" not in entry and statement_holds(upgrade(cert)) is True:
            out.append(cert)
    return out


def nonsmooth_certificates() -> list[Any]:
    """Certificates about multi-variable losses with max/min/piecewise/hard-tanh factors on constant branches
    (:func:`proofkit.testing.soundness.nonsmooth_quadratic`): every landscape claim type the oracle judges."""
    import random

    import sympy

    from proofkit import certify_not_local_min, certify_saddle, certify_spurious_minimum, classify_critical_point
    from proofkit.certify import certify_critical_point, certify_local_min, certify_strict_local_min
    from proofkit.testing.soundness import nonsmooth_quadratic

    def landscape(signs: list[int], seed: int) -> tuple:
        rng = random.Random(seed)
        while True:
            L, x, d, a, star = nonsmooth_quadratic(rng, len(signs))
            if [1 if v > 0 else -1 for v in d] == signs:
                return L, x, star

    r = sympy.Rational(1, 64)
    out: list[Any] = []
    L, x, star = landscape([1, 1, 1], 1)
    grad = [L.diff(v) for v in x]
    value = L.subs(dict(zip(x, [sympy.Rational(c) for c in star])))
    far = [c + 3 for c in star]  # outside the box, where the loss is larger (a convex quadratic there too)
    out += [certify_strict_local_min(grad, None, star, r, variables=x, loss=L),
            certify_critical_point(grad, None, star, r, variables=x),
            certify_critical_point(grad, None, star[:-1], r, variables=x, fixed={x[-1]: star[-1]}),
            certify_strict_local_min(grad, None, star[:-1], r, variables=x, fixed={x[-1]: star[-1]}, loss=L),
            certify_spurious_minimum(L, x, star, global_value=value - sympy.Rational(1, 3)),
            certify_local_min(L, x, star), classify_critical_point(L, x, star),
            certify_not_local_min(L, x, far, direction=[-1, 0, 0], radius=r)]
    L2, x2, star2 = landscape([1, 1], 2)
    value2 = L2.subs(dict(zip(x2, [sympy.Rational(c) for c in star2])))
    out.append(certify_spurious_minimum(L2, x2, star2, global_value=value2 - sympy.Rational(1, 2**20)))
    out.append(certify_spurious_minimum(L, x, star, global_value=value - 1, fixed={x[-1]: star[-1]}))
    L, x, star = landscape([1, -1, 1], 3)
    out += [certify_saddle(L, x, star, radius=r), classify_critical_point(L, x, star),
            certify_not_local_min(L, x, [star[0], star[1] + sympy.Rational(1, 8), star[2]], direction=[0, 1, 0],
                                  radius=0)]
    L, x, star = landscape([-1, -1], 4)
    out += [classify_critical_point(L, x, star)]
    missing = [c.claim.get("type") for c in out if c.verdict != "certified"]
    if missing:
        reasons = [c.reason for c in out if c.verdict != "certified"]
        raise RuntimeError(f"non-smooth corpus certificates not certified: {missing} {reasons}")
    return out


def _paths(obj: Any, path: tuple = ()) -> list[tuple]:
    out = [path]
    if isinstance(obj, dict):
        for k, v in obj.items():
            out += _paths(v, (*path, k))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            out += _paths(v, (*path, i))
    return out


def _get(obj: Any, path: tuple) -> Any:
    for k in path:
        obj = obj[k]
    return obj


def _str_variants(s: str, key: Any, rng: random.Random) -> list[Any]:
    from fractions import Fraction

    if key == "verdict" or s in ("certified", "refuted", "inconclusive"):
        return [v for v in ("certified", "refuted", "inconclusive") if v != s]
    if key == "type":
        return [rng.choice(_TYPES), "unknown"]
    if _Q.fullmatch(s):
        q = Fraction(s)
        vs = [q + 1, q - 1, -q, 2 * q, q / 2, Fraction(0), q + Fraction(1, 2**60), q * (1 + Fraction(1, 10**30))]
        txt = [str(v) for v in vs] + [f"{q.numerator * 2}/{q.denominator * 2}", "1/0", "0.5", "9" * 5000, "-0"]
        return txt
    m = _DYADIC.fullmatch(s)
    if m:
        man, e = int(m.group(1)), int(m.group(2))
        return [f"{man + 1}*2^{e}", f"{man - 1}*2^{e}", f"{man}*2^{e + 1}", f"{man}*2^{e - 1}", f"{-man}*2^{e}",
                f"{man * 3}*2^{e}", f"{man}*2^{10**7}"]
    if s in _OPS or (key == 0 and isinstance(s, str)):
        return [rng.choice(_OPS)]
    return ["", s + " (edited)", "x" * 3, s.upper()]


def _variants(value: Any, key: Any, rng: random.Random) -> list[Any]:
    if isinstance(value, bool):
        return [not value, int(value), None]
    if isinstance(value, int):
        return [value + 1, value - 1, 0, -1, 2 * value + 1, 2**70, str(value), True, 1.5]
    if isinstance(value, str):
        return _str_variants(value, key, rng)
    if value is None:
        return ["0", 0, {}, []]
    if isinstance(value, list):
        out: list[Any] = [[], value[::-1], value + value[-1:] if value else [0]]
        if value:
            i = rng.randrange(len(value))
            out.append(value[:i] + value[i + 1:])
            out.append(value[:i] + [copy.deepcopy(value[i])] + value[i:])
            j = rng.randrange(len(value))
            swapped = list(value)
            swapped[i], swapped[j] = swapped[j], swapped[i]
            out.append(swapped)
        return out
    if isinstance(value, dict):
        out = [{**value, "extra": "1"}]
        if value:
            k = rng.choice(sorted(value))
            out.append({kk: vv for kk, vv in value.items() if kk != k})
        return out
    return [None]


def rehash(cert: dict[str, Any]) -> None:
    """Recompute ``A_hash`` and ``input_hash`` so that a mutant is consistent with its (mutated) inputs."""
    inp = cert.get("inputs")
    if not isinstance(inp, dict):
        return
    try:
        if isinstance(inp.get("A"), dict) and "A_hash" in inp:
            inp["A_hash"] = matrix_hash(inp["A"])
    except Exception:  # a malformed record: leave its hash alone (the mutant stays malformed)
        pass
    try:
        cert["input_hash"] = input_hash({k: v for k, v in inp.items() if k != "A"})
    except Exception:
        pass


def mutate(cert: dict[str, Any], rng: random.Random) -> tuple[str, dict[str, Any]]:
    """One mutant: a field changed (described by its path) and the hashes recomputed (mostly)."""
    paths = [p for p in _paths(cert) if p and p[0] not in ("input_hash",)]
    path = rng.choice(paths)
    mutant = copy.deepcopy(cert)
    parent, key = _get(mutant, path[:-1]), path[-1]
    new = rng.choice(_variants(parent[key], key, rng))
    parent[key] = new
    if rng.random() < 0.95:
        rehash(mutant)
    return "/".join(map(str, path)), mutant


@dataclass(repr=False)  # a summarised repr and Jupyter display: ResultDisplay
class FuzzReport(ResultDisplay):
    tried: int = 0
    rejected: int = 0
    accepted_still_true: int = 0
    accepted_wrongly: list[str] = field(default_factory=list)
    accepted_undecided: list[str] = field(default_factory=list)
    escaped: list[str] = field(default_factory=list)
    by_type: dict[str, list[int]] = field(default_factory=dict)
    seconds: float = 0.0


def run_fuzz(n_mutants: int, seed: int = 0, corpus: list[dict[str, Any]] | None = None,
             legacy: bool = False, progress: Any = None) -> FuzzReport:
    """Mutate the corpus ``n_mutants`` times; every accepted mutant is judged by the exact oracle (a first-schema
    mutant, ``legacy``, after its translation).

    ``progress``, if given, is called with the report after every 5,000 mutants."""
    from proofkit.kernel import check_certificate, upgrade

    rng = random.Random(seed)
    corpus = corpus if corpus is not None else genuine_corpus()
    rep = FuzzReport()
    t0 = time.perf_counter()
    for i in range(n_mutants):
        if progress is not None and i and i % 5000 == 0:
            rep.seconds = time.perf_counter() - t0
            progress(rep)
        base = corpus[i % len(corpus)]
        where, mutant = mutate(base, rng)
        t = base["claim"]["type"]
        counts = rep.by_type.setdefault(t, [0, 0, 0])  # tried, rejected, accepted because still true
        rep.tried += 1
        counts[0] += 1
        try:
            text = canonical_json(mutant)
        except (TypeError, ValueError):
            rep.rejected += 1
            counts[1] += 1
            continue
        try:
            check_certificate(text)
        except CertificateRejected:
            rep.rejected += 1
            counts[1] += 1
            continue
        except BaseException as exc:  # nothing else may leave the kernel
            rep.escaped.append(f"{t} {where}: {type(exc).__name__}: {exc}")
            continue
        judged = json.loads(text)
        if legacy and judged.get("schema") == "proofkit.certificate/2":
            judged = upgrade(judged)  # (the kernel accepted it: it translates)
        if where.startswith("claim/statement") and mutant != base and not legacy:
            truth: bool | None = False  # the words changed while the fields did not: the kernel re-derives them
            # (a first-schema statement is dropped by the translation, unverified and never shown: the translated
            # claim, judged below, is what the kernel certifies)
        else:
            truth = True if mutant == base else statement_holds(judged)
        if truth is True:
            rep.accepted_still_true += 1
            counts[2] += 1
        elif truth is False:
            rep.accepted_wrongly.append(f"{t} {where}: {text[:300]}")
        else:
            rep.accepted_undecided.append(f"{t} {where}")
    rep.seconds = time.perf_counter() - t0
    return rep
