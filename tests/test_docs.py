"""The documentation: examples on the pages run, every public name is in the API reference,
the tutorials are executed notebooks, intersphinx works offline, Guarantee sections are rendered.

The Sphinx build itself (``python -m sphinx -W -n -b html docs docs/_build/html``, warnings as
errors, tutorials executed) runs in CI after the tests; here a small site built with the real
``docs/conf.py`` shows that math is MathML that Chromium lays out with the network disabled.
"""

import doctest
import importlib
import os
import pkgutil
import re
import runpy
import shutil
import subprocess
import sys
import tempfile
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


# --- math renders offline ---------------------------------------------------------------------------
CHROMIUM = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)), None)
#: Chromium with every network request failing: no proxy reachable, no name resolves.
OFFLINE = ["--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>", "--host-resolver-rules=MAP * ~NOTFOUND"]

_NOTEBOOK_PAGE = """---
file_format: mystnb
kernelspec:
  name: python3
  display_name: Python 3
---

# Outputs

Inline $\\mathbb E[x] = \\tfrac12$ and a display with an alignment:

$$
\\begin{aligned} f(x) &= \\sin\\theta + \\frac{a}{b} \\\\ g &= \\operatorname{rank} A \\end{aligned}
$$

```{code-cell} ipython3
from IPython.display import Math
Math(r"\\frac{\\partial^2 \\Phi}{\\partial w^2} = \\sigma''(x)")
```
"""


