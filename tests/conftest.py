"""Shared test settings."""

from hypothesis import HealthCheck, settings

settings.register_profile("proofkit", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("proofkit")
