"""Generate the corpus of ``proofkit.certificate/2`` certificates (the kernel's first schema).

Run once, with the code of main at commit 8a183fe (before the kernel 3 redesign), from the repository root::

    PYTHONPATH=. python tests/data/kernel_corpus_v1/make_corpus.py /path/to/proofkit-check-out/certificates

It writes one JSON file per certificate (and ``NAME.matrix.json`` for a certificate whose matrix is too large to
be stored in it) and ``index.json`` (name, claim type, verdict). The certificates are those of the certifiers
for every claim type and verdict, those the test suite builds, and those ``proofkit check`` wrote (copied from
the folder given on the command line). The files are kept as the old code wrote them: they are the fixtures that
prove old certificates still verify (tests/test_kernel_legacy.py). This script cannot be re-run after the
redesign (the certifiers then write the new schema).

The three ``teacher_student--*`` certificates (a rule that arrived on main later, at commit f5af8c1) were written
by that commit's ``proofkit.library.safran_shamir``: ``certify_minimum(6, 6, search(6, 6, starts=400,
seed=7)[0].W)``, ``certify_point(17, 18, W)`` at the published point ``ss-17-18-f11`` of
``examples/safran_shamir_points.jsonl`` and ``certify_point(3, 3, eye(3))`` (inconclusive).
"""

from __future__ import annotations

import json
import pathlib
import shutil
import sys

import numpy as np
import sympy

HERE = pathlib.Path(__file__).parent


