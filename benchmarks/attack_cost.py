"""Cost attacks on the trusted kernel: certificates shaped to maximise the kernel's seconds per KB.

Each shape builds a certificate (current schema; a few in the first schema) that is cheap to write and, without
the work budget, expensive to check: padded DAGs with repeated nodes, deep chains, huge numerals, high precisions,
big exact matrices, big float64 records, nested classifications, Lemma 4.3 recipes. Each is checked with
:func:`proofkit.check_certificate` (default budget: 1 s plus 1 s per KB) in a separate process, so a hang is seen
and not suffered. The target: no certificate costs the kernel more than 1 s per KB of certificate plus 1 s.

    python benchmarks/attack_cost.py [--only NAME] [--timeout-factor 3]

Prints one line per shape (size, seconds, seconds per KB, verdict; ``cpu=`` the CPU seconds of the checking
process, which other jobs on a shared machine do not inflate) and the worst case; exits 1 when a shape exceeds
the target in wall-clock seconds (with 20 % tolerance for the shared machine's load) or escapes with another
exception.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import random
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the proofkit of this checkout
sys.set_int_max_str_digits(0)  # (the builders write numerals of 20,000 digits)

from proofkit.certificate import SCHEMA, canonical_json, input_hash, matrix_hash  # noqa: E402

_CHILD = """
import sys, time
from proofkit.kernel import check_certificate
from proofkit.errors import CertificateRejected
import json
text = sys.stdin.read()
cert, matrix = json.loads(text)
t, c = time.perf_counter(), time.process_time()
try:
    rep = check_certificate(json.dumps(cert), matrix=matrix)
    print("ACCEPTED", time.perf_counter() - t, f"cpu={time.process_time() - c:.3f}", rep.rule)
except CertificateRejected as exc:
    print("rejected", time.perf_counter() - t, f"cpu={time.process_time() - c:.3f}", str(exc)[:150].replace(chr(10), " "))
except BaseException as exc:
    print("ESCAPED", time.perf_counter() - t, f"cpu={time.process_time() - c:.3f}", type(exc).__name__, str(exc)[:150])
