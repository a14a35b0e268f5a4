"""Lemma 4.3's alpha_0 as a kernel-checked certificate (bounded activations)."""

from __future__ import annotations

from typing import Any

from proofkit.certificate import Certificate, fmpq_to_str
from proofkit.certify.common import Timer, make_certificate
from proofkit.errors import CertificateRejected, InvalidInput
from proofkit.kernel import check_certificate
from proofkit.numeric.contexts import to_fmpq
from proofkit.symbolic.dag import exact_rational_text, to_dag

__all__ = ["certify_leibniz_alpha0"]


def certify_leibniz_alpha0(construction: Any, alpha0: Any, *, prec: int = 128) -> Certificate:
    """Certify ``det E(alpha) != 0`` for every ``alpha >= alpha_0`` (Lemma 4.3, bounded sigma).

    The certificate stores sigma (as an expression in one variable), its limits mu < gamma,
    beta, the sorted projections t and alpha_0; the kernel re-checks the finite set of
    inequalities of the perturbation argument (see
    :meth:`~proofkit.symbolic.leibniz.LeibnizConstruction.alpha0`): the gaps of t are positive
    with lower bound D, ``L^-1`` is enclosed, and ``sqrt(N (N-1)) eps(alpha_0) < 1/||L^-1||_F``.

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
    con = construction
    if con.kind != "bounded":
        raise InvalidInput("construction", "a bounded activation (the type (2b) bound is not kernel-checked)",
                           con.kind)
    mu, gamma = con.sigma.limits
    (t,) = sorted(con.sigma.expr.free_symbols, key=lambda s: s.name)
    a0 = fmpq_to_str(to_fmpq(alpha0))
    with Timer() as tm:
        inputs = {"sigma": to_dag([con.sigma.expr], [t]), "t": to_dag(list(con.t), []),
                  "mu": exact_rational_text(mu), "gamma": exact_rational_text(gamma),
                  "beta": exact_rational_text(con.beta), "alpha0": a0}
        claim = {"type": "leibniz_alpha0", "N": con.N, "alpha0": a0}
        cert = make_certificate(claim, "certified", "perturbation of the limit matrix (Weyl)", "arb", prec, None,
                                {}, "", seconds=None, extra_inputs=inputs)
        try:
            check_certificate(cert)
        except CertificateRejected as exc:
            cert = make_certificate(claim, "inconclusive", "perturbation of the limit matrix (Weyl)", "arb", prec,
                                    None, {}, f"the bound at alpha_0 is not proven ({exc})", extra_inputs=inputs)
    cert.time_seconds = tm.seconds
    return cert
