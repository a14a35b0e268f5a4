"""The certifiers: searches that produce certificates (re-checked by :mod:`proofkit.kernel`)."""

from proofkit.certify.classify import classify_critical_point
from proofkit.certify.critical import certify_critical_point, certify_strict_local_min
from proofkit.certify.definite import certify_indefinite, certify_positive_definite, enclose_eigenvalues
from proofkit.certify.identity import certify_identity, certify_relu_linear_region
from proofkit.certify.linear import (
    certify_full_rank,
    certify_nonsingular,
    certify_rank_at_least,
    certify_rank_deficient,
    enclose_det,
    exact_rank,
)
from proofkit.certify.local_min import certify_local_min
from proofkit.certify.matrices import as_cert_matrix, matrix_at, matrix_record
from proofkit.certify.polish import Polished, polish_critical_point
from proofkit.certify.saddle import certify_not_local_min, certify_saddle
from proofkit.certify.slices import certify_lifted_minimum
from proofkit.certify.spurious import certify_spurious_minimum
from proofkit.certify.teacher_student import certify_teacher_student_point

__all__ = [
    "as_cert_matrix",
    "certify_critical_point",
    "certify_lifted_minimum",
    "certify_local_min",
    "certify_not_local_min",
    "certify_saddle",
    "classify_critical_point",
    "certify_full_rank",
    "certify_identity",
    "certify_indefinite",
    "certify_nonsingular",
    "certify_positive_definite",
    "certify_rank_at_least",
    "certify_rank_deficient",
    "certify_relu_linear_region",
    "certify_spurious_minimum",
    "certify_strict_local_min",
    "certify_teacher_student_point",
    "enclose_det",
    "enclose_eigenvalues",
    "exact_rank",
    "matrix_at",
    "matrix_record",
    "polish_critical_point",
    "Polished",
]