"""

V = ["1.0"]


def cert(claim: dict[str, Any], inputs: dict[str, Any], evidence: dict[str, Any], *, verdict: str = "certified",
         precision: int | None = 64) -> dict[str, Any]:
    """A current-schema certificate with its hashes (as a forger writes it)."""
    if "A" in inputs and isinstance(inputs["A"], dict):
        inputs["A_hash"] = matrix_hash(inputs["A"])
    return {"schema": SCHEMA, "claim": claim, "verdict": verdict, "method": "attack", "backend": "arb",
            "precision": precision, "input_hash": input_hash({k: v for k, v in inputs.items() if k != "A"}),
            "inputs": inputs, "evidence": evidence, "reason": None if verdict != "inconclusive" else "",
            "versions": {"proofkit": "attack"}, "binding": None}


def dag(inputs: list[str], nodes: list[list[Any]], outputs: list[int]) -> dict[str, Any]:
    return {"format": "proofkit.dag/1", "inputs": inputs, "nodes": nodes, "outputs": outputs}


def rational(rows: list[list[Any]]) -> dict[str, Any]:
    return {"kind": "rational", "shape": [len(rows), len(rows[0])], "entries": [[str(x) for x in r] for r in rows]}


def float64(rows: Any) -> dict[str, Any]:
    import numpy as np

    a = np.ascontiguousarray(np.asarray(rows, dtype="<f8"))
    return {"kind": "float64", "shape": list(a.shape), "entries": base64.b64encode(a.tobytes()).decode()}


def _digits(rng: random.Random, d: int) -> str:
    return str(rng.randrange(10 ** (d - 1), 10**d))


def _q(rng: random.Random, d: int) -> str:
    from fractions import Fraction

    f = Fraction(int(_digits(rng, d)) * rng.choice((1, -1)), int(_digits(rng, d)))
    return str(f.numerator) if f.denominator == 1 else f"{f.numerator}/{f.denominator}"


# -- identities ---------------------------------------------------------------------------------------------------
def identity(lhs: dict[str, Any], rhs: dict[str, Any], names: list[str]) -> dict[str, Any]:
    return cert({"type": "identity", "entries": len(lhs["outputs"])}, {"variables": names, "lhs": lhs, "rhs": rhs},
                {}, precision=None)


def squaring_chain(k: int) -> dict[str, Any]:
    nodes = [["var", 0], ["const", "1"], ["add", 0, 1]] + [["mul", 2 + i, 2 + i] for i in range(k)]
    d = dag(["x"], nodes, [len(nodes) - 1])
    return identity(d, d, ["x"])


def exp_chain(k: int) -> dict[str, Any]:
    nodes = [["var", 0]] + [["exp", i] for i in range(k)]
    d = dag(["x"], nodes, [k])
    return identity(d, d, ["x"])


def doubling_chain(k: int) -> dict[str, Any]:
    """x + x + x ... by repeated doubling (2^k x, coefficients of k bits) against 2^k x written once."""
    nodes = [["var", 0]] + [["add", i, i] for i in range(k)]
    import flint

    two_k = str(flint.fmpz(2) ** k)
    return identity(dag(["x"], nodes, [k]), dag(["x"], [["var", 0], ["const", two_k], ["mul", 0, 1]], [2]), ["x"])


def distinct_exps(k: int, n: int = 1) -> dict[str, Any]:
    names = [f"x{i}" for i in range(n)]
    nodes = [["var", i] for i in range(n)]
    for i in range(k):
        nodes += [["const", str(i + 1)], ["mul", i % n, len(nodes)], ["exp", len(nodes) + 1]]
    terms = [len(nodes) - 1 - 3 * j for j in range(k)]
    nodes.append(["add", *terms])
    d = dag(names, nodes, [len(nodes) - 1])
    return identity(d, d, names)


def product_of_sums(n: int) -> dict[str, Any]:
    """prod_i (1 + exp(x_i)) against itself plus 0 times its expansion: 2^n terms if expanded."""
    names = [f"x{i}" for i in range(n)]
    nodes = [["var", i] for i in range(n)] + [["const", "1"]]
    facts = []
    for i in range(n):
        nodes += [["exp", i], ["add", len(nodes), n]]
        facts.append(len(nodes) - 1)
    nodes.append(["mul", *facts])
    d = dag(names, nodes, [len(nodes) - 1])
    e = json.loads(json.dumps(d))
    e["nodes"] += [["const", "1"], ["add", len(nodes) - 1, len(nodes)], ["const", "-1"], ["add", len(nodes) + 1,
                                                                                          len(nodes) + 2]]
    e["outputs"] = [len(e["nodes"]) - 1]
    return identity(d, e, names)


def huge_numerals(d: int, k: int) -> dict[str, Any]:
    rng = random.Random(1)
    nodes = [["var", 0]]
    for _ in range(k):
        nodes += [["const", _q(rng, d)], ["mul", len(nodes) - 1, len(nodes)], ["const", _q(rng, d)],
                  ["add", len(nodes) + 1, len(nodes) + 2]]
    dd = dag(["x"], nodes, [len(nodes) - 1])
    return identity(dd, dd, ["x"])


def big_powers() -> dict[str, Any]:
    nodes = [["var", 0], ["var", 1], ["const", "1"], ["add", 0, 1], ["add", 3, 2], ["pow", 4, "4096"],
             ["pow", 5, "4096"], ["pow", 4, "1/4096"], ["mul", 6, 7]]
    d = dag(["x", "y"], nodes, [8])
    return identity(d, d, ["x", "y"])


def sigmoid_network(width: int, samples: int) -> dict[str, Any]:
    """A legitimate-looking heavy identity: sum over samples of sigmoid units, against itself reordered."""
    rng = random.Random(2)
    names = [f"w{j}" for j in range(width)] + [f"b{j}" for j in range(width)]
    nodes: list[list[Any]] = [["var", i] for i in range(2 * width)] + [["const", "1"], ["const", "-1"]]
    one, mone = 2 * width, 2 * width + 1
    outs = []
    for _ in range(samples):
        x = str(rng.randrange(1, 9))
        units = []
        for j in range(width):
            base = len(nodes)
            nodes += [["const", x], ["mul", j, base], ["add", base + 1, width + j], ["mul", base + 2, mone],
                      ["exp", base + 3], ["add", base + 4, one], ["pow", base + 5, "-1"]]
            units.append(base + 6)
        nodes.append(["add", *units] if len(units) > 1 else ["mul", units[0], one])
        outs.append(len(nodes) - 1)
    nodes.append(["add", *outs])
    d = dag(names, nodes, [len(nodes) - 1])
    e = json.loads(json.dumps(d))
    e["nodes"][-1] = ["add", *reversed(outs)]
    return identity(d, e, names)


def nested_abs(k: int, n: int = 1) -> dict[str, Any]:
    """|...||x_0| - 1| - 2| ... - k|: one sign region split per level (at most 512 regions), against itself + 0 x."""
    names = [f"x{i}" for i in range(n)]
    nodes: list[list[Any]] = [["var", i] for i in range(n)]
    cur = 0
    for i in range(k):
        nodes += [["const", str(-(i + 1))], ["add", cur, len(nodes)], ["abs", len(nodes) + 1]]
        cur = len(nodes) - 1
        if n > 1:
            nodes += [["add", cur, (i + 1) % n]]
            cur = len(nodes) - 1
    d = dag(names, nodes, [cur])
    e = json.loads(json.dumps(d))
    e["nodes"] += [["const", "0"], ["mul", 0, len(nodes)], ["add", cur, len(nodes) + 1]]
    e["outputs"] = [len(e["nodes"]) - 1]
    return identity(d, e, names)


def relu_sums(n: int) -> dict[str, Any]:
    """sum_i max(0, x_i - i) against sum_i (x_i - i + |x_i - i|)/2: 2^n sign regions (at most 512 are explored)."""
    names = [f"x{i}" for i in range(n)]
    nodes: list[list[Any]] = [["var", i] for i in range(n)] + [["const", "0"], ["const", "1/2"]]
    zero, half = n, n + 1
    lhs, rhs = [], []
    for i in range(n):
        nodes += [["const", str(-i)], ["add", i, len(nodes)]]
        t = len(nodes) - 1
        nodes += [["max", zero, t], ["abs", t]]
        nodes += [["add", t, len(nodes) - 1]]
        nodes += [["mul", half, len(nodes) - 1]]
        lhs.append(t + 1)
        rhs.append(len(nodes) - 1)
    nodes += [["add", *lhs], ["add", *rhs]]
    return identity(dag(names, nodes, [len(nodes) - 2]), dag(names, nodes, [len(nodes) - 1]), names)


def exponent_denominators(k: int) -> dict[str, Any]:
    """exp(x/p) for the first k primes: a common denominator of every multiple of x would be their product."""
    primes = [p for p in range(2, 10 * k + 20) if all(p % d for d in range(2, int(p**0.5) + 1))][:k]
    nodes: list[list[Any]] = [["var", 0]]
    terms = []
    for p in primes:
        nodes += [["const", f"1/{p}"], ["mul", 0, len(nodes)], ["exp", len(nodes) + 1]]
        terms.append(len(nodes) - 1)
    nodes.append(["mul", *terms])
    d = dag(["x"], nodes, [len(nodes) - 1])
    return identity(d, d, ["x"])


def logs_of_numerals(d: int, k: int) -> dict[str, Any]:
    """log of k numerals of d digits (prime factors are looked for), summed, against the sum reversed."""
    rng = random.Random(3)
    nodes: list[list[Any]] = [["var", 0]]
    terms = []
    for _ in range(k):
        nodes += [["const", _digits(rng, d)], ["log", len(nodes)]]
        terms.append(len(nodes) - 1)
    nodes.append(["add", *terms, 0])
    d1 = dag(["x"], nodes, [len(nodes) - 1])
    e = json.loads(json.dumps(d1))
    e["nodes"][-1] = ["add", 0, *reversed(terms)]
    return identity(d1, e, ["x"])


# -- matrices -----------------------------------------------------------------------------------------------------
def nonsingular_balls(n: int, prec: int) -> dict[str, Any]:
    import flint

    from proofkit.certificate import arb_to_data

    rng = random.Random(3)
    rows = []
    with flint.ctx.workprec(prec):
        for i in range(n):
            rows.append([arb_to_data(flint.arb(rng.random() + (n if i == j else 0), flint.arb(2) ** -60))
                         for j in range(n)])
    return cert({"type": "nonsingular", "n": n}, {"A": {"kind": "balls", "shape": [n, n], "entries": rows}}, {},
                precision=prec)


def nonsingular_dag(n: int, prec: int) -> dict[str, Any]:
    from fractions import Fraction

    nodes, outs = [], []
    for i in range(n):
        for j in range(n):
            q = Fraction(i + 1, j + 2)
            nodes += [["const", str(q)], ["exp", len(nodes)]]
            outs.append(len(nodes) - 1)
    return cert({"type": "nonsingular", "n": n}, {"A": {"kind": "dag", "shape": [n, n], "entries": dag([], nodes, outs)}},
                {}, precision=prec)


def exact_matrix(n: int, d: int, near_singular: bool = False, seed: int = 4) -> list[list[str]]:
    rng = random.Random(seed)
    from fractions import Fraction

    A = [[Fraction(_q(rng, d)) if not near_singular else Fraction(int(_digits(rng, d))) for _ in range(n)]
         for _ in range(n)]  # (near-singular: integers, so that the dependent row stays of moderate size)
    for i in range(n):
        for j in range(i):
            A[i][j] = A[j][i]
    if not near_singular:
        for i in range(n):
            A[i][i] += sum(abs(x) for x in A[i]) + 1
    else:  # the last row (and column) a combination of the others plus 10^-30: singular to 30 digits
        comb = [Fraction(rng.randrange(1, 5)) for _ in range(n - 1)]
        for j in range(n):
            A[n - 1][j] = sum(c * A[i][j] for i, c in enumerate(comb))
        for i in range(n):
            A[i][n - 1] = A[n - 1][i]
        A[n - 1][n - 1] = sum(c * A[n - 1][i] for i, c in enumerate(comb)) + Fraction(1, 10**30)
    return [[str(x) for x in r] for r in A]


def pd_exact(n: int, d: int, near_singular: bool) -> dict[str, Any]:
    return cert({"type": "positive_definite", "n": n}, {"A": rational(exact_matrix(n, d, near_singular))}, {},
                precision=None)


def random_matrix(n: int, d: int, seed: int = 7) -> list[list[str]]:
    rng = random.Random(seed)
    return [[_q(rng, d) for _ in range(n)] for _ in range(n)]


def det_exact(n: int, d: int) -> dict[str, Any]:
    return cert({"type": "det_sign", "sign": 1, "n": n}, {"A": rational(random_matrix(n, d))}, {}, precision=None)


def det_singular(n: int, d: int) -> dict[str, Any]:
    """A singular exact matrix (last row = the sum of the first two), determinant sign 0: no enclosure can decide."""
    from fractions import Fraction

    rows = random_matrix(n, d)
    rows[-1] = [str(Fraction(a) + Fraction(b)) for a, b in zip(rows[0], rows[1])]
    return cert({"type": "det_sign", "sign": 0, "n": n}, {"A": rational(rows)}, {}, precision=None)


def rank_exact(n: int, d: int) -> dict[str, Any]:
    A = random_matrix(n, d)
    A[-1] = A[0]
    return cert({"type": "exact_rank", "rank": n - 1, "shape": [n, n]}, {"A": rational(A)}, {"rank": n - 1},
                precision=None)


def eigen_high(n: int, prec: int) -> dict[str, Any]:
    import flint

    from proofkit.certificate import arb_to_data

    A = [[str(1 if i == j else 0) for j in range(n)] for i in range(n)]
    ball = arb_to_data(flint.arb(1, flint.arb(2) ** -10))  # every ball holds every eigenvalue: never a bijection
    return cert({"type": "eigenvalues", "inertia": [0, 0, n], "n": n}, {"A": rational(A)},
                {"eigenvalues": [ball] * n}, precision=prec)


def float_record(n: int) -> dict[str, Any]:
    import numpy as np

    rng = np.random.default_rng(5)
    return cert({"type": "nonsingular", "n": n}, {"A": float64(rng.standard_normal((n, n)))}, {}, precision=None)


def minor_refutation(n: int, d: int) -> dict[str, Any]:
    return cert({"type": "positive_definite", "n": n}, {"A": rational(exact_matrix(n, d))}, {"minor": n},
                verdict="refuted", precision=None)


def indefinite_witness(n: int, d: int) -> dict[str, Any]:
    rng = random.Random(6)
    v = [_q(rng, d) for _ in range(n)]
    return cert({"type": "indefinite", "n": n}, {"A": rational(exact_matrix(n, d))}, {"negative": v, "positive": v},
                precision=None)


# -- boxes --------------------------------------------------------------------------------------------------------
def padded_loss(k: int, prec: int) -> dict[str, Any]:
    """(x - 1/3)^2 + 0 * (a chain of k sines): a true strict minimum, costly to evaluate."""
    nodes = [["var", 0], ["const", "-1/3"], ["add", 0, 1], ["pow", 2, "2"], ["sin", 0]] + \
        [["sin", 4 + i] for i in range(k)] + [["const", "0"]]
    nodes += [["mul", len(nodes) - 2, len(nodes) - 1], ["add", 3, len(nodes)]]
    loss = dag(["x"], nodes, [len(nodes) - 1])
    inputs = {"loss": loss, "centers": ["1/3"], "radii": ["1/1000"], "compare": "none"}
    claim = {"type": "local_min", "strict": True, "via": "krawczyk", "dimension": 1, "slice": False, "fixed": [],
             "compare": "none"}
    return cert(claim, inputs, {"C": [["1/2"]]}, precision=prec)


def dense_quadratic(n: int, prec: int) -> dict[str, Any]:
    """sum_i x_i^2 + sum_{i<j} x_i x_j / (4 n^2): every node's support is all n variables."""
    names = [f"x{i}" for i in range(n)]
    nodes = [["var", i] for i in range(n)]
    s = len(nodes)
    nodes.append(["add", *range(n)])
    nodes += [["pow", s, "2"], ["const", f"1/{4 * n * n}"], ["mul", s + 1, s + 2]]
    sq = []
    for i in range(n):
        nodes.append(["pow", i, "2"])
        sq.append(len(nodes) - 1)
    nodes.append(["add", s + 3, *sq])
    loss = dag(names, nodes, [len(nodes) - 1])
    C = [["1/2" if i == j else "0" for j in range(n)] for i in range(n)]
    claim = {"type": "local_min", "strict": True, "via": "krawczyk", "dimension": n, "slice": False, "fixed": [],
             "compare": "none"}
    return cert(claim, {"loss": loss, "centers": ["0"] * n, "radii": ["1/1000"] * n, "compare": "none"}, {"C": C},
                precision=prec)


