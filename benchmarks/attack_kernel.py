"""Replay hand-made forgeries and hostile inputs against the trusted kernel.

Each attack takes a genuine certificate made by a public certifier, edits it by hand so that it
states something false (or is hostile data), recomputes the hashes the format uses
(``input_hash``, ``A_hash``) so that only the mathematics can save the kernel, and hands it to
:func:`proofkit.check_certificate` in a separate process (so a crash or a hang is seen, not
suffered). Every attack here must be rejected with ``CertificateRejected`` within the time limit.

    python benchmarks/attack_kernel.py [--timeout 20] [--only NAME]

(the proofkit of the checkout this script lives in is the one attacked.) Attacks named ``OPEN ...`` are
known, not yet fixed, and reported separately.

Prints one line per attack and the counts; exits 1 if any attack is accepted, escapes with
another exception, crashes the interpreter or times out.
"""

from __future__ import annotations

import argparse
import copy
import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the proofkit of this checkout, not another

import sympy  # noqa: E402

from proofkit.certificate import input_hash, matrix_hash  # noqa: E402

x, y, z, t = sympy.symbols("x y z t")
_CHILD = """
import sys
from proofkit import check_certificate
from proofkit.errors import CertificateRejected
try:
    check_certificate(sys.stdin.read())
    print("ACCEPTED")
except CertificateRejected as exc:
    print("rejected:", str(exc)[:160])
except BaseException as exc:
    print("ESCAPED", type(exc).__name__, str(exc)[:160])
"""


def rehash(d: dict[str, Any]) -> dict[str, Any]:
    inp = d.get("inputs")
    if isinstance(inp, dict):
        if isinstance(inp.get("A"), dict):
            inp["A_hash"] = matrix_hash(inp["A"])
        d["input_hash"] = input_hash({k: v for k, v in inp.items() if k != "A"})
    return d


def _j(cert: Any) -> dict[str, Any]:
    return json.loads(cert.to_json())


def _reason(d: dict[str, Any]) -> dict[str, Any]:
    """A conclusive certificate carries no words (the first schema's reason and statement are gone)."""
    if d.get("verdict") in ("certified", "refuted"):
        d["reason"] = None
    return d


def _junk(dag: dict[str, Any], junk: Callable[[int], list]) -> None:
    """Add ``0 * junk`` to the single output of a stored expression (a true identity, costly to expand)."""
    k, o = len(dag["nodes"]), dag["outputs"][0]
    dag["nodes"] += junk(k)
    m = len(dag["nodes"]) - 1
    dag["nodes"] += [["const", "0"], ["mul", m, m + 1], ["add", o, m + 2]]
    dag["outputs"] = [m + 3]


