"""Measures of the trusted kernel's shape: logic size, rule size, one definition per primitive, the closure as
Python loads it, no circles, a face that is the only door into the kernel."""

import ast
import json
import pathlib
import subprocess
import sys

import pytest

import proofkit.kernel
from proofkit.kernel.rules import RULES

KERNEL = pathlib.Path(proofkit.kernel.__file__).parent
PACKAGE = KERNEL.parent
#: The trusted logic (counted, capped) and the trusted libraries (counted and printed, held to the fuzzers).
LOGIC = ("__init__", "door", "facts", "cost", "primitives", "rules")
LIBRARIES = ("decode", "dag", "engine", "exact", "linalg", "leibniz", "floatball", "teacher_student", "taylor")
OUTSIDE_LOGIC = ("legacy",)  # the translation of first-schema certificates (pure data)
LOGIC_CAP = 1500
RULE_CAP = 40


def _lines(module: str) -> int:
    """Lines of a kernel module, all of them (docstrings and comments included)."""
    return len((KERNEL / f"{module}.py").read_text().splitlines())


def _tree(path: pathlib.Path) -> ast.Module:
    return ast.parse(path.read_text())


def test_every_kernel_module_is_logic_library_or_translation():
    modules = {p.stem for p in KERNEL.glob("*.py")}
    assert modules == set(LOGIC) | set(LIBRARIES) | set(OUTSIDE_LOGIC), modules


def test_trusted_logic_is_at_most_1500_lines_and_libraries_are_counted(capsys):
    logic = {m: _lines(m) for m in LOGIC}
    libraries = {m: _lines(m) for m in LIBRARIES}
    libraries["../certificate"] = len((PACKAGE / "certificate.py").read_text().splitlines())
    with capsys.disabled():
        print(f"\nkernel logic {sum(logic.values())} lines {logic}; libraries {sum(libraries.values())} lines "
              f"{libraries}; translation {_lines('legacy')}")
    assert sum(logic.values()) <= LOGIC_CAP, logic


def test_each_rule_is_at_most_40_lines():
    tree = _tree(KERNEL / "rules.py")
    defs = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    sizes = {}
    for rule in RULES.values():
        node = defs[rule.check.__name__]
        sizes[node.name] = node.end_lineno - node.lineno + 1
    assert len(sizes) >= 25  # every claim variant has its own rule function
    assert max(sizes.values()) <= RULE_CAP, {k: v for k, v in sizes.items() if v > RULE_CAP}


# -- zero duplicated primitives --------------------------------------------------------------------------------
#: A proof step and the only (module, function) pairs of the kernel allowed to call it: every other module goes
#: through the primitive. Calls are found by name in every kernel module's AST: functions called bare or through a
#: module (``la.member_pd``), methods of flint matrices (``B.solve``) called on anything else.
METHODS = {"solve", "det", "rank", "fflu"}
MODULES = {"P", "la", "ex", "lb", "fb", "ts", "engine", "json", "flint"}
ONE_DEFINITION = {
    "krawczyk_image": {("primitives", "krawczyk")},
    "member_pd": {("primitives", "definite")},
    "ball_matrix_pd": {("primitives", "definite")},
    "exact_definite": {("primitives", "definite")},
    "float_ball_nonsingular": {("primitives", "nonsingular")},
    "arb_nonsingular": {("primitives", "nonsingular")},
    "det_mod_p": {("primitives", "nonsingular")},
    "exact_form": {("primitives", "form_sign")},
    "ball_form": {("primitives", "form_sign")},
    "krawczyk_bound": {("primitives", "_krawczyk_float")},
    "cholesky_pd": {("primitives", "definite")},
    "form_bounds": {("primitives", "form_sign")},
    "is_zero": {("primitives", "exact_zero"), ("exact", "is_zero")},
    "curve_series": {("primitives", "exact_series")},
    "decode_dag": {("decode", "_dag")},
    "loads": {("decode", "parse_json")},
    "solve": {("linalg", "arb_nonsingular"), ("linalg", "_pd_rows")},
    "det": {("linalg", "det_mod_p"), ("linalg", "exact_det"), ("primitives", "det_ball")},
    "rank": {("linalg", "exact_rank")},
    "fflu": {("linalg", "exact_definite")},
    "workprec": None,  # (flint.ctx.workprec: the one precision manager, used everywhere)
}


def _calls() -> list[tuple[str, str, str]]:
    """(module, enclosing top-level function, called name) for every call of a function or flint method the table
    lists."""
    out = []
    for path in KERNEL.glob("*.py"):
        tree = _tree(path)
        for top in tree.body:
            name = getattr(top, "name", "<module>")
            for node in ast.walk(top):
                if not isinstance(node, ast.Call):
                    continue
                f = node.func
                base = getattr(f.value, "id", None) if isinstance(f, ast.Attribute) else None
                called = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", None)
                method = called in METHODS and base not in MODULES
                function = called not in METHODS and (not isinstance(f, ast.Attribute) or base in MODULES)
                if called and (method or function):
                    out.append((path.stem, name, called))
    return out


