"""The PDF report of a claim graph: LaTeX source, BibTeX bibliography, the drawn dependency graph, and
compilation with pdflatex and bibtex.

T1 fonts (Latin Modern), every formula typeset as math (titles, notes and captions are marked text:
``$...$`` is math), the papers' own numbering per source, ``\\cite`` (natbib) with a ``.bib`` generated
from the claims' sources (:mod:`proofkit.printing.bibliography`), hyperlinked ``Uses`` lists, the
provenance of every status with one legend, the dependency graph (an overview page, and one page per
source when the overview's text would be smaller than 8 pt), and an appendix of certificates numbered
like their appendix, each showing what was certified and linking back to its claim.
"""

from __future__ import annotations

import datetime as _dt
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from proofkit.errors import ToolMissing
from proofkit.printing.bibliography import bibtex
from proofkit.printing.certificates import Item, describe, kernel_recheck, marked_segments, segments_of
from proofkit.printing.mathtext import escape_latex, latex_segments, to_latex
from proofkit.printing.provenance import PROVENANCE, legend_rows, provenances
from proofkit.printing.sources import Numbered, cite_key, number_claims, sections, source_subgraph
from proofkit.tools import find_tool

if TYPE_CHECKING:  # pragma: no cover
    from proofkit.claims import Claim, ClaimGraph

__all__ = ["Report", "build_report", "report_document", "claim_block", "certificate_block", "compile_pdf",
           "draw_graph_pages", "GraphPage", "PREAMBLE", "BIB_NAME", "anchor", "statement_latex", "marked_latex"]

_THEOREM_STYLE = {"theorem": "pkthm", "lemma": "pkthm", "corollary": "pkthm", "conjecture": "pkthm",
                  "definition": "pkdef", "assumption": "pkdef", "instance": "pkdef", "counterexample": "pkdef"}

#: The name of the bibliography file (written by the document itself, and next to the PDF).
BIB_NAME = "references"

PREAMBLE = r"""\documentclass[11pt,a4paper]{article}
\usepackage[T1]{fontenc}
\usepackage[utf8]{inputenc}
\IfFileExists{lmodern.sty}{\usepackage{lmodern}}{}
\usepackage{microtype}
\usepackage[margin=2.5cm]{geometry}
\usepackage{amsmath,amssymb,amsthm}
\usepackage{booktabs}
\usepackage{graphicx}
\usepackage[dvipsnames,table]{xcolor}
\usepackage[numbers,sort&compress]{natbib}
\usepackage{hyperref}
\emergencystretch=3em
\allowdisplaybreaks
\newcommand{\pkname}{}
\theoremstyle{plain}
\newtheorem*{pkthm}{\pkname}
\theoremstyle{definition}
\newtheorem*{pkdef}{\pkname}
\newcommand{\pkbadge}[3]{\colorbox[HTML]{#1}{\textcolor{#2}{\sffamily\footnotesize #3}}}
\newcommand{\pkswatch}[1]{\fcolorbox[HTML]{555555}{#1}{\rule{0pt}{1.2ex}\rule{1.2ex}{0pt}}}
"""

# The text block of the page (A4, 2.5 cm margins) in points, less room for the headings above a drawing.
_TEXT_WIDTH_PT = 453.0
_TEXT_HEIGHT_PT = {"overview": 590.0, "source": 640.0}
#: Below this size (points, on the page) of its smallest text, the overview is followed by one page per source.
MIN_FONT_PT = 8.0


def anchor(label: str, prefix: str = "claim") -> str:
    """A hyperref target name for a claim label (letters, digits and dashes only)."""
    return prefix + "-" + re.sub(r"[^A-Za-z0-9]+", "-", label).strip("-")


def marked_latex(text: str) -> str:
    """Marked text (``$...$`` math, ``\\$`` a dollar, the rest plain text) as LaTeX.

    Examples
    --------
    >>> marked_latex(r"violates $n_k \\ge N - 1$ of Theorem 3.8 & more")
    'violates $n_k \\\\ge N - 1$ of Theorem 3.8 \\\\& more'
    """
    return to_latex(marked_segments(str(text)))


def statement_latex(text: str) -> str:
    """A claim's LaTeX statement: ``$...$`` is math, the text between is LaTeX text made T1-safe (``<``, ``>``, ``|``)."""
    out = []
    for kind, s in latex_segments(text):
        if kind == "math":
            out.append(f"${s}$")
        else:
            out.append(s.replace("<", r"\textless{}").replace(">", r"\textgreater{}").replace("|", r"\textbar{}"))
    return "".join(out)