def forgeries() -> list[tuple[str, str]]:
    """(name, certificate JSON text) for every attack; each must be rejected."""
    import numpy as np

    import proofkit as pk
    from proofkit.certify import certify_identity, matrix_record
    from proofkit.symbolic.dag import to_dag

    out: list[tuple[str, str]] = []

    def add(name: str, d: dict[str, Any], fix_reason: bool = True) -> None:
        out.append((name, json.dumps(_reason(rehash(d)) if fix_reason else rehash(d))))

    # -- matrices ---------------------------------------------------------------------------------------
    ns = _j(pk.certify_nonsingular([[1, 2], [3, 4]]))
    d = copy.deepcopy(ns)
    d["inputs"]["A"] = matrix_record([[1, 2], [2, 4]])
    add("nonsingular: singular matrix, genuine modular evidence", d)
    d = copy.deepcopy(ns)
    d["inputs"]["A"] = matrix_record([[1, 2], [2, 4]])
    d["evidence"] = {"prime": "4", "det_mod_p": "2"}
    add("nonsingular: singular matrix, composite modulus", d)
    d = copy.deepcopy(ns)
    d["verdict"] = "refuted"
    d["evidence"] = {"rank": 1}
    add("nonsingular: flipped verdict", d)
    pd = _j(pk.certify_positive_definite([[2, 1], [1, 2]]))
    d = copy.deepcopy(pd)
    d["inputs"]["A"] = matrix_record([[2, 3], [1, 2]])
    d["evidence"] = {}
    add("positive_definite: non-symmetric matrix", d)
    d = copy.deepcopy(pd)
    d["verdict"], d["evidence"] = "refuted", {"witness": ["0", "0"]}
    add("positive_definite: refuted with the zero witness", d)
    d = copy.deepcopy(pd)
    d["verdict"], d["evidence"] = "refuted", {"witness": ["1", "-1"]}
    add("positive_definite: refuted with a witness of positive form", d)
    d = copy.deepcopy(pd)
    d["verdict"], d["evidence"] = "refuted", {"minor": 2}
    add("positive_definite: refuted with a positive leading minor", d)
    d = copy.deepcopy(pd)
    d["inputs"]["A"] = matrix_record([[1, 2], [2, 1]])
    d["evidence"] = {}
    add("positive_definite: indefinite matrix claimed positive definite", d)
    d = copy.deepcopy(pd)
    tiny = sympy.Rational(1, 2**300)
    d["inputs"]["A"] = {"kind": "dag", "shape": [2, 2], "entries": to_dag([2, sympy.exp(tiny), 1 + tiny, 2], [])}
    add("positive_definite: non-symmetric matrix of constants (exp(2^-300) vs 1 + 2^-300)", d)
    d = copy.deepcopy(ns)
    d["inputs"]["A"] = matrix_record([[1, 2], [2, 4]])
    d["evidence"] = {"prime": "9", "det_mod_p": "3"}
    add("nonsingular: singular matrix, composite modulus 9", d)
    det = _j(pk.enclose_det([[2, 1], [1, 3]]))
    d = copy.deepcopy(det)
    d["claim"]["sign"] = -1
    add("det_sign: flipped sign", d)
    d = copy.deepcopy(det)
    d["evidence"]["det_exact"] = "6"
    add("det_sign: wrong exact determinant", d)
    import flint

    from proofkit.certificate import arb_to_data

    thirds = [[flint.fmpq(1, 3), flint.fmpq(1, 7)], [flint.fmpq(1, 5), flint.fmpq(2, 11)]]  # det 37/1155
    d = _j(pk.enclose_det(thirds))
    d["evidence"] = {"det": arb_to_data(flint.arb(flint.fmpq(37, 1155), 1e-10)),
                     "det_exact": str(flint.fmpq(37, 1155) + flint.fmpq(1, 10**30))}
    add("det_sign: wrong exact determinant inside a stated ball", d)
    d = _j(pk.enclose_det([[sympy.E, 1], [1, sympy.pi]]))
    d["evidence"] = {"det_exact": "7539734222673567/1000000000000000"}
    add("det_sign: a rational exact determinant of e pi - 1", d)
    eig = _j(pk.enclose_eigenvalues([[2, 1, 0], [1, 3, 1], [0, 1, 5]]))
    d = copy.deepcopy(eig)
    d["evidence"]["eigenvalues"] = d["evidence"]["eigenvalues"][:2]
    add("eigenvalues: an eigenvalue dropped", d)
    d = copy.deepcopy(eig)
    d["claim"]["inertia"] = [1, 0, 2]
    add("eigenvalues: inertia changed", d)
    d = copy.deepcopy(eig)
    d["precision"] = 10**9
    add("eigenvalues: precision 10^9", d)
    d = copy.deepcopy(ns)
    d["inputs"]["A"] = {"kind": "float64", "shape": [100000, 100000], "entries": "AAAA"}
    add("nonsingular: huge shape claimed, not given", d)
    d = copy.deepcopy(ns)
    d["inputs"]["A"] = {"kind": "float64", "shape": [2, 2], "entries": "!!!!garbage"}
    out.append(("nonsingular: base64 garbage", json.dumps(d)))
    d = copy.deepcopy(ns)
    d["inputs"]["A"] = {"kind": "float64", "shape": [1, 1],
                        "entries": __import__("base64").b64encode(np.array([np.nan]).tobytes()).decode()}
    d["claim"]["n"] = 1
    add("nonsingular: NaN float64 entry", d)

    # -- identities -------------------------------------------------------------------------------------
    ident = _j(certify_identity([(x + 1) ** 2], [x**2 + 2 * x + 1], [x]))
    d = copy.deepcopy(ident)
    d["inputs"]["rhs"] = to_dag([x**2 + 2 * x + 2], [x])
    add("identity: rhs changed", d)
    d = copy.deepcopy(ident)
    d["inputs"]["lhs"]["nodes"] = [["var", 0], ["const", "1000000000000000000000000000001/1000000000000000000000000000000"],
                                   ["add", 0, 1], ["pow", 2, "2"]]
    add("identity: constant nudged by 1e-30", d)
    for name, junk in (("3^(2^62)", lambda k: [["const", "3"], ["pow", k, str(2**62)]]),
                       ("3^(10^19999)", lambda k: [["const", "3"], ["pow", k, "1" + "0" * 19999]]),
                       ("3^(2^40) by squaring", lambda k: [["const", "3"]] + [["mul", k + i, k + i] for i in range(40)])):
        d = copy.deepcopy(ident)
        _junk(d["inputs"]["lhs"], junk)
        d["inputs"]["rhs"]["nodes"] = d["inputs"]["rhs"]["nodes"]
        _junk(d["inputs"]["rhs"], junk)
        add(f"identity: 0 * {name} on both sides (resource exhaustion)", d)

    # -- landscape claims ---------------------------------------------------------------------------------
    saddle = _j(pk.certify_saddle(x**3 + y**2, [x, y], [0, 0]))
    d = copy.deepcopy(saddle)
    d["inputs"]["loss"] = to_dag(x**4 + y**2, [x, y])
    add("saddle: loss changed to a minimum", d)
    d = copy.deepcopy(saddle)
    d["inputs"]["negative"]["coefficient"] = "-2"
    add("saddle: leading coefficient changed", d)
    d = copy.deepcopy(saddle)
    d["inputs"]["point"] = ["1", "0"]
    add("saddle: point moved off the critical point", d)
    d = copy.deepcopy(saddle)
    d["inputs"]["negative"]["extra"] = "1"
    add("saddle: unknown key in a curve record", d)
    for name, junk in (("(3^4096)^4096)^4096", lambda k: [["const", "3"], ["pow", k, "4096"], ["pow", k + 1, "4096"],
                                                          ["pow", k + 2, "4096"]]),
                       ("3^(2^40) by squaring", lambda k: [["const", "3"]] + [["mul", k + i, k + i] for i in range(40)])):
        d = copy.deepcopy(saddle)
        _junk(d["inputs"]["loss"], junk)
        add(f"saddle: 0 * {name} in the loss (resource exhaustion)", d)
    strict = _j(pk.certify_saddle(x**2 - y**2, [x, y], [0, 0]))
    d = copy.deepcopy(strict)
    d["inputs"]["negative"] = ["1", "0"]
    add("saddle (strict): negative direction swapped", d)
    d = copy.deepcopy(strict)
    d["inputs"]["radii"] = ["1/1000000", "1/1000000"]
    d["inputs"]["centers"] = ["1/10", "0"]
    add("saddle (strict): box moved off the critical point", d)
    man = _j(pk.certify_local_min((x * y - 1) ** 2, [x, y], [1, 1], manifold={y: 1 / x}))
    d = copy.deepcopy(man)
    d["inputs"]["manifold"] = to_dag([2 - x], [x])
    add("local_min (manifold): tangent line instead of the manifold", d)
    d = copy.deepcopy(man)
    d["inputs"]["value"] = d["claim"]["value"] = "1/1000"
    add("local_min (manifold): value changed", d)
    d = copy.deepcopy(man)
    d["claim"]["strict"] = True
    add("local_min (manifold): strict flipped", d)
    d = copy.deepcopy(man)
    d["inputs"]["compare"] = d["claim"]["compare"] = "stated global value"
    d["inputs"]["global_value"] = "1/1000"
    add("local_min (manifold): made spurious against a global value above L0 = 0", d)
    cls = _j(pk.classify_critical_point((x * y - 1) ** 2, [x, y], [1, 1], manifold={y: 1 / x}))
    d = copy.deepcopy(cls)
    d["inputs"]["point"] = ["1", "101/100"]
    add("classification: point off the manifold (not a minimum)", d)
    d = copy.deepcopy(cls)
    d["evidence"]["certificate"]["reason"] = "proved by inspection"
    add("classification: nested reason edited", d)
    d = copy.deepcopy(cls)
    d["claim"]["kind"] = "strict local minimum"
    add("classification: non-strict retyped strict", d)
    lm = _j(pk.classify_critical_point((x - 1) ** 2 + y**2, [x, y], [1, 0]))
    d = copy.deepcopy(lm)
    d["claim"]["kind"] = "strict local maximum"
    add("classification: minimum retyped maximum", d)
    nlm = _j(pk.certify_not_local_min(-x, [x], [0]))
    d = copy.deepcopy(nlm)
    d["inputs"]["loss"] = to_dag(sympy.Piecewise((x**2, x > 0), (-x, True)), [x])
    add("not_local_min: descent of the active piece at a kink (0 is a minimum)", d)
    d = copy.deepcopy(nlm)
    d["inputs"]["direction"] = ["-1"]
    add("not_local_min: direction reversed", d)
    d = copy.deepcopy(nlm)
    d["claim"]["how"] = "curve"
    add("not_local_min: how changed", d)

    # -- slices: the recorded values of the fixed parameters are not bound to the stored expression --------
    f = x**2 - y**2 + 1 + x * y
    sl = _j(pk.certify_strict_local_min([f.diff(x), f.diff(y)], None, [0], 0.1, variables=[x, y], fixed={y: 0},
                                        loss=f))
    d = copy.deepcopy(sl)
    d["inputs"]["centers"][1] = "5"  # on the slice y = 5 the minimum is at x = -5/2, far outside the box
    add("local_min on a slice: fixed value y = 0 -> 5", d)
    d = copy.deepcopy(sl)
    d["inputs"]["loss"] = to_dag([(f.subs(y, 0))], [x])  # the old format: values substituted, not bound
    d["inputs"]["centers"][1] = "5"
    add("local_min on a slice: expression without the fixed inputs, value 0 -> 5", d)
    d = copy.deepcopy(sl)
    d["claim"].update(slice=False, fixed=[])
    add("local_min on a slice: retyped as a full-space minimum", d)
    d = _j(pk.classify_critical_point(x**2 + y**2 + 1, [x, y], [0, 0]))
    d["inputs"]["loss"] = sl["inputs"]["loss"]
    d["evidence"]["certificate"] = copy.deepcopy(sl)
    add("classification: a saddle's minimum on a slice nested as a strict local minimum", d)
    d = copy.deepcopy(sl)
    d["inputs"]["radii"][1] = "1/10"  # the saddle direction opened: no longer a minimum
    d["claim"].update(slice=False, fixed=[])
    add("local_min on a slice: the fixed coordinate given a radius (the full-space saddle)", d)

    out += definiteness_forgeries()
    out += leibniz_forgeries()
    out += legacy_forgeries()
    out += teacher_student_forgeries()

    # -- hostile text ----------------------------------------------------------------------------------
    out += [("not JSON", "{{{"), ("10^5-digit integer", '{"a": ' + "9" * 100000 + "}"),
            ("nested 10^5 deep", "[" * 100000 + "]" * 100000), ("duplicate keys", '{"a": 1, "a": 2}'),
            ("NaN literal", '{"a": NaN}'), ("empty", "")]
    text = json.dumps(ns)
    out.append(("duplicate verdict key", text[:-1] + ', "verdict": "refuted"}'))
    out.append(("time_seconds 1e999", text[:-1] + ', "time_seconds": 1e999}'))
    d = copy.deepcopy(ns)
    d["precision"] = True
    out.append(("precision true", json.dumps(d)))
    return out


