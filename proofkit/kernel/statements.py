"""The statements of landscape and Lemma 4.3 witness claims in words, derived from their structured fields.

The kernel re-derives a claim's ``statement`` from its other fields (so a certificate cannot say
more in words than it proves), and the certificate's ``reason`` quotes it.
"""

from __future__ import annotations

from typing import Any

__all__ = ["statement_for"]


def statement_for(claim: dict[str, Any]) -> str:
    """The claim in words, derived from its fields (the kernel re-derives it; reasons quote it)."""
    t = claim.get("type")
    if t == "leibniz_witness":
        E = "[1_N, A(alpha)]" if claim.get("kind") == "bounded" else "[A(alpha), 1_N]"
        k, ab = claim.get("k"), f"alpha = {claim.get('alpha')}, beta = {claim.get('beta')}"
        if k == 1:
            return (f"rank [F_1, 1_N] = N = {claim.get('N')} at Lemma 4.3's layer-1 parameters w_j = -alpha a, "
                    f"v_j = alpha <a, x_(j)> + beta with {ab}: E(alpha) = {E}, A_ij = sigma(alpha (t_j - t_i) + beta), "
                    "t_i = <a, x_i> sorted, is nonsingular")
        return (f"rank [F_{k}, 1_N] = N = {claim.get('N')} at Lemma 4.3's parameters (layers 1..{k - 1}: every unit "
                f"sigma(<a, z>), a the direction at layer 1 and e_1 above, bias 0; layer {k}: w_j = -alpha e_1, "
                f"v_j = alpha t_(j) + beta) with {ab}: E(alpha) = {E}, A_ij = sigma(alpha (t_j - t_i) + beta), "
                f"t_i = sigma^{k - 1}(<a, x_i>) sorted, is nonsingular")
    cmp = {"better_point": "; its value exceeds the loss at the better point (a spurious minimum)",
           "stated global value": "; its value exceeds the stated global value (a spurious minimum)"}.get(
        claim.get("compare"), "")
    if t == "local_min" and claim.get("via") == "krawczyk":
        return "exactly one critical point in the box and a positive definite Hessian on all of it: a strict " \
               "local minimum" + cmp
    if t == "local_min" and claim.get("via") == "manifold":
        value = claim.get("value")
        return (f"every point (u, phi(u)) of the manifold over the box U is a local minimum (not strict) with value "
                f"{value if value is not None else 'L0 (constant on the manifold)'}, and L >= that value on U x V"
                + cmp)
    if t == "local_min" and claim.get("via") == "symmetry":
        return (f"the strict minimum on the slice fixing {', '.join(map(str, claim.get('fixed', [])))} is a local "
                "minimum (not strict) of the loss in all parameters: verified symmetries transversal to the slice"
                + cmp)
    if t == "local_max":
        return "exactly one critical point in the box and a negative definite Hessian on all of it: a strict local " \
               "maximum"
    if t == "saddle" and claim.get("kind") == "strict":
        return "exactly one critical point in the box, with directions of negative and positive curvature on all " \
               "of it: a strict saddle (neither a local minimum nor a local maximum)"
    if t == "saddle":
        return (f"an exact critical point where L(theta(t)) - L(theta(0)) = c t^{claim.get('order')} + higher "
                "order terms with c of both signs along recorded curves: a degenerate saddle")
    if t == "not_local_min":
        return {"first order": "every point of the box has a direction of descent: none is a local minimum",
                "curve": "L(theta(t)) - L(theta(0)) = c t^m + higher order terms with c < 0, exactly: the point is "
                         "not a local minimum",
                "second order": "zero slope and negative curvature along a segment: the point is not a local minimum",
                "box": "exactly one critical point in the box and a direction of negative curvature on all of it: "
                       "it is not a local minimum"}.get(claim.get("how"), "")
    if t == "classification":
        kind = claim.get("kind")
        if kind == "not a local minimum":
            return "the point is not a local minimum"
        return f"the critical point is a {kind}" if kind else \
            f"not classified ({claim.get('reason_code')})"
    return ""
