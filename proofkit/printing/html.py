"""An HTML blueprint of a claim graph, written with Jinja2 templates (``proofkit/printing/templates``).

* ``index.html``: progress by source (claims by provenance, as counts and bars), the legend, the
  interactive dependency graph (click a claim to open its page; search by label, number, title or the
  words of the statement, also from the address ``index.html#search=...``; zoom), the claims of each
  source and the references;
* ``claims/<label>.html``: one page per claim with its statement, its proof (``Claim.proof``), source,
  status with provenance, the claims it uses and that use it (as links and as a drawn dependency
  subgraph), remarks and certificates with their kernel re-check and a link to the JSON.

Math is MathML produced offline by ``latex2mathml``; the stylesheet and script are files of the
package (``proofkit/printing/static``) copied next to the pages: the pages load nothing from the network.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import re
from importlib import resources
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from markupsafe import Markup, escape

from proofkit.errors import ToolMissing
from proofkit.printing.certificates import Item, describe, kernel_recheck, segments_of
from proofkit.printing.graphviz import neighbourhood_svg, page_slug, renderer
from proofkit.printing.mathtext import mathml, plain_to_html, plain_to_unicode, statement_to_html, to_html
from proofkit.printing.provenance import PROVENANCE, legend_rows, provenances
from proofkit.printing.sources import REFERENCES, by_number, cite_key, number_claims, sections

if TYPE_CHECKING:  # pragma: no cover
    from proofkit.claims import ClaimGraph

__all__ = ["write_html", "certificate_filename", "progress_by_source", "display_mathml", "CSS", "STATIC_FILES"]

#: Files copied from ``proofkit/printing/static`` next to ``index.html``.
STATIC_FILES = ("style.css", "blueprint.js")
#: Provenance classes that count as established in the progress table.
ESTABLISHED = ("checked", "proved", "cited")


def _static(name: str) -> str:
    return resources.files("proofkit.printing").joinpath("static", name).read_text(encoding="utf-8")


#: The stylesheet of the pages (``static/style.css``).
CSS = _static("style.css")


def _env() -> Any:
    import jinja2

    return jinja2.Environment(loader=jinja2.PackageLoader("proofkit.printing", "templates"),
                              autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
                              trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)


def certificate_filename(label: str, index: int) -> str:
    """The file name of a claim's ``index``-th certificate (1-based) in the report's ``certificates`` folder."""
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in label)
    return f"{safe}-{index}.json"


def _badge(key: str) -> Markup:
    k = PROVENANCE[key]
    fg = "#fff" if k.dark else "#000"
    return Markup('<span class="badge" style="background:{};color:{}" title="{}">{}</span>').format(
        k.colour, fg, k.meaning, k.name)


def _top_level_ampersands(line: str) -> int:
    """The number of ``&`` of a display line outside its matrices (its alignment points)."""
    depth, count = 0, 0
    for m in re.finditer(r"\\begin\{|\\end\{|(?<!\\)&", line):
        if m.group(0) == "\\begin{":
            depth += 1
        elif m.group(0) == "\\end{":
            depth -= 1
        elif depth == 0:
            count += 1
    return count


def display_mathml(lines: list[str]) -> str:
    """The lines of an aligned display (one ``&`` each at its alignment point) as one MathML table, aligned
    as LaTeX aligns them: what is left of ``&`` flush right, the rest flush left.

    Examples
    --------
    >>> "&" in display_mathml([r"A &= \\begin{bmatrix} 1 & 2 \\end{bmatrix}", r"&x = 0"]).replace("&#x", "")
    False
    """
    rows = [ln if _top_level_ampersands(ln) else "&" + ln for ln in lines]
    out = mathml(r"\begin{array}{rl}" + r" \\ ".join(rows) + r"\end{array}", display=True)
    return out.replace("<mtable>", '<mtable columnspacing="0.28em">', 1)  # as close as align* sets its columns


def _item_html(item: Item) -> str:
    value = display_mathml(item.lines) if item.kind == "display" else to_html(segments_of(item))
    return f'<tr><td class="cap">{escape(item.caption)}</td><td>{value}</td></tr>'


def _item_value(item: Item) -> Markup:
    m = re.fullmatch(r"<tr><td[^>]*>.*?</td><td>(.*)</td></tr>", _item_html(item), re.S)
    assert m is not None
    return Markup(m.group(1))


def progress_by_source(graph: ClaimGraph) -> list[dict[str, Any]]:
    """For each source (section), the number of claims by provenance class and how many are established.

    Returns
    -------
    list of dict
        ``{"key", "title", "total", "counts": {provenance key: n}, "established"}`` per source, in the
        order of :func:`~proofkit.printing.sources.sections`.

    Examples
    --------
    >>> from proofkit.claims import Claim, ClaimGraph
    >>> g = ClaimGraph()
    >>> g.add_claim(Claim("A", kind="assumption", source="Doe 2020, Assumption 1", established="cited"))
    >>> g.add_claim(Claim("C", kind="conjecture", source="Doe 2020, Conjecture 2"))
    >>> row = progress_by_source(g)[0]
    >>> row["title"], row["total"], row["counts"], row["established"]
    ('Doe 2020', 2, {'cited': 1, 'open': 1}, 1)
    """
    prov = provenances(graph)
    out = []
    for sec in sections(graph):
        counts: dict[str, int] = {}
        for lab in sec.labels:
            counts[prov[lab].kind.key] = counts.get(prov[lab].kind.key, 0) + 1
        counts = {k: counts[k] for k in PROVENANCE if k in counts}
        out.append({"key": sec.key, "title": sec.title, "total": len(sec.labels), "counts": counts,
                    "established": sum(counts.get(k, 0) for k in ESTABLISHED)})
    return out


def _with_segments(row: dict[str, Any]) -> dict[str, Any]:
    segs = [(PROVENANCE[k], n) for k, n in row["counts"].items()]
    summary = ", ".join(f"{n} {PROVENANCE[k].name}" for k, n in row["counts"].items())
    return {**row, "segments": segs, "summary": summary, "anchor": cite_key(row["key"])}


def _search_text(statement: str) -> str:
    """The words of a LaTeX statement for the search box (math as Unicode, no LaTeX commands)."""
    return re.sub(r"\\[A-Za-z]+\{([^{}]*)\}", r"\1", plain_to_unicode(statement))


def _claim_context(graph: ClaimGraph, label: str, nums: dict[str, Any], prov: dict[str, Any], cert_dir: str,
                   neighbourhood: str | None) -> dict[str, Any]:
    claim = graph.claims[label]
    num = nums[label]

    def link(lab: str) -> tuple[str, str]:
        return page_slug(lab), nums[lab].ref or nums[lab].heading

    heading = plain_to_html(num.heading) + (Markup(" (") + Markup(plain_to_html(num.rest)) + Markup(")")
                                            if num.rest else "")
    sources = [{"key": cite_key(w), "work": w, "location": loc, "sep": " " if loc.startswith("(") else ", "}
               for w, loc in num.works]
    p = prov[label]
    status: list[Any] = [_badge(p.kind.key), p.kind.meaning]
    if p.kind.key in ("proved", "cited") and not p.complete:
        status.append("rests on claims that are not established")
    if p.checked_instances:
        status.append(Markup("machine-checked instances: ") + Markup(", ").join(
            Markup('<a href="{}">{}</a>').format(*link(i)) for i in by_number(p.checked_instances, nums)))
    if p.expected:
        status.append("as expected")
    why = graph.failures.get(label) or graph.unmet.get(label)
    dependants = sorted((v for v in graph.graph.successors(label) if v in graph.claims
                         and graph.graph[label][v]["kind"] in ("uses", "proof", "instance_of")),
                        key=lambda v: nums[v].heading)
    relations = []
    for name, labs in (("Uses", claim.uses), ("Proof uses", [d for d in claim.proof_uses if d not in claim.uses]),
                       ("Instance of", [claim.instance_of] if claim.instance_of else []),
                       ("Refutes", claim.refutes), ("Generalises", claim.generalizes),
                       ("Refuted by", graph.refuted_by(label)), ("Used by", dependants),
                       ("Depends on refuted", p.flagged)):
        labs = [x for x in labs if x in graph.claims]
        if labs:
            relations.append((name, [link(x) for x in labs]))
    certificates = []
    for i, cert in enumerate(graph.certificates.get(label, []), 1):
        ok, how = kernel_recheck(cert)
        fname = certificate_filename(label, i)
        certificates.append({"index": i, "rows": [(it.caption, _item_value(it)) for it in describe(cert)],
                             "verdict": "accepted" if ok else "rejected", "how": how,
                             "filename": fname, "href": f"{cert_dir}/{fname}"})
    return {"root": "../", "label": label, "kind": claim.kind, "heading": Markup(heading),
            "heading_text": plain_to_unicode(num.heading + (f" ({num.rest})" if num.rest else "")),
            "search_link": quote(label), "sources": sources,
            "statement": Markup(statement_to_html(claim.statement or "(no statement recorded)")),
            "proof": Markup(statement_to_html(claim.proof)) if claim.proof else None, "status": status,
            "why": why, "why_title": p.kind.name.capitalize(), "relations": relations,
            "neighbourhood": Markup(_inline_svg(neighbourhood)) if neighbourhood else None,
            "note": Markup(plain_to_html(claim.note)) if claim.note else None, "certificates": certificates}


def _inline_svg(svg: str) -> str:
    """An SVG document as an element to inline in HTML (no XML prolog, doctype or comments)."""
    body = svg[svg.index("<svg"):] if "<svg" in svg else svg
    return re.sub(r"<!--.*?-->\n?", "", body, flags=re.S)


def write_html(graph: ClaimGraph, out_dir: str, *, svg: str | None = None, title: str | None = None,
               author: str | None = None, cert_dir: str = "../../certificates", subgraphs: bool = True,
               command: list[str] | None = None) -> list[str]:
    """Write the blueprint into ``out_dir`` (``index.html``, ``style.css``, ``blueprint.js``, ``claims/*.html``);
    the written paths.

    Parameters
    ----------
    title : str, optional
        The title of the index page (default: the graph's ``title``, else "Claims and certificates").
    svg : str, optional
        The dependency graph rendered with links ``claims/<page>.html`` (see
        :func:`proofkit.printing.graphviz.to_svg` with ``url_prefix="claims/"``): the index's interactive graph.
    cert_dir : str
        The folder of the certificate JSON files, relative to the claim pages.
    subgraphs : bool
        Draw each claim's dependency subgraph on its page (needs a Graphviz renderer; skipped without one).
    command : list of str, optional
        The Graphviz command for the subgraphs (default: :func:`~proofkit.printing.graphviz.renderer`).

    Examples
    --------
    >>> import tempfile
    >>> from proofkit.claims import Claim, ClaimGraph
    >>> g = ClaimGraph()
    >>> g.add_claim(Claim("T", kind="theorem", title="Theorem 1", statement="$x^2 \\\\ge 0$", established="cited"))
    >>> paths = write_html(g, tempfile.mkdtemp(), subgraphs=False)
    >>> sorted(os.path.basename(p) for p in paths)
    ['T.html', 'blueprint.js', 'index.html', 'style.css']
    """
    from proofkit import __version__

    title = title or getattr(graph, "title", "") or "Claims and certificates"
    env = _env()
    env.globals.update(badge=_badge, version=__version__)
    os.makedirs(os.path.join(out_dir, "claims"), exist_ok=True)
    nums = number_claims(graph)
    prov = provenances(graph)
    written = []
    for name in STATIC_FILES:
        path = os.path.join(out_dir, name)
        _write(path, _static(name))
        written.append(path)
    cmd = command or (renderer() if subgraphs else None)
    claim_template = env.get_template("claim.html")
    for label in graph.claims:
        sub = None
        if subgraphs and cmd:
            try:
                sub = neighbourhood_svg(graph, label, command=cmd, url_prefix="")
            except (ToolMissing, RuntimeError):
                sub = None
        path = os.path.join(out_dir, "claims", page_slug(label))
        _write(path, claim_template.render(_claim_context(graph, label, nums, prov, cert_dir, sub)))
        written.append(path)
    author = author if author is not None else f"Generated by proofkit {__version__}"
    rows = [_with_segments(r) for r in progress_by_source(graph)]
    counts: dict[str, int] = {}
    for p in prov.values():
        counts[p.kind.key] = counts.get(p.kind.key, 0) + 1
    counts = {k: counts[k] for k in PROVENANCE if k in counts}
    total = _with_segments({"key": "all", "title": "all", "total": max(len(graph), 1), "counts": counts,
                            "established": sum(counts.get(k, 0) for k in ESTABLISHED)})
    secs = []
    works: dict[str, None] = {}
    for sec in sections(graph):
        srows = []
        for label in sec.labels:
            num = nums[label]
            for w, _ in num.works:
                works[w] = None
            srows.append({"page": page_slug(label), "heading": num.heading, "rest": Markup(plain_to_html(num.rest)),
                          "key": prov[label].kind.key})
        secs.append({"title": sec.title, "anchor": cite_key(sec.key), "rows": srows})
    search = [{"label": lab, "page": "claims/" + page_slug(lab), "heading": nums[lab].heading,
               "title": plain_to_unicode(nums[lab].rest), "source": graph.claims[lab].source,
               "text": " ".join(_search_text(t) for t in (graph.claims[lab].statement, graph.claims[lab].note,
                                                          graph.claims[lab].proof) if t)}
              for lab in graph.claims]
    search_json = json.dumps(search, ensure_ascii=False).replace("</", "<\\/")
    references = [{"key": cite_key(w), "text": REFERENCES.get(w, w).replace("--", "\u2013")}
                  for w in sorted(works, key=str.lower)]
    page = env.get_template("index.html").render(
        root="", title=title, author=author, date=_dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d"),
        used=legend_rows(set(counts)), progress=rows, total=total, legend=legend_rows(),
        svg=Markup(_inline_svg(svg)) if svg else None, no_svg_reason="no Graphviz renderer was found",
        search_data=Markup(search_json), sections=secs, references=references)
    path = os.path.join(out_dir, "index.html")
    _write(path, page)
    written.append(path)
    return written


def _write(path: str, text: str) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)
