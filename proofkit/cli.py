"""The ``proofkit`` command line.

``proofkit check [GRAPH.json]``
    Build the seed library (or load a saved graph), run the instance checkers
    that changed, re-check every certificate with the kernel, print the status
    table and write ``./proofkit-report/``. Exit 0 when nothing failed or was
    refuted unexpectedly, 1 otherwise, 2 for usage or input errors.
``proofkit report [GRAPH.json] --out DIR``
    Write LaTeX (and PDF when pdflatex is present), SVG, certificates, summary.
``proofkit show CLAIM``, ``proofkit verify CERT.json``, ``proofkit demo``,
``proofkit activations``, ``proofkit losses``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence
from typing import Any

from proofkit.errors import ProofkitError

__all__ = ["main", "build_parser", "write_report"]

DEFAULT_OUT = "proofkit-report"


def _progress(enabled: bool):
    if not enabled:
        return None

    def show(i: int, n: int, label: str) -> None:
        width = 30
        done = int(width * i / n)
        sys.stderr.write(f"\r[{'#' * done}{'.' * (width - done)}] {i}/{n} {label[:40]:<40}")
        if i == n:
            sys.stderr.write("\n")
        sys.stderr.flush()

    return show


def _load_graph(path: str | None, out: str) -> tuple[Any, bool]:
    """The graph to work on: a saved file, or the seed library merged with the previous run's results."""
    from proofkit.claims import ClaimGraph

    if path:
        return ClaimGraph.load(path), False
    from proofkit.library import seed_graph

    graph = seed_graph()
    previous = os.path.join(out, "graph.json")
    if os.path.exists(previous):
        try:
            graph.merge_results(ClaimGraph.load(previous))
        except ProofkitError as exc:
            print(f"proofkit: previous results in {previous} ignored ({exc})", file=sys.stderr)
    return graph, True


def write_report(graph: Any, out: str, *, pdf: bool = True) -> dict[str, str]:
    """Write report.tex (+ report.pdf), graph.dot/graph.svg, certificates/*.json, summary.md, graph.json."""
    from proofkit.errors import ToolMissing
    from proofkit.printing.claims_latex import compile_pdf, graph_document
    from proofkit.printing.graphviz import to_dot, to_svg
    from proofkit.printing.summary import markdown_summary

    os.makedirs(os.path.join(out, "certificates"), exist_ok=True)
    written: dict[str, str] = {}
    tex = graph_document(graph, "proofkit report: loss-surface results")
    _write(os.path.join(out, "report.tex"), tex, written, "tex")
    if pdf:
        try:
            written["pdf"] = compile_pdf(tex, out)
        except ToolMissing as exc:
            written["pdf"] = f"skipped: {exc}"
    _write(os.path.join(out, "graph.dot"), to_dot(graph), written, "dot")
    try:
        _write(os.path.join(out, "graph.svg"), to_svg(graph), written, "svg")
    except ToolMissing as exc:
        written["svg"] = f"skipped: {exc}"
    _write(os.path.join(out, "summary.md"), markdown_summary(graph, "proofkit summary"), written, "summary")
    cert_dir = os.path.join(out, "certificates")
    for old in os.listdir(cert_dir):
        if old.endswith(".json"):
            os.unlink(os.path.join(cert_dir, old))
    n = 0
    for label, certs in graph.certificates.items():
        safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in label)
        for i, cert in enumerate(certs, 1):
            _write(os.path.join(cert_dir, f"{safe}-{i}.json"), cert.to_json(timing=True), written, None)
            n += 1
    written["certificates"] = f"{cert_dir} ({n} files)"
    graph.save(os.path.join(out, "graph.json"))
    written["graph"] = os.path.join(out, "graph.json")
    return written


def _write(path: str, text: str, written: dict[str, str], key: str | None) -> None:
    tmp = path + ".tmp"
    with open(tmp, "w") as fh:
        fh.write(text)
    os.replace(tmp, path)
    if key:
        written[key] = path


def _unexpected(graph: Any, label: str, status: str) -> bool:
    expected = graph.claims[label].expected
    if status == "failed":
        return True
    return status == "refuted" and expected != "refuted"


def _report_current(graph: Any, out: str) -> bool:
    """Whether ``out`` already holds the report of exactly this graph."""
    try:
        with open(os.path.join(out, "graph.json")) as fh:
            saved = fh.read()
    except OSError:
        return False
    needed = ("report.tex", "graph.dot", "summary.md")
    return saved == graph.to_json() and all(os.path.exists(os.path.join(out, f)) for f in needed)


def _cmd_check(args: argparse.Namespace) -> int:
    from proofkit.printing.summary import status_table

    t0 = time.perf_counter()
    graph, rebuilt = _load_graph(args.graph, args.out)
    report = graph.check(progress=_progress(sys.stderr.isatty() and not args.json)) if rebuilt else None
    rows = status_table(graph)
    bad = [(lbl, st) for lbl, _, st, _ in rows if _unexpected(graph, lbl, st)]
    up_to_date = rebuilt and report is not None and not report.ran and _report_current(graph, args.out)
    if up_to_date:
        written = {"report": f"{args.out} is up to date (nothing changed)"}
    else:
        written = write_report(graph, args.out, pdf=not args.no_pdf) if rebuilt or args.write else {}
    seconds = time.perf_counter() - t0
    if args.json:
        print(json.dumps({"statuses": {r[0]: r[2] for r in rows}, "notes": {r[0]: r[3] for r in rows if r[3]},
                          "ran": report.ran if report else [], "skipped": report.skipped if report else [],
                          "problems": dict(bad), "seconds": round(seconds, 3), "written": written}, indent=2))
    else:
        width = max(len(r[0]) for r in rows)
        for label, kind, status, note in rows:
            print(f"{label:<{width}}  {kind:<14} {status:<19} {note[:90]}")
        cov = graph.coverage()
        print("\n" + ", ".join(f"{n} {s}" for s, n in cov.items() if n) + f" ({len(graph)} claims)")
        if report is not None:
            print(f"checkers run: {len(report.ran)}, unchanged and skipped: {len(report.skipped)}")
        for key, path in written.items():
            print(f"wrote {key}: {path}")
        print(f"time: {seconds:.2f} s")
        for label, status in bad:
            print(f"problem: {label} is {status}", file=sys.stderr)
    return 1 if bad else 0


