"""LaTeX for claims, certificates and whole claim graphs (amsthm), and compiling it with pdflatex."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from typing import TYPE_CHECKING, Any

from proofkit.errors import ToolMissing

if TYPE_CHECKING:  # pragma: no cover
    from proofkit.claims import Claim, ClaimGraph

__all__ = ["claim_fragment", "certificate_latex", "graph_document", "compile_pdf", "escape", "spurious_minimum_latex",
           "STATUS_MARKS"]

#: The mark printed after a claim's heading for each status.
STATUS_MARKS = {
    "fully established": r"\textcolor{pkgreen}{\checkmark\checkmark}",
    "established": r"\textcolor{pkgreen}{\checkmark}",
    "instance certified": r"\textcolor{pkblue}{\textsf{certified}}",
    "ready": r"\textcolor{pkorange}{\textsf{ready}}",
    "stated": r"\textcolor{gray}{\textsf{stated}}",
    "refuted": r"\textcolor{pkred}{\textsf{refuted}}",
    "failed": r"\textcolor{pkred}{\textsf{failed}}",
    "inconclusive": r"\textcolor{pkorange}{\textsf{inconclusive}}",
    "hypotheses not met": r"\textcolor{gray}{\textsf{hypotheses not met}}",
}

_SPECIAL = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
            "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}


def escape(text: str) -> str:
    """Escape plain text for LaTeX.

    Examples
    --------
    >>> escape("50% of W_1")
    '50\\\\% of W\\\\_1'
    """
    return "".join(_SPECIAL.get(ch, ch) for ch in str(text))


def _label(label: str) -> str:
    return "claim:" + "".join(ch if ch.isalnum() or ch in ":.-" else "-" for ch in label)


def claim_fragment(claim: Claim, status: str | None, flagged: list[str] | None = None) -> str:
    """An amsthm environment for one claim, with its source cited and a status mark.

    Examples
    --------
    >>> from proofkit.claims import Claim
    >>> print(claim_fragment(Claim("T1", kind="theorem", statement="$1 + 1 = 2$", source="folklore"), None))
    \\begin{theorem}[T1; folklore]\\label{claim:T1}
    $1 + 1 = 2$
    \\end{theorem}
    """
    head = escape(claim.title or claim.label)
    if claim.source:
        head += "; " + escape(claim.source)
    mark = f" {STATUS_MARKS[status]}" if status else ""
    lines = [rf"\begin{{{claim.kind}}}[{head}]\label{{{_label(claim.label)}}}{mark}", claim.statement or escape("(no statement)")]
    if claim.uses or claim.proof_uses:
        refs = ", ".join(rf"\ref{{{_label(u)}}}" for u in dict.fromkeys([*claim.uses, *claim.proof_uses]))
        lines.append(rf"\par\noindent\emph{{Uses:}} {refs}.")
    if claim.note:
        lines.append(rf"\par\noindent\emph{{Note:}} {escape(claim.note)}")
    if flagged:
        lines.append(r"\par\noindent\textcolor{pkred}{Depends on refuted: " + escape(", ".join(flagged)) + "}")
    lines.append(rf"\end{{{claim.kind}}}")
    return "\n".join(lines)


def certificate_latex(cert: Any, title: str) -> str:
    """A paragraph describing a certificate: claim, verdict, method, precision, enclosures."""
    prec = "exact arithmetic" if cert.precision is None else f"{cert.precision} bits"
    rows = [rf"\paragraph{{{escape(title)}}} \textsf{{{escape(cert.verdict)}}}: "
            rf"{escape(cert.claim.get('type', ''))} via {escape(cert.method)} "
            rf"(backend {escape(cert.backend)}, {prec}). {escape(cert.reason)}."]
    enclosures = []
    for key, value in sorted(cert.evidence.items()):
        for text in _texts(value):
            enclosures.append(rf"\item {escape(key)}: \texttt{{{escape(text)}}}")
            if len(enclosures) >= 8:
                break
    if enclosures:
        rows.append("\\begin{itemize}\\small\n" + "\n".join(enclosures) + "\n\\end{itemize}")
    rows.append(rf"\noindent{{\small input hash \texttt{{{cert.input_hash[:16]}}}}}")
    return "\n".join(rows)


def _texts(value: Any) -> list[str]:
    if isinstance(value, dict) and "text" in value:
        return [value["text"]]
    if isinstance(value, dict) and "exact" in value:
        return [value["exact"]]
    if isinstance(value, list) and value and isinstance(value[0], dict) and "text" in value[0]:
        return [", ".join(v["text"] for v in value[:6]) + (" ..." if len(value) > 6 else "")]
    if isinstance(value, (str, int, float)) and len(str(value)) < 120:
        return [str(value)]
    return []


_PREAMBLE = r"""\documentclass[11pt]{article}
\usepackage[margin=2.5cm]{geometry}
\usepackage{amsmath,amssymb,amsthm}
\usepackage[dvipsnames]{xcolor}
\usepackage[hidelinks]{hyperref}
\definecolor{pkgreen}{RGB}{27,120,55}
\definecolor{pkblue}{RGB}{33,102,172}
\definecolor{pkorange}{RGB}{204,102,0}
\definecolor{pkred}{RGB}{178,24,43}
\theoremstyle{plain}
\newtheorem{theorem}{Theorem}
\newtheorem{lemma}[theorem]{Lemma}
\newtheorem{corollary}[theorem]{Corollary}
\newtheorem{conjecture}[theorem]{Conjecture}
\theoremstyle{definition}
\newtheorem{definition}[theorem]{Definition}
\newtheorem{assumption}[theorem]{Assumption}
\newtheorem{instance}[theorem]{Instance}
\newtheorem{counterexample}[theorem]{Counterexample}
"""


def graph_document(graph: ClaimGraph, title: str = "Claims and certificates") -> str:
    """A complete LaTeX document: claims in dependency order, a coverage table, an appendix of certificates."""
    st = graph.statuses()
    cov = graph.coverage()
    body = [_PREAMBLE, rf"\title{{{escape(title)}}}", r"\date{}", r"\begin{document}", r"\maketitle"]
    body.append(r"\section*{Coverage}")
    body.append(r"\begin{tabular}{lr}\hline status & claims\\\hline")
    body += [rf"{escape(s)} & {n}\\" for s, n in cov.items() if n]
    body.append(rf"\hline total & {len(graph)}\\\hline\end{{tabular}}")
    body.append(r"\section*{Claims}")
    for label in graph.order():
        body.append(claim_fragment(graph.claims[label], st[label], graph.flagged(label)))
        reason = graph.failures.get(label) or graph.unmet.get(label)
        if reason:
            body.append(r"\noindent\emph{" + escape(st[label]) + ":} " + escape(reason) + r"\par")
    body.append(r"\appendix\section{Certificates}")
    for label in graph.order():
        for i, cert in enumerate(graph.certificates.get(label, []), 1):
            body.append(certificate_latex(cert, f"{label} ({i})"))
            if cert.claim.get("type") == "spurious_local_min" and cert.verdict == "certified":
                body.append(spurious_minimum_latex(cert))
    body.append(r"\end{document}")
    return "\n".join(body) + "\n"


def compile_pdf(tex: str, out_dir: str, name: str = "report") -> str:
    """Compile a LaTeX document with pdflatex (twice, for references); returns the PDF path.

    Raises
    ------
    ToolMissing
        When pdflatex is not installed.
    RuntimeError
        When LaTeX reports an error (the log's first error line is included).
    """
    exe = shutil.which("pdflatex")
    if exe is None:
        raise ToolMissing("pdflatex is not installed (Debian: apt-get install texlive-latex-recommended)")
    os.makedirs(out_dir, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        src = os.path.join(work, f"{name}.tex")
        with open(src, "w") as fh:
            fh.write(tex)
        for _ in range(2):
            proc = subprocess.run([exe, "-interaction=nonstopmode", "-halt-on-error", f"{name}.tex"], cwd=work,
                                  capture_output=True, text=True, timeout=120)
            if proc.returncode != 0:
                err = next((ln for ln in proc.stdout.splitlines() if ln.startswith("!")), "unknown error")
                raise RuntimeError(f"pdflatex failed: {err}")
        target = os.path.join(out_dir, f"{name}.pdf")
        shutil.copyfile(os.path.join(work, f"{name}.pdf"), target)
    return target


def spurious_minimum_latex(cert: Any, digits: int = 20) -> str:
    """LaTeX of a spurious-minimum certificate: the point (``digits`` digits), box radius, enclosures, data."""
    import sympy

    inp = cert.inputs or {}
    names = inp.get("variables", [])
    centre = [sympy.Rational(c) for c in inp.get("centers", [])]
    radius = max((sympy.Rational(r) for r in inp.get("radii", ["0"])), default=0)
    rows = [rf"{n} &= {sympy.N(c, digits)}\\" for n, c in zip(names, centre)]
    ev = cert.evidence
    body = [r"\begin{align*}", *rows, r"\end{align*}",
            rf"Box radius ${sympy.latex(sympy.Float(radius, 3))}$; verdict \textsf{{{escape(cert.verdict)}}}.",
            r"\begin{itemize}"]
    for key, label in (("lower", "lower bound of the loss over the box"), ("better", "loss at the better point"),
                       ("gap", "certified gap")):
        if key in ev:
            body.append(rf"\item {label}: \texttt{{{escape(ev[key]['text'])}}}")
    if "K" in ev:
        body.append(r"\item Krawczyk image inside the box (first coordinates): \texttt{"
                    + escape(", ".join(k["text"] for k in ev["K"][:3])) + "}")
    body.append(r"\item Hessian positive definite on the whole box (interval Hessian, re-checked by the kernel)")
    loss = inp.get("loss", "")
    if isinstance(loss, dict):  # a stored expression DAG
        from proofkit.symbolic.dag import from_dag

        loss = str(from_dag(loss)[0])
    body.append(r"\item loss: \texttt{" + escape(loss[:300]) + "}")
    body.append(r"\end{itemize}")
    return "\n".join(body)