def degenerate_saddle(k: int) -> dict[str, Any]:
    """x^3 + y^2 padded with 0 * (x + y)^k: exact series of high degree."""
    nodes = [["var", 0], ["var", 1], ["pow", 0, "3"], ["pow", 1, "2"], ["add", 0, 1], ["pow", 4, str(k)],
             ["const", "0"], ["mul", 5, 6], ["add", 2, 3, 7]]
    loss = dag(["x", "y"], nodes, [8])
    curve = dag(["t"], [["var", 0], ["const", "0"], ["mul", 0, 1]], [0, 2])
    rec = {"curve": curve, "order": 3, "coefficient": "-1"}
    neg = {"curve": dag(["t"], [["var", 0], ["const", "-1"], ["mul", 0, 1], ["const", "0"], ["mul", 0, 3]], [2, 4]),
           "order": 3, "coefficient": "-1"}
    del rec
    claim = {"type": "saddle", "kind": "degenerate", "dimension": 2, "order": 3}
    return cert(claim, {"loss": loss, "point": ["0", "0"], "negative": neg, "positive": "same"}, {}, precision=None)


def classification_nested(k: int) -> dict[str, Any]:
    inner = padded_loss(k, 64)
    loss = inner["inputs"]["loss"]
    claim = {"type": "classification", "kind": "strict local minimum", "dimension": 1, "reason_code": "definite"}
    return cert(claim, {"loss": loss, "point": ["1/3"]}, {"certificate": inner}, precision=64)


