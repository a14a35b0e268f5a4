"""Floating point with proven error bounds (Rump-style verification).

All bounds assume IEEE double precision with round-to-nearest and gradual
underflow; :func:`check_float_environment` tests that flush-to-zero is not
active (another library can switch it on; numpy issue #20895) before any
float-verified certificate is issued. BLAS ignores a caller-set rounding mode,
so nothing here relies on directed rounding: every computed quantity is
inflated by an explicit relative factor ``(1 + k u)`` instead.

References
----------
S. M. Rump, "Verification methods: rigorous results using floating-point
arithmetic", Acta Numerica 19 (2010). N. J. Higham, "Accuracy and Stability of
Numerical Algorithms", 2nd ed., Theorem 10.3 (Cholesky backward error) and
Section 3.5 (inner products: ``|fl(x^T y) - x^T y| <= gamma_n |x|^T |y|``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from proofkit.kernel import float_ball_nonsingular, float_environment_ok, gamma_up
from proofkit.results import ResultDisplay

__all__ = [
    "U",
    "ETA",
    "gamma",
    "all_finite",
    "check_float_environment",
    "FloatVerification",
    "verify_nonsingular_float",
    "verify_positive_definite_float",
]

U, ETA = 2.0**-53, 2.0**-1074  # unit roundoff, smallest positive subnormal
gamma = gamma_up  # ``gamma_n = n u / (1 - n u)``, rounded up generously


def check_float_environment() -> bool:
    """True when float64 rounds to nearest and subnormals survive elementwise and BLAS arithmetic."""
    return float_environment_ok()


def all_finite(A: np.ndarray) -> bool:
    """Whether every entry of a float array is finite."""
    return bool(np.isfinite(A).all())


def _up(x: float, k: int = 4) -> float:
    """Inflate a non-negative float computed with a few roundings to a safe upper bound."""
    return float(x) * (1 + k * U) + ETA


@dataclass(repr=False)  # a summarised repr and Jupyter display: ResultDisplay
class FloatVerification(ResultDisplay):
    """Outcome of a float-verified test: ``proved`` and the decisive bound."""

    proved: bool
    bound: float
    threshold: float
    detail: str


def verify_nonsingular_float(A: np.ndarray) -> FloatVerification:
    """Prove ``A`` non-singular by ``||I - R A||_inf < 1`` for an approximate inverse R.

    The bound is the kernel's (:func:`proofkit.kernel.linalg.float_ball_nonsingular`, one copy).

    Guarantee
    ---------
    ``proved=True`` means the bound on ``||I - RA||_inf`` is
    rigorous and below 1, hence ``RA`` and therefore ``A`` are invertible.
    """
    if not all_finite(A):
        return FloatVerification(False, float("inf"), 1.0, "the matrix has non-finite entries")
    proved, bound = float_ball_nonsingular(np.asarray(A, dtype=np.float64), np.zeros(A.shape))
    if not math.isfinite(bound):
        return FloatVerification(False, float("inf"), 1.0, "approximate inverse or bound not finite")
    return FloatVerification(proved, bound, 1.0, f"||I - RA||_inf <= {bound:.3e}")


def _refused(detail: str) -> FloatVerification:
    return FloatVerification(False, float("inf"), 0.0, detail)


def verify_positive_definite_float(A: np.ndarray, extra_radius: float = 0.0) -> FloatVerification:
    """Prove every symmetric matrix within ``extra_radius`` (in the 2-norm) of ``A`` positive definite.

    Cholesky of ``A - c I`` in floating point; if it completes, Higham's
    Theorem 10.3 gives ``R^T R = (A - cI) + dA`` with
    ``|dA| <= gamma_{n+1} |R^T||R|``, and ``|| |R^T||R| ||_2 <= sum_j ||r_j||^2
    <= tr(A - cI)/(1 - gamma_{n+1})``. Hence
    ``lambda_min(A) >= c - gamma_{n+1} tr(A)/(1 - gamma_{n+1}) - (shift error)``;
    ``c`` is chosen to make this positive with margin.

    Guarantee
    ---------
    ``proved=True`` means ``lambda_min(A) > extra_radius``: A and every
    symmetric perturbation of 2-norm at most ``extra_radius`` are positive definite.
    """
    n = A.shape[0]
    if not (math.isfinite(extra_radius) and extra_radius >= 0 and all_finite(A)):
        return _refused("non-finite entries or radius (overflow): the float test does not apply")
    if not np.array_equal(A, A.T):
        return _refused("matrix not exactly symmetric in float64")
    diag = np.diag(A)
    if (diag <= 0).any():
        return _refused("a diagonal entry is not positive")
    # Python floats: an overflow gives inf silently (no numpy warning), and is caught just below
    g = gamma(n + 1)
    trace_up = _up(sum(diag.tolist()) * (1 + gamma(n)))
    err_chol = _up(g / (1 - g) * trace_up) if math.isfinite(trace_up) else math.inf
    max_diag = float(diag.max())
    # c must exceed err_chol + shift rounding (u (max a_jj + c)) + extra_radius + underflow
    c = _up(2 * (err_chol + U * 2 * max_diag + extra_radius) + 8 * n * 2.0**-1000)
    shift_err = _up(U * (max_diag + c))
    lower = c - err_chol - shift_err - extra_radius - 4 * n * 2.0**-1000 if math.isfinite(c) else math.nan
    # every quantity that supports the verdict must be finite (an overflow would turn into NaN below,
    # and LAPACK may accept NaN pivots)
    if not (math.isfinite(c) and math.isfinite(lower)):  # lower is finite only if every term is
        return _refused("the error bound overflows: the float test does not apply")
    if not lower > 0:
        return FloatVerification(False, lower, 0.0, "shift too small to absorb the error bounds")
    with np.errstate(all="ignore"):
        # A finite, 0 < c finite and a_jj > 0: every entry of A - c I is finite (no c * 0 = NaN either)
        shifted = np.array(A, dtype=np.float64, copy=True)
        shifted.flat[:: n + 1] -= c
        try:
            L = np.linalg.cholesky(shifted)
        except np.linalg.LinAlgError:
            return FloatVerification(False, c, 0.0,
                                     f"Cholesky of A - c I failed for c = {c:.3e} (A may be indefinite, "
                                     "singular, or too ill-conditioned for float64)")
        # a NaN or inf anywhere in row i of L enters the pivot a_ii - sum_k l_ik^2, so it shows on the
        # diagonal: NaN fails "> 0", and a positive sum of positive terms is finite only if each term is
        d = L.flat[:: n + 1]
        ok = bool((d > 0).all()) and math.isfinite(float(d.sum()))
    if not ok:
        return FloatVerification(False, c, 0.0, "Cholesky of A - c I returned non-finite or non-positive "
                                                "pivots: not a certificate")
    return FloatVerification(True, c, 0.0,
                             f"Cholesky of A - c I completed with c = {c:.3e}; lambda_min(A) > {extra_radius:.3e}")
