"""The trusted kernel: re-checks certificates from their data alone.

Its transitive imports inside proofkit are the kernel's own modules, the certificate
format (:mod:`proofkit.certificate`) and :mod:`proofkit.errors` (a test checks this).
"""

from proofkit.kernel.check import KernelReport, check_certificate

__all__ = ["KernelReport", "check_certificate"]