def manifold_big(k: int) -> dict[str, Any]:
    """(x y - 1)^2 padded with 0 * (x + y)^k on the manifold y = 1/x (exact identities on a large expression)."""
    nodes = [["var", 0], ["var", 1], ["mul", 0, 1], ["const", "-1"], ["add", 2, 3], ["pow", 4, "2"], ["add", 0, 1],
             ["pow", 6, str(k)], ["const", "0"], ["mul", 7, 8], ["add", 5, 9]]
    loss = dag(["x", "y"], nodes, [10])
    phi = dag(["x"], [["var", 0], ["pow", 0, "-1"]], [1])
    inputs = {"loss": loss, "centers": ["1", "1"], "radii": ["1/100", "1/20"], "compare": "none", "tangent": [0],
              "normal": [1], "manifold": phi, "value": "0"}
    claim = {"type": "local_min", "strict": False, "via": "manifold", "dimension": 2, "slice": False, "fixed": [],
             "compare": "none", "tangent": ["x"], "value": "0"}
    return cert(claim, inputs, {}, precision=256)


# -- Lemma 4.3 ----------------------------------------------------------------------------------------------------
def sigmoid_dag(junk: int) -> dict[str, Any]:
    nodes = [["var", 0], ["const", "-1"], ["mul", 0, 1], ["exp", 2], ["const", "1"], ["add", 3, 4], ["pow", 5, "-1"],
             ["sin", 0]] + [["add", 7 + i, 0] for i in range(junk)]
    m = len(nodes) - 1
    nodes += [["const", "0"], ["mul", m, m + 1], ["add", 6, m + 2]]
    return dag(["t"], nodes, [len(nodes) - 1])


