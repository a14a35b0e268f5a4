"""Generators of cases with exactly known truth, for soundness testing."""

from proofkit.testing.soundness import CASE_FAMILIES, SoundnessReport, generate_cases, run_soundness

__all__ = ["CASE_FAMILIES", "SoundnessReport", "generate_cases", "run_soundness"]
