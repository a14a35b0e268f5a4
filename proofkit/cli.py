"""The ``proofkit`` command line.

``proofkit check [GRAPH.json]``
    Build the seed library (or load a saved graph), run the instance checkers
    that changed, re-check every certificate with the kernel, print the status
    table and write ``./proofkit-report/`` (for a GRAPH.json only with ``--write``).
    Exit 0 when every claim is what the graph says (nothing failed, stale, refuted
    unexpectedly, and every expected outcome holds), 1 otherwise, 2 for usage or
    input errors.
``proofkit report [GRAPH.json] --out DIR [--html]``
    Write LaTeX (and PDF when pdflatex is present), the SVG graph, the HTML blueprint
    (``DIR/html/index.html``), certificates, summary.

Also ``proofkit show CLAIM`` (``--list`` for the labels), ``proofkit verify CERT.json|DIR``, ``proofkit demo``,
``proofkit activations``, ``proofkit losses``, ``proofkit sweep TASKS.jsonl``; ``proofkit COMMAND --help``
for each.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import time
from collections.abc import Sequence
from typing import Any

from proofkit.errors import ProofkitError
from proofkit.progress import quiet

__all__ = ["main", "build_parser", "write_report"]

DEFAULT_OUT = "proofkit-report"


class _UsageError(Exception):
    """A command-line usage error (argparse's message), raised instead of exiting."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise _UsageError(f"{self.prog}: error: {message}", self.format_usage())


def _fail(args: Any, message: str, kind: str, code: int = 2) -> int:
    """Report an error: one JSON object on stdout with ``--json``, one line on stderr otherwise."""
    if getattr(args, "json", False):
        print(json.dumps({"ok": False, "error": message, "kind": kind}))
    else:
        print(f"proofkit: error: {message}", file=sys.stderr)
    return code


def _load_graph(path: str | None, out: str) -> tuple[Any, bool]:
    """The graph to work on: a saved file (its unchanged seed-library claims take the library's checkers and
    declarations), or the seed library merged with the previous run's results."""
    from proofkit.claims import ClaimGraph

    if path:
        from proofkit.claims.persistence import read_text
        from proofkit.claims.verify import load_with_library

        return load_with_library(read_text(path))[0], False
    from proofkit.library import seed_graph

    graph = seed_graph()
    previous = os.path.join(out, "graph.json")
    if os.path.exists(previous):
        try:
            graph.merge_results(ClaimGraph.load(previous))
        except ProofkitError as exc:
            print(f"proofkit: previous results in {previous} ignored ({exc})", file=sys.stderr)
        for label, why in graph.discarded.items():
            print(f"proofkit: the previous results of {label} in {previous} are not the ones its checker defines "
                  f"({why}): its checker runs again", file=sys.stderr)
    return graph, True


def _outputs_manifest(pdf: bool) -> dict[str, Any]:
    """What the outputs depend on besides the graph: proofkit's version, its printing code, the tools present."""
    import hashlib

    import proofkit
    from proofkit.printing.graphviz import renderer
    from proofkit.tools import find_tool

    folder = os.path.join(os.path.dirname(proofkit.__file__), "printing")
    h = hashlib.sha256()
    for sub in ("", "templates", "static"):  # the code, the HTML templates, the stylesheet and script
        for name in sorted(os.listdir(os.path.join(folder, sub))):
            if name.endswith((".py", ".html", ".css", ".js")):
                with open(os.path.join(folder, sub, name), "rb") as fh:
                    h.update(os.path.join(sub, name).encode() + fh.read())
    with open(__file__, "rb") as fh:
        h.update(fh.read())
    gv = renderer()
    return {"proofkit": proofkit.__version__, "printing": h.hexdigest()[:16],
            "pdflatex": bool(pdf and find_tool("pdflatex")), "graphviz": os.path.basename(gv[0]) if gv else None}


def write_report(graph: Any, out: str, *, pdf: bool = True, html: bool = True, title: str | None = None,
                 author: str | None = None) -> dict[str, str]:
    """Write report.tex (+ report.pdf), graph.dot/graph.svg, html/ (the blueprint), ``certificates/*.json``,
    summary.md, graph.json and outputs.json (what the outputs were made with)."""
    from proofkit.errors import ToolMissing
    from proofkit.printing.graphviz import a4_layout, to_dot, to_svg
    from proofkit.printing.html import certificate_filename, write_html
    from proofkit.printing.report import build_report, compile_pdf
    from proofkit.printing.summary import markdown_summary

    title = title or getattr(graph, "title", "") or "Claims, proofs and certificates"
    os.makedirs(os.path.join(out, "certificates"), exist_ok=True)
    written: dict[str, str] = {}
    import shutil

    report = build_report(graph, title, author=author, draw_graph=pdf and shutil.which("pdflatex") is not None)
    _write(os.path.join(out, "report.tex"), report.tex, written, "tex")
    if pdf:
        try:
            written["pdf"] = compile_pdf(report, out)
        except ToolMissing as exc:
            written["pdf"] = f"skipped: {exc}"
    svg_html = None
    width = 3
    try:
        width, svg = a4_layout(graph)
        _write(os.path.join(out, "graph.svg"), svg, written, "svg")
        svg_html = to_svg(graph, url_prefix="claims/", width=width) if html else None
    except ToolMissing as exc:
        written["svg"] = f"skipped: {exc}"
    _write(os.path.join(out, "graph.dot"), to_dot(graph, width=width), written, "dot")
    _write(os.path.join(out, "summary.md"), markdown_summary(graph, "proofkit summary"), written, "summary")
    cert_dir = os.path.join(out, "certificates")
    for old in os.listdir(cert_dir):
        if old.endswith(".json"):
            os.unlink(os.path.join(cert_dir, old))
    n = 0
    for label, certs in graph.certificates.items():
        for i, cert in enumerate(certs, 1):
            _write(os.path.join(cert_dir, certificate_filename(label, i)), cert.to_json(timing=True), written, None)
            n += 1
    written["certificates"] = f"{cert_dir} ({n} files)"
    if html:
        pages = write_html(graph, os.path.join(out, "html"), svg=svg_html, title=title, author=author)
        n_pages = sum(os.path.dirname(p).endswith("claims") for p in pages)
        written["html"] = f"{os.path.join(out, 'html', 'index.html')} ({n_pages} claim pages)"
    graph.save(os.path.join(out, "graph.json"))
    written["graph"] = os.path.join(out, "graph.json")
    _write(os.path.join(out, "outputs.json"), json.dumps(_outputs_manifest(pdf), sort_keys=True), written, None)
    return written


def _write(path: str, text: str, written: dict[str, str], key: str | None) -> None:
    tmp = path + ".tmp"
    with open(tmp, "w") as fh:
        fh.write(text)
    os.replace(tmp, path)
    if key:
        written[key] = path


def _report_current(graph: Any, out: str, pdf: bool = True) -> bool:
    """Whether ``out`` already holds the report of exactly this graph, written by this printing code with the
    tools present now (a PDF or SVG whose tool became available since is regenerated)."""
    try:
        with open(os.path.join(out, "graph.json")) as fh:
            saved = fh.read()
        with open(os.path.join(out, "outputs.json")) as fh:
            manifest = json.load(fh)
    except (OSError, ValueError):
        return False
    needed = ["report.tex", "graph.dot", "summary.md", os.path.join("html", "index.html")]
    now = _outputs_manifest(pdf)
    if now["pdflatex"]:
        needed.append("report.pdf")
    if now["graphviz"]:
        needed.append("graph.svg")
    return (saved == graph.to_json() and manifest == now
            and all(os.path.exists(os.path.join(out, f)) for f in needed))


def _cmd_check(args: argparse.Namespace) -> int:
    from proofkit.claims.verify import graph_problems, unbound_claims
    from proofkit.printing.provenance import provenances
    from proofkit.printing.summary import status_table

    t0 = time.perf_counter()
    graph, rebuilt = _load_graph(args.graph, args.out)
    report = graph.check() if rebuilt else None  # a progress bar on a terminal (proofkit.progress)
    rows = status_table(graph)
    bad = graph_problems(graph)
    up_to_date = rebuilt and report is not None and not report.ran and _report_current(graph, args.out,
                                                                                          not args.no_pdf)
    not_written = ""
    if up_to_date:
        written = {"report": f"{args.out} is up to date (nothing changed)"}
    elif rebuilt or args.write:
        written = write_report(graph, args.out, pdf=not args.no_pdf)
    else:
        written = {}
        not_written = (f"the report of {args.graph} was not written (checking a saved graph writes nothing): add "
                       f"--write to write it to {args.out}/, or run `proofkit report {args.graph} --out DIR`")
    seconds = time.perf_counter() - t0
    prov = provenances(graph)
    if args.json:
        print(json.dumps({"statuses": {r[0]: r[2] for r in rows},
                          "provenance": {k: p.detail() for k, p in prov.items()}, "notes": {r[0]: r[3] for r in rows if r[3]},
                          "ran": report.ran if report else [], "skipped": report.skipped if report else [],
                          "problems": {label: {"status": status, "why": why} for label, status, why in bad},
                          "discarded": dict(graph.discarded), "seconds": round(seconds, 3), "written": written,
                          **({"not_written": not_written} if not_written else {})}, indent=2))
    else:
        width = max((len(r[0]) for r in rows), default=0)
        for label, kind, status, note in rows:  # provenance first; the graph's derived status beside it
            # the whole note, never cut mid-sentence: a long one continues on the next lines
            print(f"{label:<{width}}  {kind:<14} {prov[label].name:<20} {status:<18} "
                  + _wrap(note, width + 56))
        counts: dict[str, int] = {}
        for p in prov.values():
            counts[p.name] = counts.get(p.name, 0) + 1
        print("\n" + ", ".join(f"{n} {s}" for s, n in counts.items()) + f" ({len(graph)} claims)")
        print("legend: machine-checked = certified by kernel-checked certificates; proved in the source = "
              "the paper's proof, not checked here; cited = taken from the literature, not checked here")
        if report is not None:
            print(f"checkers run: {len(report.ran)}, unchanged and skipped: {len(report.skipped)}")
        else:
            print("a saved graph holds no code: no checker was run; every stored certificate was re-checked by the "
                  "kernel against its claim" + (" and, for the seed library's claims, against the certificates "
                                                  "their checkers declare" if _adopted(graph) else ""))
        loose = unbound_claims(graph)
        if loose:
            print(f"note: {len(loose)} claims hold certificates tied to them by their binding only, a hash anyone can "
                  f"recompute (their checkers declare no expected certificates here): {', '.join(sorted(loose))}")
        for key, path in written.items():
            print(f"wrote {key}: {path}")
        if not_written:
            print(not_written)
        print(f"time: {seconds:.2f} s")
        for label, status, why in bad:
            print(f"problem: {label} is {status}: {why}", file=sys.stderr)
    return 1 if bad else 0


def _adopted(graph: Any) -> bool:
    return any(c.expects is not None for c in graph.claims.values())


def _wrap(text: str, indent: int) -> str:
    """``text`` broken at spaces to the terminal's width (130 when not a terminal), continuation lines indented."""
    import shutil
    import textwrap

    width = shutil.get_terminal_size((130, 24)).columns
    lines = textwrap.wrap(text, max(40, width - indent), break_long_words=False, break_on_hyphens=False)
    return ("\n" + " " * indent).join(lines)


def _cmd_report(args: argparse.Namespace) -> int:
    graph, rebuilt = _load_graph(args.graph, args.out)
    if rebuilt:
        graph.check()
    written = write_report(graph, args.out, pdf=not args.no_pdf, html=True, title=args.title, author=args.author)
    if args.html:
        print(f"blueprint: {os.path.join(args.out, 'html', 'index.html')}")
    for key, path in written.items():
        print(f"{key}: {path}")
    return 0


def _cmd_show(args: argparse.Namespace) -> int:
    if args.list:
        return _list_claims(args)
    if args.claim is None:
        return _fail(args, "show: give the label of a claim (`proofkit show --list` lists them)", "UsageError")
    graph, rebuilt = _load_graph(args.graph, args.out)
    claim = graph.claim(args.claim)
    if rebuilt and claim.checker is not None and args.claim not in graph.certificates:
        saved = os.path.join(args.out, "graph.json")
        print(f"proofkit: no saved result for {args.claim} in {saved} (`proofkit check` saves them); "
              f"running the seed library's checkers to derive its status ...", file=sys.stderr)
        t0 = time.perf_counter()
        report = graph.check()
        print(f"proofkit: ran {len(report.ran)} checkers in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    status = graph.status(args.claim)
    certs = graph.certificates.get(args.claim, [])
    if args.json:
        print(json.dumps({"claim": claim.to_dict(), "status": status, "flagged": graph.flagged(args.claim),
                          "certificates": [c.to_dict() for c in certs],
                          "note": graph.failures.get(args.claim) or graph.unmet.get(args.claim)}, indent=2))
        return 0
    from proofkit.printing.provenance import provenance

    print(f"{claim.label} ({claim.kind}) — {status}")
    print(f"  provenance: {provenance(graph, args.claim).detail()}")
    if claim.title:
        print(f"  title: {claim.title}")
    if claim.source:
        print(f"  source: {claim.source}")
    print(f"  statement: {claim.statement}")
    for name in ("uses", "proof_uses", "refutes"):
        if getattr(claim, name):
            print(f"  {name}: {', '.join(getattr(claim, name))}")
    if claim.note:
        print(f"  note: {claim.note}")
    why = graph.failures.get(args.claim) or graph.unmet.get(args.claim)
    if why:
        print(f"  {status}: {why}")
    if graph.flagged(args.claim):
        print(f"  depends on refuted: {', '.join(graph.flagged(args.claim))}")
    for cert in certs:
        print(f"  certificate: {cert.summary()} — {cert.reason}")
    return 0


def _list_claims(args: argparse.Namespace) -> int:
    """``proofkit show --list``: every claim's label, kind and title, in dependency order (no checker runs)."""
    graph = _load_graph(args.graph or args.claim, args.out)[0] if (args.graph or args.claim) else None
    if graph is None:
        from proofkit.library import seed_graph

        graph = seed_graph()
    rows = [(label, graph.claims[label].kind, graph.claims[label].title) for label in graph.order()]
    if args.json:
        print(json.dumps([{"label": lab, "kind": kind, "title": title} for lab, kind, title in rows], indent=2))
        return 0
    width = max((len(r[0]) for r in rows), default=0)
    for label, kind, title in rows:
        print(f"{label:<{width}}  {kind:<14} {title}".rstrip())
    print(f"\n{len(rows)} claims; `proofkit show LABEL` shows one")
    return 0


def _not_a_certificate(text: bytes) -> str | None:
    """Why ``text`` is not a certificate at all (then verify exits 2), or None if it is one to re-check."""
    try:
        data = json.loads(text)
    except (ValueError, UnicodeDecodeError):
        return "it is not JSON"
    if not isinstance(data, dict):
        return f"it is a JSON {type(data).__name__}, not an object"
    schema = data.get("schema")
    if not isinstance(schema, str) or not schema.startswith("proofkit.certificate/"):
        return f"it has no certificate schema (schema: {str(schema)[:60]!r})"
    return None


def _cmd_verify(args: argparse.Namespace) -> int:
    from proofkit.errors import CertificateRejected
    from proofkit.kernel import check_certificate

    if os.path.isdir(args.certificate) or _is_sweep_record(args.certificate):
        return _verify_folder(args)
    if args.workers is not None or args.scheduler is not None:
        print("proofkit: one certificate file is re-checked in this process (--workers and --scheduler spread a "
              "folder's files over Dask workers)", file=sys.stderr)
    try:
        with open(args.certificate, "rb") as fh:
            text = fh.read()
    except OSError as exc:
        return _fail(args, f"cannot read {args.certificate!r}: {exc.strerror}", "OSError")
    if _is_graph(text):
        return _verify_folder(args)
    why = _not_a_certificate(text)
    if why:
        return _fail(args, f"{args.certificate} is not a certificate: {why}", "NotACertificate")
    try:
        rep = check_certificate(text, budget=args.budget)  # raises nothing but CertificateRejected, whatever the bytes
    except CertificateRejected as exc:
        if args.json:
            print(json.dumps({"ok": False, "reason": str(exc)}))
        else:
            print(f"REJECTED: {exc}")
        return 1
    if args.json:
        print(json.dumps({"ok": True, "claim": rep.claim_type, "verdict": rep.verdict, "how": rep.how,
                          "margin": rep.margin, "tier": rep.tier, "rests_on": rep.rests_on,
                          "cost_seconds": round(rep.cost, 6)}))
    else:
        from proofkit.printing.statements import report_sentence

        print(f"OK: {rep.verdict} {rep.claim_type} — {report_sentence(rep)}")
    return 0


def _is_graph(text: str) -> bool:
    """Whether ``text`` is a saved claim graph (``proofkit.graph/...``)."""
    try:
        data = json.loads(text)
    except ValueError:
        return False
    return isinstance(data, dict) and str(data.get("schema", "")).startswith("proofkit.graph/")


def _is_sweep_record(path: str) -> bool:
    from proofkit.sweep.store import is_result_record

    try:
        with open(path) as fh:
            return is_result_record(json.load(fh))
    except (OSError, ValueError):
        return False


def _verify_folder(args: argparse.Namespace) -> int:
    """``proofkit verify DIR`` (or one sweep record or saved graph): re-check everything found."""
    if args.workers is not None or args.scheduler is not None:
        from proofkit.sweep.verify import verify_on_dask

        rep = verify_on_dask(args.certificate, scheduler=args.scheduler, workers=args.workers)
    else:
        from proofkit.sweep.store import verify_path

        rep = verify_path(args.certificate)
    if rep.empty and not rep.problems:
        return _fail(args, f"{args.certificate}: no certificate, sweep record or claim graph found "
                           f"({rep.files} JSON files, {len(rep.skipped)} of other kinds)", "NothingToVerify")
    if args.json:
        print(json.dumps(rep.to_dict(), indent=2))
    else:
        for problem in rep.problems:
            print(f"REJECTED: {problem}")
        for note in rep.notes:
            print(f"note: {note}")
        unverified = ", ".join(f"{n} {o}" for o, n in sorted(rep.unverified.items()))
        n = len(rep.problems)
        verdict = "OK" if rep.ok else f"FAILED ({n} problem{'' if n == 1 else 's'})"
        print(f"{verdict}: {rep.accepted}/{rep.certificates} "
              f"certificates accepted by the kernel ({rep.records} sweep records, {rep.graphs} claim graphs, {rep.files} files, "
              f"{len(rep.skipped)} other JSON files skipped)"
              + (f"; records without a verdict (nothing to re-check): {unverified}" if unverified else ""))
    return 0 if rep.ok else 1


def _cmd_sweep(args: argparse.Namespace) -> int:
    from proofkit.sweep.run import report_dict, sweep

    try:
        rep = sweep(args.tasks, scheduler=args.scheduler, workers=args.workers, out=args.out, timeout=args.timeout,
                    progress=None, plots=not args.no_plots)  # None: proofkit.progress decides
    except KeyboardInterrupt:
        print(f"\nproofkit: interrupted; finished results are kept in {args.out}: run the same command to resume",
              file=sys.stderr)
        return 130
    if args.json:
        print(json.dumps(report_dict(rep), indent=2))
    else:
        with open(rep.written["summary"]) as fh:
            print(fh.read(), end="")
        for key, path in rep.written.items():
            print(f"wrote {key}: {path}")
        print(f"results: {os.path.join(rep.out, 'results')} (re-check with: proofkit verify {rep.out})")
        print(f"time: {rep.seconds:.2f} s")
        for err in rep.malformed:
            print(f"proofkit: error: {err}", file=sys.stderr)
    return 0 if rep.ok else 1


def _sweep_parser(sub: Any) -> None:
    from proofkit.sweep.run import DEFAULT_OUT as SWEEP_OUT

    p = sub.add_parser("sweep", help="run a file of certification tasks on Dask (local worker processes by default)",
                       description="Run a JSON-lines file of certification tasks on Dask: by default on local worker "
                       "processes started and stopped here, or on a running cluster with --scheduler. One "
                       "kernel-checked certificate record per task is written to --out; a re-run resumes.")
    p.add_argument("tasks", metavar="TASKS.jsonl", help="one JSON task per line: {\"kind\": ..., \"inputs\": {...}}")
    p.add_argument("--scheduler", metavar="ADDRESS", help="attach to a running Dask scheduler (tcp://host:8786)")
    p.add_argument("--workers", type=int, metavar="N", help="local worker processes (default: CPUs); with "
                   "--scheduler, wait for N workers")
    p.add_argument("--out", default=SWEEP_OUT, help=f"results folder (default ./{SWEEP_OUT}); a re-run resumes")
    p.add_argument("--timeout", type=float, metavar="S", help="seconds per task (the task process is killed)")
    p.add_argument("--no-plots", action="store_true", help="do not write plots")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=_cmd_sweep)


def _cmd_demo(args: argparse.Namespace) -> int:
    import sympy

    from proofkit.symbolic import Network, check_identity, nonconvexity_example

    ex = nonconvexity_example()
    print("Non-convexity example (lecture notes, Section 1)")
    print("  f = w2*w1*x, Hessian in (w1, w2):", ex.hessian_linear.tolist(),
          "eigenvalues:", sorted(map(str, ex.eigenvalues_linear)))
    print("  sigmoid unit f = w2*sigma(w1*x), det of the Hessian = -x^2 sigma'(w1 x)^2:",
          ex.det_identity_check.verdict, f"({ex.det_identity_check.method})")
    print("  at w1=1/2, w2=1, x=1 the eigenvalues are certified in",
          ex.negative_eigenvalue_enclosure, "and", ex.positive_eigenvalue_enclosure,
          "-> indefinite" if ex.certified_indefinite else "-> not certified")
    net = Network(args.widths, activation=args.activation)
    d = args.widths[0]
    X = [[sympy.Rational((i * (j + 2)) % 7 - 3, 2) for j in range(d)] for i in range(args.samples)]
    Y = [[sympy.Rational(i % 3, 2)] * args.widths[-1] for i in range(args.samples)]
    obj = net.loss(X, Y)
    t0 = time.perf_counter()
    H = obj.hessian()
    t1 = time.perf_counter()
    print(f"\nExact Hessian of the squared loss of {net} on N={args.samples} samples:")
    print(f"  {H.shape[0]}x{H.shape[1]} matrix of exact expressions built in {1000 * (t1 - t0):.1f} ms")
    res = check_identity(obj.backprop_gradient(), obj.gradient(), obj.params)
    print("  Lemma 2.1 (backpropagation) against direct differentiation:", res.verdict, f"({res.method})")
    return 0


def _cmd_activations(args: argparse.Namespace) -> int:
    from proofkit.symbolic.activations import ACTIVATIONS

    for name in sorted(set(ACTIVATIONS) - {"linear"}):
        act = ACTIVATIONS[name]()
        print(f"{name}: Assumption 3.2(2): {act.satisfies_assumption_3_2}")
    return 0


def _cmd_losses(args: argparse.Namespace) -> int:
    from proofkit.symbolic.losses import LOSSES

    for name, make in LOSSES.items():
        l = make()
        print(f"{name}: convex: {l.convex}; Assumption 3.2(3): {l.satisfies_assumption_3_2}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``proofkit`` command.

    Examples
    --------
    >>> build_parser().parse_args(["verify", "cert.json", "--json"]).json
    True
    """
    from proofkit import __version__

    parser = _Parser(prog="proofkit",
                     description="Check, certify and typeset results on neural-network loss surfaces.",
                     epilog="`proofkit COMMAND --help` describes each command.")
    parser.add_argument("--version", action="version", version=f"proofkit {__version__}",
                        help="print the version and exit")
    parser.add_argument("--no-progress", action="store_true", help="draw no progress bars (also: PROOFKIT_PROGRESS=0)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, summary: str, description: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=summary, description=description)

    def graph_args(p: argparse.ArgumentParser) -> None:
        p.add_argument("graph", nargs="?", metavar="GRAPH.json",
                       help="a saved claim graph (default: the built-in seed library)")
        p.add_argument("--out", default=DEFAULT_OUT, metavar="DIR",
                       help=f"report folder, also where previous results are kept (default ./{DEFAULT_OUT})")

    check = command("check", "run checkers, re-check certificates, print statuses, write the report",
                    "Build the seed library (or load GRAPH.json), run the checkers whose claims changed, re-check "
                    "every certificate with the trusted kernel, print the status of every claim and write the "
                    "report folder (for GRAPH.json only with --write). Exit 0 when every claim is what the graph "
                    "says (nothing failed or stale, nothing refuted unexpectedly, every expected outcome holds), "
                    "1 otherwise, 2 for usage or input errors.")
    graph_args(check)
    check.add_argument("--json", action="store_true", help="print statuses and problems as JSON (errors too)")
    check.add_argument("--no-pdf", action="store_true", help="do not run pdflatex")
    check.add_argument("--write", action="store_true",
                       help="also write the report of a loaded GRAPH.json to --out (the seed library's is always "
                            "written)")
    check.set_defaults(func=_cmd_check)
    report = command("report", "write LaTeX/PDF, SVG, JSON certificates and summary.md",
                     "Write report.tex (and report.pdf when pdflatex is installed), the dependency graph "
                     "(graph.dot and graph.svg, by system Graphviz when installed, otherwise the embedded renderer), "
                     "the HTML blueprint (html/index.html), every certificate as JSON, summary.md and graph.json "
                     "into the report folder.")
    graph_args(report)
    report.add_argument("--no-pdf", action="store_true", help="do not run pdflatex")
    report.add_argument("--html", action="store_true",
                        help="also print the path of the HTML blueprint (html/index.html, always written)")
    report.add_argument("--title", default=None, help="title of the report")
    report.add_argument("--author", default=None, help="author line of the report (default: proofkit and its version)")
    report.set_defaults(func=_cmd_report)
    show = command("show", "one claim: statement, status, certificates (--list: every label)",
                   "Show one claim: its statement, source, dependencies, derived status and certificates. Uses "
                   "the results saved by `proofkit check` in the report folder; without them, runs the checkers "
                   "(and says so). `proofkit show --list [GRAPH.json]` lists every claim's label, kind and title.")
    show.add_argument("claim", metavar="CLAIM", nargs="?", help="the claim's label, e.g. NH17:lemma2.1")
    graph_args(show)
    show.add_argument("--list", action="store_true",
                      help="list the labels of the claims (of GRAPH.json, given as the only argument, or of the "
                           "seed library) instead of showing one")
    show.add_argument("--json", action="store_true", help="print the claim, status and certificates as JSON (errors too)")
    show.set_defaults(func=_cmd_show)
    verify = command("verify", "re-check a certificate, a saved claim graph, or a results or report folder",
                     "Re-check one certificate (a JSON file written by a certifier or by `proofkit check`) from its "
                     "data alone with the trusted kernel; or a saved claim graph (certificates, bindings, the "
                     "certificates the seed library's checkers declare, stale claims, expected outcomes); or every "
                     "sweep record, certificate and graph in a folder (a record's outcome is re-derived from its own "
                     "task line and the kernel's verdicts). With --workers or --scheduler, a folder's files are "
                     "re-checked on Dask worker processes (the same checks, the same report). Exit 0 when everything "
                     "is accepted, 1 when something is rejected, 2 when the file cannot be read, is not a "
                     "certificate, the folder holds nothing to verify, or the Dask cluster cannot finish.")
    verify.add_argument("certificate", metavar="CERT.json|GRAPH.json|DIR",
                        help="a certificate file, a saved claim graph, a sweep results folder or a report folder")
    verify.add_argument("--workers", type=int, metavar="N",
                        help="re-check the files on N local Dask worker processes, started and stopped here; with "
                             "--scheduler, wait for N workers")
    verify.add_argument("--scheduler", metavar="ADDRESS",
                        help="re-check the files on a running Dask cluster (tcp://host:8786); its workers must run "
                             "the same proofkit code")
    verify.add_argument("--json", action="store_true", help="print the outcome as JSON (errors too)")
    verify.add_argument("--budget", type=float, default=None, metavar="SECONDS",
                        help="the kernel's work budget in estimated seconds (default: 1 s plus 1 s per KB of "
                             "certificate); a certificate that needs more is rejected")
    verify.set_defaults(func=_cmd_verify)
    demo = command("demo", "non-convexity example, an exact Hessian, a checked derivation",
                   "Print the non-convexity example of the lecture notes with certified eigenvalues, build the "
                   "exact Hessian of a network's squared loss and check Lemma 2.1 (backpropagation) against "
                   "direct differentiation.")
    demo.add_argument("--widths", type=int, nargs="+", default=[2, 3, 1], metavar="N",
                      help="layer widths d n_1 ... m (default 2 3 1)")
    demo.add_argument("--activation", default="sigmoid", help="hidden activation (default sigmoid)")
    demo.add_argument("--samples", type=int, default=4, help="number of training samples (default 4)")
    demo.set_defaults(func=_cmd_demo)
    _sweep_parser(sub)
    command("activations", "activations and Assumption 3.2(2)",
            "List the built-in activations and whether each satisfies Assumption 3.2(2) of Nguyen & Hein (2017), "
            "derived symbolically where possible.").set_defaults(func=_cmd_activations)
    command("losses", "losses, convexity and Assumption 3.2(3)",
            "List the built-in losses, whether each is convex, and whether it satisfies Assumption 3.2(3) of "
            "Nguyen & Hein (2017).").set_defaults(func=_cmd_losses)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit status (0 ok, 1 failure, 2 usage or input error).

    With ``--json``, errors are printed as one JSON object ``{"ok": false, "error": ..., "kind": ...}``
    on standard output.
    """
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args = parser.parse_args(argv)
    except _UsageError as exc:
        message, usage = exc.args
        if "--json" in argv:
            print(json.dumps({"ok": False, "error": message, "kind": "UsageError"}))
        else:
            print(f"{usage}{message}", file=sys.stderr)
        return 2
    except SystemExit as exc:  # --help, --version
        return int(exc.code or 0)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        with quiet() if args.no_progress or getattr(args, "json", False) else contextlib.nullcontext():  # bars on stderr
            return args.func(args)
    except ProofkitError as exc:
        return _fail(args, str(exc), type(exc).__name__)
    except OSError as exc:  # unwritable report folder, full disk, ...
        return _fail(args, f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), type(exc).__name__)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
