"""The trusted kernel: re-checks certificates from their data alone (it never imports the searches)."""

from proofkit.kernel.check import KernelReport, check_certificate

__all__ = ["KernelReport", "check_certificate"]