def _badge(key: str) -> str:
    kind = PROVENANCE[key]
    fg = "white" if kind.dark else "black"
    return rf"\pkbadge{{{kind.colour.lstrip('#').upper()}}}{{{fg}}}{{{kind.name}}}"


def _link(label: str, nums: dict[str, Numbered]) -> str:
    return rf"\hyperlink{{{anchor(label)}}}{{{escape_latex(nums[label].ref or nums[label].heading)}}}"


def _cite(works: list[tuple[str, str]]) -> str:
    parts = []
    for work, loc in works:
        loc_tex = marked_latex(loc).replace(" ", "~") if loc and not loc.startswith("(") else ""
        parts.append(rf"\cite[{loc_tex}]{{{cite_key(work)}}}" if loc_tex else rf"\cite{{{cite_key(work)}}}")
    return ", ".join(parts)


def _sentence(text: str) -> str:
    return marked_latex(text) + ("" if text.rstrip().endswith(".") else ".")


def claim_block(graph: ClaimGraph, label: str, nums: dict[str, Numbered] | None = None,
                prov: dict[str, Any] | None = None, cert_refs: dict[str, list[str]] | None = None) -> str:
    """One claim as an amsthm environment: heading with its paper's number and citation, statement,
    status with provenance, hyperlinked ``Uses``, remarks, links to its certificates (``cert_refs``:
    the ``\\label`` names of its certificates in the appendix)."""
    nums = nums if nums is not None else number_claims(graph)
    prov = prov if prov is not None else provenances(graph)
    claim: Claim = graph.claims[label]
    num = nums[label]
    env = _THEOREM_STYLE.get(claim.kind, "pkdef")
    note = []
    if num.works:
        note.append(_cite(num.works))
    if num.rest:
        note.append(marked_latex(num.rest))
    head = rf"\renewcommand{{\pkname}}{{{escape_latex(num.heading)}}}"
    opener = rf"\begin{{{env}}}[{{{'; '.join(note)}}}]" if note else rf"\begin{{{env}}}"
    lines = [head, opener + rf"\hypertarget{{{anchor(label)}}}{{}}",
             statement_latex(claim.statement) if claim.statement else r"\emph{(no statement recorded)}"]
    p = prov[label]
    status = [_badge(p.kind.key)]
    if p.kind.key in ("proved", "cited") and not p.complete:
        status.append("rests on claims that are not established")
    if p.checked_instances:
        status.append("machine-checked instance" + ("s" if len(p.checked_instances) > 1 else "") + ": "
                      + ", ".join(_link(i, nums) for i in p.checked_instances))
    if p.expected:
        status.append("as expected")
    lines.append(r"\par\smallskip\noindent\textsf{\small Status:} " + "; ".join(status) + ".")
    deps = [d for d in claim.uses if d in graph.claims]
    proof = [d for d in claim.proof_uses if d in graph.claims and d not in deps]
    if deps:
        lines.append(r"\par\noindent\textsf{\small Uses:} " + ", ".join(_link(d, nums) for d in deps) + ".")
    if proof:
        lines.append(r"\par\noindent\textsf{\small Proof uses:} " + ", ".join(_link(d, nums) for d in proof) + ".")
    if claim.instance_of and claim.instance_of in graph.claims:
        lines.append(r"\par\noindent\textsf{\small Instance of:} " + _link(claim.instance_of, nums) + ".")
    for name, targets in (("Refutes", claim.refutes), ("Generalises", claim.generalizes)):
        targets = [t for t in targets if t in graph.claims]
        if targets:
            lines.append(rf"\par\noindent\textsf{{\small {name}:}} " + ", ".join(_link(t, nums) for t in targets) + ".")
    refuters = graph.refuted_by(label)
    if refuters:
        lines.append(r"\par\noindent\textsf{\small Refuted by:} " + ", ".join(_link(r, nums) for r in refuters) + ".")
    why = graph.failures.get(label) or graph.unmet.get(label)
    if why:  # a checker's message: data, shown as written
        lines.append(rf"\par\noindent\textsf{{\small {escape_latex(p.kind.name.capitalize())}:}} "
                     + escape_latex(why) + ("" if why.endswith(".") else "."))
    if p.flagged:
        lines.append(r"\par\noindent\textcolor[HTML]{B2182B}{\textsf{\small Depends on refuted:}} "
                     + ", ".join(_link(f, nums) for f in p.flagged) + ".")
    if claim.note:
        lines.append(r"\par\noindent\textsf{\small Remark:} " + _sentence(claim.note))
    refs = (cert_refs or {}).get(label, [])
    if refs:
        lines.append(r"\par\noindent\textsf{\small Certificates:} " + ", ".join(rf"\ref{{{r}}}" for r in refs) + ".")
    lines.append(rf"\end{{{env}}}")
    return "\n".join(lines)


