"""The task process of a worker: ``python -m proofkit.sweep.child PARENT_PID``.

Reads one task (JSON) per line on standard input and writes one result record
(JSON) per line; announces itself with ``{"ready": true, ...}`` once proofkit is
imported. Anything a certifier prints goes to standard error, so the protocol
stream stays clean. The process exits when its input closes or its parent dies.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time

__all__ = ["main"]


def _watch_parent(parent: int) -> None:
    while True:
        time.sleep(0.5)
        if os.getppid() != parent:  # the worker died: nobody will read our result
            os._exit(0)


def main(argv: list[str] | None = None) -> int:
    """Serve tasks until standard input closes."""
    argv = sys.argv[1:] if argv is None else argv
    parent = int(argv[0]) if argv else os.getppid()
    proto = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    import proofkit.certify  # noqa: F401  (import cost is paid before the first task's clock starts)
    import proofkit.kernel  # noqa: F401
    from proofkit.sweep.execute import execute_json

    proto.write(json.dumps({"ready": True, "pid": os.getpid()}) + "\n")
    proto.flush()
    for line in sys.stdin:
        if not line.strip():
            continue
        proto.write(execute_json(line) + "\n")
        proto.flush()
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
