"""Certified critical points of Safran & Shamir's teacher-student loss, through the problem's structure.

The certificate stores the *recipe* of the loss, ``(k, n)``, not its expression: the kernel rebuilds F, encloses
its gradient and Hessian over the box from the k^2 two-neuron blocks in float64 midpoint-radius arithmetic with
proven rounding bounds (:mod:`proofkit.kernel.teacher_student`) and re-proves the claim (rule
``teacher_student``: the primitives krawczyk, definite, form_sign and lower_bound in the float64 tier): exactly
one critical point in the box (Krawczyk), and either a positive definite Hessian on the whole box and a loss above
the teacher's F = 0 (a spurious local minimum) or directions of negative and positive curvature on the whole box
(a strict saddle). A certificate is 5-60 KB whatever (k, n).

The search side here only chooses the box: the Newton step at the given point is estimated in float64; if it is
small, the box is centred at the given point itself (so the certificate is about that very point); otherwise,
or if the kernel does not accept that box, the point is first polished
(:func:`~proofkit.certify.polish.polish_critical_point`) and a small box around the polished point is certified.
The kernel decides every candidate box from the certificate's own JSON.

Examples
--------
>>> import numpy as np
>>> from proofkit.library.safran_shamir import search
>>> W = search(6, 6, starts=400, seed=7)[0].W
>>> res = certify_teacher_student_point(6, 6, W)
>>> res.certificate.verdict, res.kind, res.contains_point
('certified', 'spurious local minimum', True)
"""

from __future__ import annotations

import base64
import math
import time
from dataclasses import dataclass
from typing import Any

import flint
import numpy as np

from proofkit.certificate import Certificate, fmpq_to_str
from proofkit.certify.common import Timer, kernel_checked, kernel_decides, make_certificate
from proofkit.errors import CertificateRejected, InvalidInput

__all__ = ["PointResult", "certify_teacher_student_point", "float64_record", "teacher_student_inputs", "box_distance",
           "METHOD"]

METHOD = ("Safran & Shamir's loss rebuilt from its recipe (k, n); float64 midpoint-radius enclosure of its gradient "
          "and Hessian through the two-neuron blocks; Krawczyk; Cholesky with Rump's shift")
KINDS = ("spurious local minimum", "strict saddle")


@dataclass
class PointResult:
    """A certificate about a given point of F, and how the certified box relates to that point.

    Attributes
    ----------
    certificate : Certificate
        Kernel-checked (``teacher_student`` claim, or inconclusive with the reason).
    kind : str
        ``"spurious local minimum"``, ``"strict saddle"`` or ``""`` (nothing certified).
    polished : bool
        The box is centred at the polished point, not at the given one.
    distance : float
        ``max |W - centre|`` (sup norm) from the given point to the centre of the box.
    radius : float
        The box's half-width.
    contains_point : bool
        The given point lies in the box.
    statement : str
        How the given point relates to the certified critical point, in words.
    """

    certificate: Certificate
    kind: str
    polished: bool
    distance: float
    radius: float
    contains_point: bool
    statement: str


def float64_record(a: np.ndarray) -> dict[str, Any]:
    """The certificate record of a float64 array (little-endian base64, with its shape)."""
    arr = np.ascontiguousarray(np.asarray(a, dtype=float), dtype="<f8")
    if not np.isfinite(arr).all():
        raise ArithmeticError("a non-finite number in a float64 record")
    return {"kind": "float64", "shape": list(arr.shape), "entries": base64.b64encode(arr.tobytes()).decode()}


def teacher_student_inputs(k: int, n: int, kind: str) -> dict[str, Any]:
    """The inputs a ``teacher_student`` certificate of F for ``(k, n)`` records besides its box and directions."""
    return {"recipe": {"problem": "safran_shamir", "k": k, "n": n}, "kind": kind}


def _radius_text(r: float) -> str:
    return fmpq_to_str(flint.fmpq(*r.as_integer_ratio()))


def _certificate(k: int, n: int, kind: str, centre: np.ndarray, r: float, dirs: tuple[np.ndarray, np.ndarray] | None,
                 verdict: str, reason: str, seconds: float | None) -> Certificate:
    inputs = {**teacher_student_inputs(k, n, kind), "centre": float64_record(centre), "radius": _radius_text(r)}
    if dirs is not None:
        inputs["negative"], inputs["positive"] = float64_record(dirs[0]), float64_record(dirs[1])
    claim = {"type": "teacher_student", "problem": "safran_shamir", "k": k, "n": n, "dimension": n * k, "kind": kind}
    return make_certificate(claim, verdict, METHOD, "float64", 53, None, {}, reason, seconds=seconds,
                            extra_inputs=inputs)