def definiteness_forgeries() -> list[tuple[str, str]]:
    """Minima claimed where the Hessian is not definite, with a C that makes Krawczyk's test succeed.

    After Krawczyk succeeds, definiteness is proved from one symmetric member of the interval Hessian
    (every member is nonsingular): these claims are false, and most pass Krawczyk's test, so only the
    definiteness test (or the kink / domain checks) can refuse them.
    """
    import proofkit as pk
    from proofkit.symbolic.dag import to_dag

    out: list[tuple[str, str]] = []

    def add(name: str, d: dict[str, Any]) -> None:
        out.append((name, json.dumps(_reason(rehash(d)))))

    f = (x - 1) ** 2 + 2 * y**2 + x * y
    p0 = [sympy.Rational(8, 7), sympy.Rational(-2, 7)]
    slm = _j(pk.certify_strict_local_min([f.diff(x), f.diff(y)], None, p0, 0.01, variables=[x, y], loss=f))
    third = ["1/100", "1/100"]

    def strict(loss: Any, C: list[list[str]], radii: list[str] = third, centers: tuple = ("0", "0"),
               **edits: Any) -> dict[str, Any]:
        d = copy.deepcopy(slm)
        d["inputs"].update(loss=to_dag([loss], [x, y]), centers=list(centers), radii=radii)
        d["evidence"] = {"C": C}
        d.update(edits)
        return d

    saddle_C, max_C = [["1/2", "0"], ["0", "-1/2"]], [["-1/2", "0"], ["0", "-1/2"]]
    add("strict_local_min: saddle x^2 - y^2, exact inverse C (Krawczyk holds)", strict(x**2 - y**2, saddle_C))
    add("strict_local_min: maximum -(x^2 + y^2), exact inverse C", strict(-(x**2) - y**2, max_C))
    add("strict_local_min: saddle, radius 10^-300", strict(x**2 - y**2, saddle_C, ["1/" + "1" + "0" * 300] * 2))
    add("strict_local_min: saddle, radius 10^300", strict(x**2 - y**2, saddle_C, ["1" + "0" * 300] * 2))
    add("strict_local_min: saddle, precision 2 bits", strict(x**2 - y**2, saddle_C, precision=2))
    add("strict_local_min: saddle, precision 65536 bits", strict(x**2 - y**2, saddle_C, precision=65536))
    add("strict_local_min: saddle, C = 0", strict(x**2 - y**2, [["0", "0"], ["0", "0"]]))
    add("strict_local_min: saddle, C = 10^40 I", strict(x**2 - y**2, [["1" + "0" * 40, "0"], ["0", "1" + "0" * 40]]))
    add("strict_local_min: tilted saddle x^2 + 3xy + y^2, C = H^-1",
        strict(x**2 + 3 * x * y + y**2, [["-2/5", "3/5"], ["3/5", "-2/5"]]))
    # the Hessian 1 - 6x is definite at the centre, singular at x = 1/6 inside the box (one critical point)
    add("strict_local_min: Hessian definite at the centre, singular inside the box",
        strict(x**2 / 2 - x**3 + y**2, [["1", "0"], ["0", "1/2"]], ["1/5", "1/5"]))
    add("strict_local_min: three critical points in the box ((x^2 - 10^-4)^2 + y^2)",
        strict((x**2 - sympy.Rational(1, 10**4)) ** 2 + y**2, [["25/2", "0"], ["0", "1/2"]], ["1/50", "1/50"]))
    add("strict_local_min: kink at the centre (x^2 + y^2 - |x|/1000, a local max in x)",
        strict(x**2 + y**2 - sympy.Abs(x) / 1000, [["1/2", "0"], ["0", "1/2"]]))
    add("strict_local_min: kink on the box boundary (max(x, 0) branch switch at x = 0)",
        strict(x**2 + y**2 - sympy.Max(x, 0) / 1000, [["1/2", "0"], ["0", "1/2"]], third, ("1/100", "0")))
    d = strict(x**2 + y**2, [["1/2", "0"], ["0", "1/2"]])
    nodes = d["inputs"]["loss"]["nodes"]  # + 0 * (1/x): a pole at the centre the sympy encoder would fold away
    k, o = len(nodes), d["inputs"]["loss"]["outputs"][0]
    nodes += [["var", 0], ["pow", k, "-1"], ["const", "0"], ["mul", k + 1, k + 2], ["add", o, k + 3]]
    d["inputs"]["loss"]["outputs"] = [k + 4]
    add("strict_local_min: 0 * (1/x) hides a pole at the centre", d)

    # ten variables: the definiteness test takes its Schur-complement path (blocks of at most 8)
    v10 = sympy.symbols("v0:10")
    for name, loss, C in (
            ("one negative direction", sum(v**2 for v in v10[:9]) - v10[9] ** 2,
             [["1/2" if i == j and i < 9 else "-1/2" if i == j else "0" for j in range(10)] for i in range(10)]),
            ("coupling 3 v0 v9 between unit squares", sum(v**2 for v in v10) + 3 * v10[0] * v10[9],
             [["-2/5" if i == j and i in (0, 9) else "3/5" if {i, j} == {0, 9} else "1/2" if i == j else "0"
               for j in range(10)] for i in range(10)])):
        d = copy.deepcopy(slm)
        d["inputs"].update(loss=to_dag([loss], list(v10)), centers=["0"] * 10, radii=["1/100"] * 10)
        d["claim"]["dimension"], d["evidence"] = 10, {"C": C}
        add(f"strict_local_min: 10-dimensional saddle ({name}), exact inverse C", d)

    # a slice: the free block of a larger Hessian
    g = x**2 * (1 - y) + y**2
    sl = _j(pk.certify_strict_local_min([g.diff(x), g.diff(y)], None, [0], sympy.Rational(1, 100), variables=[x, y],
                                        fixed={y: 0},
                                        loss=g))
    d = copy.deepcopy(sl)
    d["inputs"]["centers"][1], d["evidence"] = "2", {"C": [["-1/2"]]}  # on y = 2: -x^2, a maximum
    add("local_min on a slice: fixed y = 0 -> 2 (the free block becomes negative), C adjusted", d)
    d = copy.deepcopy(sl)
    d["inputs"]["centers"][1], d["evidence"] = "1", {"C": [["1"]]}  # on y = 1: the free Hessian block is 0
    add("local_min on a slice: fixed y = 0 -> 1 (the free block is 0)", d)

    sp = _j(pk.certify_spurious_minimum(f, [x, y], p0, global_value=-5))
    d = copy.deepcopy(sp)
    d["inputs"].update(loss=to_dag([x**2 - y**2], [x, y]), centers=["0", "0"], radii=third)
    d["evidence"]["C"] = saddle_C
    add("local_min (spurious): saddle x^2 - y^2 against global value -5", d)

    lm = _j(pk.certify_local_min(f, [x, y], p0))
    for name, loss, C in (("saddle x^2 - y^2", x**2 - y**2, saddle_C), ("maximum -(x^2 + y^2)", -(x**2) - y**2, max_C)):
        d = copy.deepcopy(lm)
        d["inputs"].update(loss=to_dag([loss], [x, y]), centers=["0", "0"], radii=third)
        d["evidence"]["C"] = C
        add(f"local_min (krawczyk): {name}, exact inverse C", d)
    mx = _j(pk.classify_critical_point(-(x**2) - y**2, [x, y], [0, 0]))
    d = copy.deepcopy(mx["evidence"]["certificate"])
    d["inputs"]["loss"] = to_dag([x**2 + y**2], [x, y])
    d["evidence"]["C"] = [["1/2", "0"], ["0", "1/2"]]
    add("local_max: minimum x^2 + y^2, exact inverse C", d)
    d = copy.deepcopy(mx["evidence"]["certificate"])
    d["inputs"]["loss"] = to_dag([y**2 - x**2], [x, y])
    d["evidence"]["C"] = [["-1/2", "0"], ["0", "1/2"]]
    add("local_max: saddle y^2 - x^2, exact inverse C", d)
    d = copy.deepcopy(mx)
    d["inputs"]["loss"] = d["evidence"]["certificate"]["inputs"]["loss"] = to_dag([x**2 - y**2], [x, y])
    d["evidence"]["certificate"]["evidence"]["C"] = saddle_C
    rehash(d["evidence"]["certificate"])
    add("classification: saddle x^2 - y^2 as a strict local maximum (nested C adjusted)", d)

    rot = (t, [x * sympy.cos(t) - y * sympy.sin(t), x * sympy.sin(t) + y * sympy.cos(t)])
    lift = _j(pk.certify_lifted_minimum((x**2 + y**2 - 1) ** 2 + 2, [x, y], [1, 0], [y], rot, global_value=1))
    d = copy.deepcopy(lift)
    d["inputs"]["loss"] = to_dag([2 - (x**2 + y**2 - 1) ** 2], [x, y])  # still invariant: a maximum on the slice
    d["evidence"]["C"] = [["-1/8"]]
    add("local_min (symmetry): rotation-invariant maximum 2 - (r^2 - 1)^2 lifted, C adjusted", d)

    cp = _j(pk.certify_critical_point([f.diff(x), f.diff(y)], None, p0, 0.01, variables=[x, y]))
    for C in ([["50", "0"], ["0", "1"]], [["-50", "0"], ["0", "1"]], [["0", "0"], ["0", "1"]]):
        d = copy.deepcopy(cp)
        d["inputs"].update(gradient=to_dag([x**2 - sympy.Rational(1, 10**4), y], [x, y]), centers=["0", "0"],
                           radii=["1/50", "1/50"])
        d["evidence"] = {"C": C}
        add(f"critical_point: two zeros (x = +-1/100) in the box, C = {C[0][0]} in x", d)
    return out


