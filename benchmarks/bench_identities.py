"""check_identity on derivations researchers write: the softmax cross-entropy Gauss-Newton decomposition of a
network's Hessian, a log-sum-exp shift, a piecewise identity; verdict, wall time, and the kernel's re-check time.

The Hessian of a sigmoid network [2, 2, 3] with softmax cross-entropy on two samples (15 parameters, 225
entries) is compared with ``sum_i J_i^T (diag p_i - p_i p_i^T) J_i + sum_ik (p_ik - y_ik) Hess q_ik`` written by
hand (``p = exp(q) / sum exp(q)``).

Run it on this checkout, and optionally on another one side by side (each case in a subprocess with that
checkout first on the path)::

    python benchmarks/bench_identities.py
    python benchmarks/bench_identities.py --before /path/to/other/checkout --timeout 600

Timings taken while other work runs are noisy: the load (``os.getloadavg``) is printed next to them.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

CASES = ("softmax_gauss_newton", "log_sum_exp_shift", "relu_abs", "max_abs")


def _case(name: str):  # noqa: ANN202
    import sympy

    x, y, z = sympy.symbols("x y z")
    if name == "log_sum_exp_shift":
        lhs = sympy.log(sympy.exp(x) + sympy.exp(y) + sympy.exp(z))
        return lhs, y + sympy.log(sympy.exp(x - y) + 1 + sympy.exp(z - y))
    if name == "relu_abs":
        return sympy.Max(0, x), (x + sympy.Abs(x)) / 2
    if name == "max_abs":
        return sympy.Max(x, y), (x + y + sympy.Abs(x - y)) / 2
    from proofkit.symbolic import Network

    net = Network([2, 2, 3], activation="sigmoid")
    X = [[1, 0], [sympy.Rational(1, 2), -1]]
    Y = [[1, 0, 0], [0, 0, 1]]
    obj = net.loss(X, Y, loss="cross_entropy")
    H = obj.hessian().to_sympy()
    F, th = obj.F(2), obj.params
    GN, Rt = sympy.zeros(len(th)), sympy.zeros(len(th))
    for i in range(2):
        q = [F[i, k] for k in range(3)]
        Z = sum(sympy.exp(qk) for qk in q)
        p = [sympy.exp(qk) / Z for qk in q]
        Ji = sympy.Matrix([[sympy.diff(q[k], t) for t in th] for k in range(3)])
        GN += Ji.T * (sympy.diag(*p) - sympy.Matrix(p) * sympy.Matrix(p).T) * Ji
        for k in range(3):
            Rt += (p[k] - Y[i][k]) * sympy.hessian(q[k], th)
    return GN + Rt, H


def run_one(name: str) -> dict:
    """Time check_identity on one case (and the kernel's re-check of its certificate, when there is one)."""
    from proofkit.symbolic import check_identity

    lhs, rhs = _case(name)
    t0 = time.perf_counter()
    res = check_identity(lhs, rhs)
    out = {"case": name, "verdict": res.verdict, "method": res.method, "seconds": time.perf_counter() - t0}
    cert = getattr(res, "certificate", None)
    if cert is not None:
        from proofkit.kernel import check_certificate

        text = cert.to_json()
        t0 = time.perf_counter()
        check_certificate(text)
        out.update(kernel_seconds=time.perf_counter() - t0, certificate_kb=len(text) / 1024)
    return out


def _in_subprocess(checkout: str, name: str, timeout: float) -> dict:
    code = f"import json, sys; sys.path.append({os.path.dirname(os.path.abspath(__file__))!r}); " \
           f"import proofkit, bench_identities as b; r = b.run_one({name!r}); r['proofkit'] = proofkit.__file__; " \
           "print(json.dumps(r))"
    env = {**os.environ, "PYTHONPATH": checkout}
    try:
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout, env=env,
                              cwd=checkout)  # (the working directory comes first on the path: that checkout's)
    except subprocess.TimeoutExpired:
        return {"case": name, "verdict": f"timeout after {timeout:.0f} s"}
    if done.returncode != 0:
        return {"case": name, "verdict": "error: " + (done.stderr.strip().splitlines() or ["?"])[-1][:100]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--before", help="another checkout to time side by side (e.g. main before this change)")
    ap.add_argument("--cases", nargs="*", default=list(CASES), choices=CASES)
    ap.add_argument("--timeout", type=float, default=900.0)
    args = ap.parse_args()
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    checkouts = [("this checkout", here)] + ([("before", args.before)] if args.before else [])
    print(f"load average at start: {os.getloadavg()[0]:.2f} ({os.cpu_count()} cores)")
    print(f"{'case':24} {'checkout':14} {'verdict':14} {'seconds':>8} {'kernel s':>9} {'cert KB':>8}")
    for name in args.cases:
        for label, path in checkouts:
            r = _in_subprocess(path, name, args.timeout)
            ks = f"{r['kernel_seconds']:.2f}" if "kernel_seconds" in r else "-"
            kb = f"{r['certificate_kb']:.0f}" if "certificate_kb" in r else "-"
            sec = f"{r['seconds']:.2f}" if "seconds" in r else "-"
            print(f"{name:24} {label:14} {r['verdict'][:14]:14} {sec:>8} {ks:>9} {kb:>8}", flush=True)
    print(f"load average at end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
