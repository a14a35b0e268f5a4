"""Shared pieces of the landscape certifiers: argument normalisation, stored losses, the kernel's verdict.

The certifiers of :mod:`proofkit.certify.local_min`, :mod:`proofkit.certify.saddle`,
:mod:`proofkit.certify.classify` and :mod:`proofkit.certify.slices` search for the data of a
certificate (a box, an approximate inverse, a direction, a curve, a manifold) and then hand the
candidate to the kernel rule of its claim type: a certificate is ``certified`` only if the
kernel accepts it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cached_property
from typing import Any

import flint
import numpy as np
import sympy

from proofkit.certificate import Certificate, fmpq_to_str
from proofkit.certify.common import kernel_decides, make_certificate
from proofkit.convert import exact_expr, positive_radii, sequence_of
from proofkit.errors import CertificateRejected, InvalidInput, NotAnalyticAtPoint
from proofkit.kernel import decode_dag, enclose
from proofkit.numeric.contexts import to_fmpq
from proofkit.progress import steps
from proofkit.symbolic.dag import to_dag

__all__ = ["LossSpec", "loss_spec", "exact_point", "kernel_verdict", "assemble", "approx_hessian",
           "rational_matrix", "rational_vector", "radius_ladder", "q2s", "mid_q", "upper_q", "pts", "is_rational_function",
           "jet_at", "not_analytic_reason", "refined_point", "refine_flag"]


class LossSpec:
    """A loss in an ordered list of parameters: its stored graph, and its sympy expression (for a loss given as a
    graph, rebuilt from it only when a symbolic step asks for it)."""

    def __init__(self, expr: sympy.Expr | None, params: list[sympy.Symbol], objective: Any = None,
                 dag: dict[str, Any] | None = None) -> None:
        self._expr, self.params, self.objective = expr, params, objective
        self.n = len(params)
        self.dag = dag if dag is not None else to_dag([expr], params)

    @property
    def expr(self) -> sympy.Expr:
        """The loss as a sympy expression (rebuilt from the graph when the loss was given as one)."""
        if self._expr is None:
            from proofkit.symbolic.dag import from_dag

            self._expr = from_dag(self.dag, self.params)[0]
        return self._expr

    def is_rational(self) -> bool:
        """Whether the loss is a rational function of the parameters (read from the graph: +, * and integer powers)."""
        return all(nd[0] in ("var", "const", "add", "mul") or (nd[0] == "pow" and "/" not in nd[2])
                   for nd in self.dag["nodes"])

    def inputs(self) -> dict[str, Any]:
        """The stored loss (its inputs are the parameters, in order)."""
        return {"loss": self.dag}

    @cached_property
    def loss_dag(self) -> Any:
        """The stored loss decoded by the kernel's reader (once)."""
        from proofkit.kernel import decode_dag

        return decode_dag(self.dag)


def loss_spec(loss: Any, params: Sequence[Any] | None) -> LossSpec:
    """Normalise ``loss`` (sympy expression, :class:`~proofkit.Objective`, a ``proofkit.dag/1`` dict with one output,
    or a :class:`LossSpec`) and ``params`` once."""
    objective = None
    if isinstance(loss, LossSpec):
        return loss
    if isinstance(loss, Mapping) and "nodes" in loss:
        return _dag_spec(loss, params)
    if hasattr(loss, "expr") and hasattr(loss, "params"):
        objective = loss
        expr = loss.expr
        params = sequence_of(params, "params", "a sequence of parameters") if params is not None else list(loss.params)
    else:
        if type(loss).__module__.startswith("symengine"):
            loss = sympy.sympify(loss)
        if not isinstance(loss, sympy.Expr):
            raise InvalidInput("loss", "a sympy expression or an Objective", f"{type(loss).__name__} {str(loss)[:60]!r}")
        expr = exact_expr(loss, "loss")  # checked node by node; floats taken exactly
        params = sequence_of(params, "params", "a sequence of parameters") if params is not None else \
            sorted(expr.free_symbols, key=lambda s: s.name)
    if not params:
        raise InvalidInput("params", "at least one parameter", "none")
    out = []
    for p in params:
        if isinstance(p, str):
            p = sympy.Symbol(p)
        if not isinstance(p, sympy.Symbol):
            raise InvalidInput("params", "symbols or names", repr(p)[:40])
        out.append(p)
    if len({p.name for p in out}) != len(out):
        raise InvalidInput("params", "distinct parameters", "a repeated parameter")
    extra = expr.free_symbols - set(out)
    if extra:
        raise InvalidInput("params", "every free symbol of the loss", f"missing {sorted(map(str, extra))[:4]}")
    return LossSpec(expr, out, objective)