def box_distance(cert: Any, W: Any) -> tuple[float, float] | None:
    """``(distance, radius)``: the sup-norm distance from the point W (n x k) to the centre of a ``teacher_student``
    certificate's box, and the box's radius; None when the certificate records no such box."""
    from fractions import Fraction

    from proofkit.kernel import read_floats

    data = cert.to_dict() if hasattr(cert, "to_dict") else cert
    try:
        inp = data["inputs"]
        centre = read_floats(inp["centre"], "inputs.centre")
        q = Fraction(str(inp["radius"]))
        r = float(q)
    except (KeyError, TypeError, ValueError, ZeroDivisionError, OverflowError, CertificateRejected):
        return None
    W = np.asarray(W, dtype=float)
    if Fraction(r) != q or W.shape != centre.shape:
        return None
    return float(np.abs(W - centre).max()), r


def _statement(kind: str, contains: bool, distance: float, r: float) -> str:
    what = f"a certified {kind}" if kind else "nothing certified"
    if not kind:
        return what
    if contains:
        return f"the given point lies in the certified box: within {distance + r:.3g} (sup norm) of {what}"
    return (f"the given point lies within {distance + r:.3g} (sup norm) of {what} (the box of radius {r:.3g} is "
            f"centred at the polished point, {distance:.3g} away)")