def _item_latex(item: Item) -> str:
    cap = rf"\textsf{{\small {marked_latex(item.caption)}:}}"
    if item.kind == "display":
        body = " \\\\\n".join(ln if "&" in ln else "&" + ln for ln in item.lines)
        return rf"\par\noindent{cap}" + "\n\\begin{align*}\n" + body + "\n\\end{align*}"
    return rf"\par\noindent{cap} " + to_latex(segments_of(item)) + r"\par"


def certificate_block(cert: Any, title: str, label: str, claim_link: str) -> str:
    """A certificate in the appendix: a numbered heading (``\\label{label}``) linked to its claim, then what it
    certified, each value once, and the kernel's re-check."""
    ok, how = kernel_recheck(cert)
    lines = [rf"\subsection{{{escape_latex(title)}}}\label{{{label}}}",
             r"\noindent\textsf{\small for:} " + claim_link + r"\par"]
    lines += [_item_latex(i) for i in describe(cert)]
    verdict = "accepted" if ok else "rejected"
    lines.append(r"\par\noindent\textsf{\small kernel re-check:} " + verdict + " (" + escape_latex(how) + r")\par")
    return "\n".join(lines)


def _legend(used: set[str]) -> str:
    rows = [rf"{_badge(k.key)} & {escape_latex(k.meaning)}\\" for k in legend_rows(used)]
    return ("\\begin{tabular}{@{}lp{11.5cm}@{}}\n\\toprule\nstatus & meaning\\\\\n\\midrule\n" + "\n".join(rows)
            + "\n\\bottomrule\n\\end{tabular}")


def _coverage(graph: ClaimGraph, prov: dict[str, Any]) -> str:
    counts: dict[str, int] = {}
    for p in prov.values():
        counts[p.kind.key] = counts.get(p.kind.key, 0) + 1
    rows = [rf"{_badge(k.key)} & {counts[k.key]}\\" for k in legend_rows(set(counts))]
    return ("\\begin{tabular}{@{}lr@{}}\n\\toprule\nstatus & claims\\\\\n\\midrule\n" + "\n".join(rows)
            + f"\n\\midrule\ntotal & {len(graph)}\\\\\n\\bottomrule\n\\end{{tabular}}")


# -- the dependency graph ---------------------------------------------------------------------------------
@dataclass
class GraphPage:
    """One drawing of the dependency graph: its file (PDF, or PNG from the embedded renderer), its heading,
    its size on the page in points and the size of its smallest text there."""

    file: str
    heading: str
    width_pt: float
    height_pt: float
    font_pt: float


def _svg_geometry(svg: str) -> tuple[float, float, float]:
    """``(width, height, smallest font size)`` in points of a Graphviz SVG (fonts scaled by its transform)."""
    from proofkit.printing.graphviz import svg_size

    w, h = svg_size(svg)
    m = re.search(r'transform="scale\(([\d.]+)', svg)
    scale = float(m.group(1)) if m else 1.0
    sizes = [float(x) for x in re.findall(r'font-size="([\d.]+)"', svg)] or [14.0]
    return w, h, min(sizes) * scale


def _render(graph: Any, width: int, fmt: str) -> bytes:
    from proofkit.printing.graphviz import renderer, to_dot

    cmd = renderer()
    if cmd is None:
        raise ToolMissing("no Graphviz renderer")
    extra = ["-Gdpi=200"] if fmt == "png" else []
    proc = subprocess.run([*cmd, f"-T{fmt}", *extra], input=to_dot(graph, width=width, url_prefix=None).encode(),
                          capture_output=True, timeout=300)
    if proc.returncode != 0 or not proc.stdout:
        raise RuntimeError(f"{cmd[0]} failed: {proc.stderr.decode(errors='replace').strip()[:300]}")
    return proc.stdout