def _dag_spec(loss: Mapping[str, Any], params: Any) -> LossSpec:
    try:
        names = list(decode_dag(dict(loss), n_outputs=1).inputs)
    except CertificateRejected as exc:
        raise InvalidInput("loss", "a valid proofkit.dag/1 graph with one output",
                           str(exc).replace("certificate rejected: ", "", 1)[:120]) from None
    if params is not None and [p if isinstance(p, str) else getattr(p, "name", None)
                               for p in sequence_of(params, "params", "a sequence of parameters")] != names:
        raise InvalidInput("params", f"the graph's inputs in order {names[:4]}", "other names")
    return LossSpec(None, [sympy.Symbol(nm) for nm in names], dag=dict(loss))


def exact_point(point: Any, params: list[sympy.Symbol], argument: str) -> list[flint.fmpq]:
    """A point (sequence or dict by name/symbol) as exact rationals; floats are taken exactly."""
    if isinstance(point, Mapping):
        by_name = {(k.name if isinstance(k, sympy.Symbol) else str(k)): v for k, v in point.items()}
        missing = [p.name for p in params if p.name not in by_name]
        if missing:
            raise InvalidInput(argument, f"a value for each of the {len(params)} parameters", f"missing {missing[:4]}")
        seq = [by_name[p.name] for p in params]
    else:
        seq = sequence_of(point, argument, "a sequence or a dict of numbers")
        if len(seq) != len(params):
            raise InvalidInput(argument, f"{len(params)} coordinates (one per parameter)", f"{len(seq)} coordinates")
    out = []
    for i, v in enumerate(seq):
        try:
            if isinstance(v, sympy.Basic) and not (v.is_Rational or v.is_Float):
                raise TypeError
            out.append(to_fmpq(v))
        except (ValueError, TypeError, OverflowError):
            raise InvalidInput(argument, "finite real numbers (rationals or floats)", f"{v!r} at position {i}") from None
    return out


def mid_q(x: flint.arb) -> flint.fmpq:
    """The midpoint of a ball as an exact rational."""
    m, e = x.mid().man_exp()
    return flint.fmpq(int(m)) * flint.fmpq(2) ** int(e) if e >= 0 else flint.fmpq(int(m), 2 ** int(-e))


def upper_q(x: flint.arb) -> flint.fmpq:
    """An exact rational upper bound of a ball."""
    return mid_q(flint.arb(x.upper()))


def pts(qs: Sequence[Any], prec: int = 256) -> list[flint.arb]:
    """Exact rationals as (exact) balls at ``prec`` bits."""
    with flint.ctx.workprec(prec):
        return [flint.arb(q) for q in qs]


def q2s(q: Any) -> str:
    return fmpq_to_str(to_fmpq(q))


def rational_vector(v: Sequence[float], bits: int = 30) -> list[flint.fmpq]:
    """A float vector scaled to max-norm 1 and rounded to ``bits`` binary digits (exact rationals)."""
    arr = np.asarray(v, dtype=float)
    scale = float(np.max(np.abs(arr))) or 1.0
    return [to_fmpq(float(np.round(x / scale * 2**bits)) / 2**bits) for x in arr]


def rational_matrix(M: np.ndarray) -> list[list[str]]:
    if not np.all(np.isfinite(M)):
        raise ValueError("non-finite matrix")
    return [[q2s(float(x)) for x in row] for row in M]


def jet_at(spec: LossSpec, point: Sequence[flint.fmpq], order: int, prec: int = 128) -> tuple[Any, Any, Any]:
    """Value, gradient and Hessian enclosures of the loss at the exact point (None stands for zero).

    Raises
    ------
    NotAnalyticAtPoint
        The loss has a kink (``Max``/``Abs``/piecewise switching), a pole or a domain edge at the point.
    """
    try:
        with flint.ctx.workprec(prec):
            v, g, H = enclose(decode_dag(spec.dag), [flint.arb(x) for x in point], order, prec)[0]
        return v, g, None if H is None else [[H[i, j] for j in range(H.ncols())] for i in range(H.nrows())]
    except CertificateRejected as exc:
        raise NotAnalyticAtPoint("point", "a point where the loss is analytic (its derivatives are used there)",
                                 str(exc).replace("certificate rejected: ", "", 1)) from None


