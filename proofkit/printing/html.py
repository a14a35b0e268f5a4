"""An HTML blueprint of a claim graph: an index with the clickable dependency graph and the coverage
table, and one page per claim (statement, source, dependencies and dependants, status with provenance,
certificates with their kernel re-check and a link to the JSON).

Math is MathML produced offline by ``latex2mathml``; the pages load nothing from the network.
"""

from __future__ import annotations

import datetime as _dt
import html
import os
import re
from typing import TYPE_CHECKING, Any

from proofkit.printing.certificates import Item, describe, kernel_recheck, segments_of
from proofkit.printing.graphviz import page_slug
from proofkit.printing.mathtext import mathml, plain_to_html, statement_to_html, to_html
from proofkit.printing.provenance import PROVENANCE, legend_rows, provenances
from proofkit.printing.sources import REFERENCES, cite_key, number_claims, sections

if TYPE_CHECKING:  # pragma: no cover
    from proofkit.claims import ClaimGraph

__all__ = ["write_html", "certificate_filename", "CSS"]

CSS = """body{font-family:"Latin Modern Roman","Times New Roman",serif;max-width:62rem;margin:1.5rem auto;
padding:0 1rem;line-height:1.45;color:#222}
h1,h2,h3{font-family:Helvetica,Arial,sans-serif}a{color:#1f4e8c}
.badge{font:0.8rem Helvetica,Arial,sans-serif;padding:0.1rem 0.4rem;border-radius:0.25rem;border:1px solid #777;
white-space:nowrap}
table{border-collapse:collapse;margin:0.5rem 0}td,th{padding:0.2rem 0.6rem;border-bottom:1px solid #ddd;
text-align:left;vertical-align:top}
.statement{background:#f6f6f6;padding:0.6rem 0.9rem;border-left:4px solid #1f4e8c}
.graph svg{width:100%;height:auto}.meta{color:#555;font-size:0.9rem}
.cert{border:1px solid #ccc;border-radius:0.3rem;padding:0.3rem 0.8rem;margin:0.8rem 0}
.cap{font:0.85rem Helvetica,Arial,sans-serif;color:#555;white-space:nowrap}
math[display=block]{margin:0.3rem 0}
"""


def certificate_filename(label: str, index: int) -> str:
    """The file name of a claim's ``index``-th certificate (1-based) in the report's ``certificates`` folder."""
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in label)
    return f"{safe}-{index}.json"


def _badge(key: str) -> str:
    k = PROVENANCE[key]
    fg = "#fff" if k.dark else "#000"
    return (f'<span class="badge" style="background:{k.colour};color:{fg}" title="{html.escape(k.meaning)}">'
            f"{html.escape(k.name)}</span>")


def _page(title: str, body: str, css: str = "style.css") -> str:
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{html.escape(title)}</title><link rel=\"stylesheet\" href=\"{css}\"></head>\n"
            f"<body>\n{body}\n</body></html>\n")


def _item_html(item: Item) -> str:
    if item.kind == "display":
        cells = []
        for line in item.lines:
            tex = line.replace("&\\quad{}", "\\quad ").replace("&\\quad", "\\quad ").replace("&=", "=")
            tex = tex.replace("&\\approx", "\\approx")
            cells.append(mathml(tex, display=True))
        value = "".join(cells)
    else:
        value = to_html(segments_of(item))
    return f'<tr><td class="cap">{html.escape(item.caption)}</td><td>{value}</td></tr>'


def _claim_page(graph: ClaimGraph, label: str, nums: dict[str, Any], prov: dict[str, Any], cert_dir: str) -> str:
    claim = graph.claims[label]
    num = nums[label]

    def link(lab: str) -> str:
        return f'<a href="{page_slug(lab)}">{html.escape(nums[lab].ref or nums[lab].heading)}</a>'

    title = num.heading + (f" ({num.rest})" if num.rest else "")
    parts = ['<p class="meta"><a href="../index.html">Index</a> · <a href="../index.html#legend">legend</a></p>',
             f"<h1>{plain_to_html(title)}</h1>"]
    if num.works:
        srcs = ", ".join(f'<a href="../index.html#ref-{cite_key(w)}">{html.escape(w)}</a>'
                         + (f", {html.escape(loc)}" if loc else "") for w, loc in num.works)
        parts.append(f"<p><b>Source:</b> {srcs}</p>")
    parts.append(f'<p class="meta">label <code>{html.escape(label)}</code>, kind {html.escape(claim.kind)}</p>')
    parts.append(f'<div class="statement">{statement_to_html(claim.statement or "(no statement recorded)")}</div>')
    p = prov[label]
    status = [_badge(p.kind.key), html.escape(p.kind.meaning)]
    if p.kind.key in ("proved", "cited") and not p.complete:
        status.append("rests on claims that are not established")
    if p.checked_instances:
        status.append("machine-checked instances: " + ", ".join(link(i) for i in p.checked_instances))
    if p.expected:
        status.append("as expected")
    parts.append("<p><b>Status:</b> " + "; ".join(status) + "</p>")
    why = graph.failures.get(label) or graph.unmet.get(label)
    if why:
        parts.append(f"<p><b>{html.escape(p.kind.name.capitalize())}:</b> {plain_to_html(why)}</p>")
    rows = []
    dependants = sorted((v for v in graph.graph.successors(label) if v in graph.claims
                         and graph.graph[label][v]["kind"] in ("uses", "proof", "instance_of")),
                        key=lambda v: nums[v].heading)
    for name, labs in (("Uses", claim.uses), ("Proof uses", [d for d in claim.proof_uses if d not in claim.uses]),
                       ("Instance of", [claim.instance_of] if claim.instance_of else []),
                       ("Refutes", claim.refutes), ("Generalises", claim.generalizes),
                       ("Refuted by", graph.refuted_by(label)), ("Used by", dependants),
                       ("Depends on refuted", p.flagged)):
        labs = [x for x in labs if x in graph.claims]
        if labs:
            rows.append(f"<tr><th>{name}</th><td>{', '.join(link(x) for x in labs)}</td></tr>")
    if rows:
        parts.append("<table>" + "".join(rows) + "</table>")
    if claim.note:
        parts.append(f"<p><b>Remark:</b> {plain_to_html(claim.note)}</p>")
    certs = graph.certificates.get(label, [])
    if certs:
        parts.append("<h2>Certificates</h2>")
    for i, cert in enumerate(certs, 1):
        ok, how = kernel_recheck(cert)
        fname = certificate_filename(label, i)
        items = "".join(_item_html(it) for it in describe(cert))
        verdict = "accepted" if ok else "rejected"
        parts.append(f'<div class="cert" id="cert-{i}"><h3>Certificate {i}</h3><table>{items}'
                     f'<tr><td class="cap">kernel re-check</td><td>{verdict} ({plain_to_html(how)})</td></tr>'
                     f'<tr><td class="cap">data</td><td><a href="{cert_dir}/{fname}" download>{fname}</a>'
                     f"</td></tr></table></div>")
    return _page(f"{title} — proofkit", "\n".join(parts), "../style.css")