def _leibniz_claim(d: dict[str, Any]) -> dict[str, Any]:
    """A forger who keeps the claim consistent with the tampered recipe (claim and hashes)."""

    inp = d["inputs"]
    d["claim"] = {"type": "leibniz_witness", "N": len(inp["X"]), "k": inp["k"], "kind": inp["kind"],
                  "alpha": inp["alpha"], "beta": inp["beta"]}
    return d


def _padded_sigmoid(junk: int) -> dict[str, Any]:
    """sigmoid + 0 * (sin(t) + t + ... + t): the same function with ``junk`` more nodes and no tail enclosure."""
    nodes = [["var", 0], ["const", "-1"], ["mul", 0, 1], ["exp", 2], ["const", "1"], ["add", 3, 4], ["pow", 5, "-1"],
             ["sin", 0]] + [["add", 7 + i, 0] for i in range(junk)]
    m = len(nodes) - 1
    nodes += [["const", "0"], ["mul", m, m + 1], ["add", 6, m + 2]]
    return {"format": "proofkit.dag/1", "inputs": ["t"], "nodes": nodes, "outputs": [len(nodes) - 1]}


def leibniz_forgeries() -> list[tuple[str, str]]:
    """``leibniz_witness`` recipes whose E(alpha) is singular (false claims), hostile recipes and claims that
    differ from the recipe; and hostile Krawczyk preconditioners ``evidence.C`` (float64 records, rows)."""
    import base64

    import flint
    import numpy as np

    import proofkit as pk
    from proofkit.certify.leibniz import certify_leibniz_witness
    from proofkit.symbolic.dag import to_dag
    from proofkit.symbolic.leibniz import leibniz_construction

    out: list[tuple[str, str]] = []
    X6 = [[0, 0], [1, 0], [0, 1], [1, 1], [sympy.Rational(1, 2), 2], [3, -1]]
    lw = _j(certify_leibniz_witness(leibniz_construction(X6, [2, 5, 1], k=1), 64))
    s = sympy.Symbol("s", real=True)

    def add(name: str, reclaim: bool = True, **edits: Any) -> None:
        d = copy.deepcopy(lw)
        d["inputs"].update({k: to_dag([v], [s]) if k == "sigma" and not isinstance(v, dict) else v
                            for k, v in edits.items()})
        out.append((f"leibniz_witness: {name}", json.dumps(_reason(rehash(_leibniz_claim(d) if reclaim else d)))))

    line = [[str(i)] for i in range(6)]
    add("two samples with one projection along the direction (equal rows)",
        X=[["0", "1"], ["1", "0"], ["2", "0"], ["0", "3"], ["5", "1"], ["7", "7"]], direction=["1", "1"])
    add("zero direction (all rows equal)", direction=["0", "0"])
    add("sigma constant 1/2 + 0 s (rank 2)", sigma=sympy.Rational(1, 2) + 0 * s)
    add("sigma 1 + 0 * exp(s), the zero kept in the stored graph (rank 2)",
        sigma={"format": "proofkit.dag/1", "inputs": ["s"], "nodes": [["var", 0], ["exp", 0], ["const", "0"],
               ["mul", 1, 2], ["const", "1"], ["add", 3, 4]], "outputs": [5]})
    add("sigma affine 2 s + 3 (rank 2)", sigma=2 * s + 3)
    add("sigma s^2 (columns in span{1, t, t^2}: rank 3)", sigma=s**2)
    add("sigma s^2, alpha 10^4000 (rank 3)", sigma=s**2, alpha="1" + "0" * 4000)
    add("sigma s^2, beta -10^4000, growth kind (rank 3)", sigma=s**2, beta="-1" + "0" * 4000, kind="growth")
    for alpha in ("1/8", "8", "4096"):
        add(f"sigma exp(s), growth kind, alpha {alpha} (A has rank 1: rank 2)", sigma=sympy.exp(s), kind="growth",
            alpha=alpha)
    add("sigma with a pole at beta (1/s, beta 0)", sigma=1 / s)
    add("sigma Heaviside(s - 10^6): constant on every argument (rank 2)", sigma=sympy.Heaviside(s - 10**6))
    add("sigma cos(pi s) on integer samples, alpha 2 (every entry 1: rank 1)", sigma=sympy.cos(sympy.pi * s),
        X=line, direction=["1"], alpha="2")
    add("sigma sin(pi s) on integer samples, alpha 1 (A = 0: rank 1)", sigma=sympy.sin(sympy.pi * s), X=line,
        direction=["1"], alpha="1")
    add("k = 2, sigma s^2 on samples -1 and 1 (equal layer-2 inputs)", sigma=s**2, k=2,
        X=[["-1"], ["1"], ["2"], ["3"]], direction=["1"])
    add("k = 3, sigma Heaviside(s) (layer inputs in {0, 1/2, 1})", sigma=sympy.Heaviside(s), k=3, X=line,
        direction=["1"])
    add("k = 21 (beyond the rule's range)", k=21)
    add("3000 samples, the last a duplicate of the first", X=[[str(i), "0"] for i in range(2999)] + [["0", "0"]],
        direction=["1", "0"])
    add("alpha 0 (every entry of A is sigma(beta): rank 2)", alpha="0")
    add("alpha negative (reverses the order of t)", alpha="-64")
    add("kind neither bounded nor growth", kind="both")
    for field, value in (("N", 7), ("k", 2), ("kind", "growth"), ("alpha", "65"), ("beta", "1")):
        d = copy.deepcopy(lw)
        d["claim"][field] = value
        out.append((f"leibniz_witness: claim {field} differs from the recipe", json.dumps(_reason(rehash(d)))))
    d = copy.deepcopy(lw)
    d["inputs"]["A"] = {"kind": "rational", "shape": [1, 1], "entries": [["1"]]}
    out.append(("leibniz_witness: an extra input (a matrix A)", json.dumps(rehash(d))))
    d = copy.deepcopy(lw)
    d["verdict"], d["evidence"] = "refuted", {}
    out.append(("leibniz_witness: verdict flipped to refuted", json.dumps(_reason(rehash(d)))))
    # resource exhaustion (each ran for minutes before the evaluation budgets)
    sq = [[str(i * i)] for i in range(500)]
    add("sigma padded to 1,011 nodes at 249,500 entries (resource exhaustion)", sigma=_padded_sigmoid(1000), X=sq,
        direction=["1"], alpha="1/1000")
    add("sigma padded to 40,011 nodes at k = 20 (resource exhaustion)", sigma=_padded_sigmoid(40_000), k=20)
    add("20,000-digit alpha at 249,500 entries (resource exhaustion)", sigma=_padded_sigmoid(2), X=sq,
        direction=["1"], alpha=str(flint.fmpq(flint.fmpz(10) ** 19998 + 7, flint.fmpz(10) ** 19999 + 3)))

    # -- evidence.C: Krawczyk's preconditioner as a float64 record or rational rows, on a false claim ----------
    def rec(a: Any, shape: list[int] | None = None, dtype: str = "<f8") -> dict[str, Any]:
        a = np.asarray(a, dtype=dtype)
        return {"kind": "float64", "shape": shape or list(a.shape), "entries": base64.b64encode(a.tobytes()).decode()}

    f = x**2 - y**2 + 1 + x * y
    cp = _j(pk.certify_critical_point([f.diff(x), f.diff(y)], None, [0, 0], sympy.Rational(1, 100), variables=[x, y]))
    good = [[50.0, 0.0], [0.0, 1.0]]  # with it Krawczyk's test holds for x^2 - 10^-4 near x = 0 but for the radius
    for name, C in (("float64 record of the best C", rec(good)), ("NaN", rec([[np.nan, 0], [0, 1]])),
                    ("inf", rec([[np.inf, 0], [0, 1]])), ("-0.0 and subnormals", rec([[50, -0.0], [5e-324, 1]])),
                    ("1e308", rec([[1e308, 0], [0, 1e308]])), ("zero", rec([[0.0, 0], [0, 0]])),
                    ("shape 1x4", rec([50.0, 0, 0, 1], [1, 4])), ("3x3", rec(np.eye(3))),
                    ("3 entries for shape 2x2", rec([50.0, 0, 1], [2, 2])),
                    ("big-endian bytes", rec(good, dtype=">f8")),
                    ("kind balls", {"kind": "balls", "shape": [2, 2], "entries": [["50", "0"], ["0", "1"]]}),
                    ("kind float32", {**rec(good), "kind": "float32"}), ("an extra key", {**rec(good), "dtype": "f8"}),
                    ("kind dag", {"kind": "dag", "shape": [2, 2], "entries": to_dag([50, 0, 0, 1], [])}),
                    ("rows with 20,000-digit numerals", [["1" + "0" * 19999, "0"], ["0", "1/" + "3" * 19999]]),
                    ("rows mixing a record", [rec([[50.0, 0]]), ["0", "1"]]), ("rows of JSON floats", [[50.0, 0], [0, 1]]),
                    ("2000x2000 record (cost)", rec(np.zeros((2000, 2000))))):
        d = copy.deepcopy(cp)
        d["inputs"].update(gradient=to_dag([x**2 - sympy.Rational(1, 10**4), y], [x, y]), centers=["0", "0"],
                           radii=["1/50", "1/50"])
        d["evidence"] = {"C": C}
        out.append((f"critical_point: two zeros in the box, C {name}", json.dumps(_reason(rehash(d)))))
    sp = _j(pk.certify_spurious_minimum((x - 1) ** 2 + 2 * y**2 + x * y, [x, y],
                                        [sympy.Rational(8, 7), sympy.Rational(-2, 7)], global_value=-5))
    d = copy.deepcopy(sp)
    d["inputs"].update(loss=to_dag([x**2 - y**2], [x, y]), centers=["0", "0"], radii=["1/100", "1/100"])
    d["evidence"]["C"] = [["1/2", "0"], ["0", "-1/2"]]
    d["evidence"]["C"] = rec([[0.5, 0], [0, -0.5]])
    out.append(("spurious_local_min: saddle x^2 - y^2, float64 record of the exact inverse C",
                json.dumps(_reason(rehash(d)))))
    return out


