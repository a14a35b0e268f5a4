"""The trusted kernel: re-checks certificates from their data alone.

It imports only the certificate data format, the number contexts and the
expression evaluator; never the searches (``proofkit.certify``), printing or
the claim graph. A test scans its imports.
"""

from proofkit.kernel.check import KernelReport, check_certificate

__all__ = ["KernelReport", "check_certificate"]
