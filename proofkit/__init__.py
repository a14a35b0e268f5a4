"""proofkit: check, certify and typeset results on neural-network loss surfaces.

The symbolic layer builds networks of any depth as exact expressions with
exact derivatives; the certification layer proves claims about them with
rigorous enclosures; the claim graph keeps lemmas, theorems and certificates
together.
"""

import importlib
from typing import Any

#: Where each public name lives; imported on first use (``import proofkit.kernel`` loads no other part).
_LAZY = {
    "Certificate": "proofkit.certificate",
    **{name: "proofkit.certify" for name in (
        "certify_critical_point", "certify_full_rank", "certify_indefinite", "certify_lifted_minimum",
        "certify_local_min", "certify_nonsingular", "certify_not_local_min", "certify_positive_definite",
        "certify_rank_at_least", "certify_rank_deficient", "certify_saddle", "certify_spurious_minimum",
        "certify_strict_local_min", "classify_critical_point", "enclose_det", "enclose_eigenvalues", "exact_rank",
        "matrix_at")},
    "find_spurious_minima": "proofkit.certify.search",
    "Claim": "proofkit.claims",
    "ClaimGraph": "proofkit.claims",
    "check_certificate": "proofkit.kernel",
    "latex": "proofkit.printing",
    **{name: "proofkit.symbolic" for name in (
        "Activation", "IdentityCheck", "LazyMatrix", "Loss", "Network", "Objective", "activation", "check_identity",
        "exact_det", "exact_kernel", "is_nondegenerate_on", "loss", "nonconvexity_example")},
}
_MODULES = ("errors", "sweep")


def __getattr__(name: str) -> Any:
    if name in _MODULES:
        return importlib.import_module(f"proofkit.{name}")
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'proofkit' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)


__version__ = "0.1.0"

__all__ = [
    "Certificate",
    "Claim",
    "ClaimGraph",
    "certify_spurious_minimum",
    "find_spurious_minima",
    "certify_critical_point",
    "certify_lifted_minimum",
    "certify_local_min",
    "certify_not_local_min",
    "certify_saddle",
    "classify_critical_point",
    "certify_full_rank",
    "certify_indefinite",
    "certify_nonsingular",
    "certify_positive_definite",
    "certify_rank_at_least",
    "certify_rank_deficient",
    "certify_strict_local_min",
    "check_certificate",
    "sweep",
    "enclose_det",
    "enclose_eigenvalues",
    "exact_rank",
    "matrix_at",
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
    "is_nondegenerate_on",
    "latex",
    "loss",
    "nonconvexity_example",
]