def write_html(graph: ClaimGraph, out_dir: str, *, svg: str | None = None, title: str = "Claims and certificates",
               author: str | None = None, cert_dir: str = "../../certificates") -> list[str]:
    """Write the blueprint into ``out_dir`` (``index.html``, ``style.css``, ``claims/*.html``); the written paths.

    ``svg`` is the dependency graph rendered with links ``claims/<page>.html`` (see
    :func:`proofkit.printing.graphviz.to_svg` with ``url_prefix="claims/"``); ``cert_dir`` is the folder
    of the certificate JSON files relative to the claim pages.

    Examples
    --------
    >>> import tempfile
    >>> from proofkit.claims import Claim, ClaimGraph
    >>> g = ClaimGraph()
    >>> g.add_claim(Claim("T", kind="theorem", title="Theorem 1", statement="$x^2 \\\\ge 0$", established="cited"))
    >>> paths = write_html(g, tempfile.mkdtemp())
    >>> sorted(os.path.basename(p) for p in paths)
    ['T.html', 'index.html', 'style.css']
    """
    from proofkit import __version__

    os.makedirs(os.path.join(out_dir, "claims"), exist_ok=True)
    nums = number_claims(graph)
    prov = provenances(graph)
    written = []
    path = os.path.join(out_dir, "style.css")
    with open(path, "w") as fh:
        fh.write(CSS)
    written.append(path)
    for label in graph.claims:
        path = os.path.join(out_dir, "claims", page_slug(label))
        with open(path, "w") as fh:
            fh.write(_claim_page(graph, label, nums, prov, cert_dir))
        written.append(path)
    author = author if author is not None else f"Generated by proofkit {__version__}"
    date = _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d")
    counts: dict[str, int] = {}
    for p in prov.values():
        counts[p.kind.key] = counts.get(p.kind.key, 0) + 1
    parts = [f"<h1>{html.escape(title)}</h1>", f'<p class="meta">{html.escape(author)} · {date}</p>',
             '<h2 id="legend">Legend</h2><table>'
             + "".join(f"<tr><td>{_badge(k.key)}</td><td>{html.escape(k.meaning)}</td></tr>" for k in legend_rows())
             + "</table>",
             "<h2>Coverage</h2><table><tr><th>status</th><th>claims</th></tr>"
             + "".join(f"<tr><td>{_badge(k.key)}</td><td>{counts[k.key]}</td></tr>" for k in legend_rows(set(counts)))
             + f"<tr><th>total</th><th>{len(graph)}</th></tr></table>"]
    if svg:
        body = svg[svg.index("<svg"):] if "<svg" in svg else svg
        parts.append(f'<h2>Dependency graph</h2><div class="graph">{body}</div>')
    works: dict[str, None] = {}
    for sec in sections(graph):
        rows = []
        for label in sec.labels:
            num = nums[label]
            for w, _ in num.works:
                works[w] = None
            rows.append(f'<tr><td><a href="claims/{page_slug(label)}">{html.escape(num.heading)}</a></td>'
                        f"<td>{plain_to_html(num.rest)}</td><td>{_badge(prov[label].kind.key)}</td></tr>")
        parts.append(f"<h2>{html.escape(sec.title)}</h2><table>{''.join(rows)}</table>")
    if works:
        parts.append("<h2>References</h2><ul>" + "".join(
            f'<li id="ref-{cite_key(w)}">{html.escape(_plain_ref(REFERENCES.get(w, w)))}</li>'
            for w in sorted(works, key=str.lower)) + "</ul>")
    path = os.path.join(out_dir, "index.html")
    with open(path, "w") as fh:
        fh.write(_page(title, "\n".join(parts)))
    written.append(path)
    return written


def _plain_ref(text: str) -> str:
    return re.sub(r"--", "\u2013", text)