def draw_graph_pages(graph: ClaimGraph, *, min_font_pt: float = MIN_FONT_PT) -> tuple[list[GraphPage], dict[str, bytes]]:
    """Draw the dependency graph for the report: an overview, and when its smallest text would be below
    ``min_font_pt`` on the page, one drawing per source (its claims and their direct neighbours).

    The drawings are :func:`proofkit.printing.graphviz.to_dot` rendered by Graphviz as PDF (system ``dot``),
    or as PNG at 200 dpi by the embedded renderer; ``([], {})`` when no renderer is installed.
    """
    from proofkit.printing.graphviz import a4_layout, renderer

    cmd = renderer()
    if cmd is None or not len(graph):
        return [], {}
    fmt = "pdf" if os.path.basename(cmd[0]) == "dot" else "png"
    pages: list[GraphPage] = []
    files: dict[str, bytes] = {}

    def add(view: Any, name: str, heading: str) -> GraphPage:
        # the overview is laid out for the A4 aspect; a source's drawing, narrow (2 claims per rank), has the largest text
        width, svg = a4_layout(view, width=2 if pages else None)
        w, h, font = _svg_geometry(svg)
        height = _TEXT_HEIGHT_PT["source" if pages else "overview"]
        scale = min(1.0, _TEXT_WIDTH_PT / w, height / h)
        fname = f"{name}.{fmt}"
        files[fname] = _render(view, width, fmt)
        page = GraphPage(fname, heading, w * scale, h * scale, font * scale)
        pages.append(page)
        return page

    overview = add(graph, "graph-overview", "Dependency graph")
    secs = sections(graph)
    if overview.font_pt < min_font_pt and len(secs) > 1:
        views: dict[frozenset[str], tuple[Any, list[str]]] = {}  # sources whose drawings coincide share one
        for sec in secs:
            view = source_subgraph(graph, sec)
            views.setdefault(frozenset(view.claims), (view, []))[1].append(sec.title)
        for i, (view, titles) in enumerate(views.values(), 1):
            add(view, f"graph-source-{i}", "; ".join(titles))
    return pages, files


def _figure(page: GraphPage) -> str:
    return (rf"\begin{{center}}\IfFileExists{{{page.file}}}{{\includegraphics[width={page.width_pt:.1f}pt,"
            rf"height={page.height_pt:.1f}pt,keepaspectratio]{{{page.file}}}}}{{\fbox{{\parbox{{0.8\textwidth}}{{The "
            rf"drawing {escape_latex(page.file)} is missing from the folder of this document.}}}}}}\end{{center}}")


# -- the document ---------------------------------------------------------------------------------------------
@dataclass
class Report:
    """A report: the LaTeX source (which writes its own ``.bib``), the ``.bib`` text, and the drawings it includes."""

    tex: str
    bib: str
    files: dict[str, bytes] = field(default_factory=dict)