def leibniz(N: int, junk: int, k: int = 1, alpha: str = "64") -> dict[str, Any]:
    X = [[str(i * i)] for i in range(N)]
    claim = {"type": "leibniz_witness", "N": N, "k": k, "kind": "bounded", "alpha": alpha, "beta": "1"}
    inputs = {"sigma": sigmoid_dag(junk), "X": X, "direction": ["1"], "alpha": alpha, "beta": "1", "kind": "bounded",
              "k": k}
    return cert(claim, inputs, {}, precision=64)


def alpha0(N: int, prec: int) -> dict[str, Any]:
    t = dag([], [["const", str(i)] for i in range(N)], list(range(N)))
    claim = {"type": "leibniz_alpha0", "N": N, "alpha0": "1000"}
    inputs = {"sigma": sigmoid_dag(0), "t": t, "mu": "0", "gamma": "1", "beta": "0", "alpha0": "1000"}
    return cert(claim, inputs, {}, precision=prec)


def teacher_student(k: int, n: int, saddle: bool = False, radius: str = "1/1048576") -> dict[str, Any]:
    """Safran & Shamir's F by its recipe at the largest size, at a random point (not critical: refused late)."""
    import numpy as np

    W = np.random.default_rng(k).normal(size=(n, k)) / 8 + np.eye(n, k)
    inputs = {"recipe": {"problem": "safran_shamir", "k": k, "n": n}, "kind": "strict saddle" if saddle else
              "spurious local minimum", "centre": float64(W), "radius": radius}
    if saddle:
        inputs.update(negative=float64(np.ones(n * k)), positive=float64(np.ones(n * k)))
    return cert({"type": "teacher_student", "problem": "safran_shamir", "k": k, "n": n, "dimension": n * k,
                 "kind": inputs["kind"]}, inputs, {}, precision=53)


