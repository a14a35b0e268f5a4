"""The PDF report of a claim graph: LaTeX source and compilation with pdflatex.

T1 fonts (Latin Modern), every formula typeset as math (plain-text notes and reasons go
through :mod:`proofkit.printing.mathtext`), the papers' own numbering per source, ``\\cite``
with a bibliography generated from the claims' sources, hyperlinked ``Uses`` lists, the
provenance of every status with one legend, and an appendix of certificates in which each
value appears once and links back to its claim.
"""

from __future__ import annotations

import datetime as _dt
import os
import re
import shutil
import subprocess
import tempfile
from typing import TYPE_CHECKING, Any

from proofkit.errors import ToolMissing
from proofkit.printing.certificates import Item, describe, kernel_recheck, segments_of
from proofkit.printing.mathtext import escape_latex, latex_segments, plain_segments, plain_to_latex, to_latex
from proofkit.printing.provenance import PROVENANCE, legend_rows, provenances
from proofkit.printing.sources import REFERENCES, Numbered, cite_key, number_claims, sections
from proofkit.tools import find_tool

if TYPE_CHECKING:  # pragma: no cover
    from proofkit.claims import Claim, ClaimGraph

__all__ = ["report_document", "claim_block", "certificate_block", "compile_pdf", "PREAMBLE", "anchor",
           "statement_latex"]

_THEOREM_STYLE = {"theorem": "pkthm", "lemma": "pkthm", "corollary": "pkthm", "conjecture": "pkthm",
                  "definition": "pkdef", "assumption": "pkdef", "instance": "pkdef", "counterexample": "pkdef"}

PREAMBLE = r"""\documentclass[11pt,a4paper]{article}
\usepackage[T1]{fontenc}
\usepackage[utf8]{inputenc}
\IfFileExists{lmodern.sty}{\usepackage{lmodern}}{}
\usepackage{microtype}
\usepackage[margin=2.5cm]{geometry}
\usepackage{amsmath,amssymb,amsthm}
\usepackage{booktabs}
\usepackage[dvipsnames,table]{xcolor}
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


def anchor(label: str, prefix: str = "claim") -> str:
    """A hyperref target name for a claim label (letters, digits and dashes only)."""
    return prefix + "-" + re.sub(r"[^A-Za-z0-9]+", "-", label).strip("-")


def statement_latex(text: str) -> str:
    """A claim's LaTeX statement, with any text outside ``$...$`` made T1-safe (``<``, ``>`` as math)."""
    out = []
    for kind, s in latex_segments(text):
        if kind == "math":
            out.append(f"${s}$")
            continue
        for k2, s2 in plain_segments(s):  # ASCII math in the text ("rank >= M") becomes math
            out.append(f"${s2}$" if k2 == "math" else s2.replace("<", r"\textless{}").replace(">", r"\textgreater{}"))
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
        loc_tex = plain_to_latex(loc).replace(" ", "~") if loc and not loc.startswith("(") else ""
        parts.append(rf"\cite[{loc_tex}]{{{cite_key(work)}}}" if loc_tex else rf"\cite{{{cite_key(work)}}}")
    return ", ".join(parts)


def claim_block(graph: ClaimGraph, label: str, nums: dict[str, Numbered] | None = None,
                prov: dict[str, Any] | None = None, cert_numbers: dict[str, list[str]] | None = None) -> str:
    """One claim as an amsthm environment: heading with its paper's number and citation, statement,
    status with provenance, hyperlinked ``Uses``, remarks, links to its certificates."""
    nums = nums if nums is not None else number_claims(graph)
    prov = prov if prov is not None else provenances(graph)
    claim: Claim = graph.claims[label]
    num = nums[label]
    env = _THEOREM_STYLE.get(claim.kind, "pkdef")
    note = []
    if num.works:
        note.append(_cite(num.works))
    if num.rest:
        note.append(plain_to_latex(num.rest))
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
    if why:
        lines.append(rf"\par\noindent\textsf{{\small {escape_latex(p.kind.name.capitalize())}:}} "
                     + plain_to_latex(why) + ("" if why.endswith(".") else "."))
    if p.flagged:
        lines.append(r"\par\noindent\textcolor[HTML]{B2182B}{\textsf{\small Depends on refuted:}} "
                     + ", ".join(_link(f, nums) for f in p.flagged) + ".")
    if claim.note:
        lines.append(r"\par\noindent\textsf{\small Remark:} " + plain_to_latex(claim.note)
                     + ("" if claim.note.endswith(".") else "."))
    certs = (cert_numbers or {}).get(label, [])
    if certs:
        links = ", ".join(rf"\hyperlink{{{anchor(label, 'cert')}-{i}}}{{{c}}}" for i, c in enumerate(certs, 1))
        lines.append(r"\par\noindent\textsf{\small Certificates:} " + links + ".")
    lines.append(rf"\end{{{env}}}")
    return "\n".join(lines)


def _item_latex(item: Item) -> str:
    cap = rf"\textsf{{\small {escape_latex(item.caption)}:}}"
    if item.kind == "display":
        if any("&" in ln and not ln.lstrip().startswith(r"\begin{bmatrix}") for ln in item.lines):
            body = "\\\\\n".join(item.lines)
            return cap + "\n\\begin{align*}\n" + body + "\n\\end{align*}"
        return cap + "\n\\[" + " ".join(item.lines) + "\\]"
    return rf"\par\noindent{cap} " + to_latex(segments_of(item)) + r"\par"