def _cmd_report(args: argparse.Namespace) -> int:
    graph, rebuilt = _load_graph(args.graph, args.out)
    if rebuilt:
        graph.check()
    written = write_report(graph, args.out, pdf=not args.no_pdf)
    for key, path in written.items():
        print(f"{key}: {path}")
    return 0


def _cmd_show(args: argparse.Namespace) -> int:
    graph, rebuilt = _load_graph(args.graph, args.out)
    claim = graph.claim(args.claim)
    if rebuilt and claim.checker is not None and args.claim not in graph.certificates:
        graph.check()
    status = graph.status(args.claim)
    certs = graph.certificates.get(args.claim, [])
    if args.json:
        print(json.dumps({"claim": claim.to_dict(), "status": status, "flagged": graph.flagged(args.claim),
                          "certificates": [c.to_dict() for c in certs],
                          "note": graph.failures.get(args.claim) or graph.unmet.get(args.claim)}, indent=2))
        return 0
    print(f"{claim.label} ({claim.kind}) — {status}")
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


def _cmd_verify(args: argparse.Namespace) -> int:
    from proofkit.errors import CertificateRejected
    from proofkit.kernel import check_certificate

    try:
        with open(args.certificate, "rb") as fh:
            text = fh.read()
    except OSError as exc:
        print(f"proofkit: error: cannot read {args.certificate!r}: {exc.strerror}", file=sys.stderr)
        return 2
    try:
        rep = check_certificate(text)  # raises nothing but CertificateRejected, whatever the bytes
    except CertificateRejected as exc:
        if args.json:
            print(json.dumps({"ok": False, "reason": str(exc)}))
        else:
            print(f"REJECTED: {exc}")
        return 1
    if args.json:
        print(json.dumps({"ok": True, "claim": rep.claim_type, "verdict": rep.verdict, "how": rep.how,
                          "margin": rep.margin}))
    else:
        print(f"OK: {rep.verdict} {rep.claim_type} — {rep.how}" + (f" ({rep.margin})" if rep.margin else ""))
    return 0


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
    """The argument parser of the ``proofkit`` command."""
    parser = argparse.ArgumentParser(prog="proofkit",
                                     description="Check, certify and typeset results on neural-network loss surfaces.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def graph_args(p: argparse.ArgumentParser) -> None:
        p.add_argument("graph", nargs="?", metavar="GRAPH.json",
                       help="a saved claim graph (default: the built-in seed library)")
        p.add_argument("--out", default=DEFAULT_OUT, help=f"report folder (default ./{DEFAULT_OUT})")

    check = sub.add_parser("check", help="run checkers, re-check certificates, print statuses, write the report")
    graph_args(check)
    check.add_argument("--json", action="store_true", help="machine-readable output")
    check.add_argument("--no-pdf", action="store_true", help="do not run pdflatex")
    check.add_argument("--write", action="store_true", help="also write the report for a loaded GRAPH.json")
    check.set_defaults(func=_cmd_check)
    report = sub.add_parser("report", help="write LaTeX/PDF, SVG, JSON certificates and summary.md")
    graph_args(report)
    report.add_argument("--no-pdf", action="store_true", help="do not run pdflatex")
    report.set_defaults(func=_cmd_report)
    show = sub.add_parser("show", help="one claim: statement, status, certificates")
    show.add_argument("claim", help="claim label")
    graph_args(show)
    show.add_argument("--json", action="store_true")
    show.set_defaults(func=_cmd_show)
    verify = sub.add_parser("verify", help="re-check one certificate with the trusted kernel")
    verify.add_argument("certificate", metavar="CERT.json")
    verify.add_argument("--json", action="store_true")
    verify.set_defaults(func=_cmd_verify)
    demo = sub.add_parser("demo", help="non-convexity example, an exact Hessian, a checked derivation")
    demo.add_argument("--widths", type=int, nargs="+", default=[2, 3, 1], help="layer widths d n_1 ... m")
    demo.add_argument("--activation", default="sigmoid", help="hidden activation (default sigmoid)")
    demo.add_argument("--samples", type=int, default=4, help="number of training samples")
    demo.set_defaults(func=_cmd_demo)
    sub.add_parser("activations", help="activations and Assumption 3.2(2)").set_defaults(func=_cmd_activations)
    sub.add_parser("losses", help="losses, convexity and Assumption 3.2(3)").set_defaults(func=_cmd_losses)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit status (0 ok, 1 failure, 2 usage or input error)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return args.func(args)
    except ProofkitError as exc:
        print(f"proofkit: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # unwritable report folder, full disk, ...
        print(f"proofkit: error: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