def _directions(H: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A direction of most negative curvature (eigenvector) and a coordinate direction of largest curvature."""
    from scipy.linalg import eigh

    _, V = eigh(H, subset_by_index=[0, 0])  # the lowest eigenpair only (half the time of a full eigh at P = 2500)
    pos = np.zeros(H.shape[0])
    pos[int(np.argmax(np.diag(H)))] = 1.0
    return V[:, 0], pos


def certify_teacher_student_point(k: int, n: int, W: Any, *, kind: str = "auto", radius: Any = None,
                                  polish: str = "auto") -> PointResult:
    """Certify that the point W (n x k, floats taken exactly) of F is (near) a spurious local minimum or a strict saddle.

    Parameters
    ----------
    k, n : int
        Teacher and student widths.
    W : array_like
        n x k (rows: student units).
    kind : {"auto", "spurious local minimum", "strict saddle"}
        What to certify; ``auto`` follows the sign of the smallest eigenvalue of the float64 Hessian at W.
    radius : float, optional
        The box's half-width (a float64). By default 1.5 times the Newton step at the centre (at least 1e-9 (1 +
        max ``|W|``)), then larger.
    polish : {"auto", "always", "never"}
        ``auto``: the box is first centred at W itself when the Newton step there is below ``radius / 2`` (or below
        1e-5 (1 + max ``|W|``) with the default radius), then at the polished point if the kernel does not accept it
        (first with a radius that still holds W, then smaller).

    Returns
    -------
    PointResult
        The certificate (kernel-checked from its JSON) and how its box relates to W.

    Guarantee
    ---------
    ``certified`` proves, in float64 with proven bounds (IEEE-754 round to nearest, the BLAS and Cholesky
    assumptions of :mod:`proofkit.kernel.floatball`): F has exactly one critical point in the box, and it is a
    strict local minimum with F above the teacher's F = 0 on the whole box (a spurious local minimum), or a strict
    saddle (curvatures of both signs on the whole box).

    Examples
    --------
    >>> import numpy as np
    >>> certify_teacher_student_point(2, 2, np.eye(2)).certificate.verdict   # the teacher: F is not analytic there
    'inconclusive'
    """
    from proofkit.certify.polish import polish_critical_point
    from proofkit.kernel import Recipe
    from proofkit.library.safran_shamir import gradient_high, hessian, loss_and_grad

    try:
        Recipe(k, n)  # (the kernel's size caps)
    except (ValueError, TypeError):
        raise InvalidInput("k, n", "teacher and student widths 1 <= k, n <= 60 with n k <= 3000", f"({k!r}, {n!r})") \
            from None
    W0 = np.asarray(W, dtype=float)
    if W0.shape != (n, k) or not np.isfinite(W0).all():
        raise InvalidInput("W", f"an {n} x {k} array of finite numbers", f"shape {W0.shape}")
    if kind not in ("auto", *KINDS):
        raise InvalidInput("kind", f"one of auto, {', '.join(KINDS)}", repr(kind))
    if polish not in ("auto", "always", "never"):
        raise InvalidInput("polish", "auto, always or never", repr(polish))
    r_given = None
    if radius is not None:
        r_given = float(radius)
        if not (math.isfinite(r_given) and r_given > 0) or flint.fmpq(*r_given.as_integer_ratio()) != \
                _exact(radius):
            raise InvalidInput("radius", "a positive float64 number", repr(radius))
    scale = 1.0 + float(np.abs(W0).max())
    floor = 1e-9 * scale
    grad = lambda x: loss_and_grad(x[None], k)[1][0]  # noqa: E731

    def step_at(x: np.ndarray) -> tuple[float, np.ndarray]:
        with np.errstate(all="ignore"):
            H = hessian(x)
            try:
                s = float(np.abs(np.linalg.solve(H, grad(x).reshape(-1))).max())
            except np.linalg.LinAlgError:
                s = math.inf
        return (s if math.isfinite(s) else math.inf), H

    with Timer() as t:
        attempts: list[tuple[np.ndarray, float, bool]] = []
        step0, H0 = step_at(W0)
        want = kind
        reason = ""
        if not np.isfinite(H0).all():
            reason = "refused: F is not analytic at the point (a unit at 0 or two parallel vectors)"
        else:
            if kind == "auto":
                want = KINDS[0] if np.linalg.eigvalsh(H0)[0] > 0 else KINDS[1]
            if polish != "always":
                r0 = r_given if r_given is not None else max(1.5 * step0, floor)
                if step0 <= (r0 / 2 if r_given is not None else 1e-5 * scale) or polish == "never":
                    attempts.append((W0, r0, False))
        cert, kept = None, None
        for centre, r, polished in attempts:
            cert, kept, reason = _try(k, n, want, centre, r, polished, reason, t)
            if cert is not None:
                break
        if cert is None and polish != "never" and not reason.startswith("refused"):
            first = [H0]  # the Hessian at W0, already computed: the chord method factorises it once

            def hess(x: np.ndarray) -> np.ndarray:
                return first.pop() if first and x is not None and np.array_equal(x, W0) else hessian(x)

            p = polish_critical_point(lambda x: grad(x).reshape(-1), hess, W0, tol=floor / 8, fixed_hessian=True,
                                      max_steps=60, high_gradient=lambda x: gradient_high(x).reshape(-1))
            if not p.step <= floor:  # the chord method stalled (far from the critical point): Newton proper
                p = polish_critical_point(lambda x: grad(x).reshape(-1), hessian, p.x, tol=floor / 8,
                                          high_gradient=lambda x: gradient_high(x).reshape(-1))
            rp = r_given if r_given is not None else max(1.5 * p.step, floor)
            reach = float(np.abs(W0 - p.x).max()) * (1 + 2.0**-20) + 2.0**-1000  # a box that holds the given point
            radii = [rp] if r_given is not None else ([reach] if reach > rp else []) + [rp, 16 * rp, 256 * rp]
            for r in radii:
                cert, kept, reason = _try(k, n, want, p.x, r, True, reason, t)
                if cert is not None:
                    break
    if cert is None:
        centre, r = (attempts[0][0], attempts[0][1]) if attempts else (W0, r_given or floor)
        dirs = _directions(H0) if want == KINDS[1] and np.isfinite(H0).all() else None
        if want == "auto":
            want = KINDS[0]
        cert = _certificate(k, n, want, centre, r, dirs, "inconclusive", reason or "no box was accepted", t.seconds)
        return PointResult(kernel_checked(cert, "certify_teacher_student_point"), "", False,
                           float(np.abs(W0 - centre).max()), r, False, "nothing certified")
    centre, r, polished = kept  # the kernel accepted this very certificate's JSON (in _try): not re-checked
    cert = kernel_checked(cert, "certify_teacher_student_point")
    dist = float(np.abs(W0 - centre).max())
    contains = dist <= r
    return PointResult(cert, want, polished, dist, r, contains, _statement(want, contains, dist, r))


certify_teacher_student_point.kernel_checked = True  # type: ignore[attr-defined]  # its certificate's exit


def _exact(x: Any) -> flint.fmpq:
    from proofkit.convert import exact_scalar

    return exact_scalar(x, "radius")


def _try(k: int, n: int, kind: str, centre: np.ndarray, r: float, polished: bool, reason: str, timer: Timer
         ) -> tuple[Certificate | None, tuple[np.ndarray, float, bool] | None, str]:
    """Let the kernel decide the box ``centre +- r`` from the certificate's own JSON: the accepted certificate (its
    time is the search's, up to the kernel's check) and the box, or the kernel's reason."""
    from proofkit.library.safran_shamir import hessian

    dirs = None
    if kind == KINDS[1]:
        H = hessian(centre)
        if not np.isfinite(H).all():
            return None, None, "refused: F is not analytic at the centre"
        dirs = _directions(H)
    r = float(r)
    if not (math.isfinite(r) and r > 0):
        return None, None, reason or "no finite Newton step at the point (a singular Hessian)"
    cert = _certificate(k, n, kind, centre, r, dirs, "certified", "", time.perf_counter() - timer.start)
    ok, why = kernel_decides(cert)
    if ok:
        return cert, (centre, r, polished), ""
    where = "polished point" if polished else "given point"
    return None, None, f"the box of radius {r:.3g} at the {where} was not accepted: {why}"
