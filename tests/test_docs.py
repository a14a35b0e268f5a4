"""The documentation: examples on the pages run, every public name is in the API reference,
the tutorials are executed notebooks, intersphinx works offline, Guarantee sections are rendered.

The Sphinx build itself (``python -m sphinx -W -n -b html docs docs/_build/html``, warnings as
errors, tutorials executed) runs in CI after the tests.
"""

import doctest
import importlib
import pkgutil
import re
import runpy
from pathlib import Path

import pytest

import proofkit

DOCS = Path(__file__).resolve().parent.parent / "docs"
PYCON = re.compile(r"^```pycon\n(.*?)^```", re.S | re.M)


def _pages() -> list[Path]:
    return sorted(p for p in DOCS.rglob("*.md") if "_build" not in p.parts)


@pytest.mark.parametrize("page", [p for p in _pages() if "```pycon" in p.read_text()], ids=lambda p: p.name)
def test_console_examples_on_the_page_run(page):
    """Every ``pycon`` block of a page, run in order as one doctest (later blocks see earlier names)."""
    blocks = PYCON.findall(page.read_text())
    assert blocks
    test = doctest.DocTestParser().get_doctest("\n".join(blocks), {}, page.name, str(page), 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test)
    assert runner.failures == 0, f"{runner.failures} failing example(s) on {page.name} (see the output above)"


def _public_modules() -> list[str]:
    names = ["proofkit"]
    for info in pkgutil.walk_packages(proofkit.__path__, "proofkit."):
        if not info.name.endswith("__main__"):
            names.append(info.name)
    return names


def _api_text() -> str:
    return "\n".join(p.read_text() for p in sorted((DOCS / "api").glob("*.rst")))


def _documented_names(text: str) -> set[str]:
    """The fully qualified names listed in the autosummary tables of the API pages."""
    out = set()
    for block in re.findall(r"^\.\. autosummary::\n((?:   .*\n|\n)+)", text, re.M):
        out.update(line.strip().lstrip("~") for line in block.splitlines() if line.strip() and not line.strip().startswith(":"))
    return out


def test_every_module_is_on_an_api_page():
    text = _api_text()
    missing = [m for m in _public_modules() if m != "proofkit" and f".. automodule:: {m}\n" not in text]
    assert not missing, f"add these modules to a layer page in docs/api/: {missing}"


def test_every_public_name_is_in_the_api_reference():
    """Each name of each ``__all__`` is documented: where it is defined, or (for a re-export)
    the object it re-exports is documented under its defining module."""
    documented = _documented_names(_api_text())
    missing = []
    for module_name in _public_modules():
        module = importlib.import_module(module_name)
        for name in getattr(module, "__all__", []):
            if f"{module_name}.{name}" in documented:
                continue
            obj = getattr(module, name)
            if module_name == "proofkit" and name in ("__version__", "errors", "latex", "sweep"):
                continue  # the version string, and re-exported modules/functions documented where defined
            home = getattr(obj, "__module__", None)
            if home and f"{home}.{getattr(obj, '__name__', name)}" in documented:
                continue  # a re-export of a documented object
            if any(f"{m}.{name}" in documented and getattr(importlib.import_module(m), name, None) is obj
                   for m in _public_modules() if m.startswith(module_name + ".")):
                continue  # a constant re-exported from a submodule
            missing.append(f"{module_name}.{name}")
    assert not missing, f"add these names to an autosummary table in docs/api/: {missing}"


def test_documented_names_exist():
    """No stale entries: every name in the API tables can be imported."""
    for full in sorted(_documented_names(_api_text())):
        module_name, _, name = full.rpartition(".")
        module = importlib.import_module(module_name)
        assert name in getattr(module, "__all__", []), f"{full} is documented but not public"


def test_tutorials_are_executed_notebooks_in_the_toctree():
    index = (DOCS / "index.md").read_text()
    tutorials = sorted((DOCS / "tutorials").glob("*.md"))
    assert len(tutorials) >= 3
    for page in tutorials:
        text = page.read_text()
        assert text.startswith("---\nfile_format: mystnb\n"), f"{page.name} is not a MyST notebook (not executed)"
        assert "```{code-cell}" in text, page.name
        assert f"tutorials/{page.stem}\n" in index, f"{page.name} is not in the index's toctree"


@pytest.fixture(scope="module")
def conf():
    pytest.importorskip("sphinx")
    pytest.importorskip("numpydoc")
    return runpy.run_path(str(DOCS / "conf.py"))


def test_intersphinx_reads_shipped_inventories(conf):
    from sphinx.util.inventory import InventoryFile

    mapping = conf["intersphinx_mapping"]
    assert {"python", "sympy", "mpmath"} <= set(mapping)
    for name, (url, inventory) in mapping.items():
        assert url.startswith("https://") and Path(inventory).is_file(), name  # no network at build time
        with open(inventory, "rb") as fh:
            inv = InventoryFile.load(fh, url, lambda base, uri: base + uri)
        assert sum(len(v) for v in inv.values()) > 100, name
    assert conf["nitpicky"] is True


def test_guarantee_sections_are_rendered(conf):
    from numpydoc.docscrape_sphinx import get_doc_object

    from proofkit.certify.definite import certify_positive_definite

    rendered = str(get_doc_object(certify_positive_definite))
    assert ".. admonition:: Guarantee" in rendered
    assert "positive definite" in rendered.split(".. admonition:: Guarantee")[1]
