"""The exact symbolic layer: activations, losses, networks, derivatives, identities."""

from proofkit.symbolic.activations import ACTIVATIONS, Activation, activation
from proofkit.symbolic.examples import NonConvexityExample, nonconvexity_example
from proofkit.symbolic.identities import IdentityCheck, check_identity
from proofkit.symbolic.lazy import LazyMatrix
from proofkit.symbolic.linalg import (
    exact_det,
    exact_kernel,
    is_nondegenerate_on,
    rank_over_q,
    symbolic_det,
    to_fmpq_mat,
)
from proofkit.symbolic.losses import LOSSES, Loss, loss
from proofkit.symbolic.network import Network, Objective
from proofkit.symbolic.properties import Property

__all__ = [
    "ACTIVATIONS",
    "Activation",
    "IdentityCheck",
    "LOSSES",
    "LazyMatrix",
    "Loss",
    "Network",
    "NonConvexityExample",
    "Objective",
    "Property",
    "activation",
    "check_identity",
    "exact_det",
    "exact_kernel",
    "rank_over_q",
    "is_nondegenerate_on",
    "loss",
    "nonconvexity_example",
    "symbolic_det",
    "to_fmpq_mat",
]