def _chromium(args: list[str], timeout: int = 120) -> subprocess.CompletedProcess:
    profile = tempfile.mkdtemp()
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}", *OFFLINE, *args]
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    finally:
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="module")
def small_site(tmp_path_factory):
    """A small site built with the real docs/conf.py: a copy of a real page (certified.md, math in text and
    tables) and an executed notebook page (dollar math, an alignment, a ``text/latex`` output)."""
    pytest.importorskip("sphinx")
    pytest.importorskip("myst_nb")
    src = tmp_path_factory.mktemp("src")
    out = tmp_path_factory.mktemp("html")
    (src / "index.md").write_text((DOCS / "certified.md").read_text() + "\n```{toctree}\noutputs\n```\n")
    (src / "outputs.md").write_text(_NOTEBOOK_PAGE)
    cmd = [sys.executable, "-m", "sphinx", "-q", "-b", "html", "-c", str(DOCS), "-D", "nb_execution_mode=force",
           "-D", "nitpicky=0", str(src), str(out)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    # certified.md links the API reference, which this small site has not: only those warnings are expected.
    problems = [line for line in done.stderr.splitlines() if ": WARNING:" in line and "reference target not found" not in line
                and "undefined label" not in line and "unknown document" not in line]
    assert not problems, problems
    return out


def test_the_site_loads_no_mathjax(conf):
    assert "sphinx.ext.mathjax" not in conf["extensions"] and "mathml_math" in conf["extensions"]
    assert conf["html_math_renderer"] == "mathml"


def test_math_is_mathml_in_the_built_pages(small_site):
    for name in ("index.html", "outputs.html"):
        page = (small_site / name).read_text()
        assert "<math" in page, name
        assert not re.search(r"<script[^>]+src=\"(https?:)?//", page), f"{name} loads a script from the network"
        assert "\\(" not in page and "\\[" not in page, f"{name} has raw LaTeX math delimiters"
        assert "math-source" not in page, f"{name}: a formula was not converted"
    outputs = (small_site / "outputs.html").read_text()
    assert "𝔼" in outputs  # \mathbb E as the Unicode letter (MathML Core ignores mathvariant="double-struck")
    assert outputs.count("<mtable") >= 1 and "<mfrac" in outputs  # the alignment and the notebook output's fraction


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")
def test_math_renders_in_chromium_offline(small_site, tmp_path):
    """Chromium, with every network request failing, lays the formulas out as math: fractions stack
    (numerator above denominator), formulas have height, no raw LaTeX in the rendered text."""
    probe = small_site / "probe.html"
    script = ("<script>window.onload=()=>{const m=[...document.querySelectorAll('math')];"
              "const f=[...document.querySelectorAll('mfrac')].filter(e=>e.children.length==2);"
              "const r=(e)=>e.getBoundingClientRect();"
              "const stacked=f.filter(e=>r(e.children[0]).bottom<=r(e.children[1]).top+1);"
              "const h=Math.max(...m.map(e=>e.getBoundingClientRect().height));"
              "const b=document.body.cloneNode(true);b.querySelectorAll('pre,code,script').forEach(e=>e.remove());"
              "const raw=/\\\\\\(|\\\\\\[|\\\\frac|\\\\mathbb/.test(b.textContent);"
              "document.title='M'+m.length+'F'+f.length+'S'+stacked.length+'H'+Math.round(h)+'R'+(raw?1:0);}</script>")
    probe.write_text((small_site / "outputs.html").read_text().replace("</body>", script + "</body>"))
    dom = _chromium(["--virtual-time-budget=3000", "--dump-dom", probe.as_uri()]).stdout
    m = re.search(r"<title>M(\d+)F(\d+)S(\d+)H(\d+)R(\d)</title>", dom)
    assert m, dom[:500]
    formulas, fractions, stacked, height, raw = map(int, m.groups())
    assert formulas >= 3 and fractions >= 2 and stacked == fractions, m.group(0)
    assert height > 30 and raw == 0, m.group(0)
    shot = tmp_path / "certified.png"
    _chromium(["--window-size=1100,1400", f"--screenshot={shot}", (small_site / "index.html").as_uri()])
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
    keep = os.environ.get("PROOFKIT_KEEP_SCREENSHOTS")
    if keep:  # for a person to look at: PROOFKIT_KEEP_SCREENSHOTS=DIR pytest tests/test_docs.py
        shutil.copy(shot, Path(keep) / "docs_certified_offline.png")
        _chromium(["--window-size=1100,900", f"--screenshot={Path(keep) / 'docs_outputs_offline.png'}",
                   (small_site / "outputs.html").as_uri()])


def _mathml_extension():
    pytest.importorskip("sphinx")
    sys.path.insert(0, str(DOCS / "_ext"))
    try:
        return importlib.import_module("mathml_math")
    finally:
        sys.path.remove(str(DOCS / "_ext"))


@pytest.mark.parametrize("tex", [r"\begin{foo} a \end{foo}", r"\foo{x} + 1", r"a & b"])
def test_math_latex2mathml_cannot_convert_is_an_error_not_garbage(tex):
    """latex2mathml drops unknown environments and prints unknown commands as text: the build warns instead."""
    ext = _mathml_extension()
    with pytest.raises(ext.MathConversionError):
        ext.tex_to_mathml(tex, display=True)


@pytest.mark.parametrize("tex", [r"\begin{aligned} a &= b \\ c &= d \end{aligned}", r"\begin{align} a &= b \label{x} \end{align}",
                                 r"\begin{gather*} a \\ b \end{gather*}", r"a = b \\ c = d",
                                 r"\begin{cases} 1 & x > 0 \\ 0 & \text{else} \end{cases}",
                                 r"\begin{bmatrix} 1 & 2 \end{bmatrix}"])
def test_math_environments_become_tables(tex):
    out = _mathml_extension().tex_to_mathml(tex, display=True)
    assert "<mtable" in out and "\\" not in out and "<mi>&" not in out


def test_math_letters_and_operator_names():
    ext = _mathml_extension()
    out = ext.tex_to_mathml(r"\mathbb E \mathcal N \mathbf 1 + \sin\theta + \operatorname{rank} A", display=False)
    assert "𝔼" in out and "𝒩" in out and "𝟏" in out and "mathvariant" not in out
    assert "<mi>sin</mi><mspace" in out and "<mi>rank</mi><mspace" in out


# --- the command-line page -------------------------------------------------------------------------
def _code_cells(page: Path) -> list[str]:
    cells = re.findall(r"^```\{code-cell\}[^\n]*\n(.*?)^```", page.read_text(), re.S | re.M)
    return ["\n".join(line for line in cell.splitlines() if not line.startswith(":")) for cell in cells]


def test_cli_page_documents_every_command():
    """The table of commands on docs/cli.md is generated from the parser: run its cell and compare with
    the parser's subcommands; the help section loops over the same list."""
    import argparse

    from proofkit.cli import build_parser

    action = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    commands = list(action.choices)
    assert "sweep" in commands and len(commands) >= 8
    cells = _code_cells(DOCS / "cli.md")
    namespace: dict = {}
    exec(cells[0], namespace)  # noqa: S102 - the page's own code
    table = "\n".join(namespace["rows"])
    for name in commands:
        assert f"| `proofkit {name}" in table, f"proofkit {name} is missing from the table on cli.md"
    assert "sweep TASKS.jsonl" in table and "[GRAPH.json]" in table
    for row in namespace["rows"]:  # two cells per row: a "|" inside a cell is escaped
        assert len(re.split(r"(?<!\\)\|", row.strip().strip("|"))) == 2, row
    assert re.search(r"^for name, _, _ in subcommands\(parser\):\n    help_of\(name\)", cells[1], re.M), \
        "the help section must loop over the parser's commands"
