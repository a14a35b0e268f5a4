"""Named exceptions raised by proofkit.

Every error raised on bad input says which argument was wrong, what was
expected and what was received, so that a user never has to read a traceback
from deep inside sympy or python-flint.
"""

from __future__ import annotations

__all__ = [
    "ProofkitError",
    "InvalidInput",
    "ShapeMismatch",
    "NonFiniteInput",
    "DuplicateSamples",
    "UnknownName",
    "UnknownParameter",
    "AssumptionViolated",
    "NotSymmetric",
    "NotExact",
    "CertificateRejected",
    "NonSmoothInBox",
    "GraphError",
    "DuplicateClaim",
    "UnknownClaim",
    "DanglingReference",
    "CircularDependency",
    "CorruptGraph",
    "ToolMissing",
    "KernelDisagreement",
    "NotAnalyticAtPoint",
]


class ProofkitError(Exception):
    """Base class of every error proofkit raises on purpose."""


class InvalidInput(ProofkitError, ValueError):
    """An argument has the wrong type, range or form.

    Parameters
    ----------
    argument : str
        Name of the offending argument.
    expected : str
        What was expected.
    got : str
        What was received.
    """

    def __init__(self, argument: str, expected: str, got: str) -> None:
        self.argument = argument
        self.expected = expected
        self.got = got
        super().__init__(f"argument {argument!r}: expected {expected}, got {got}")


class ShapeMismatch(InvalidInput):
    """Array shapes do not agree with each other or with the architecture."""


class NonFiniteInput(InvalidInput):
    """The data contain NaN or an infinity."""


class UnknownName(InvalidInput, KeyError):
    """An activation, loss or other registry name is not known."""

    def __str__(self) -> str:  # KeyError would quote the whole message
        return self.args[0]


class UnknownParameter(InvalidInput):
    """A parameter subset names parameters that the objective does not have."""


class AssumptionViolated(InvalidInput):
    """An input violates a hypothesis of the theorem being applied.

    The message names the assumption (e.g. "Nguyen & Hein 2017, Assumption
    3.2(2): sigma analytic").
    """


class DuplicateSamples(AssumptionViolated):
    """Two samples coincide where an assumption requires distinct samples."""


class NotSymmetric(InvalidInput):
    """A non-symmetric matrix was given to a certifier for symmetric matrices."""


class NotExact(InvalidInput):
    """An exact-only operation received input that is not exactly representable."""


class CertificateRejected(ProofkitError):
    """The trusted kernel rejected a certificate (tampered, inconsistent or false)."""


class NonSmoothInBox(CertificateRejected):
    """A stored expression switches branch (abs, max, piecewise, ...) inside the box it is evaluated on."""


class GraphError(InvalidInput):
    """A claim graph is malformed."""


class DuplicateClaim(GraphError):
    """Two claims share a label."""


class UnknownClaim(GraphError, KeyError):
    """A label names no claim in the graph."""

    def __str__(self) -> str:
        return self.args[0]


class DanglingReference(GraphError):
    """A claim uses, refutes or instantiates a label that is not in the graph."""


class CircularDependency(GraphError):
    """Adding a claim would close a cycle of dependencies; the message names the cycle."""


class CorruptGraph(GraphError):
    """A saved graph file cannot be read (bad JSON, wrong schema or version, missing fields)."""


class ToolMissing(ProofkitError, RuntimeError):
    """An external program (pdflatex, Graphviz dot) is not installed."""



class KernelDisagreement(ProofkitError, RuntimeError):
    """A certifier's certificate is rejected by the kernel when re-read from its JSON (a bug in proofkit)."""

    def __init__(self, certifier: str, verdict: str, why: str) -> None:
        self.certifier, self.verdict, self.why = certifier, verdict, why
        super().__init__(f"{certifier}: the kernel rejected its {verdict} certificate re-read from its JSON "
                         f"(a bug in proofkit; please report it): {why}")


class NotAnalyticAtPoint(InvalidInput):
    """The loss has a kink, a pole or a domain edge at the point where a certifier needs its derivatives."""
