"""The fixed cost of one certificate: a 2 x 2 matrix certified end to end, and the pieces every certificate pays.

For tiny inputs the arithmetic is negligible, so what is measured is what every certificate costs whatever its
size: argument normalisation, hashing, building the certificate (``library_versions()`` and the reason), its
canonical JSON, and the kernel's re-check of that JSON. Times are medians over 2,000 calls (CPU time of this
single-threaded process, robust to the load of a shared machine).

Run: ``python benchmarks/bench_overhead.py`` (``PYTHONPATH=DIR`` to measure the checkout in DIR instead).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

if "PYTHONPATH" not in os.environ:  # set it to measure another checkout (e.g. the previous code)
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402

from proofkit import certify_nonsingular, certify_positive_definite  # noqa: E402
from proofkit.certificate import library_versions  # noqa: E402
from proofkit.kernel import check_certificate  # noqa: E402

CALLS = 2000


def median_ms(f: Callable[[], Any], calls: int = CALLS) -> float:
    f()
    out = []
    for _ in range(calls // 50):
        t = time.process_time()
        for _ in range(50):
            f()
        out.append((time.process_time() - t) / 50)
    return statistics.median(out) * 1e3


def main() -> None:
    print("load before:", os.getloadavg())
    exact = [[2, 1], [1, 3]]
    floats = np.array([[2.0, 1.0], [1.0, 3.0]])
    print(f"library_versions(): {median_ms(library_versions):.4f} ms")
    print()
    print("| certificate (2 x 2) | certify (ms) | to_json (ms) | kernel re-check of the JSON (ms) |")
    print("|---|---|---|---|")
    for name, f, A in (("nonsingular, exact", certify_nonsingular, exact),
                       ("nonsingular, float64", certify_nonsingular, floats),
                       ("positive definite, exact", certify_positive_definite, exact),
                       ("positive definite, float64", certify_positive_definite, floats)):
        cert = f(A)
        js = cert.to_json()
        print(f"| {name} | {median_ms(lambda f=f, A=A: f(A)):.3f} | {median_ms(cert.to_json):.3f} | "
              f"{median_ms(lambda js=js: check_certificate(js)):.3f} |")
    print()
    print("load after:", os.getloadavg())


if __name__ == "__main__":
    main()