def test_each_primitive_is_defined_once_and_called_only_through_it():
    wrong = [(m, f, c) for m, f, c in _calls() if c in ONE_DEFINITION and ONE_DEFINITION[c] is not None
             and (m, f) not in ONE_DEFINITION[c]]
    assert wrong == []


def test_one_precision_manager_and_one_ladder():
    for path in [*KERNEL.glob("*.py"), PACKAGE / "certificate.py"]:
        for node in ast.walk(_tree(path)):
            if isinstance(node, ast.ClassDef):  # no home-made precision manager
                methods = {n.name for n in node.body if isinstance(n, ast.FunctionDef)}
                assert not {"__enter__", "__exit__"} <= methods or node.name == "Budget", (path.name, node.name)
            if isinstance(node, ast.Assign) and any(isinstance(t, ast.Attribute) and t.attr == "prec"
                                                    for t in node.targets):
                raise AssertionError(f"{path.name} sets a precision by hand")
    ladders = [(p.stem, n.name) for p in KERNEL.glob("*.py") for n in ast.walk(_tree(p))
               if isinstance(n, ast.FunctionDef) and "ladder" in n.name]
    assert ladders == [("primitives", "ladder")]


def test_facts_are_built_only_by_the_primitives():
    from proofkit.kernel import facts

    makers = set()
    fact_names = {n for n in facts.__all__ if n not in ("TIERS", "weakest")}
    for path in KERNEL.glob("*.py"):
        for node in ast.walk(_tree(path)):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in fact_names:
                makers.add(path.stem)
            if isinstance(node, ast.Name) and node.id == "_SEAL":
                makers.add(path.stem + ":seal")
    assert makers == {"primitives", "primitives:seal", "facts:seal"}, makers
    with pytest.raises(TypeError):
        facts.Definite(tier="exact", seal=object(), sign=1, via="forged")


# -- the closure, the circles, the face ------------------------------------------------------------------------
def _modules_after(statement: str) -> set[str]:
    code = f"import json, sys; {statement}; print(json.dumps(sorted(sys.modules)))"
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         env={"PYTHONPATH": str(PACKAGE.parent), "PATH": "/usr/bin:/bin"})
    assert res.returncode == 0, res.stderr
    return set(json.loads(res.stdout))


def test_importing_the_kernel_loads_only_the_kernel_the_format_errors_flint_numpy_and_the_standard_library():
    loaded = _modules_after("import proofkit.kernel") - _modules_after("pass")  # (what site loads is not ours)
    ours = {m for m in loaded if m.split(".")[0] == "proofkit"}
    assert ours == {"proofkit", "proofkit.certificate", "proofkit.errors"} | {f"proofkit.kernel.{m}" for m in
                                                                             (*LOGIC, *LIBRARIES, *OUTSIDE_LOGIC)
                                                                             if m != "__init__"} | {"proofkit.kernel"}
    third = {m.split(".")[0] for m in loaded} - set(sys.stdlib_module_names) - {"proofkit"}
    assert third <= {"flint", "numpy", "cython_runtime"} | {m for m in third if m.startswith("_cython")}, third
    assert not {"sympy", "symengine", "networkx", "scipy"} & third


def _kernel_imports(path: pathlib.Path) -> set[str]:
    out = set()
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("proofkit.kernel"):
            out |= {node.module} if node.module != "proofkit.kernel" else {f"proofkit.kernel.{a.name}" for a in node.names}
        elif isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.startswith("proofkit.kernel.")}
    return {m.split(".")[2] for m in out if m.count(".") >= 2}


def test_no_import_circles_inside_the_kernel():
    graph = {p.stem: _kernel_imports(p) - {p.stem} for p in KERNEL.glob("*.py") if p.stem != "__init__"}
    done: set[str] = set()

    def visit(m: str, path: tuple[str, ...]) -> None:
        assert m not in path, f"import circle {' -> '.join((*path, m))}"
        if m in done:
            return
        for n in graph.get(m, ()):
            visit(n, (*path, m))
        done.add(m)

    for m in graph:
        visit(m, ())


def test_nothing_outside_the_kernel_imports_its_internals():
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        if KERNEL in path.parents:
            continue
        for node in ast.walk(_tree(path)):
            mods = [node.module or ""] if isinstance(node, ast.ImportFrom) else \
                [a.name for a in node.names] if isinstance(node, ast.Import) else []
            offenders += [f"{path.relative_to(PACKAGE)}: {m}" for m in mods if m.startswith("proofkit.kernel.")]
            if isinstance(node, ast.ImportFrom) and node.module == "proofkit.kernel":
                offenders += [f"{path.relative_to(PACKAGE)}: {a.name}" for a in node.names
                              if a.name not in proofkit.kernel.__all__]
    assert offenders == []


def test_the_face_is_a_short_list():
    assert len(proofkit.kernel.__all__) <= 36
    assert all(hasattr(proofkit.kernel, n) for n in proofkit.kernel.__all__)
