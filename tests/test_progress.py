"""Progress bars: one module (proofkit.progress) that every long job reports through; quiet in tests,
pipes and with the switch off; drawn on a terminal once a job has run for DELAY seconds."""

import fcntl
import os
import pty
import select
import struct
import subprocess
import sys
import termios
from pathlib import Path

import numpy as np
import pytest
import sympy

import proofkit.progress as progress
from proofkit import ClaimGraph, certify_positive_definite, check_identity, find_spurious_minima
from proofkit.claims import Claim
from proofkit.cli import main
from proofkit.errors import InvalidInput
from proofkit.sweep.store import verify_path

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def bars_on(monkeypatch):
    """Bars forced on, drawn at once (no delay), into pytest's captured stderr."""
    monkeypatch.setattr(progress, "DELAY", 0.0)
    progress.set_enabled(True)
    yield
    progress.set_enabled(None)


def _certificate_folder(tmp_path):
    folder = tmp_path / "certs"
    folder.mkdir()
    for k in range(3):
        (folder / f"c{k}.json").write_text(certify_positive_definite([[2 + k, 1], [1, 2]]).to_json())
    return folder


def test_quiet_by_default_in_tests(tmp_path, capsys):
    assert not progress.enabled()
    verify_path(_certificate_folder(tmp_path))
    assert capsys.readouterr().err == ""


def test_every_long_job_reports_through_the_module(bars_on, tmp_path, capsys):
    """search, a certification ladder, a long identity check, verify DIR and the claims' checkers."""
    x, y = sympy.symbols("x y")
    loss = (x**2 - 1) ** 2 + y**2 + x / 4  # a spurious minimum near x = 1, the global one near x = -1
    find_spurious_minima(loss, starts=4, seed=0)
    assert "search: local descents" in capsys.readouterr().err
    certify_positive_definite(sympy.Matrix([[sympy.sqrt(2), 1], [1, 2]]))  # Arb enclosures at rising precision
    assert "precision ladder" in capsys.readouterr().err
    check_identity(sympy.Matrix([[x + y, x], [y, x * y]]), sympy.Matrix([[y + x, x], [y, y * x]]))
    assert "check_identity: entries" in capsys.readouterr().err
    assert verify_path(_certificate_folder(tmp_path)).ok
    assert "verifying certificates" in capsys.readouterr().err
    g = ClaimGraph()
    g.add_claim(Claim("I", kind="instance", statement="$A$ is positive definite",
                      checker=lambda: certify_positive_definite([[2, 1], [1, 2]])))
    g.check()
    assert "checking claims" in capsys.readouterr().err


def test_the_switches_silence_every_bar(bars_on, tmp_path, capsys, monkeypatch):
    folder = _certificate_folder(tmp_path)
    assert main(["--no-progress", "verify", str(folder)]) == 0
    assert "verifying" not in capsys.readouterr().err
    with progress.quiet():
        verify_path(folder)
    assert capsys.readouterr().err == ""
    assert progress.enabled()  # restored after the block
    progress.set_enabled(None)
    monkeypatch.setenv("PROOFKIT_PROGRESS", "0")
    verify_path(folder)
    assert capsys.readouterr().err == ""
    with pytest.raises(InvalidInput, match="flag"):
        progress.set_enabled("yes")


def test_ladders_stay_lists():
    from proofkit.certify.common import precision_ladder

    ladder = precision_ladder(256)
    assert ladder == [64, 128, 256] and len(ladder) == 3 and ladder[-1] == 256
    assert list(progress.track(np.arange(3), "x")) == [0, 1, 2]


def _run_in_terminal(code: str, env: dict[str, str]) -> str:
    """Run ``python -c code`` with standard error on a pseudo-terminal; what the terminal received."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # a terminal 100 columns wide
    proc = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=slave, env=env)
    os.close(slave)
    out = b""
    while True:
        ready, _, _ = select.select([master], [], [], 30)
        if not ready:
            break
        try:
            chunk = os.read(master, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        out += chunk
    proc.wait(timeout=60)
    os.close(master)
    return out.decode(errors="replace")


def test_a_terminal_gets_a_bar_after_the_delay_and_a_short_job_none():
    env = {k: v for k, v in os.environ.items() if k not in ("PYTEST_CURRENT_TEST", "PROOFKIT_PROGRESS")}
    env["PYTHONPATH"] = str(ROOT)
    # proofkit/progress.py loaded by itself (the package's imports would only slow the three runs down)
    load = ("import importlib.util as u; s = u.spec_from_file_location('progress', {!r}); m = u.module_from_spec(s); "
            "s.loader.exec_module(m); ").format(str(ROOT / "proofkit" / "progress.py"))
    slow = load + "import time; [time.sleep(0.25) for _ in m.track(range(8), 'slow job')]"
    assert "slow job" in _run_in_terminal(slow, env)
    fast = load + "[None for _ in m.track(range(8), 'fast job')]"
    assert "fast job" not in _run_in_terminal(fast, env)
    env["PROOFKIT_PROGRESS"] = "0"
    assert "slow job" not in _run_in_terminal(slow, env)
