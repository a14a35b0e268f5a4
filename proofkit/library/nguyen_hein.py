"""Nguyen & Hein (2017), "The loss surface of deep and wide neural networks" (ICML), as claims."""

from __future__ import annotations

from functools import partial

from proofkit.claims import Claim
from proofkit.library import checkers as ck

__all__ = ["claims", "SOURCE"]

SOURCE = "Nguyen & Hein 2017"


def _src(what: str) -> str:
    return f"{SOURCE}, {what}"


def claims() -> list[Claim]:
    """The paper's results with the dependencies its proofs use."""
    X5 = ck.DEFAULT_X
    return [
        Claim("NH17:setting", kind="definition", title="Setting (Section 2)", source=_src("Section 2"),
              statement=r"$F_0 = X$, $G_k = F_{k-1}W_k + 1_N b_k^T$, $F_k = \sigma(G_k)$, "
                        r"$\Phi = \sum_{i,j} l((F_L)_{ij} - Y_{ij})$.", established="cited"),
        Claim("NH17:lemma2.1", kind="lemma", title="Lemma 2.1 (backpropagation)", source=_src("Lemma 2.1"),
              statement=r"$\Delta_L = l'(F_L - Y)\circ\sigma'(G_L)$, $\Delta_k = (\Delta_{k+1}W_{k+1}^T)\circ"
                        r"\sigma'(G_k)$, $\nabla_{W_k}\Phi = F_{k-1}^T\Delta_k$, $\nabla_{b_k}\Phi = \Delta_k^T 1_N$.",
              uses=["NH17:setting"], established="proof"),
        Claim("NH17:lemma2.1:instance", kind="instance", title="Lemma 2.1 on two networks",
              statement="Backpropagation equals direct differentiation, exactly, for a 2-3-2 sigmoid network and a "
                        "1-2-2-1 tanh network.", instance_of="NH17:lemma2.1", checker=ck.lemma_2_1_instance,
              expects=ck.lemma_2_1_expected),
        Claim("NH17:ass3.2", kind="assumption", title="Assumptions 3.2", source=_src("Assumptions 3.2"),
              statement=r"(1) no identical samples; (2) $\sigma$ analytic, strictly increasing, and (a) bounded or "
                        r"(b) $|\sigma(t)|\le\rho_1e^{\rho_2t}$ ($t<0$), $|\sigma(t)|\le\rho_3t+\rho_4$ ($t\ge0$); "
                        r"(3) $l\in C^2$ and $l'(a)=0$ only at global minima of $l$.",
              uses=["NH17:setting"], established="cited"),
        Claim("NH17:lemma3.3", kind="lemma", title="Lemma 3.3", source=_src("Lemma 3.3"),
              statement=r"Sigmoid, $\tanh$ and softplus satisfy Assumption 3.2(2); the squared, pseudo-Huber, "
                        r"Blake--Zisserman, corrupted-Gaussian and Cauchy losses satisfy 3.2(3).",
              uses=["NH17:ass3.2"], established="proof",
              note="proofkit derives these properties symbolically (proofkit activations, proofkit losses); "
                   "ReLU fails Assumption 3.2(2) because it is not analytic"),
        Claim("NH17:lemma3.5", kind="lemma", title="Lemma 3.5", source=_src("Lemma 3.5"),
              statement=r"Under 3.2, if $\operatorname{rank}[F_k,1_N]=N$, $\operatorname{rank}W_l=n_l$ for "
                        r"$l\in[k+2,L]$ and $\nabla_{W_{k+1}}\Phi=0$, $\nabla_{b_{k+1}}\Phi=0$, the point is a global "
                        r"minimum.", uses=["NH17:ass3.2"], proof_uses=["NH17:lemma2.1"], established="proof"),
        Claim("NH17:thm3.4", kind="theorem", title="Theorem 3.4", source=_src("Theorem 3.4"),
              statement=r"Under 3.2 with $\operatorname{rank}[X,1_N]=N$, every critical point with "
                        r"$\operatorname{rank}W_l=n_l$ ($l\ge2$) is a global minimum.",
              uses=["NH17:ass3.2"], proof_uses=["NH17:lemma3.5"], established="proof"),
        Claim("NH17:def3.6", kind="definition", title="Definition 3.6 (block Hessian)", source=_src("Def. 3.6"),
              statement=r"$\nabla^2_S f$ is the Hessian restricted to the variables in $S$.", established="cited"),
        Claim("NH17:def3.7", kind="definition", title="Definition 3.7 (non-degenerate)", source=_src("Def. 3.7"),
              statement=r"A critical point is non-degenerate on $S$ if $\nabla^2_S f$ is non-singular.",
              uses=["NH17:def3.6"], established="cited"),
        Claim("NH17:def3.7:example", kind="instance", title=r"Definition 3.7, the $4\times 4$ example",
              statement=r"$H(x)$ is singular but non-degenerate on $\{x_1,x_2\}$; $H(y)$ is non-singular but its "
                        r"block on $\{y_3,y_4\}$ is zero.", instance_of="NH17:def3.7",
              checker=ck.definition_3_7_example, expects=ck.definition_3_7_expected),
        Claim("NH17:lemma4.1", kind="lemma", title="Lemma 4.1", source=_src("Lemma 4.1"),
              statement="Under 3.2 every layer output is a real-analytic function of the parameters.",
              uses=["NH17:ass3.2"], established="proof"),
        Claim("NH17:lemma4.2", kind="lemma", title="Lemma 4.2 (cited)", source=_src("Lemma 4.2; Mityagin"),
              statement="The zero set of a real-analytic function that is not identically zero has measure zero.",
              established="cited"),
        Claim("NH17:lemma4.3", kind="lemma", title="Lemma 4.3 (Leibniz construction)", source=_src("Lemma 4.3"),
              statement=r"Under 3.2 with $n_k\ge N-1$ there are parameters of layers $1..k$ with "
                        r"$\operatorname{rank}[F_k,1_N]=N$.", uses=["NH17:ass3.2"], established="proof"),
        Claim("NH17:lemma4.3:sigmoid", kind="instance", title="Lemma 4.3, sigmoid, $N = 5$",
              statement=r"Explicit $\alpha_0$ with $\det E(\alpha)\ne0$ for all $\alpha\ge\alpha_0$ (given "
                        r"$\sigma$ strictly increasing from $\mu$ to $\gamma$), and a certified witness "
                        r"$\operatorname{rank}[F_1,1_N]=N$ (bounded case).", instance_of="NH17:lemma4.3",
              checker=partial(ck.lemma_4_3_instance, X5, [2, 4, 1], 1, "sigmoid"),
              expects=partial(ck.lemma_4_3_expected, X5, [2, 4, 1], 1, "sigmoid")),
        Claim("NH17:lemma4.3:softplus", kind="instance", title="Lemma 4.3, softplus, $N = 5$",
              statement=r"At the constructed parameters with an explicit $\alpha_0$ (type 2b), "
                        r"$\operatorname{rank}[F_1,1_N]=N$ (certified witness).",
              instance_of="NH17:lemma4.3", checker=partial(ck.lemma_4_3_instance, X5, [2, 4, 1], 1, "softplus", 1),
              expects=partial(ck.lemma_4_3_expected, X5, [2, 4, 1], 1, "softplus", 1)),
        Claim("NH17:lemma4.3:tanh-deep", kind="instance", title="Lemma 4.3, tanh, $k = 2$",
              statement=r"The construction through a first layer that keeps the rows distinct, then layer $k=2$.",
              instance_of="NH17:lemma4.3",
              checker=partial(ck.lemma_4_3_instance, X5, [2, 3, 4, 1], 2, "tanh", "1/2"),
              expects=partial(ck.lemma_4_3_expected, X5, [2, 3, 4, 1], 2, "tanh", "1/2")),
        Claim("NH17:lemma4.3:duplicate", kind="instance", title="Lemma 4.3 with a duplicated sample",
              statement="The construction on data whose first and last samples coincide.",
              instance_of="NH17:lemma4.3", expected="hypotheses not met",
              checker=partial(ck.lemma_4_3_instance, [*X5[:4], X5[0]], [2, 4, 1], 1, "sigmoid"),
              expects=partial(ck.lemma_4_3_expected, [*X5[:4], X5[0]], [2, 4, 1], 1, "sigmoid")),
        Claim("NH17:lemma4.3:relu", kind="instance", title="Lemma 4.3 with ReLU",
              statement="The construction with a non-analytic activation.", instance_of="NH17:lemma4.3",
              expected="hypotheses not met", checker=partial(ck.lemma_4_3_instance, X5, [2, 4, 1], 1, "relu"),
              expects=partial(ck.lemma_4_3_expected, X5, [2, 4, 1], 1, "relu")),
        Claim("NH17:lemma4.4", kind="lemma", title="Lemma 4.4", source=_src("Lemma 4.4"),
              statement=r"Under 3.2 with $n_k\ge N-1$ the parameters of layers $1..k$ with "
                        r"$\operatorname{rank}[F_k,1_N]<N$ form a set of measure zero.",
              uses=["NH17:ass3.2"], proof_uses=["NH17:lemma4.1", "NH17:lemma4.2", "NH17:lemma4.3"],
              established="proof"),
        Claim("NH17:lemma4.4:relu", kind="conjecture", title="Lemma 4.4 for ReLU",
              statement=r"With $\sigma=\mathrm{ReLU}$ (which violates 3.2) and $n_k\ge N-1$, the set with "
                        r"$\operatorname{rank}[F_k,1_N]<N$ has measure zero.", generalizes=["NH17:lemma4.4"],
              expected="refuted", note="ReLU is not analytic, so Lemma 4.4 does not apply; this variant is false."),
        Claim("NH17:relu-counterexample", kind="counterexample", title="ReLU rank deficiency on an open box",
              statement=r"For $X=(1,2,3)^T$, $n_1=2=N-1$: on the box $W_1,b_1\in[1/2,3/2]$ every unit is active, so "
                        r"$\operatorname{rank}[F_1,1_N]\le\operatorname{rank}[X,1_N]=2<3$ on a set of positive measure.",
              refutes=["NH17:lemma4.4:relu"], checker=ck.relu_counterexample, expects=ck.relu_counterexample_expected,
              note="violates the analyticity in Assumption 3.2(2)"),
        Claim("NH17:cor4.5", kind="corollary", title="Corollary 4.5", source=_src("Corollary 4.5"),
              statement=r"Every $\varepsilon$-ball of parameters contains a point with $\operatorname{rank}[F_k,1_N]=N$.",
              proof_uses=["NH17:lemma4.4"], established="proof"),
        Claim("NH17:thm4.6", kind="theorem", title="Theorem 4.6 (implicit function theorem)",
              source=_src("Theorem 4.6"), statement="The implicit function theorem.", established="cited"),
        Claim("NH17:thm3.8", kind="theorem", title="Theorem 3.8", source=_src("Theorem 3.8"),
              statement=r"Under 3.2, if $n_k\ge N-1$ for some $k$, every critical point that is non-degenerate on a "
                        r"set of layers $I\ni k+1$ and has $\operatorname{rank}W_l=n_l$ ($l\in[k+2,L]$) is a global "
                        r"minimum.", uses=["NH17:ass3.2", "NH17:def3.7"],
              proof_uses=["NH17:lemma3.5", "NH17:cor4.5", "NH17:thm4.6"], established="proof"),
        Claim("NH17:thm3.8:wide", kind="instance", title="Theorem 3.8 on a wide network",
              statement=r"$N=4$, widths $(2,3,1)$, sigmoid: $\operatorname{rank}[F_1,1_N]=N$ certified, a unique "
                        r"critical point of the layer-2 slice in a box of radius $10^{-30}$ with positive definite "
                        r"block Hessian, and $\Phi=0$ there.", instance_of="NH17:thm3.8",
              checker=ck.theorem_3_8_instance, expects=ck.theorem_3_8_expected),
        Claim("NH17:thm3.8:narrow", kind="instance", title="Theorem 3.8 on a narrow network",
              statement=r"$N=4$, widths $(2,2,1)$: $n_1=2<N-1$, the hypotheses are not met.",
              instance_of="NH17:thm3.8", expected="hypotheses not met",
              checker=partial(ck.theorem_3_8_instance, None, None, [2, 2, 1]),
              expects=partial(ck.theorem_3_8_expected, None, None, [2, 2, 1])),
        Claim("NH17:thm3.10", kind="theorem", title="Theorem 3.10 (Morse, cited)", source=_src("Theorem 3.10"),
              statement=r"For $f\in C^2$ and almost every $w$, $f(x)+\langle w,x\rangle$ has only non-degenerate "
                        r"critical points.", established="cited"),
        Claim("NH17:cor3.9", kind="corollary", title="Corollary 3.9", source=_src("Corollary 3.9"),
              statement=r"Under 3.2 with $n_k\ge N-1$, every non-degenerate local minimum with "
                        r"$\operatorname{rank}W_l=n_l$ ($l\in[k+2,L]$) is a global minimum.",
              proof_uses=["NH17:thm3.8"], established="proof"),
        Claim("NH17:def5.1", kind="definition", title="Definition 5.1 (linearly separable)",
              source=_src("Definition 5.1"),
              statement=r"$(x_i)$ from classes $C_j$ are linearly separable if $a_j^Tx_i+b_j>0$ for $x_i\in C_j$ and "
                        r"$<0$ otherwise.", established="cited"),
        Claim("NH17:thm5.3", kind="theorem", title="Theorem 5.3", source=_src("Theorem 5.3"),
              statement=r"With the squared-hinge pair $l_1,l_2$ and $\sigma\in C^1$ strictly increasing, every critical "
                        r"point whose features $F_k$ are linearly separable and whose $W_{k+2..L}$ have full column "
                        r"rank is a global minimum.", uses=["NH17:def5.1", "NH17:setting"],
              proof_uses=["NH17:lemma2.1"], established="proof"),
    ]