def approx_hessian(spec: LossSpec, point: Sequence[flint.fmpq], dps: int = 30) -> np.ndarray:
    """The Hessian at ``point`` in floating point (a search aid; every decision is re-made with enclosures).

    Raises :class:`~proofkit.errors.NotAnalyticAtPoint` at a kink, pole or domain edge (see :func:`jet_at`)."""
    _, _, h = jet_at(spec, point, 2)
    if h is None:
        return np.zeros((spec.n, spec.n))
    return np.array([[float(x.mid()) for x in row] for row in h])


def not_analytic_reason(exc: NotAnalyticAtPoint) -> str:
    """The reason an inconclusive certificate gives when the loss is not analytic at the point."""
    return f"refused: the loss is not analytic at the point ({exc.got}); these certificates need its derivatives there"


def is_rational_function(expr: sympy.Expr) -> bool:
    """Whether ``expr`` is built from symbols and numbers by +, * and integer powers only (the exact curve
    expansions apply); ``Max``/``Min``/``Abs``/piecewise nodes, functions and constants such as ``E`` are not."""
    for node in sympy.preorder_traversal(expr):
        if node.is_Symbol or node.is_Rational or node.is_Float or node.is_Add or node.is_Mul:
            continue
        if node.is_Pow and node.exp.is_Integer:
            continue
        return False
    return True


def radius_ladder(radius: Any, centre: Sequence[flint.fmpq], default: Sequence[float]) -> list[Any]:
    if radius is not None:
        return [radius]
    scale = max((abs(float(c)) for c in centre), default=0.0) + 1.0
    return steps([r * scale for r in default], "radius ladder", unit="radius")  # a list; a bar while iterated


def check_radius(radius: Any, n: int, argument: str = "radius") -> list[flint.fmpq]:
    """Radii as exact positive rationals (one number for every coordinate, or one per coordinate)."""
    return positive_radii(radius, n, argument)


def kernel_verdict(cert: Certificate) -> tuple[bool, str]:
    """The kernel's verdict on the candidate's own JSON: ``(accepted, what it re-checked or why not)``
    (:func:`~proofkit.certify.common.kernel_decides`; an accepted candidate is not checked again on return)."""
    return kernel_decides(cert)


def assemble(claim: dict[str, Any], inputs: dict[str, Any], evidence: dict[str, Any], method: str,
             prec: int | None, seconds: float | None = None, reason: str = "") -> Certificate:
    """A candidate certificate marked ``certified``; ``finish`` decides with the kernel."""
    return make_certificate(claim, "certified", method, "arb" if prec else "exact", prec, None, evidence, reason,
                            seconds=seconds, extra_inputs=inputs)


def finish(cert: Certificate, why_not: str) -> Certificate:
    """``cert`` as it is if the kernel accepts it, else the same data marked inconclusive with ``why_not``."""
    ok, how = kernel_verdict(cert)
    if ok:
        cert.reason = cert.reason or how
        return cert
    return Certificate(claim=cert.claim, verdict="inconclusive", method=cert.method, backend=cert.backend,
                       precision=cert.precision, input_hash=cert.input_hash, inputs=cert.inputs,
                       evidence=cert.evidence, reason=f"{why_not}: {how}", time_seconds=cert.time_seconds)


def refine_flag(refine: Any) -> bool:
    """The ``refine`` argument checked: True or False."""
    if not isinstance(refine, (bool, np.bool_)):
        raise InvalidInput("refine", "True or False", repr(refine)[:40])
    return bool(refine)


def refined_point(spec: LossSpec, x0: list[flint.fmpq], refine: Any) -> list[flint.fmpq]:
    """``x0`` moved by Newton steps to (near) a critical point when ``refine`` is true (float64 steps, then a few with
    the gradient at 256 bits: :func:`~proofkit.certify.spurious.newton_refine`); unchanged when a step meets a kink,
    a pole or a singular Hessian (a search step: the certifier proves its claim about its own box)."""
    if not refine_flag(refine):
        return x0
    from proofkit.certify.spurious import newton_refine
    from proofkit.kernel import Tape

    try:
        out = newton_refine(Tape(decode_dag(spec.dag)), x0)
    except (ArithmeticError, ValueError, np.linalg.LinAlgError, CertificateRejected):
        return x0
    return out if all(np.isfinite(float(v)) for v in out) else x0