def teacher_student_forgeries() -> list[tuple[str, str]]:
    """Safran & Shamir's loss given by its recipe (the float64 tier): moved boxes, swapped kinds, hostile records."""
    import base64

    import numpy as np

    from proofkit.library import safran_shamir as ss

    W = ss.search(6, 6, starts=400, seed=7)[0].W
    good = _j(ss.certify_minimum(6, 6, W))
    saddle = _j(ss.certify_point(3, 4, np.array([[0.7, 0.7, 0.1], [0.6, -0.5, 0.4], [-0.3, 0.8, 0.6],
                                                 [0.5, 0.2, -0.9]]), kind="strict saddle").certificate)

    def rec(a: Any) -> dict[str, Any]:
        a = np.ascontiguousarray(np.asarray(a, dtype="<f8"))
        return {"kind": "float64", "shape": list(a.shape), "entries": base64.b64encode(a.tobytes()).decode()}

    out: list[tuple[str, str]] = []

    def add(name: str, d: dict[str, Any]) -> None:
        out.append((name, json.dumps(_reason(rehash(d)))))

    for name, change in (("centre moved by 1e-3", {"centre": rec(W + 1e-3)}), ("radius 1", {"radius": "1"}),
                         ("centre at the teacher point", {"centre": rec(np.eye(6))}),
                         ("radius 1/3 (not a float64)", {"radius": "1/3"}),
                         ("radius 2^-1074 * 3 / 2 (between floats)", {"radius": f"3/{2**1075}"})):
        d = copy.deepcopy(good)
        d["inputs"].update(change)
        add(f"teacher_student: {name}", d)
    d = copy.deepcopy(good)
    d["claim"]["kind"] = d["inputs"]["kind"] = "strict saddle"
    d["inputs"].update(negative=rec(np.eye(36)[0]), positive=rec(np.eye(36)[1]))
    add("teacher_student: a minimum relabelled a strict saddle", d)
    if saddle["verdict"] == "certified":
        d = copy.deepcopy(saddle)
        d["inputs"]["negative"], d["inputs"]["positive"] = d["inputs"]["positive"], d["inputs"]["negative"]
        add("teacher_student: saddle directions swapped", d)
        d = copy.deepcopy(saddle)
        d["claim"]["kind"] = d["inputs"]["kind"] = "spurious local minimum"
        del d["inputs"]["negative"], d["inputs"]["positive"]
        add("teacher_student: a saddle relabelled a minimum", d)
        d = copy.deepcopy(saddle)
        d["inputs"]["negative"] = rec(np.full(12, 1e300))
        add("teacher_student: direction 1e300 (overflow)", d)
    d = copy.deepcopy(good)
    d["inputs"]["recipe"]["k"], d["claim"]["k"], d["claim"]["dimension"] = 5, 5, 30
    d["inputs"]["centre"] = rec(W[:, :5])
    add("teacher_student: the recipe's k changed with the centre", d)
    d = copy.deepcopy(good)
    d["inputs"]["recipe"].update(k=30, n=34)
    d["claim"].update(k=30, n=34, dimension=1020)
    d["inputs"]["centre"] = rec(np.random.default_rng(0).normal(size=(34, 30)) / 8 + np.eye(34, 30))
    add("teacher_student: (k, n) = (30, 34) at a random point", d)
    d = copy.deepcopy(good)
    d["schema"], d["margin"], d["reason"] = "proofkit.certificate/2", None, "forged"
    d["inputs"]["centre"] = rec(W + 1e-3)
    d["input_hash"] = input_hash(d["inputs"])
    out.append(("teacher_student: first schema, centre moved, hash recomputed", json.dumps(d)))
    return out