def build_report(graph: ClaimGraph, title: str = "Claims and certificates", *, author: str | None = None,
                 date: str | None = None, draw_graph: bool = True) -> Report:
    """The complete report of ``graph``: LaTeX, bibliography and the drawings of the dependency graph.

    Parameters
    ----------
    graph : ClaimGraph
        The claims, their statuses and certificates.
    title, author, date : str
        Plain text; the author defaults to the generating proofkit version, the date to today (UTC).
    draw_graph : bool
        Draw the dependency graph (:func:`draw_graph_pages`); without a Graphviz renderer the report says so.

    Examples
    --------
    >>> from proofkit.claims import Claim, ClaimGraph
    >>> g = ClaimGraph()
    >>> g.add_claim(Claim("T", kind="theorem", title="Theorem 2.1", source="Doe 2020, Theorem 2.1",
    ...                   statement="$x^2 \\\\ge 0$", established="cited"))
    >>> rep = build_report(g, draw_graph=False)
    >>> "\\\\cite[Theorem~2.1]{doe2020}" in rep.tex and "@misc{doe2020," in rep.bib
    True
    """
    from proofkit import __version__

    nums = number_claims(graph)
    prov = provenances(graph)
    secs = sections(graph)
    author = author if author is not None else f"Generated by proofkit {__version__}"
    date = date if date is not None else _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d")
    pages, files = draw_graph_pages(graph) if draw_graph else ([], {})
    cert_refs: dict[str, list[str]] = {}
    for sec in secs:
        for label in sec.labels:
            for i, _ in enumerate(graph.certificates.get(label, []), 1):
                cert_refs.setdefault(label, []).append(f"{anchor(label, 'cert')}-{i}")
    works: dict[str, None] = {}
    for sec in secs:
        for label in sec.labels:
            for w, _ in nums[label].works:
                works[w] = None
    bib = bibtex(list(works)) if works else ""
    first, rest = PREAMBLE.split("\n", 1)
    body = [first]
    if bib:  # the document writes its own .bib (LaTeX's filecontents), so that the .tex alone compiles
        body.append(f"\\begin{{filecontents*}}[overwrite]{{{BIB_NAME}.bib}}\n{bib}\\end{{filecontents*}}")
    body += [rest,
             rf"\hypersetup{{colorlinks,linkcolor=blue!50!black,citecolor=green!40!black,urlcolor=blue!50!black,"
             rf"pdftitle={{{escape_latex(title)}}},pdfauthor={{{escape_latex(author)}}}}}",
             rf"\title{{{escape_latex(title)}}}", rf"\author{{{escape_latex(author)}}}",
             rf"\date{{{escape_latex(date)}}}", r"\begin{document}", r"\maketitle",
             r"\section*{How to read this report}",
             "Each result keeps the number its source gives it; instances of a result are numbered after it "
             "(Instance 3.8a is the first instance of Theorem 3.8), and other claims are numbered within their "
             "section. The status of every claim is derived from the claim graph and says where it comes from:",
             r"\par\medskip\noindent" + _legend(set(p.kind.key for p in prov.values())),
             r"\par\medskip\noindent A result marked \emph{proved in the source} or \emph{cited} is not checked "
             r"here; only \emph{machine-checked} claims rest on certificates, each re-checked by the trusted kernel "
             r"when this report was written (Appendix~\ref{app:certificates}).",
             r"\section*{Coverage}", r"\noindent" + _coverage(graph, prov)]
    if pages:
        by_source = len(pages) > 1
        body += [r"\clearpage", r"\section*{Dependency graph}\label{sec:graph}",
                 r"\noindent Each claim points to the claims it uses; fill colours are the statuses above, shapes and "
                 r"edge styles are explained in the legend of the drawing."
                 + (rf" The text of this overview is {pages[0].font_pt:.1f}\,pt on the page: Appendix~\ref{{app:graph}} "
                    r"draws each source on a page of its own." if by_source else ""),
                 _figure(pages[0]), r"\clearpage"]
    elif draw_graph:
        body.append(r"\section*{Dependency graph}\noindent No Graphviz renderer was found when this report was "
                    r"written, so the dependency graph is not drawn (install Graphviz, or the Python package "
                    r"graphviz-pure).")
    for sec in secs:
        heading = escape_latex(sec.title)
        if sec.key in works:
            heading += rf" \texorpdfstring{{\cite{{{cite_key(sec.key)}}}}}{{}}"
        body.append(rf"\section{{{heading}}}")
        for label in sec.labels:
            body.append(claim_block(graph, label, nums, prov, cert_refs))
    body.append(r"\appendix")
    if len(pages) > 1:
        body += [r"\clearpage", r"\section{The dependency graph by source}\label{app:graph}",
                 "Each drawing shows the claims of one source together with the claims of other sources they are "
                 "directly linked to (shown in the clusters of those sources)."]
        for page in pages[1:]:  # small drawings share a page; each stays with its heading
            body += [r"\par\bigskip\noindent\begin{minipage}{\textwidth}",
                     rf"\subsection*{{{escape_latex(page.heading)}}}",
                     _figure(page), r"\end{minipage}\par\bigskip"]
        body.append(r"\clearpage")
    body.append(r"\section{Certificates}\label{app:certificates}")
    body.append("Every certificate below is plain data (JSON in the report folder); its kernel re-check was run "
                "when this report was written. Decimal values are rounded for display; the certificates hold them "
                "exactly.")
    for sec in secs:
        for label in sec.labels:
            certs = graph.certificates.get(label, [])
            for i, cert in enumerate(certs, 1):
                title_i = nums[label].heading + (f", certificate {i} of {len(certs)}" if len(certs) > 1 else "")
                body.append(certificate_block(cert, title_i, cert_refs[label][i - 1], _link(label, nums)))
    if bib:
        body += [r"\bibliographystyle{plainnat}", rf"\bibliography{{{BIB_NAME}}}"]
    body.append(r"\end{document}")
    return Report("\n".join(body) + "\n", bib, files)


