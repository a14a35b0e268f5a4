"""Sphinx configuration of the proofkit documentation.

Build (from the repository root)::

    python -m sphinx -W -n -b html docs docs/_build/html

The build needs no network, and neither does reading the site: intersphinx reads the inventories
shipped in ``docs/_intersphinx``, the tutorials are executed by myst-nb (results cached in
``docs/_build/.jupyter_cache``), and math is converted to MathML while the site is built
(``docs/_ext/mathml_math.py``), so pages load no script from a CDN.
"""

from __future__ import annotations

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)  # the proofkit of this checkout, installed or not
sys.path.insert(0, os.path.join(HERE, "_ext"))  # this site's own Sphinx extensions
# The tutorials run in a Jupyter kernel (a subprocess): it must import the same proofkit.
os.environ["PYTHONPATH"] = os.pathsep.join([ROOT, *filter(None, [os.environ.get("PYTHONPATH")])])

import proofkit  # noqa: E402

project = "proofkit"
author = "the proofkit developers"
copyright = "the proofkit developers"  # noqa: A001
release = proofkit.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "mathml_math",  # math as MathML at build time (no MathJax, no CDN)
    "numpydoc",
    "myst_nb",
]

exclude_patterns = ["_build", "**.ipynb_checkpoints", "_intersphinx", "_templates", "_ext", "_static"]
templates_path = ["_templates"]
source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}
root_doc = "index"

# --- API reference -----------------------------------------------------------------------------
autosummary_generate = True
autosummary_imported_members = False
autodoc_default_options = {"member-order": "bysource"}
autodoc_typehints = "none"  # numpydoc's Parameters sections say the types; signatures stay short
autodoc_preserve_defaults = True
numpydoc_show_class_members = False  # the class template documents the members themselves
numpydoc_xref_param_type = False
numpydoc_validation_checks: set[str] = set()

# --- intersphinx, offline ------------------------------------------------------------------------
# Each target reads a shipped inventory (docs/_intersphinx/NAME.inv); the URL is only where links
# point.  python, sympy and mpmath inventories come from Debian's python3.11-doc, python-sympy-doc
# and python-mpmath-doc packages.  numpy, networkx and python-flint publish no inventory in any
# registry reachable here: they are listed with their URL and used only when an inventory file is
# present (drop NAME.inv into docs/_intersphinx to enable one).
_INTERSPHINX = {
    "python": "https://docs.python.org/3.11/",
    "sympy": "https://docs.sympy.org/latest/",
    "mpmath": "https://mpmath.org/doc/current/",
    "numpy": "https://numpy.org/doc/stable/",
    "networkx": "https://networkx.org/documentation/stable/",
    "flint": "https://python-flint.readthedocs.io/en/latest/",
}
intersphinx_mapping = {
    name: (url, os.path.join(HERE, "_intersphinx", f"{name}.inv"))
    for name, url in _INTERSPHINX.items()
    if os.path.exists(os.path.join(HERE, "_intersphinx", f"{name}.inv"))
}
intersphinx_timeout = 1

# --- nitpicky ------------------------------------------------------------------------------------
# Every reference must resolve: there is no ignore list.  (Types are written in the numpydoc
# Parameters/Returns sections as text, not cross-referenced, and signatures omit annotations, so
# numpy/networkx/flint names, whose inventories are not shipped, are never link targets.)
nitpicky = True
nitpick_ignore: list[tuple[str, str]] = []

# --- notebooks (tutorials) ---------------------------------------------------------------------
nb_execution_mode = "cache"
nb_execution_cache_path = os.path.join(HERE, "_build", ".jupyter_cache")
nb_execution_timeout = 900
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_merge_streams = True
nb_render_markdown_format = "myst"  # Markdown outputs (summaries) with tables
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_update_mathjax = False  # there is no MathJax: math is MathML (html_math_renderer below)
myst_heading_anchors = 3

# --- HTML --------------------------------------------------------------------------------------
html_theme = "furo"
html_title = f"proofkit {release}"
html_static_path = ["_static"]
html_math_renderer = "mathml"
html_show_sourcelink = False