def legacy_balls(n: int, digits: int) -> dict[str, Any]:
    """A first-schema critical point whose stated Krawczyk image is n balls with huge mantissas (translation)."""
    corpus = Path(__file__).resolve().parent.parent / "tests" / "data" / "kernel_corpus_v1" / "critical_point--1d.json"
    d = json.loads(corpus.read_text())
    ball = {"mid": "1" * digits + "*2^-3", "rad": "1*2^-10", "text": "x"}
    d["evidence"]["K"] = [ball] * n
    return d


SHAPES: dict[str, Callable[[], Any]] = {
    "identity: squaring chain x^(2^40)": lambda: squaring_chain(40),
    "identity: squaring chain, 5,000 nodes": lambda: squaring_chain(5000),
    "identity: exp chain, 5,001 nodes": lambda: exp_chain(5000),
    "identity: exp chain, 50,001 nodes": lambda: exp_chain(50000),
    "identity: doubling chain, 5,000 nodes (2^5000 x)": lambda: doubling_chain(5000),
    "identity: doubling chain, 100,000 nodes": lambda: doubling_chain(100000),
    "identity: 2,000 distinct exp atoms": lambda: distinct_exps(2000),
    "identity: 1,000 exp atoms over 30 variables": lambda: distinct_exps(1000, 30),
    "identity: prod (1 + exp x_i), 40 variables": lambda: product_of_sums(40),
    "identity: 20,000-digit numerals, 2 steps": lambda: huge_numerals(20000, 2),
    "identity: 2,000-digit numerals, 20 steps": lambda: huge_numerals(2000, 20),
    "identity: 100-digit numerals, 400 steps": lambda: huge_numerals(100, 400),
    "identity: (1 + x + y)^(4096*4096)": big_powers,
    "identity: 12 nested abs (sign regions)": lambda: nested_abs(12),
    "identity: 40 nested abs over 8 variables (sign regions)": lambda: nested_abs(40, 8),
    "identity: relu sums over 8 variables (256 sign regions)": lambda: relu_sums(8),
    "identity: relu sums over 12 variables (sign regions beyond the cap)": lambda: relu_sums(12),
    "identity: exp(x/p) for 300 primes (exponent denominators)": lambda: exponent_denominators(300),
    "identity: logs of 200 numerals of 60 digits": lambda: logs_of_numerals(60, 200),
    "identity: logs of 3 numerals of 20,000 digits": lambda: logs_of_numerals(20000, 3),
    "identity: sigmoid network 10 x 40": lambda: sigmoid_network(10, 40),
    "identity: sigmoid network 30 x 100": lambda: sigmoid_network(30, 100),
    "nonsingular: balls 25x25, 65,536 bits": lambda: nonsingular_balls(25, 65536),
    "nonsingular: balls 80x80, 16,384 bits": lambda: nonsingular_balls(80, 16384),
    "nonsingular: DAG of exp constants 20x20, 65,536 bits": lambda: nonsingular_dag(20, 65536),
    "nonsingular: float64 record 1000x1000": lambda: float_record(1000),
    "positive_definite: exact 150x150, 100-digit rationals": lambda: pd_exact(150, 100, False),
    "positive_definite: exact 60x60, 100 digits, singular to 30 digits": lambda: pd_exact(60, 100, True),
    "positive_definite: exact 150x150, 100 digits, singular to 30 digits": lambda: pd_exact(150, 100, True),
    "positive_definite refuted: leading minor 60x60, 100 digits": lambda: minor_refutation(60, 100),
    "det_sign: exact 60x60, 100-digit rationals": lambda: det_exact(60, 100),
    "det_sign: exact 20x20, 2,000-digit rationals": lambda: det_exact(20, 2000),
    "det_sign: exact 60x60 singular (sign 0), 100-digit rationals": lambda: det_singular(60, 100),
    "exact_rank: 150x150 rank-deficient, 100 digits": lambda: rank_exact(150, 100),
    "eigenvalues: 60x60 at 65,536 bits, wrong balls": lambda: eigen_high(60, 65536),
    "indefinite: 150x150 with 100-digit witnesses": lambda: indefinite_witness(150, 100),
    "local_min: loss padded with 20,000 sines, 65,536 bits": lambda: padded_loss(20000, 65536),
    "local_min: loss padded with 200,000 sines, 64 bits": lambda: padded_loss(200000, 64),
    "local_min: dense quadratic in 300 variables": lambda: dense_quadratic(300, 64),
    "local_min: dense quadratic in 60 variables, 65,536 bits": lambda: dense_quadratic(60, 65536),
    "local_min (manifold): padded with 0 (x + y)^4000": lambda: manifold_big(4000),
    "saddle (degenerate): padded with 0 (x + y)^4096": lambda: degenerate_saddle(4096),
    "classification: nesting a loss with 100,000 sines": lambda: classification_nested(100000),
    "leibniz_witness: N = 3000, sigma padded to 1,000 nodes": lambda: leibniz(3000, 1000, alpha="1/1000"),
    "leibniz_witness: N = 500, k = 20, sigma padded to 2,000 nodes": lambda: leibniz(500, 2000, k=20),
    "leibniz_alpha0: N = 200 at 65,536 bits": lambda: alpha0(200, 65536),
    "leibniz_alpha0: N = 4000 at 65,536 bits": lambda: alpha0(4000, 65536),
    "leibniz_witness: N = 4000, sigma padded to 1,000 nodes": lambda: leibniz(4000, 1000, alpha="1/1000"),
    "exact_rank: 200x200 rank-deficient, small integers": lambda: rank_exact(200, 1),
    "det_sign: exact 200x200, small integers": lambda: det_exact(200, 1),
    "first schema: critical point with 2,000 stated balls of 3,000 digits": lambda: legacy_balls(2000, 3000),
    "teacher_student: (k, n) = (50, 60) at a random point": lambda: teacher_student(50, 60),
    "teacher_student: (k, n) = (60, 50) saddle at a random point": lambda: teacher_student(60, 50, saddle=True),
    "teacher_student: (k, n) = (30, 100), n k = 3000, radius 2^-1074": lambda: teacher_student(30, 100,
                                                                                             radius=f"1/{2**1074}"),
}