def report_document(graph: ClaimGraph, title: str = "Claims and certificates", *, author: str | None = None,
                    date: str | None = None) -> str:
    """The LaTeX report of ``graph`` without the drawings of the graph (see :func:`build_report` for those).

    Examples
    --------
    >>> from proofkit.claims import Claim, ClaimGraph
    >>> g = ClaimGraph()
    >>> g.add_claim(Claim("T", kind="theorem", title="Theorem 2.1", source="Doe 2020, Theorem 2.1",
    ...                   statement="$x^2 \\\\ge 0$", established="cited"))
    >>> tex = report_document(g)
    >>> "\\\\cite[Theorem~2.1]{doe2020}" in tex and "\\\\bibliography{references}" in tex
    True
    """
    return build_report(graph, title, author=author, date=date, draw_graph=False).tex


def _first_error(log: str) -> str:
    lines = log.splitlines()
    idx = next((i for i, ln in enumerate(lines) if ln.startswith("!")), None)
    return " ".join(lines[idx:idx + 3]) if idx is not None else "unknown error"


def compile_pdf(tex: str | Report, out_dir: str, name: str = "report", *, keep_log: bool = True) -> str:
    """Compile a LaTeX document (or a :class:`Report` with its drawings) with pdflatex, running bibtex when it
    has a bibliography; returns the PDF path.

    The log is copied next to the PDF (``name.log``) when ``keep_log``; so are the ``.bib`` the document
    wrote and the drawings of a :class:`Report`, so that ``name.tex`` compiles again in ``out_dir``.

    Raises
    ------
    ToolMissing
        When pdflatex (or, for a bibliography, bibtex) is not installed.
    RuntimeError
        When LaTeX or BibTeX reports an error (the log's first error line is included).
    """
    exe = find_tool("pdflatex")
    if exe is None:
        raise ToolMissing("pdflatex is not installed (Debian: apt-get install texlive-latex-recommended lmodern)")
    report = tex if isinstance(tex, Report) else Report(tex, "")
    os.makedirs(out_dir, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        with open(os.path.join(work, f"{name}.tex"), "w") as fh:
            fh.write(report.tex)
        for fname, data in report.files.items():
            with open(os.path.join(work, fname), "wb") as fh:
                fh.write(data)

        def latex() -> None:
            proc = subprocess.run([exe, "-interaction=nonstopmode", "-halt-on-error", f"{name}.tex"], cwd=work,
                                  capture_output=True, text=True, timeout=300, errors="replace")
            if proc.returncode != 0:
                raise RuntimeError(f"pdflatex failed: {_first_error(proc.stdout)}")

        latex()
        with open(os.path.join(work, f"{name}.aux"), errors="replace") as fh:
            has_bib = "\\bibdata" in fh.read()
        if has_bib:
            bib_exe = find_tool("bibtex")
            if bib_exe is None:
                raise ToolMissing("bibtex is not installed (Debian: it comes with texlive-latex-base)")
            proc = subprocess.run([bib_exe, name], cwd=work, capture_output=True, text=True, timeout=300,
                                  errors="replace")
            if proc.returncode >= 2 or "error message" in proc.stdout:
                raise RuntimeError(f"bibtex failed: {proc.stdout.strip()[-500:]}")
        latex()
        latex()
        target = os.path.join(out_dir, f"{name}.pdf")
        shutil.copyfile(os.path.join(work, f"{name}.pdf"), target)
        if keep_log:
            shutil.copyfile(os.path.join(work, f"{name}.log"), os.path.join(out_dir, f"{name}.log"))
            if has_bib:
                shutil.copyfile(os.path.join(work, f"{name}.blg"), os.path.join(out_dir, f"{name}.blg"))
        bib = os.path.join(work, f"{BIB_NAME}.bib")
        if os.path.exists(bib):
            shutil.copyfile(bib, os.path.join(out_dir, f"{BIB_NAME}.bib"))
        for fname in report.files:
            shutil.copyfile(os.path.join(work, fname), os.path.join(out_dir, fname))
    return target
