"""The PDF report of a claim graph: LaTeX source, BibTeX bibliography, the drawn dependency graph, and
compilation with pdflatex and bibtex.

T1 fonts (Latin Modern), every formula typeset as math (titles, notes and captions are marked text:
``$...$`` is math), the papers' own numbering per source, ``\\cite`` (natbib) with a ``.bib`` generated
from the claims' sources (:mod:`proofkit.printing.bibliography`), hyperlinked ``Uses`` lists, the
provenance of every status with one legend, proofs (``Claim.proof``) after their statements, the
dependency graph as figures drawn by :func:`proofkit.printing.graphviz.graph_pages` and included at
their natural size (the whole graph, or an overview and one figure per source, text never below
8 pt), and an appendix of certificates numbered like their appendix, each showing what was certified
and linking back to its claim.
"""

from __future__ import annotations

import datetime as _dt
import os
import re
import shutil
import struct
import subprocess
import tempfile
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from proofkit.errors import ToolMissing
from proofkit.printing.bibliography import bibtex
from proofkit.printing.certificates import Item, describe, kernel_recheck, marked_segments, segments_of
from proofkit.printing.graphviz import A4_FRAME, PNG_DPI, GraphPage, graph_pages, overview_caption, renderer
from proofkit.printing.mathtext import escape_latex, latex_segments, to_latex
from proofkit.printing.provenance import PROVENANCE, legend_rows, provenances
from proofkit.printing.sources import Numbered, by_number, cite_key, number_claims, sections
from proofkit.tools import find_tool

if TYPE_CHECKING:  # pragma: no cover
    from proofkit.claims import Claim, ClaimGraph

