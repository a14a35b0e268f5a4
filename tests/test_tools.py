"""Finding external programs: on PATH, and next to the interpreter when a virtual environment is used
without being activated (``venv/bin/proofkit check`` with ``venv/bin`` not on PATH)."""

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from proofkit.tools import find_tool, tool_folders

ROOT = Path(__file__).resolve().parent.parent
GRAPHVIZ_PURE = shutil.which("graphviz-pure", path=sysconfig.get_path("scripts")) or shutil.which("graphviz-pure")


def test_path_comes_first(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", f"/usr/bin{os.pathsep}/bin")
    if shutil.which("sh"):
        assert find_tool("sh") == shutil.which("sh")
    assert find_tool("no-such-program-proofkit") is None


def test_the_interpreters_folders_are_searched():
    folders = tool_folders()
    assert os.path.dirname(sys.executable) in folders and sysconfig.get_path("scripts") in folders


@pytest.mark.skipif(GRAPHVIZ_PURE is None, reason="graphviz-pure is not installed")
def test_an_unactivated_venv_finds_graphviz_pure_next_to_its_python(tmp_path):
    """A real virtual environment, not activated: PATH holds neither its bin folder nor any Graphviz.
    Its python finds the graphviz-pure installed beside it and renders DOT with it."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", str(venv)], check=True,
                   timeout=120)
    bindir = venv / ("Scripts" if os.name == "nt" else "bin")
    os.symlink(os.path.realpath(GRAPHVIZ_PURE), bindir / "graphviz-pure")
    empty = tmp_path / "empty-path"
    empty.mkdir()
    code = ("import subprocess; from proofkit.printing.graphviz import renderer; cmd = renderer(); print(cmd[0]); "
            "print(subprocess.run([*cmd, '-Tsvg'], input='digraph { a -> b }', capture_output=True, text=True).stdout)")
    env = {**os.environ, "PATH": str(empty), "PYTHONPATH": str(ROOT)}
    env.pop("VIRTUAL_ENV", None)
    done = subprocess.run([str(bindir / "python"), "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    first, _, svg = done.stdout.partition("\n")
    assert first == str(bindir / "graphviz-pure")
    assert "<svg" in svg and ">a</text>" in svg and ">b</text>" in svg