def build() -> tuple[dict[str, object], dict[str, object]]:
    from proofkit.certify import (
        certify_critical_point,
        certify_identity,
        certify_indefinite,
        certify_lifted_minimum,
        certify_local_min,
        certify_nonsingular,
        certify_not_local_min,
        certify_positive_definite,
        certify_rank_at_least,
        certify_rank_deficient,
        certify_relu_linear_region,
        certify_saddle,
        certify_spurious_minimum,
        certify_strict_local_min,
        classify_critical_point,
        enclose_det,
        enclose_eigenvalues,
        exact_rank,
    )
    from proofkit.certify.leibniz import certify_leibniz_alpha0, certify_leibniz_witness
    from proofkit.symbolic.leibniz import leibniz_construction

    x, y, z, t = sympy.symbols("x y z t")
    p = sympy.Symbol("p", positive=True)
    R = sympy.Rational
    f = x**4 - 2 * x**2 + x / 4
    root = R(str(sympy.nsolve(f.diff(x), x, 0.97, prec=40)))
    well = (x**2 - 1) ** 2 + x / 4 + (y**2 - 1) ** 2 + y / 4
    rot = (t, [x * sympy.cos(t) - y * sympy.sin(t), x * sympy.sin(t) + y * sympy.cos(t)])
    R3 = [[1, 2, 3], [2, 4, 6], [1, 0, 1]]
    rng = np.random.default_rng(1)
    big = rng.standard_normal((110, 110))
    con_a0 = leibniz_construction([[0, 0], [1, 0], [0, 1], [1, 1], [R(1, 2), 2]], [2, 4, 1], 1)
    con_tanh = leibniz_construction([[0], [1], [3]], [1, 2, 2, 1], 2, "tanh", R(1, 2))
    out = {
        # matrices
        "nonsingular--exact": certify_nonsingular([[1, 2], [3, 4]]),
        "nonsingular--float64-pow2": certify_nonsingular(np.array([[1.5, 2.0], [3.0, 4.25]])),
        "nonsingular--refuted": certify_nonsingular([[1, 2], [2, 4]]),
        "nonsingular--arb-dag": certify_nonsingular([[sympy.E, 1], [1, sympy.pi]], backend="arb"),
        "nonsingular--float-rump": certify_nonsingular(np.array([[1.5, 2.0], [3.0, 4.25]]), backend="float"),
        "nonsingular--large-float64": certify_nonsingular(big),
        "rank_at_least--certified": certify_rank_at_least(R3, 2),
        "rank_at_least--refuted": certify_rank_at_least(R3, 3),
        "rank_at_least--dag": certify_rank_at_least([[sympy.E, 1, 2], [1, sympy.pi, 3]], 2),
        "exact_rank--kernel": exact_rank(R3),
        "exact_rank--full": exact_rank([[1, 2], [3, 4]]),
        "rank_deficient--certified": certify_rank_deficient([[1, 2], [2, 4]]),
        "rank_deficient--refuted": certify_rank_deficient([[1, 2], [3, 4]]),
        "det_sign--exact-positive": enclose_det([[2, 1], [1, 3]]),
        "det_sign--exact-negative": enclose_det([[1, 2], [3, 4]]),
        "det_sign--exact-zero": enclose_det([[1, 2], [2, 4]]),
        "det_sign--dag": enclose_det([[sympy.E, 1], [1, sympy.pi]]),
        "positive_definite--pivots": certify_positive_definite([[2, 1], [1, 2]]),
        "positive_definite--refuted-pivots": certify_positive_definite([[1, 2], [2, 1]]),
        "positive_definite--refuted-witness": certify_positive_definite([[1, 2], [2, 1]], exact_limit=0),
        "positive_definite--float": certify_positive_definite(np.array([[4.0, 1.0], [1.0, 3.0]])),
        "positive_definite--dag": certify_positive_definite([[sympy.E, 1], [1, sympy.pi]]),
        "positive_definite--dag-refuted": certify_positive_definite([[1, sympy.E], [sympy.E, 1]]),
        "indefinite--exact": certify_indefinite([[1, 2], [2, 1]]),
        "indefinite--dag": certify_indefinite([[1, sympy.E], [sympy.E, 1]]),
        "eigenvalues--exact": enclose_eigenvalues([[2, 1, 0], [1, 3, 1], [0, 1, 5]]),
        "eigenvalues--dag": enclose_eigenvalues([[sympy.E, 1], [1, -sympy.pi]]),
        "eigenvalues--inconclusive": enclose_eigenvalues([[1, 0], [0, 1]], max_prec=128),
        # identities and ReLU regions
        "identity--certified": certify_identity([(x + 1) ** 2, (x - 1) * (x + 1) / x], [x**2 + 2 * x + 1, x - 1 / x],
                                                [x]),
        "identity--exp": certify_identity([sympy.exp(x) * sympy.exp(y)], [sympy.exp(x + y)], [x, y]),
        "identity--refuted": certify_identity([(x + 1) ** 2], [x**2 + 1], [x]),
        "identity--refuted-assumption": certify_identity([p**2 - 4], [(p - 2) * (p + 3)], [p]),
        "relu_linear_region--certified": certify_relu_linear_region([[1], [2], [3]], [1, 1, 1, 1], [R(1, 2)] * 4, 2),
        "relu_linear_region--inconclusive": certify_relu_linear_region([[1], [2], [3]], [1, 1, -1, 1], [R(1, 2)] * 4,
                                                                       2),
        # critical points and minima (the first schema's separate types)
        "critical_point--1d": certify_critical_point([f.diff(x)], None, [root], R(1, 10**20), variables=[x]),
        "critical_point--saddle-2d": certify_critical_point([2 * x, -2 * y], None, [0, 0], R(1, 1000),
                                                            variables=[x, y]),
        "critical_point--max-kink": certify_critical_point([sympy.Max(x, 2 * x) - 1], None, [R(1, 2)], R(1, 100),
                                                           variables=[x]),
        "critical_point--inconclusive": certify_critical_point([sympy.Abs(x) - R(1, 10**9)], None, [0], 1e-3,
                                                               variables=[x]),
        "critical_point_on_slice": certify_critical_point([(x**2 - 1) ** 2 * 0 + 2 * (x - 1) + y, 2 * y], None, [1],
                                                          R(1, 10), variables=[x, y], fixed={y: 0}),
        "strict_local_min--1d": certify_strict_local_min([f.diff(x)], None, [root], R(1, 10**20), variables=[x],
                                                         loss=f),
        "strict_local_min--2d": certify_strict_local_min([(x**2 - 2) ** 2 * 0 + 4 * x * (x**2 - 2), 2 * (y - 1)],
                                                         None, [1.4142135623730951, 1], 1e-6, variables=[x, y],
                                                         loss=(x**2 - 2) ** 2 + (y - 1) ** 2),
        "strict_local_min--inconclusive": certify_strict_local_min([f.diff(x)], None, [0], 1e-6, variables=[x]),
        "strict_local_min_on_slice": certify_strict_local_min([(x**2 - 1) * 4 * x + y, 2 * y + x], None, [1], 0.1,
                                                              variables=[x, y], fixed={y: 0},
                                                              loss=(x**2 - 1) ** 2 + x * y + y**2),
        "spurious_local_min--better": certify_spurious_minimum(f, [x], [0.97], better_point=[-1.03]),
        "spurious_local_min--global": certify_spurious_minimum(f, [x], [0.97], global_value=-2),
        "spurious_local_min--2d": certify_spurious_minimum(well, [x, y], [0.97, 0.97], better_point=[-1.03, -1.03]),
        "spurious_local_min--kink-better": certify_spurious_minimum(
            (sympy.Max(x, -x) - 1) ** 2 * 0 + well + sympy.Abs(x + 5), [x, y], [0.97, 0.97],
            better_point=[-1.03, -1.03]),
        "spurious_local_min--inconclusive": certify_spurious_minimum(well, [x, y], [0.97, 0.97],
                                                                     better_point=[0.9661, 0.9661]),
        "spurious_local_min_on_slice": certify_spurious_minimum(well, [x, y], [0.97, R(-103, 100)],
                                                                better_point=[-1.03, R(-103, 100)],
                                                                fixed={y: R(-103, 100)}, symmetry="trust me"),
        # landscape claims
        "local_min--strict": certify_local_min((x**2 - 1) ** 2 + x / 4 + y**2, [x, y], [0.96714894, 0],
                                               better_point=[-1, 0]),
        "local_min--strict-none": certify_local_min((x - 1) ** 2 + (y + 2) ** 2 + x**4, [x, y],
                                                    [0.5897545123014677, -2]),
        "local_min--strict-global": certify_local_min((x**2 - 1) ** 2 + x / 4 + y**2, [x, y], [0.96714894, 0],
                                                      global_value=-1),
        "local_min--manifold": certify_local_min((x * y - 1) ** 2 + 3, [x, y], [2, R(1, 2)], manifold={y: 1 / x},
                                                 global_value=1),
        "local_min--manifold-plane": certify_local_min((x + y + z - 1) ** 2 + x**2 * 0, [x, y, z], [R(1, 3)] * 3,
                                                       manifold={z: 1 - x - y}),
        "local_min--manifold-better": certify_local_min((x * y - 1) ** 2 + 1, [x, y], [1, 1], manifold={y: 1 / x},
                                                        better_point=[0, 0]),
        "local_min--symmetry": certify_lifted_minimum((x**2 + y**2 - 1) ** 2 + 2, [x, y], [1, 0], [y], rot,
                                                      global_value=1),
        "local_min--symmetry-none": certify_lifted_minimum((x**2 + y**2 - 1) ** 2, [x, y], [1, 0], [y], rot),
        "local_min--inconclusive": certify_local_min((x * y - 1) ** 2, [x, y], [1, 1]),
        "local_max": classify_critical_point(-(x**2) - y**2, [x, y], [0, 0]).evidence["certificate"],
        "saddle--strict": certify_saddle(x**2 - y**2 + x * y**2, [x, y], [0, 0]),
        "saddle--degenerate": certify_saddle(x**4 - y**4 + x**2 * y**2, [x, y], [0, 0]),
        "saddle--degenerate-odd": certify_saddle(x**3 + y**2, [x, y], [0, 0]),
        "saddle--cubic-3d": certify_saddle((1 - x * y * z) ** 2, [x, y, z], [0, 0, 0]),
        "not_local_min--first-order": certify_not_local_min(x**2 + y, [x, y], [0, 0], radius=[R(1, 10), 0],
                                                            direction=[0, -1]),
        "not_local_min--box": certify_not_local_min(-sympy.cosh(x) * sympy.exp(y**2), [x, y], [0, 0]),
        "not_local_min--second-order": certify_not_local_min(sympy.exp(x**2) - 3 * x**2 * sympy.cosh(y), [x, y],
                                                             [0, 0], direction=[1, 0]),
        "not_local_min--curve": certify_not_local_min(x**2 * y - y**4, [x, y], [0, 0]),
        "classification--strict-max": classify_critical_point(-(x**2) - y**2, [x, y], [0, 0]),
        "classification--strict-min": classify_critical_point(x**2 + y**2, [x, y], [0, 0]),
        "classification--saddle": classify_critical_point(x**2 - y**2, [x, y], [0, 0]),
        "classification--degenerate-saddle": classify_critical_point(x**3 + y**2, [x, y], [0, 0]),
        "classification--manifold": classify_critical_point((x * y - 1) ** 2, [x, y], [1, 1], manifold={y: 1 / x}),
        "classification--not-local-min": classify_critical_point(x**2 * y - y**4, [x, y], [0, 0]),
        "classification--inconclusive": classify_critical_point(x**4 + y**4, [x, y], [0, 0]),
        # Lemma 4.3
        "leibniz_alpha0": certify_leibniz_alpha0(con_a0, con_a0.alpha0()["alpha0"]),
        "leibniz_witness--k1": certify_leibniz_witness(leibniz_construction([[0, 1], [1, 0], [3, 3], [4, -1]],
                                                                            [2, 3, 1], 1), 8),
        "leibniz_witness--k2-tanh": certify_leibniz_witness(con_tanh, 16),
        "leibniz_witness--large": certify_leibniz_witness(leibniz_construction([[i] for i in range(60)], [1, 60, 1],
                                                                               1), 40),
    }
    return out, {"nonsingular--large-float64": big}


