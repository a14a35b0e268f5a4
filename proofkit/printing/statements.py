"""Claims and kernel reports in words: the sentences the kernel does not make.

The kernel checks structured claims and returns rule codes and numbers; this module turns them into the
sentences people read: :func:`statement_for` (a claim), :func:`reason_for` (the one sentence a certified or
refuted certificate shows) and :func:`report_sentence` (what the kernel re-checked). Importing it registers
:func:`reason_for` as the certificates' ``"reason"`` display hook (``proofkit.certificate.DISPLAY_HOOKS``).

>>> reason_for({"type": "nonsingular", "n": 2}, "certified")
'the matrix is invertible'
"""

from __future__ import annotations

from typing import Any

from proofkit.certificate import DISPLAY_HOOKS

__all__ = ["statement_for", "reason_for", "report_sentence", "TIER_WORDS"]

_MATRIX = {
    ("nonsingular", "certified"): "the matrix is invertible",
    ("nonsingular", "refuted"): "the matrix is singular (exact rank below n)",
    ("rank_at_least", "certified"): "the recorded {r}x{r} minor is non-singular, so rank >= {r}",
    ("rank_at_least", "refuted"): "the exact rank over Q is below {r}",
    ("exact_rank", "certified"): "the rank over Q is exactly {rank}",
    ("rank_deficient", "certified"): "the exact rank over Q is below min(m, n)",
    ("rank_deficient", "refuted"): "the exact rank over Q equals min(m, n)",
    ("det_sign", "certified"): "the sign of the determinant is proven: {sign}",
    ("positive_definite", "certified"): "the matrix is positive definite",
    ("positive_definite", "refuted"): "the matrix is not positive definite",
    ("indefinite", "certified"): "witness vectors prove the matrix indefinite",
    ("eigenvalues", "certified"): "all eigenvalues isolated in disjoint balls that exclude 0; inertia {inertia}",
    ("identity", "certified"): "lhs - rhs is identically 0 in every entry",
    ("identity", "refuted"): "lhs - rhs is certified non-zero at the witness point",
    ("leibniz_alpha0", "certified"): "for sigma strictly increasing from mu to gamma, det E(alpha) != 0 for every "
                                     "alpha >= alpha_0 = {alpha0} (N = {N})",
    ("relu_linear_region", "certified"): "every pre-activation is positive on the box, so "
                                         "rank([F_1, 1]) <= rank([X, 1]) = {rank_bound} < N = {N}",
    ("teacher_student", "certified"): "exactly one critical point of Safran & Shamir's teacher-student loss F "
                                      "(k = {k}, n = {n}) in the box, and it is a {kind}",
}

#: What each trust tier assumes, in words.
TIER_WORDS = {"exact": "exact rational arithmetic", "arb": "Arb ball arithmetic",
              "float64": "float64 with proven error bounds (IEEE-754 round to nearest, BLAS sums of products)",
              "nested": "nested certificates"}


def _compare(claim: dict[str, Any]) -> str:
    return {"better_point": "; its value exceeds the loss at the better point (a spurious minimum)",
            "stated global value": "; its value exceeds the stated global value (a spurious minimum)"}.get(
        claim.get("compare"), "")


def _slice(claim: dict[str, Any]) -> str:
    fixed = ", ".join(map(str, claim.get("fixed") or []))
    return f" (on the slice fixing {fixed} only: no full-space claim)" if claim.get("slice") else ""


def statement_for(claim: dict[str, Any]) -> str:
    """The claim in words, derived from its fields."""
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
    if t == "critical_point":
        return "exactly one critical point in the box" + _slice(claim)
    if t == "local_min" and claim.get("via") == "krawczyk":
        return ("exactly one critical point in the box and a positive definite Hessian on all of it: a strict local "
                "minimum" + _slice(claim) + _compare(claim))
    if t == "local_min" and claim.get("via") == "manifold":
        value = claim.get("value")
        return (f"every point (u, phi(u)) of the manifold over the box U is a local minimum (not strict) with value "
                f"{value if value is not None else 'L0 (constant on the manifold)'}, and L >= that value on U x V"
                + _compare(claim))
    if t == "local_min" and claim.get("via") == "symmetry":
        return (f"the strict minimum on the slice fixing {', '.join(map(str, claim.get('fixed', [])))} is a local "
                "minimum (not strict) of the loss in all parameters: verified symmetries transversal to the slice"
                + _compare(claim))
    if t == "local_max":
        return "exactly one critical point in the box and a negative definite Hessian on all of it: a strict local " \
               "maximum"
    if t == "saddle" and claim.get("kind") == "strict":
        return "exactly one critical point in the box, with directions of negative and positive curvature on all " \
               "of it: a strict saddle (neither a local minimum nor a local maximum)"
    if t == "saddle" and claim.get("order") == 2:
        return ("an exact critical point where L(theta(t)) - L(theta(0)) = c t^2 + higher order terms with c of both "
                "signs along recorded curves: a strict saddle (a negative Hessian eigenvalue; the Hessian is singular)")
    if t == "saddle":
        return (f"an exact critical point where L(theta(t)) - L(theta(0)) = c t^{claim.get('order')} + higher "
                "order terms with c of both signs along recorded curves: a degenerate saddle")
    if t == "not_local_min":
        return {"first order": "every point of the box has a direction of descent: none is a local minimum",
                "curve": "L(theta(t)) - L(theta(0)) = c t^m + higher order terms with c < 0 (exact, or an Arb "
                         "enclosure with the lower coefficients vanishing): the point is not a local minimum",
                "second order": "zero slope and negative curvature along a segment: the point is not a local minimum",
                "box": "exactly one critical point in the box and a direction of negative curvature on all of it: "
                       "it is not a local minimum"}.get(claim.get("how"), "")
    if t == "classification":
        kind = claim.get("kind")
        if kind == "not a local minimum":
            return "the point is not a local minimum"
        return f"the critical point is a {kind}" if kind else f"not classified ({claim.get('reason_code')})"
    template = _MATRIX.get((t, "certified"))
    return template.format(**claim) if template else ""


def reason_for(claim: dict[str, Any], verdict: str) -> str | None:
    """The one sentence a certified or refuted certificate shows, made from its (kernel-checked) claim fields."""
    if verdict == "inconclusive":
        return None
    template = _MATRIX.get((claim.get("type"), verdict))
    if template is not None:
        try:
            return template.format(**claim)
        except (KeyError, IndexError, ValueError):
            return template
    return statement_for(claim) or None


def report_sentence(rep: Any) -> str:
    """What the kernel re-checked, from a :class:`~proofkit.kernel.KernelReport`: the rule, the trust tier, the
    first measure."""
    if rep.rule is None:
        return "inconclusive: nothing is claimed"
    tier = f"{rep.tier} ({TIER_WORDS.get(rep.rests_on, rep.rests_on)})" if rep.tier == "nested" else \
        TIER_WORDS.get(rep.tier, str(rep.tier))
    margin = f"; {rep.margin}" if rep.margin else ""
    return f"{reason_for(rep.certificate.claim, rep.verdict)} [rule {rep.rule}; {tier}{margin}]"


DISPLAY_HOOKS.setdefault("reason", reason_for)