def legacy_forgeries() -> list[tuple[str, str]]:
    """First-schema certificates (the corpus ``tests/data/kernel_corpus_v1``) tampered and re-hashed the old way:
    the translation must not let a false statement through."""
    corpus = Path(__file__).resolve().parent.parent / "tests" / "data" / "kernel_corpus_v1"

    def old(name: str) -> dict[str, Any]:
        return json.loads((corpus / f"{name}.json").read_text())

    out: list[tuple[str, str]] = []

    def add(name: str, d: dict[str, Any]) -> None:
        out.append((f"first schema: {name}", json.dumps(rehash(d))))

    d = old("strict_local_min_on_slice")
    d["inputs"]["fixed"] = {k: "5" for k in d["inputs"]["fixed"]}
    add("strict_local_min_on_slice with the fixed value moved", d)
    d = old("strict_local_min_on_slice")
    d["claim"]["type"], d["claim"]["slice"] = "strict_local_min", False
    add("strict_local_min_on_slice retyped as a full-space minimum", d)
    d = old("spurious_local_min--better")
    d["inputs"]["better"] = ["1"]
    add("spurious_local_min against a point that is not better", d)
    d = old("spurious_local_min--global")
    d["inputs"]["global_value"] = "5"
    add("spurious_local_min against a global value above the minimum", d)
    d = old("positive_definite--refuted-pivots")
    d["inputs"]["A"]["entries"] = [["2", "1"], ["1", "2"]]
    add("refuted positive definiteness of a positive definite matrix (pivots kept)", d)
    d = old("positive_definite--pivots")
    d["inputs"]["A"]["entries"] = [["1", "2"], ["2", "1"]]
    add("positive definiteness of an indefinite matrix (pivots kept)", d)
    d = old("critical_point_on_slice")
    d["claim"]["dimension"] = 2
    add("critical_point_on_slice with its dimension counting the fixed parameter", d)
    d = old("local_min--manifold")
    d["inputs"]["value"] = d["claim"]["value"] = "1/1000"
    add("local_min on a manifold with another value", d)
    d = old("local_min--symmetry")
    d["inputs"]["radii"] = ["1/1000", "1/1000"]
    add("local_min lifted by symmetry with a radius in the fixed coordinate", d)
    d = old("classification--strict-min")
    d["claim"]["kind"] = "strict local maximum"
    add("classification of a minimum as a maximum", d)
    d = old("indefinite--exact")
    d["evidence"]["negative"]["v"] = ["1", "1"]
    add("indefinite with a positive 'negative' witness", d)
    d = old("nonsingular--exact")
    d["inputs"]["A"]["entries"] = [["1", "2"], ["2", "4"]]
    add("nonsingular singular matrix with the old modular evidence", d)
    d = old("leibniz_witness--k1")
    d["inputs"]["direction"] = ["0", "0"]
    d["claim"]["statement"] = "anything at all"
    add("leibniz_witness with the zero direction", d)
    return out


