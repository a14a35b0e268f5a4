"""Displays of results (repr, Jupyter's LaTeX and HTML): bounded in size, the witness of a refutation
shown, every public result class with its own display; measured in an executed notebook."""

import importlib
import inspect
import json
import pkgutil
import re
from pathlib import Path

import pytest
import sympy

import proofkit
from proofkit import ClaimGraph, Network, certify_positive_definite, check_identity, find_spurious_minima, matrix_at
from proofkit.claims import Claim
from proofkit.printing.display import MAX_CHARS

ROOT = Path(__file__).resolve().parent.parent


def _hessian_15():
    obj = Network([2, 5, 1], activation="sigmoid", bias=False).loss([[0, 1], [1, 0], [1, 1]], [0, 1, 1])
    return obj, obj.hessian()


def test_a_large_matrix_is_summarised_and_a_small_one_is_whole():
    obj, H = _hessian_15()
    assert H.shape == (15, 15) and len(obj.params) == 15
    text, tex = repr(H), H._repr_latex_()
    assert len(text) < 2000 and len(tex) < 2 * MAX_CHARS
    assert "15×15" in text and "to_sympy()" in text and r"\cdots" in tex and r"\vdots" in tex
    assert r"\text{entry }(1, 1) = " in tex  # the first entry in full
    x, y = sympy.symbols("x y")
    small = proofkit.LazyMatrix([[x * y, x], [y, 1]], [x, y])
    assert repr(small) == repr(sympy.Matrix([[x * y, x], [y, 1]])) and r"\cdots" not in small._repr_latex_()


def test_matrix_at_shows_its_entries():
    x = sympy.Symbol("x")
    M = matrix_at(sympy.Matrix([[x, 1], [1, 2 * x]]), {x: sympy.Rational(1, 3)})
    assert "object at 0x" not in repr(M) and "CertMatrix 2×2" in repr(M)
    assert r"\begin{bmatrix}" in M._repr_latex_()


def test_a_refutation_shows_its_witness():
    x, y = sympy.symbols("x y")
    res = check_identity((x + y) ** 2, x**2 + y**2)
    assert res.verdict == "refuted"
    point = {str(k): v for k, v in res.witness.items()}
    for shown in (repr(res), res._repr_latex_(), res._repr_html_()):
        assert "witness" in shown or r"\text{at }" in shown
        assert "refuted" in shown
    assert f"x = {point['x']}" in repr(res) and str(res.enclosure) in repr(res)
    cert = certify_positive_definite([[1, 2], [2, 1]])
    assert cert.verdict == "refuted"
    assert "leading minor" in cert._repr_latex_() and r"\det A_{2} \le 0" in cert._repr_latex_()
    assert "leading minor" in cert._repr_html_()


def test_the_objective_has_a_formula():
    obj, _ = _hessian_15()
    tex = obj._repr_latex_()
    assert tex.startswith("$") and r"\Phi(\theta) = \sum_{i=1}^{3}" in tex and r"\left(q_{j} - y_{j}\right)^{2}" in tex
    assert "15 parameters" in tex


def test_reports_are_summarised():
    x, y = sympy.symbols("x y")
    rep = find_spurious_minima((x**2 - 1) ** 2 + y**2 + x / 4, starts=6, seed=0)
    text = repr(rep)
    assert text.startswith("SearchReport(") and len(text) < 1500 and "object at 0x" not in text
    assert "<table>" in rep._repr_html_()
    g = ClaimGraph()
    g.add_claim(Claim("A", kind="assumption", statement="$x > 0$", established="cited"))
    assert repr(g) == "ClaimGraph with 1 claim: 1 fully established" and "fully established" in g._repr_html_()


def _public_classes():
    names = ["proofkit"] + [i.name for i in pkgutil.walk_packages(proofkit.__path__, "proofkit.")
                            if not i.name.endswith("__main__") and ".kernel" not in i.name]
    seen = {}
    for module_name in names:
        module = importlib.import_module(module_name)
        for name in getattr(module, "__all__", []):
            obj = getattr(module, name)
            if inspect.isclass(obj) and not issubclass(obj, BaseException) and obj.__module__.startswith("proofkit"):
                seen[f"{obj.__module__}.{obj.__qualname__}"] = obj
    return seen


#: Public classes that are tools rather than results (contexts, printers, stores, clusters, programs).
NOT_RESULTS = {"Timer", "LossSpec", "GraphStructure", "ArbContext", "ExactContext", "FloatContext", "MpmathContext",
               "Program", "FloatTape", "ProofkitLatexPrinter", "ResultStore", "LocalProcessCluster", "TaskProcess",
               "ResultDisplay", "FloatArrays", "ArbArrays"}


def test_every_public_result_has_its_own_display():
    """No public result shows as ``<... object at 0x...>``: each class defines its repr (directly, by a
    dataclass, or through ResultDisplay)."""
    missing = [full for full, cls in _public_classes().items()
               if cls.__name__ not in NOT_RESULTS and cls.__repr__ is object.__repr__]
    assert not missing, missing


