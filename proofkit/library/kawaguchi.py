"""Kawaguchi, Huang & Kaelbling (2019) and Kawaguchi & Kaelbling (2019), as claims."""

from __future__ import annotations

from proofkit.claims import Claim
from proofkit.library import checkers as ck

__all__ = ["claims"]

KHK = "Kawaguchi, Huang & Kaelbling 2019"


def claims() -> list[Claim]:
    return [
        Claim("KHK19:ass1", kind="assumption", title="Assumption 1", source=f"{KHK}, Assumption 1",
              statement=r"Each $q\mapsto\ell(q,y_i)$ is differentiable and convex (squared, cross-entropy with "
                        r"softmax, smoothed hinge $\max(0,1-yq)^p$, $p\ge2$).", established="cited"),
        Claim("KHK19:ass2", kind="assumption", title="Assumption 2", source=f"{KHK}, Assumption 2",
              statement=r"There is $g$ with $f(x_i;\theta)=\sum_kg(\theta)_k\partial_kf(x_i;\theta)$ (true for a "
                        r"linear last layer).", established="cited"),
        Claim("KHK19:thm1", kind="theorem", title="Theorem 1", source=f"{KHK}, Theorem 1",
              statement=r"At every differentiable critical point $\theta$, $L(\theta)=\inf_\alpha L_\theta(\alpha)$ for "
                        r"the gradient basis model $f_\theta(x;\alpha)=\sum_k\alpha_k\partial_kf(x;\theta)$.",
              uses=["KHK19:ass1", "KHK19:ass2"], established="proof"),
        Claim("KHK19:thm1:instance", kind="instance", title="Theorem 1: the gradient basis spans the outputs",
              statement=r"At the interpolating point of the wide sigmoid network ($N=4$), the Jacobian "
                        r"$\partial f_X(\theta)$ has certified rank $N=Md_y$: the gradient basis spans the output "
                        r"space, so $\inf_\alpha L_\theta(\alpha)=0=L(\theta)$.", instance_of="KHK19:thm1",
              checker=ck.kawaguchi_theorem_1_instance, expects=ck.kawaguchi_theorem_1_expected),
        Claim("KHK19:thm2", kind="theorem", title="Theorem 2 (cited)", source=f"{KHK}, Theorem 2",
              statement="At every differentiable local minimum the same holds for the perturbable gradient basis.",
              uses=["KHK19:ass1"], generalizes=["KHK19:thm1"], established="cited"),
        Claim("KHK19:examples", kind="corollary", title="Examples 1-3 (cited)", source=f"{KHK}, Examples 1-3",
              statement=r"Basis-function models, over-parameterised networks with a last hidden layer of rank $\ge M$, "
                        "and skip connections: every critical point (local minimum) value is the global one.",
              proof_uses=["KHK19:thm1", "KHK19:thm2"], established="proof"),
        Claim("KK19:elimination", kind="theorem", title="Elimination of bad local minima (cited)",
              source="Kawaguchi & Kaelbling 2020",
              statement="Adding one exponential neuron per output unit with a skip connection from the input and a "
                        "regulariser on its output weight gives a modified objective at every local minimum of which "
                        "the added neuron is switched off and the original parameters are a global minimum of the "
                        "original objective.", established="cited",
              note="the form of the added neuron is recorded in words, as summarised, not from the paper's formulas; "
                   "the instance below writes out one modified objective of this form and certifies what the theorem "
                   "implies for it"),
    ]
