"""Number systems and compiled evaluation (the numeric layer)."""

from proofkit.numeric.contexts import (
    ArbContext,
    ExactContext,
    FloatContext,
    MpmathContext,
    NotAnalyticHere,
    NotRational,
    arb_precision,
    to_fmpq,
)
from proofkit.numeric.program import Program, compile_program

__all__ = [
    "ArbContext",
    "ExactContext",
    "FloatContext",
    "MpmathContext",
    "NotAnalyticHere",
    "NotRational",
    "Program",
    "arb_precision",
    "compile_program",
    "to_fmpq",
]
