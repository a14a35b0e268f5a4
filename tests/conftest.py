"""Shared test settings."""

import os

from hypothesis import HealthCheck, settings

# a certifier's certificate that the kernel rejects when re-read from its JSON is a bug: fail, never downgrade
os.environ.setdefault("PROOFKIT_STRICT_CERTIFIERS", "1")

settings.register_profile("proofkit", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("proofkit")
