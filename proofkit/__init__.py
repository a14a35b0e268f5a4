"""proofkit: check, certify and typeset results on neural-network loss surfaces.

The symbolic layer builds networks of any depth as exact expressions with
exact derivatives; the certification layer proves claims about them with
rigorous enclosures; the claim graph keeps lemmas, theorems and certificates
together.
"""

from proofkit import errors
from proofkit.printing import latex
from proofkit.symbolic import (
    Activation,
    IdentityCheck,
    LazyMatrix,
    Loss,
    Network,
    Objective,
    activation,
    check_identity,
    exact_det,
    exact_kernel,
    exact_rank,
    is_nondegenerate_on,
    loss,
    nonconvexity_example,
)

__version__ = "0.1.0"

__all__ = [
    "Activation",
    "IdentityCheck",
    "LazyMatrix",
    "Loss",
    "Network",
    "Objective",
    "__version__",
    "activation",
    "check_identity",
    "errors",
    "exact_det",
    "exact_kernel",
    "exact_rank",
    "is_nondegenerate_on",
    "latex",
    "loss",
    "nonconvexity_example",
]