def certificate_block(cert: Any, title: str, target: str, claim_link: str) -> str:
    """A certificate in the appendix: a heading linked to its claim, then what it certified, each value once."""
    ok, how = kernel_recheck(cert)
    lines = [rf"\subsection*{{\hypertarget{{{target}}}{{}}{escape_latex(title)}}}",
             r"\noindent\textsf{\small for:} " + claim_link + r"\par"]
    lines += [_item_latex(i) for i in describe(cert)]
    verdict = "accepted" if ok else "rejected"
    lines.append(r"\par\noindent\textsf{\small kernel re-check:} " + verdict + " (" + plain_to_latex(how) + r")\par")
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


def report_document(graph: ClaimGraph, title: str = "Claims and certificates", *, author: str | None = None,
                    date: str | None = None) -> str:
    """The complete LaTeX report of ``graph``.

    Parameters
    ----------
    graph : ClaimGraph
        The claims, their statuses and certificates.
    title, author, date : str
        Plain text; the author defaults to the generating proofkit version, the date to today (UTC).

    Examples
    --------
    >>> from proofkit.claims import Claim, ClaimGraph
    >>> g = ClaimGraph()
    >>> g.add_claim(Claim("T", kind="theorem", title="Theorem 2.1", source="Doe 2020, Theorem 2.1",
    ...                   statement="$x^2 \\\\ge 0$", established="cited"))
    >>> tex = report_document(g)
    >>> "\\\\cite[Theorem~2.1]{doe2020}" in tex and "\\\\bibitem{doe2020}" in tex
    True
    """
    from proofkit import __version__

    nums = number_claims(graph)
    prov = provenances(graph)
    secs = sections(graph)
    author = author if author is not None else f"Generated by proofkit {__version__}"
    date = date if date is not None else _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d")
    cert_numbers: dict[str, list[str]] = {}
    n = 0
    for sec in secs:
        for label in sec.labels:
            for _ in graph.certificates.get(label, []):
                n += 1
                cert_numbers.setdefault(label, []).append(f"C.{n}")
    body = [PREAMBLE,
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
    works: dict[str, None] = {}
    for sec in secs:
        key = sec.key
        heading = escape_latex(sec.title)
        if key in REFERENCES or any(key == w for lab in sec.labels for w, _ in nums[lab].works):
            heading += rf" \texorpdfstring{{\cite{{{cite_key(key)}}}}}{{}}"
        body.append(rf"\section{{{heading}}}")
        for label in sec.labels:
            for w, _ in nums[label].works:
                works[w] = None
            body.append(claim_block(graph, label, nums, prov, cert_numbers))
    body.append(r"\appendix")
    body.append(r"\section{Certificates}\label{app:certificates}")
    body.append("Every certificate below is plain data (JSON in the report folder); its kernel re-check was run "
                "when this report was written. Decimal values are rounded for display; the certificates hold them "
                "exactly.")
    for sec in secs:
        for label in sec.labels:
            for i, cert in enumerate(graph.certificates.get(label, []), 1):
                title_i = f"{cert_numbers[label][i - 1]}: {nums[label].heading}"
                body.append(certificate_block(cert, title_i, f"{anchor(label, 'cert')}-{i}", _link(label, nums)))
    if works:
        body.append(r"\begin{thebibliography}{99}")
        for w in sorted(works, key=str.lower):
            body.append(rf"\bibitem{{{cite_key(w)}}} {escape_latex(REFERENCES.get(w, w))}")
        body.append(r"\end{thebibliography}")
    body.append(r"\end{document}")
    return "\n".join(body) + "\n"


def compile_pdf(tex: str, out_dir: str, name: str = "report", *, keep_log: bool = True) -> str:
    """Compile a LaTeX document with pdflatex (twice, for references); returns the PDF path.

    The log is copied next to the PDF (``name.log``) when ``keep_log``.

    Raises
    ------
    ToolMissing
        When pdflatex is not installed.
    RuntimeError
        When LaTeX reports an error (the log's first error line is included).
    """
    exe = find_tool("pdflatex")
    if exe is None:
        raise ToolMissing("pdflatex is not installed (Debian: apt-get install texlive-latex-recommended lmodern)")
    os.makedirs(out_dir, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        src = os.path.join(work, f"{name}.tex")
        with open(src, "w") as fh:
            fh.write(tex)
        for _ in range(2):
            proc = subprocess.run([exe, "-interaction=nonstopmode", "-halt-on-error", f"{name}.tex"], cwd=work,
                                  capture_output=True, text=True, timeout=300, errors="replace")
            if proc.returncode != 0:
                lines = proc.stdout.splitlines()
                idx = next((i for i, ln in enumerate(lines) if ln.startswith("!")), None)
                err = " ".join(lines[idx:idx + 3]) if idx is not None else "unknown error"
                raise RuntimeError(f"pdflatex failed: {err}")
        target = os.path.join(out_dir, f"{name}.pdf")
        shutil.copyfile(os.path.join(work, f"{name}.pdf"), target)
        if keep_log:
            shutil.copyfile(os.path.join(work, f"{name}.log"), os.path.join(out_dir, f"{name}.log"))
    return target