def main(check_certificates: str | None) -> None:
    from proofkit.certificate import Certificate
    from proofkit.certify import matrix_record

    index = []
    for old in HERE.glob("*.json"):  # (regenerating: start from an empty folder)
        old.unlink()
    certs, matrices = build()
    for name, cert in certs.items():
        if isinstance(cert, dict):
            cert = Certificate.from_dict(cert)
        d = json.loads(cert.to_json())
        (HERE / f"{name}.json").write_text(cert.to_json())
        entry = {"name": name, "type": d["claim"].get("type"), "verdict": d["verdict"], "source": "certifier"}
        if d["inputs"] and "A" in d["inputs"] and d["inputs"]["A"] is None:  # too large to be stored in it
            (HERE / f"{name}.matrix.json").write_text(json.dumps(matrix_record(matrices[name])))
            entry["matrix"] = f"{name}.matrix.json"
        index.append(entry)
    if check_certificates:
        for path in sorted(pathlib.Path(check_certificates).glob("*.json")):
            name = "check--" + path.stem
            shutil.copy(path, HERE / f"{name}.json")
            d = json.loads(path.read_text())
            index.append({"name": name, "type": d["claim"].get("type"), "verdict": d["verdict"],
                          "source": "proofkit check"})
    (HERE / "index.json").write_text(json.dumps(index, indent=1, sort_keys=True) + "\n")
    print(f"{len(index)} certificates")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)
