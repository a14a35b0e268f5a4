"""Progress bars for proofkit's long jobs, drawn by tqdm, with one switch for all of them.

Searches (:func:`~proofkit.certify.search.find_spurious_minima`), certification ladders (precisions,
radii), identity checks over many entries, ``proofkit check`` (the claims' checkers),
``proofkit verify DIR`` and sweeps report their progress through this module. A bar is drawn on
standard error only when it is a terminal, and only once the job has run for :data:`DELAY` seconds,
so short calls, pipes, logs, notebooks and tests stay quiet.

Switch bars off with ``PROOFKIT_PROGRESS=0`` in the environment, ``proofkit --no-progress ...``, or
:func:`set_enabled` (``set_enabled(False)``); ``PROOFKIT_PROGRESS=1`` or ``set_enabled(True)`` draws
them even when standard error is not a terminal. Under pytest they are off unless forced.

Examples
--------
>>> from proofkit.progress import track
>>> sum(track(range(4), "adding"))          # quiet here: not a terminal
6
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

__all__ = ["DELAY", "enabled", "set_enabled", "quiet", "bar", "track", "steps", "Steps", "callback"]

T = TypeVar("T")

#: Seconds a job runs before its bar appears (shorter jobs never draw one).
DELAY = 1.0

_forced: bool | None = None


def set_enabled(flag: bool | None) -> None:
    """Force bars on (``True``) or off (``False``) for this process; ``None`` restores the default
    (``PROOFKIT_PROGRESS``, else: on when standard error is a terminal and not under pytest)."""
    global _forced
    if flag is not None and not isinstance(flag, bool):
        from proofkit.errors import InvalidInput

        raise InvalidInput("flag", "True, False or None", repr(flag))
    _forced = flag


def enabled() -> bool:
    """Whether a new bar would be drawn (see the module's description for the rules).

    Examples
    --------
    >>> enabled()                               # doctests run under pytest, without a terminal
    False
    """
    if _forced is not None:
        return _forced
    env = os.environ.get("PROOFKIT_PROGRESS", "").strip().lower()
    if env:
        return env not in ("0", "false", "no", "off")
    if "PYTEST_CURRENT_TEST" in os.environ:
        return False
    stream = sys.stderr
    return stream is not None and hasattr(stream, "isatty") and stream.isatty()


@contextmanager
def quiet() -> Iterator[None]:
    """No bars inside the ``with`` block (the previous setting is restored afterwards)."""
    global _forced
    before = _forced
    _forced = False
    try:
        yield
    finally:
        _forced = before


def bar(total: int | None, desc: str, *, unit: str = "step", show: bool | None = None) -> Any:
    """A tqdm bar on standard error (disabled unless :func:`enabled`, or ``show`` says otherwise).

    Use it as a context manager and call ``update(n)`` / ``set_postfix_str(text)`` on it.
    """
    from tqdm import tqdm

    on = enabled() if show is None else bool(show)
    return tqdm(total=total, desc=desc, unit=unit, disable=not on, delay=DELAY, leave=False, file=sys.stderr,
                dynamic_ncols=True, mininterval=0.2)


def track(items: Iterable[T], desc: str, *, total: int | None = None, unit: str = "step",
          show: bool | None = None, label: Callable[[T], str] | None = None) -> Iterator[T]:
    """Iterate over ``items`` with a bar; ``label(item)`` (optional) is shown beside it.

    The bar is removed when the loop ends, also by ``break`` or an exception.
    """
    if total is None and hasattr(items, "__len__"):
        total = len(items)  # type: ignore[arg-type]
    b = bar(total, desc, unit=unit, show=show)
    try:
        for item in items:
            if label is not None and not b.disable:
                b.set_postfix_str(label(item), refresh=False)
            yield item
            b.update(1)
    finally:
        b.close()


class Steps(list):  # type: ignore[type-arg]
    """A list (a ladder of precisions or radii) whose iteration draws a bar: ``for p in steps(...)``.

    Everything else is the list's: length, indexing, equality with a plain list.
    """

    def __init__(self, items: Iterable[Any], desc: str, unit: str = "step") -> None:
        super().__init__(items)
        self.desc, self.unit = desc, unit

    def __iter__(self) -> Iterator[Any]:
        return track(list.__iter__(self), self.desc, total=len(self), unit=self.unit, label=str)


def steps(items: Iterable[T], desc: str, unit: str = "step") -> Steps:
    """The items as a :class:`Steps` list (a bar while a loop walks them).

    Examples
    --------
    >>> steps([64, 128], "precision", unit="bits") == [64, 128]
    True
    """
    return Steps(items, desc, unit)


def callback(desc: str, *, show: bool | None = None) -> Callable[[int, int, str], None] | None:
    """A ``progress(i, n, label)`` function (the form :meth:`ClaimGraph.check` takes: called as item
    ``i`` of ``n`` starts) that draws a bar, or None when bars are off. The bar is removed when the
    function is dropped (when the job that called it returns)."""
    if not (enabled() if show is None else show):
        return None
    state: dict[str, Any] = {}

    def update(i: int, n: int, label: str) -> None:
        b = state.get("bar")
        if b is None or b.total != n:
            if b is not None:
                b.close()
            b = state["bar"] = bar(n, desc, unit="claim", show=True)
        b.set_postfix_str(str(label)[:40], refresh=False)
        b.update(max(0, i - 1 - b.n))  # items before this one are done

    return update
