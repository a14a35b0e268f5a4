"""A bounded display for proofkit's result records (reports of searches, checks, sweeps, verifications).

A result class inherits :class:`ResultDisplay` (a dataclass declares ``repr=False`` so that the
inherited ``__repr__`` is used): its ``repr`` and its Jupyter display (``_repr_html_``) list its
fields with long lists, dicts, arrays and strings summarised (first items and length), so that
printing a report of thousands of candidates stays a few lines. This module imports nothing at
import time; the formatting is :func:`proofkit.printing.display.result_text` /
:func:`~proofkit.printing.display.result_html`.

Examples
--------
>>> from dataclasses import dataclass, field
>>> @dataclass(repr=False)
... class Found(ResultDisplay):
...     points: list = field(default_factory=list)
>>> Found(list(range(100)))
Found(points=[0, 1, 2, 3, … (100 items)])
"""

from __future__ import annotations

__all__ = ["ResultDisplay"]


class ResultDisplay:
    """Mixin: a summarised ``__repr__`` and ``_repr_html_`` of the public fields."""

    __slots__ = ()

    def __repr__(self) -> str:
        from proofkit.printing.display import result_text

        return result_text(self)

    def _repr_html_(self) -> str:
        from proofkit.printing.display import result_html

        return result_html(self)
