"""Yu & Chen (1995), the lecture notes, Golikov's essay and Du et al. (2019), as claims."""

from __future__ import annotations

from proofkit.claims import Claim
from proofkit.library import checkers as ck

__all__ = ["claims"]


def claims() -> list[Claim]:
    return [
        Claim("LN:nonconvexity", kind="lemma", title="Non-convexity of the weight space",
              source="Lecture notes, Section 1",
              statement=r"For $f=w_2w_1x$ the Hessian in $(w_1,w_2)$ is $\begin{bmatrix}0&x\\x&0\end{bmatrix}$ with "
                        r"eigenvalues $\pm x$: $f$ is not convex in its weights for $x\ne0$.", established="proof"),
        Claim("LN:nonconvexity:instance", kind="instance", title="Non-convexity, certified",
              statement=r"The Hessians of $w_2w_1\cdot1$ and of $w_2\sigma(w_1)$ at $w_1=1/2,w_2=1$ are certified "
                        r"indefinite.", instance_of="LN:nonconvexity", checker=ck.nonconvexity_instance,
              expects=ck.nonconvexity_expected),
        Claim("YC95:theorem", kind="theorem", title="Yu & Chen (1995)", source="Yu & Chen 1995; lecture notes",
              statement=r"One hidden layer, linear output, $\sigma$ analytic, bounded, not identically zero: with width "
                        r"$\ge N$ ($N-1$ with a bias) and distinct samples, every local minimum of "
                        r"$\frac12\|Y-W_2\sigma(W_1X)\|_F^2$ is global.",
              proof_uses=["NH17:lemma4.4"], established="proof",
              note=r"proof: convexity in $W_2$ for fixed $W_1$, $\operatorname{rank} \sigma(W_1 X) = N$ almost everywhere, "
              "Lyapunov instability"),
        Claim("LN:theorem2", kind="theorem", title="Deep nets with a wide layer (lecture Theorem 2)",
              source="Lecture notes, Theorem 2",
              statement=r"$\sigma$ analytic, bounded, $\sigma'\ne0$, a layer with $n_k\ge N$, $\operatorname{rank}W_l=n_l$"
                        r" for $l\ge k+2$ and a non-singular upper-layer Hessian block at a local minimum $\Rightarrow$ "
                        r"global minimum.", generalizes=["YC95:theorem"], proof_uses=["NH17:thm3.8"],
              established="proof"),
        Claim("LK17:deep-linear", kind="theorem", title="Deep linear networks", source="Lu & Kawaguchi 2017",
              statement=r"Every local minimum of $\frac12E\|y-W_H\cdots W_1x\|^2$ is global.", established="cited"),
        Claim("LB18:deep-linear", kind="theorem", title="Deep linear networks, convex loss",
              source="Laurent & Brecht 2018",
              statement=r"For a convex differentiable loss and hidden widths $\ge\min(d_x,d_y)$ every local minimum of a "
                        r"deep linear network is global.", generalizes=["LK17:deep-linear"], established="cited"),
        Claim("N19:sublevel", kind="theorem", title="Connected sublevel sets", source="Nguyen 2019; Nguyen 2021",
              statement="Under conditions on a wide layer every sublevel set of the training loss is connected; one "
                        r"layer of width $N + 1$ suffices, and for two-layer networks width $N$ can leave a sublevel "
                        "set disconnected.", established="cited"),
        Claim("Du19:gram", kind="definition", title="The limiting Gram matrix", source="Du et al. 2019",
              statement=r"$H^\infty_{ij}=x_i^Tx_j(\pi-\arccos x_i^Tx_j)/(2\pi)$, $\lambda_0=\lambda_{\min}(H^\infty)$.",
              established="cited"),
        Claim("Du19:lambda0", kind="theorem", title=r"$\lambda_0 > 0$", source="Du et al. 2019, Theorem 3.1",
              statement=r"If no two samples are parallel, $\lambda_0>0$.", uses=["Du19:gram"], established="cited",
              note="Theorem 3.2 of the paper uses it: for networks wide enough (polynomially in the number of samples "
                   "and in the inverse of this eigenvalue) gradient flow converges linearly, with high probability"),
        Claim("Du19:lambda0:instance", kind="instance", title=r"$\lambda_0 > 0$, certified",
              statement=r"Unit vectors at $0^\circ,60^\circ,90^\circ,150^\circ,210^\circ$: $H^\infty$ certified "
                        r"positive definite, eigenvalues enclosed.", instance_of="Du19:lambda0",
              checker=ck.du_gram_instance, expects=ck.du_gram_expected),
        Claim("Du19:duplicate", kind="instance", title=r"A duplicated sample gives $\lambda_0 = 0$",
              statement=r"Unit vectors at $0^\circ,60^\circ,120^\circ,120^\circ$: $H^\infty$ is exactly singular.",
              uses=["Du19:gram"], checker=ck.du_duplicate_instance, expects=ck.du_duplicate_expected,
              note=r"the hypothesis 'no two samples parallel' fails, and $\lambda_0 = 0$ exactly"),
    ]