__all__ = ["Report", "build_report", "report_document", "claim_block", "certificate_block", "compile_pdf",
           "GRAPH_FRAME", "PREAMBLE", "BIB_NAME", "anchor", "statement_latex", "marked_latex"]

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
\usepackage[font=small,labelfont=bf,hypcap=false]{caption}
\ifdefined\pdfsuppresswarningpagegroup\pdfsuppresswarningpagegroup=1\fi
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
\newenvironment{pkmeta}{\par\nopagebreak\smallskip\normalfont\small\setlength{\parindent}{0pt}\interlinepenalty=10000\ignorespaces}{\par}
"""

#: The drawing area (inches) of one figure of the dependency graph: the width of the A4 text block (2.5 cm
#: margins) and its height (9.72 in) less room for a section heading, a paragraph and the caption.
GRAPH_FRAME = (A4_FRAME[0], 8.3)


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
    """One claim as an amsthm environment: heading with its paper's number and citation, statement, its
    proof (``Claim.proof``, an amsthm ``proof``), then in small upright type its status with provenance,
    hyperlinked ``Uses``, remarks and links to its certificates (``cert_refs``: the ``\\label`` names of
    its certificates in the appendix).

    Examples
    --------
    >>> from proofkit.claims import Claim, ClaimGraph
    >>> g = ClaimGraph()
    >>> g.add_claim(Claim("L", kind="lemma", title="Lemma 2", statement="$x^2 \\\\ge 0$", established="proof",
    ...                   proof="Squares are $\\\\ge 0$."))
    >>> print(claim_block(g, "L").split("\\n")[2:5])
    ['$x^2 \\\\ge 0$', '\\\\begin{proof}', 'Squares are $\\\\ge 0$.']
    """
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
    if claim.proof:
        lines += [r"\begin{proof}", statement_latex(claim.proof), r"\end{proof}"]
    p = prov[label]
    status = [_badge(p.kind.key)]
    if p.kind.key in ("proved", "cited") and not p.complete:
        status.append("rests on claims that are not established")
    if p.checked_instances:
        status.append("machine-checked instance" + ("s" if len(p.checked_instances) > 1 else "") + ": "
                      + ", ".join(_link(i, nums) for i in by_number(p.checked_instances, nums)))
    if p.expected:
        status.append("as expected")
    meta = [r"\textsf{Status:} " + "; ".join(status) + "."]
    deps = [d for d in claim.uses if d in graph.claims]
    proof = [d for d in claim.proof_uses if d in graph.claims and d not in deps]
    if deps:
        meta.append(r"\textsf{Uses:} " + ", ".join(_link(d, nums) for d in deps) + ".")
    if proof:
        meta.append(r"\textsf{Proof uses:} " + ", ".join(_link(d, nums) for d in proof) + ".")
    if claim.instance_of and claim.instance_of in graph.claims:
        meta.append(r"\textsf{Instance of:} " + _link(claim.instance_of, nums) + ".")
    for name, targets in (("Refutes", claim.refutes), ("Generalises", claim.generalizes)):
        targets = [t for t in targets if t in graph.claims]
        if targets:
            meta.append(rf"\textsf{{{name}:}} " + ", ".join(_link(t, nums) for t in targets) + ".")
    refuters = graph.refuted_by(label)
    if refuters:
        meta.append(r"\textsf{Refuted by:} " + ", ".join(_link(r, nums) for r in refuters) + ".")
    why = graph.failures.get(label) or graph.unmet.get(label)
    if why:  # a checker's message: data, shown as written
        meta.append(rf"\textsf{{{escape_latex(p.kind.name.capitalize())}:}} " + escape_latex(why)
                    + ("" if why.endswith(".") else "."))
    if p.flagged:
        meta.append(r"\textcolor[HTML]{B2182B}{\textsf{Depends on refuted:}} "
                    + ", ".join(_link(f, nums) for f in p.flagged) + ".")
    if claim.note:
        meta.append(r"\textsf{Remark:} " + _sentence(claim.note))
    refs = (cert_refs or {}).get(label, [])
    if refs:
        meta.append(r"\textsf{Certificates:} " + ", ".join(rf"\ref{{{r}}}" for r in refs) + ".")
    # upright, in the claim's environment: never separated from its statement by a page break
    lines.append(r"\begin{pkmeta}" + "\n" + "\\par\\nopagebreak\n".join(meta) + "\n" + r"\end{pkmeta}")
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
def _graph_figures(graph: ClaimGraph) -> tuple[list[GraphPage], dict[str, str], dict[str, bytes]]:
    """The pages of :func:`~proofkit.printing.graphviz.graph_pages` for figures of :data:`GRAPH_FRAME` (titles
    left to the captions, the overview referring to figures): ``(pages, file name of each page's key, files)``;
    ``([], {}, {})`` without a Graphviz renderer. The files are PDF (system ``dot``) or PNG (the embedded renderer,
    :data:`~proofkit.printing.graphviz.PNG_DPI` dots per inch)."""
    if renderer() is None or not len(graph):
        return [], {}, {}
    names: dict[str, str] = {}
    files: dict[str, bytes] = {}
    with tempfile.TemporaryDirectory() as tmp:
        pages = graph_pages(graph, tmp, frame=GRAPH_FRAME, formats=("pdf",), page_label="figure", titled=False)
        for page in pages:
            path = page.files.get("pdf") or page.files["png"]
            names[page.key] = os.path.basename(path)
            with open(path, "rb") as fh:
                files[names[page.key]] = fh.read()
    return pages, names, files


def _natural_size(name: str, data: bytes) -> str:
    """``\\includegraphics`` options for a drawing at its natural size: none for a PDF (its page size); for a PNG,
    its width at :data:`~proofkit.printing.graphviz.PNG_DPI` dots per inch."""
    if not name.endswith(".png"):
        return ""
    width_px = struct.unpack(">I", data[16:20])[0]  # the IHDR chunk: width, height
    return f"[width={width_px * 72 / PNG_DPI:.2f}pt]"


def _caption(page: GraphPage) -> str:
    if page.key == "graph":
        return ("The dependency graph: claims grouped by source, fill colours by provenance (legend in the "
                "drawing). Arrows point from a claim to the claims that use it.")
    if page.key == "overview":
        return overview_caption("figure") + "."
    if page.key == "legend":
        return "Legend of the dependency graph: fill colours, shapes and arrows."
    return (f"{page.title}: its claims, and the claims of other sources they use or that use them (dashed boxes). "
            f"Arrows point from a claim to the claims that use it.")


def _figure(page: GraphPage, name: str, data: bytes) -> str:
    """A drawing with its caption, kept together on one page; included at its natural size."""
    include = rf"\includegraphics{_natural_size(name, data)}{{{name}}}"
    missing = (rf"\fbox{{\parbox{{0.8\textwidth}}{{The drawing {escape_latex(name)} is missing from the folder of this "
               r"document.}}")
    return (r"\par\noindent\begin{minipage}{\textwidth}\centering" + "\n"
            + rf"\IfFileExists{{{name}}}{{{include}}}{{{missing}}}" + "\n"
            + rf"\captionof{{figure}}{{{escape_latex(_caption(page))}}}\label{{fig:graph-{page.key}}}" + "\n"
            + r"\end{minipage}\par\bigskip")


# -- the document ---------------------------------------------------------------------------------------------
@dataclass
class Report:
    """A report: the LaTeX source (which writes its own ``.bib``), the ``.bib`` text, and the drawings it includes."""

    tex: str
    bib: str
    files: dict[str, bytes] = field(default_factory=dict)


def _title(graph: ClaimGraph, title: str | None) -> str:
    return title or getattr(graph, "title", "") or "Claims and certificates"


def _numbering_note(graph: ClaimGraph, nums: dict[str, Numbered]) -> str:
    """How claims are numbered, with an example from this graph when it has an instance of a numbered result."""
    example = ""
    for label, claim in graph.claims.items():
        parent = claim.instance_of
        if parent in nums and nums[parent].from_paper and not nums[label].from_paper:
            example = f" ({escape_latex(nums[label].heading)} is an instance of {escape_latex(nums[parent].heading)})"
            break
    return ("Each result keeps the number its source gives it; instances of a result are numbered after it"
            + example + ", and other claims are numbered within their section. The status of every claim is derived "
            "from the claim graph and says where it comes from:")


def build_report(graph: ClaimGraph, title: str | None = None, *, author: str | None = None,
                 date: str | None = None, draw_graph: bool = True) -> Report:
    """The complete report of ``graph``: LaTeX, bibliography and the drawings of the dependency graph.

    Parameters
    ----------
    graph : ClaimGraph
        The claims, their statuses and certificates.
    title, author, date : str
        Plain text; the title defaults to the graph's ``title`` (else "Claims and certificates"), the author
        to the generating proofkit version, the date to today (UTC).
    draw_graph : bool
        Draw the dependency graph (:func:`~proofkit.printing.graphviz.graph_pages`: figures whose text is at
        least 8 pt on the page); without a Graphviz renderer the report says so.

    Examples
    --------
    >>> from proofkit.claims import Claim, ClaimGraph
    >>> g = ClaimGraph(title="Squares")
    >>> g.add_claim(Claim("T", kind="theorem", title="Theorem 2.1", source="Doe 2020, Theorem 2.1",
    ...                   statement="$x^2 \\\\ge 0$", established="cited"))
    >>> rep = build_report(g, draw_graph=False)
    >>> "\\\\cite[Theorem~2.1]{doe2020}" in rep.tex and "@misc{doe2020," in rep.bib and "\\\\title{Squares}" in rep.tex
    True
    """
    from proofkit import __version__

    title = _title(graph, title)
    nums = number_claims(graph)
    prov = provenances(graph)
    secs = sections(graph)
    author = author if author is not None else f"Generated by proofkit {__version__}"
    date = date if date is not None else _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d")
    pages, names, files = _graph_figures(graph) if draw_graph else ([], {}, {})
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
             r"\section*{How to read this report}", _numbering_note(graph, nums),
             r"\par\medskip\noindent" + _legend(set(p.kind.key for p in prov.values())),
             r"\par\medskip\noindent A result marked \emph{proved in the source} or \emph{cited} is not checked "
             r"here; only \emph{machine-checked} claims rest on certificates, each re-checked by the trusted kernel "
             r"when this report was written" + (r" (Appendix~\ref{app:certificates})." if graph.certificates else "."),
             r"\section*{Coverage}", r"\noindent" + _coverage(graph, prov)]
    by_source = [p for p in pages if p.labels and p.key != "graph"]
    if pages:
        intro = (r"\noindent Figure~\ref{fig:graph-graph} draws every claim." if not by_source else
                 r"\noindent The graph is too large to be read on one page, so Figure~\ref{fig:graph-overview} shows its "
                 r"sources and the dependencies between them, and Appendix~\ref{app:graph} draws the claims of each "
                 r"source (Figures~\ref{fig:graph-" + by_source[0].key + r"}--\ref{fig:graph-" + by_source[-1].key
                 + r"}), each with the claims of other sources it is linked to.")
        body += [r"\clearpage", r"\section*{Dependency graph}\label{sec:graph}",
                 intro + r" Fill colours are the statuses above; shapes and arrows are explained in the legend"
                 + (r" (Figure~\ref{fig:graph-legend})." if any(p.key == "legend" for p in pages) else "."),
                 r"\par\medskip"]
        body += [_figure(p, names[p.key], files[names[p.key]]) for p in pages if p not in by_source]
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
    if by_source:
        body += [r"\clearpage", r"\section{The dependency graph by source}\label{app:graph}",
                 "Each figure draws the claims of one source (or of one part of a large source) with the claims of "
                 "other sources that they use or that use them, shown in dashed boxes named after their sources.",
                 r"\par\bigskip"]
        body += [_figure(p, names[p.key], files[names[p.key]]) for p in by_source]  # each kept with its caption
        body.append(r"\clearpage")
    if graph.certificates:
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


def report_document(graph: ClaimGraph, title: str | None = None, *, author: str | None = None,
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