_HEX = re.compile(r"(?<![0-9A-Za-z.#])(?=[0-9]*[a-f])[0-9a-f]{16}(?![0-9A-Za-z])")


def _displays_of_certificates():
    x, y = sympy.symbols("x y")
    return [certify_positive_definite([[1, 2], [2, 1]]),  # refuted: the pivots are its witness
            proofkit.certify_rank_deficient([[1, 2], [2, 4]]),  # a kernel vector
            proofkit.classify_critical_point((x**2 - 1) ** 2 + y**2, [x, y], [0, 0]),  # a point, a nested certificate
            proofkit.enclose_eigenvalues([[2, 1], [1, 2]]),
            proofkit.certify_not_local_min(x**2 * y - y**4, [x, y], [0, 0])]


def test_certificate_displays_show_math_and_monospace_hashes():
    """Vectors and matrices are math with one kind of bracket (bmatrix, named), never Python lists; a hash is
    monospace text (never math, where its letters would be italic variables); no alignment mark is shown."""
    for cert in _displays_of_certificates():
        tex, page = cert._repr_latex_(), cert._repr_html_()
        for shown in (tex, page):
            assert not re.search(r"\[\s*['\"]|\{'|\bNone\b|\bTrue\b|\bFalse\b", shown), shown[:300]
        hashes = list(_HEX.finditer(tex))
        assert hashes, tex[-300:]  # at least the input hash
        for m in hashes:
            assert tex[:m.start()].endswith(r"\mathtt{"), tex[m.start() - 40:m.end()]
        for m in _HEX.finditer(page):
            assert page[:m.start()].endswith("<code>"), page[m.start() - 60:m.end()]
        assert not re.search(r"<mi>&(amp;)?</mi>", page), "an alignment mark shown as a variable"
        assert not re.search(r"(\\begin\{aligned\}|\\\\)\s*&[=\\]", tex), "a relation without its left side"
        assert "pmatrix" not in tex and "vmatrix" not in tex
    pd = _displays_of_certificates()[0]._repr_latex_()
    assert r"\det A_{2} \le 0,\ A_{2} = (a_{ij})_{i, j \le 2}" in pd  # the refuting leading minor, as mathematics
    x = sympy.Symbol("x")
    res = check_identity(sympy.sin(x) ** 2 + sympy.cos(x) ** 2 + sympy.Rational(1, 10**30), 1)
    assert res.verdict == "refuted" and r"\in [" not in res._repr_latex_()  # a ball is mid ± rad, as elsewhere


# --- the notebook ----------------------------------------------------------------------------------------
_CELLS = [
    "import sympy\nfrom proofkit import Network, check_identity, certify_positive_definite, matrix_at\n"
    "obj = Network([2, 5, 1], activation='sigmoid', bias=False).loss([[0, 1], [1, 0], [1, 1]], [0, 1, 1])\n"
    "H = obj.hessian()\nH",
    "obj",
    "matrix_at(H, {p: sympy.Rational(1, 3) for p in obj.params})",
    "x, y = sympy.symbols('x y')\ncheck_identity((x + y)**2, x**2 + y**2)",
    "certify_positive_definite([[1, 2], [2, 1]])",
]


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src) for src in _CELLS]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbclient.NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}).execute()
    path = tmp_path_factory.mktemp("nb") / "displays.ipynb"
    nbformat.write(nb, str(path))
    return nb, path


def test_notebook_displays_are_small(executed):
    """The notebook with a 15×15 Hessian, its objective, a matrix_at result, a refuted identity and a
    refuted certificate, executed and saved: the Hessian's cell stays under 50 KB, the whole under 100 KB."""
    nb, path = executed
    hessian_cell = len(json.dumps(nb.cells[0]["outputs"]))
    assert hessian_cell <= 50_000, f"the 15x15 Hessian's display is {hessian_cell} bytes"
    assert path.stat().st_size <= 100_000, f"the notebook is {path.stat().st_size} bytes"


def test_notebook_displays_show_what_matters(executed):
    nb, _ = executed
    outputs = [c["outputs"][-1]["data"] for c in nb.cells]
    for data in outputs:
        assert "object at 0x" not in data["text/plain"]
    assert "15×15" in outputs[0]["text/plain"] and r"\begin{bmatrix}" in outputs[0]["text/latex"]
    assert r"\Phi(\theta)" in outputs[1]["text/latex"]
    assert "CertMatrix 15×15" in outputs[2]["text/plain"]
    identity = outputs[3]
    assert "witness:" in identity["text/plain"] and "witness" in identity["text/html"] and r"\text{at }" in identity["text/latex"]
    assert re.search(r"leading minor.*A_\{2\}", outputs[4]["text/latex"]) and "leading minor" in outputs[4]["text/html"]
