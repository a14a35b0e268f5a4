"""Lemma 4.3 as kernel-checked certificates: alpha_0 (bounded activations) and the witness at one alpha."""

from __future__ import annotations

from typing import Any

from proofkit.certificate import Certificate, fmpq_to_str
from proofkit.certify.common import Timer, check_max_prec, kernel_decides, make_certificate, returns_kernel_checked
from proofkit.convert import exact_scalar
from proofkit.errors import InvalidInput
from proofkit.numeric.contexts import to_fmpq
from proofkit.symbolic.dag import exact_rational_text, to_dag

__all__ = ["certify_leibniz_alpha0", "certify_leibniz_witness"]


def _construction(construction: Any) -> Any:
    from proofkit.symbolic.leibniz import LeibnizConstruction

    if not isinstance(construction, LeibnizConstruction):
        raise InvalidInput("construction", "a LeibnizConstruction (proofkit.symbolic.leibniz.leibniz_construction)",
                           type(construction).__name__)
    return construction


@returns_kernel_checked
def certify_leibniz_alpha0(construction: Any, alpha0: Any, *, prec: int = 128) -> Certificate:
    """Certify ``det E(alpha) != 0`` for every ``alpha >= alpha_0`` (Lemma 4.3, bounded sigma).

    The certificate stores sigma (as an expression in one variable), its limits mu < gamma,
    beta, the sorted projections t and alpha_0; the kernel re-checks the finite set of
    inequalities of the perturbation argument (see
    :meth:`~proofkit.symbolic.leibniz.LeibnizConstruction.alpha0`): the gaps of t are positive
    with lower bound D, ``||L^-1||_F`` is enclosed (in O(N) ball operations, from the closed form of
    ``L^-1``; any N up to 4000), and ``sqrt(N (N-1)) eps(alpha_0) < 1/||L^-1||_F``.

    Guarantee
    ---------
    ``certified`` proves: if sigma is strictly increasing with limits mu and gamma (the
    hypothesis of the claim, Assumption 3.2), then ``E(alpha) = [1_N, A(alpha)]`` is invertible
    for every ``alpha >= alpha_0``. Type (2b) activations are refused (that bound is not
    kernel-checked).

    Examples
    --------
    >>> from proofkit.symbolic.leibniz import leibniz_construction
    >>> con = leibniz_construction([[0], [1], [3]], [1, 2, 1], k=1)
    >>> certify_leibniz_alpha0(con, con.alpha0()["alpha0"]).verdict
    'certified'
    """
    con = _construction(construction)
    prec = check_max_prec(prec, "prec")
    if con.kind != "bounded":
        raise InvalidInput("construction", "a bounded activation (the type (2b) bound is not kernel-checked)",
                           con.kind)
    mu, gamma = con.sigma.limits
    (t,) = sorted(con.sigma.expr.free_symbols, key=lambda s: s.name)
    a0 = fmpq_to_str(exact_scalar(alpha0, "alpha0"))
    if not exact_scalar(alpha0, "alpha0") > 0:
        raise InvalidInput("alpha0", "a positive number", str(alpha0)[:40])
    with Timer() as tm:
        inputs = {"sigma": to_dag([con.sigma.expr], [t]), "t": to_dag(list(con.t), []),
                  "mu": exact_rational_text(mu), "gamma": exact_rational_text(gamma),
                  "beta": exact_rational_text(con.beta), "alpha0": a0}
        claim = {"type": "leibniz_alpha0", "N": con.N, "alpha0": a0}
        cert = make_certificate(claim, "certified", "perturbation of the limit matrix (Weyl)", "arb", prec, None,
                                {}, "", seconds=None, extra_inputs=inputs)
        ok, why = kernel_decides(cert)
        if not ok:
            cert = make_certificate(claim, "inconclusive", "perturbation of the limit matrix (Weyl)", "arb", prec,
                                    None, {}, f"the bound at alpha_0 is not proven ({why})", extra_inputs=inputs)
    cert.time_seconds = tm.seconds
    return cert


@returns_kernel_checked
def certify_leibniz_witness(construction: Any, alpha: Any) -> Certificate:
    """Certify ``rank([F_k, 1_N]) = N`` at Lemma 4.3's parameters for one ``alpha`` (any N up to 4000).

    The certificate stores the recipe only: sigma (an expression in one variable), the samples X,
    the direction a, alpha, beta, the kind and k. The kernel rule ``leibniz_witness``
    (``leibniz_witness`` in :mod:`proofkit.kernel`) derives ``<a, x_i>`` exactly, their order and distinctness, the
    layer-k inputs ``t_i = sigma^(k-1)(<a, x_i>)`` (exact for k = 1, else Arb balls certified strictly
    increasing), encloses every entry of ``E(alpha)`` in Arb (entries far from the diagonal in bulk,
    by one enclosure of sigma over the interval of their arguments) and proves the ball matrix
    nonsingular in float64 with proven error bounds (``||I - R E||_inf < 1``).

    Parameters
    ----------
    construction : LeibnizConstruction
        From :func:`~proofkit.symbolic.leibniz.leibniz_construction` (any layer k up to 20).
    alpha : int, Fraction, sympy Rational or float
        The scale (> 0), taken exactly.

    Returns
    -------
    Certificate
        ``certified``, or ``inconclusive`` with the kernel's reason (the float bound did not prove,
        too many entries near the diagonal, ...). Never ``refuted``.

    Raises
    ------
    InvalidInput
        alpha not a positive exact number.

    Guarantee
    ---------
    ``certified`` proves that ``E(alpha)`` (``[1_N, A]`` or ``[A, 1_N]``,
    ``A_ij = sigma(alpha (t_j - t_i) + beta)``, t sorted) is nonsingular, i.e. ``rank([F_k, 1_N]) = N`` for
    the network with activation sigma at the constructed parameters of layers 1..k. No property of sigma
    is assumed. Assumes IEEE float64 with round to nearest (checked) and gradual underflow (checked).

    Examples
    --------
    >>> from proofkit.symbolic.leibniz import leibniz_construction
    >>> con = leibniz_construction([[0], [1], [3]], [1, 2, 1], k=1)
    >>> certify_leibniz_witness(con, 40).verdict
    'certified'
    """
    con = _construction(construction)
    try:
        a = to_fmpq(alpha)
    except (ValueError, TypeError):
        raise InvalidInput("alpha", "a positive exact number", repr(alpha)[:80]) from None
    if not a > 0:
        raise InvalidInput("alpha", "a positive number", str(alpha))
    (t,) = sorted(con.sigma.expr.free_symbols, key=lambda s: s.name)
    q = fmpq_to_str(a)
    inputs = {"sigma": to_dag([con.sigma.expr], [t]), "X": [[exact_rational_text(v) for v in x] for x in con.X],
              "direction": [exact_rational_text(v) for v in con.direction], "alpha": q,
              "beta": exact_rational_text(con.beta), "kind": con.kind, "k": con.k}
    claim = {"type": "leibniz_witness", "N": con.N, "k": con.k, "kind": con.kind, "alpha": q, "beta": inputs["beta"]}
    method = "recipe rebuilt in Arb; float64 ||I - R E||_inf < 1 with proven bounds"
    with Timer() as tm:
        cert = make_certificate(claim, "certified", method, "arb+float64", 64, None, {}, "", extra_inputs=inputs)
        ok, why = kernel_decides(cert)
        if not ok:
            cert = make_certificate(claim, "inconclusive", method, "arb+float64", 64, None, {},
                                    f"nonsingularity of E(alpha) not proven ({why})", extra_inputs=inputs)
    cert.time_seconds = tm.seconds
    return cert