def run_one(text: str, timeout: float) -> tuple[str, float]:
    import os
    from pathlib import Path

    import proofkit

    root = str(Path(proofkit.__file__).resolve().parent.parent)  # the child checks with this same proofkit
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([root, os.environ.get("PYTHONPATH", "")])}
    t0 = time.perf_counter()
    try:
        res = subprocess.run([sys.executable, "-c", _CHILD], input=text, capture_output=True, text=True,
                             timeout=timeout, env=env, cwd=root)
    except subprocess.TimeoutExpired:
        return "TIMEOUT", time.perf_counter() - t0
    line = res.stdout.strip().splitlines()[-1] if res.stdout.strip() else ""
    if res.returncode != 0 or not line:
        return f"CRASH (exit {res.returncode}): {res.stderr.strip()[-160:]}", time.perf_counter() - t0
    return line, time.perf_counter() - t0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--timeout", type=float, default=20.0)
    ap.add_argument("--only", default=None, help="run only the attacks whose name contains this text")
    args = ap.parse_args()
    attacks = [a for a in forgeries() if args.only is None or args.only in a[0]]
    counts = {"rejected": 0, "accepted": 0, "other": 0}
    known_open = [name for name, _ in attacks if name.startswith("OPEN")]
    for name, text in attacks:
        verdict, secs = run_one(text, args.timeout)
        kind = "rejected" if verdict.startswith("rejected") else "accepted" if verdict == "ACCEPTED" else "other"
        counts[kind] += 1
        print(f"{'ok ' if kind == 'rejected' else 'BAD'} {secs:5.1f}s  {name}: {verdict[:140]}")
    print(f"\n{len(attacks)} attacks: {counts['rejected']} rejected, {counts['accepted']} accepted, "
          f"{counts['other']} escaped / crashed / timed out")
    if known_open:
        print(f"known open (not fixed yet): {len(known_open)}: {', '.join(known_open)}")
    return 0 if counts["rejected"] >= len(attacks) - len(known_open) else 1


if __name__ == "__main__":
    sys.exit(main())