# --- the "Guarantee" docstring section -----------------------------------------------------------
# Every certifying function states what its verdict proves in a section named "Guarantee".
# numpydoc knows no such section and would drop it; register it and render it as an admonition
# after Returns/Raises.
def _register_guarantee_section() -> None:
    from numpydoc import docscrape, docscrape_sphinx

    if "Guarantee" in docscrape.NumpyDocString.sections:
        return
    docscrape.NumpyDocString.sections = {**docscrape.NumpyDocString.sections, "Guarantee": []}
    plain_warnings = docscrape_sphinx.SphinxDocString._str_warnings

    def _str_warnings(self):  # type: ignore[no-untyped-def]
        out = []
        if self["Guarantee"]:
            out = [".. admonition:: Guarantee", "   :class: guarantee", ""]
            out += self._str_indent(self["Guarantee"], 3) + [""]
        return out + plain_warnings(self)

    docscrape_sphinx.SphinxDocString._str_warnings = _str_warnings


_register_guarantee_section()


# --- short references inside proofkit docstrings -------------------------------------------------
# Docstrings say ``NotSymmetric``, ``ClaimGraph.check`` or ``proofkit.Objective`` where the
# documented object is ``proofkit.errors.NotSymmetric`` etc.  Resolve such a reference when exactly
# one documented proofkit object has that name, or when it names a re-export (``proofkit.X``,
# ``proofkit.symbolic.X``) of a documented object; an ``:attr:`` naming a constructor parameter of
# the class it appears in links to that class (its Parameters section documents it).  Anything
# else stays unresolved, which the nitpicky build reports as an error.
def _canonical(target: str) -> str | None:
    import importlib

    module_name, _, attr = target.rpartition(".")
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        return None
    obj = getattr(module, attr, None)
    if obj is None or not hasattr(obj, "__qualname__"):
        return None
    return f"{obj.__module__}.{obj.__qualname__}"


def _resolve_short_proofkit_name(app, env, node, contnode):  # type: ignore[no-untyped-def]
    if node.get("refdomain") != "py":
        return None
    target = node.get("reftarget", "").lstrip("~.")
    if not target or target.startswith(("numpy.", "networkx.", "flint.")):
        return None
    objects = env.get_domain("py").objects
    candidates: list[str] = []
    if target.startswith("proofkit."):
        full = _canonical(target)
        if full in objects:
            candidates = [full]
    if not candidates:
        candidates = [name for name in objects if name.startswith("proofkit.") and name.endswith("." + target)]
    context = f"{node.get('py:module')}.{node.get('py:class')}"
    if not candidates and node.get("reftype") == "attr" and context in objects:
        import inspect

        cls = _object(context)
        if cls is not None and target in inspect.signature(cls).parameters:
            candidates = [context]
    if len(candidates) != 1:
        return None
    from sphinx.util.nodes import make_refnode

    entry = objects[candidates[0]]
    return make_refnode(app.builder, node["refdoc"], entry.docname, entry.node_id, contnode, candidates[0])


def _object(full: str):  # type: ignore[no-untyped-def]
    import importlib

    module_name, _, attr = full.rpartition(".")
    return getattr(importlib.import_module(module_name), attr, None)


def _no_borrowed_docstrings(app, what, name, obj, options, lines):  # type: ignore[no-untyped-def]
    """A constant without its own comment would show its type's docstring (``ALPHA``: sympy's Symbol)."""
    doc = getattr(type(obj), "__doc__", None)
    if not isinstance(doc, str):  # a member descriptor where the type defines __slots__
        return
    if what in ("data", "attribute") and doc and "\n".join(lines).strip() == __import__("inspect").cleandoc(doc).strip():
        lines[:] = []


def setup(app):  # type: ignore[no-untyped-def]
    app.connect("missing-reference", _resolve_short_proofkit_name)
    app.connect("autodoc-process-docstring", _no_borrowed_docstrings, priority=100)
