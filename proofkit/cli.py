"""The ``proofkit`` command line.

Commands
--------
``proofkit demo``
    The non-convexity example, an exact Hessian of a small sigmoid network
    and a checked hand derivation.
``proofkit activations`` / ``proofkit losses``
    The properties the theorems ask about, with how each was established.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence

from proofkit.errors import ProofkitError

__all__ = ["main", "build_parser"]


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
    X = [[sympy.Rational(i, 2), sympy.Rational(i * i % 5, 3)][: args.widths[0]] + [1] * max(0, args.widths[0] - 2)
         for i in range(args.samples)]
    Y = [[sympy.Rational(i % 3, 2)] * args.widths[-1] for i in range(args.samples)]
    obj = net.loss(X, Y)
    t0 = time.perf_counter()
    H = obj.hessian()
    t1 = time.perf_counter()
    print(f"\nExact Hessian of the squared loss of {net} on N={args.samples} samples:")
    print(f"  {H.shape[0]}x{H.shape[1]} matrix of exact expressions built in {1000 * (t1 - t0):.1f} ms")
    p = obj.params[0]
    print(f"  d^2 Phi / d({p})^2 has {sympy.count_ops(H[0, 0])} operations; at the origin it is",
          H.subs({q: 0 for q in obj.params})[0, 0])
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
    parser = argparse.ArgumentParser(
        prog="proofkit",
        description="Check, certify and typeset results on neural-network loss surfaces.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
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
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return args.func(args)
    except ProofkitError as exc:
        print(f"proofkit: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