def run(name: str, build: Callable[[], Any], factor: float) -> tuple[float, float, str]:
    obj = build()
    matrix = None
    text = json.dumps([obj, matrix])
    kb = len(canonical_json(obj)) / 1000
    limit = min(factor * (1 + kb) + 30, 900)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(__file__).resolve().parent.parent),
                                                        os.environ.get("PYTHONPATH", "")])}
    t0 = time.perf_counter()
    try:
        res = subprocess.run([sys.executable, "-c", _CHILD], input=text, capture_output=True, text=True, timeout=limit,
                             env=env)
        line = res.stdout.strip().splitlines()[-1] if res.stdout.strip() else f"CRASH {res.stderr[-200:]}"
    except subprocess.TimeoutExpired:
        line = f"TIMEOUT after {limit:.0f} s"
    wall = time.perf_counter() - t0
    parts = line.split(" ", 2)
    secs = float(parts[1]) if len(parts) > 1 and parts[0] in ("ACCEPTED", "rejected", "ESCAPED") else wall
    return kb, secs, line


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", default=None, help="run only the shapes whose name contains this text")
    ap.add_argument("--timeout-factor", type=float, default=3.0,
                    help="kill a check after factor (1 s + 1 s/KB) + 30 s (at most 900 s)")
    args = ap.parse_args()
    worst, worst_cpu, bad = (0.0, ""), (0.0, ""), 0
    print(f"{'KB':>9} {'s':>8} {'s/KB':>8} {'s/(1+KB)':>9}  shape: outcome")
    for name, build in SHAPES.items():
        if args.only and args.only not in name:
            continue
        kb, secs, line = run(name, build, args.timeout_factor)
        ratio = secs / (1 + kb)
        over = secs > 1.2 * (1 + kb) or line.split(" ")[0] not in ("ACCEPTED", "rejected")
        bad += over
        worst = max(worst, (ratio, name))
        cpu = line.split(" ")[2] if len(line.split(" ")) > 2 and line.split(" ")[2].startswith("cpu=") else ""
        if cpu:
            worst_cpu = max(worst_cpu, (float(cpu[4:]) / (1 + kb), name))
        print(f"{kb:9.1f} {secs:8.3f} {secs / kb:8.4f} {ratio:9.4f}  {'BAD ' if over else ''}{name}: "
              f"{line[:150]}", flush=True)
    print(f"\nworst: {worst[0]:.3f} of the target 1 s + 1 s/KB ({worst[1]}); {bad} over the target or escaped")
    print(f"worst in CPU time of the checking process: {worst_cpu[0]:.3f} of the target ({worst_cpu[1]})")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
