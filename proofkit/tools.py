"""Finding the external programs proofkit runs (``dot``, ``graphviz-pure``, ``pdflatex``).

A program is looked up on ``PATH`` first, then next to the Python interpreter running proofkit:
the interpreter's scripts folder and the folder of ``sys.executable``. That second place is where
pip installs the programs of proofkit's own dependencies (``graphviz-pure``), and it is not on
``PATH`` when a virtual environment is used without being activated (``venv/bin/proofkit check``).
"""

from __future__ import annotations

import os
import shutil
import sys
import sysconfig

__all__ = ["find_tool", "tool_folders"]


def tool_folders() -> list[str]:
    """The folders searched after ``PATH``: this interpreter's scripts folder(s) and its own folder.

    Examples
    --------
    >>> os.path.dirname(sys.executable) in tool_folders()
    True
    """
    folders = []
    for scheme in (None, f"{os.name}_user"):
        try:
            folders.append(sysconfig.get_path("scripts", scheme) if scheme else sysconfig.get_path("scripts"))
        except KeyError:  # no user scheme on this platform
            continue
    if sys.executable:
        folders.append(os.path.dirname(sys.executable))
    out: list[str] = []
    for folder in folders:
        if folder and folder not in out and os.path.isdir(folder):
            out.append(folder)
    return out


def find_tool(name: str) -> str | None:
    """The full path of the program ``name``: on ``PATH``, else next to this Python interpreter; None if absent.

    Parameters
    ----------
    name : str
        The program's name (``"dot"``, ``"graphviz-pure"``, ``"pdflatex"``); on Windows ``PATHEXT``
        applies as for :func:`shutil.which`.

    Examples
    --------
    >>> find_tool("surely-no-such-program-here") is None
    True
    """
    found = shutil.which(name)
    if found:
        return found
    folders = tool_folders()
    return shutil.which(name, path=os.pathsep.join(folders)) if folders else None
