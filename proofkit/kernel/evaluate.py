"""The kernel's evaluation of stored expression DAGs, as dense jets (a view of :mod:`proofkit.kernel.engine`).

:func:`evaluate` encloses the value (``order=0``), the gradient (``order=1``) and
the Hessian (``order=2``) of every output of a :class:`~proofkit.kernel.dag.Dag`
over a box of balls with the kernel's one Arb evaluator
(:func:`proofkit.kernel.engine.evaluate`; compiled tapes are cached per DAG).
Derivatives need every non-smooth node resolved on the box, else
:class:`~proofkit.errors.NonSmoothInBox` names the kink; values alone
(``order=0``) are enclosed across kinks and at the closed boundary of the domains
of ``acos``/``asin``/fractional powers (never outside them). A node outside its
domain or a non-finite ball makes the output undefined:
:class:`~proofkit.errors.CertificateRejected`.
"""

from __future__ import annotations

from collections.abc import Sequence

import flint

from proofkit.errors import CertificateRejected
from proofkit.kernel.dag import Dag
from proofkit.kernel.engine import Tape, dense_gradient, dense_hessian
from proofkit.kernel.engine import evaluate as engine_evaluate

__all__ = ["evaluate", "tape_of", "Jet"]

Jet = tuple  # (value: arb, gradient: list[arb] | None, Hessian: list[list[arb]] | None); None means zero

_TAPES: dict[int, tuple[Dag, Tape]] = {}


def tape_of(dag: Dag) -> Tape:
    """The compiled :class:`~proofkit.kernel.engine.Tape` of ``dag`` (a few recent ones are cached)."""
    hit = _TAPES.get(id(dag))
    if hit is not None and hit[0] is dag:
        return hit[1]
    tape = Tape(dag)
    if len(_TAPES) >= 8:
        _TAPES.pop(next(iter(_TAPES)))
    _TAPES[id(dag)] = (dag, tape)  # the entry holds the DAG, so its id cannot be reused while cached
    return tape


def evaluate(dag: Dag, point: Sequence[flint.arb], order: int = 0, prec: int = 128,
             outputs: Sequence[int] | None = None) -> list[Jet]:
    """Enclose value, gradient (order >= 1) and Hessian (order 2) of every output over the box ``point``.

    Parameters
    ----------
    dag : Dag
        A decoded DAG (:func:`~proofkit.kernel.dag.decode_dag`).
    point : sequence of arb
        One ball per input (a box).
    order : {0, 1, 2}
    prec : int
        Arb working precision in bits.
    outputs : sequence of int, optional
        Positions (in ``dag.outputs``) of the outputs wanted (default: all).

    Returns
    -------
    list of (value, gradient or None, Hessian or None); None stands for zero.

    Raises
    ------
    NonSmoothInBox
        A non-smooth node switches branch inside the box (derivatives requested).
    CertificateRejected
        An output is undefined or not finite on the box.

    Guarantee
    ---------
    For every point of the box, each true value and derivative lies in the returned balls.

    Examples
    --------
    >>> from proofkit.kernel.dag import decode_dag
    >>> d = decode_dag({"format": "proofkit.dag/1", "inputs": ["x"],
    ...                 "nodes": [["var", 0], ["pow", 0, "3"]], "outputs": [1]})
    >>> v, g, h = evaluate(d, [flint.arb(2)], order=2)[0]
    >>> v, g[0], h[0][0]
    (8.00000000000000, 12.0000000000000, 12.0000000000000)
    """
    if len(point) != len(dag.inputs):
        raise CertificateRejected(f"certificate rejected: {len(dag.inputs)} variables, {len(point)} values")
    if order not in (0, 1, 2):
        raise CertificateRejected("certificate rejected: derivative order must be 0, 1 or 2")
    tape = tape_of(dag)
    try:
        jets = engine_evaluate(tape, point, order=order, value_only=order == 0, prec=prec)
    except ValueError as exc:  # an output that is a condition
        raise CertificateRejected(f"certificate rejected: {exc}") from None
    n = len(point)
    out = []
    for k in (range(len(jets)) if outputs is None else outputs):
        j = jets[k]
        g = dense_gradient(j, n) if order >= 1 and j.grad is not None else None
        h = None
        if order == 2 and j.hess is not None:
            e = dense_hessian(j, n).entries()
            h = [e[i * n:(i + 1) * n] for i in range(n)]
        out.append((j.value, g, h))
    return out
