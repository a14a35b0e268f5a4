"""The trusted kernel: re-checks certificates from their data alone. This module is its face.

Nothing outside the kernel imports its internals: everything the rest of proofkit uses is exported here (the door
and its report; the stored-data readers and the evaluator; the primitives, for certifiers that want to know in
advance what the kernel accepts, a primitive that proves nothing raising :class:`Refused`; the linear algebra the
certifiers share). ``import proofkit.kernel`` loads only the kernel's modules, the certificate format
(:mod:`proofkit.certificate`), :mod:`proofkit.errors`, python-flint, numpy (the float64 tier) and the standard
library (``tests/test_kernel_structure.py`` measures it in a subprocess).
"""

from proofkit.kernel.dag import DAG_FORMAT, Dag, decode_dag
from proofkit.kernel.decode import read_floats
from proofkit.kernel.door import KernelReport, check_certificate, default_budget
from proofkit.kernel.engine import SMOOTH_UNARY, NotAnalyticOnBox, Tape, branches, dense_gradient, dense_hessian, evaluate
from proofkit.kernel.exact import identity_differences, manifold_conditions
from proofkit.kernel.legacy import translate as upgrade
from proofkit.kernel.linalg import (
    PRIMES,
    ball_matrix_pd,
    exact_ldl_pivots,
    float_ball_nonsingular,
    float_environment_ok,
    float_rows_mod_p,
    gamma_up,
    integer_rows,
)
from proofkit.kernel.primitives import (
    Refused,
    definite,
    enclose,
    exact_zero,
    form_sign,
    krawczyk,
    lower_bound,
    nonsingular,
    tape_of,
)
from proofkit.kernel.taylor import coefficients as series_coefficients
from proofkit.kernel.teacher_student import Recipe

__all__ = ["check_certificate", "KernelReport", "default_budget", "series_coefficients", "upgrade",
           "decode_dag", "Dag", "DAG_FORMAT", "read_floats", "Recipe", "Tape", "evaluate", "dense_gradient",
           "dense_hessian", "SMOOTH_UNARY", "NotAnalyticOnBox", "Refused", "enclose", "krawczyk", "definite",
           "lower_bound", "nonsingular", "form_sign", "exact_zero", "identity_differences", "manifold_conditions",
           "PRIMES", "integer_rows", "float_rows_mod_p", "float_ball_nonsingular", "float_environment_ok", "gamma_up",
           "ball_matrix_pd", "exact_ldl_pivots", "branches", "tape_of"]
