"""``tempcheck serve --workers N``: N server processes sharing one port (SO_REUSEPORT).

The parent forks the workers before anything opens a connection or a thread, then only
waits: it passes SIGINT/SIGTERM on to them and exits with the first non-zero status. Each
worker builds its own container (engine, pool, caches) and accepts connections on the same
port; the kernel spreads new connections over them. PostgreSQL only: SQLite allows one
writer at a time, and the in-process writer queue works within one process only.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from types import FrameType


def fork_workers(count: int) -> bool:
    """Fork ``count`` workers. Returns True in a worker (go on serving); in the parent it
    waits for all of them and exits."""
    children: list[int] = []
    for _ in range(count):
        pid = os.fork()
        if pid == 0:
            return True
        children.append(pid)

    def forward(signum: int, _frame: FrameType | None) -> None:
        for child in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(child, signum)

    signal.signal(signal.SIGINT, forward)
    signal.signal(signal.SIGTERM, forward)
    status = 0
    for child in children:
        _, code = os.waitpid(child, 0)
        status = status or os.waitstatus_to_exitcode(code)
    sys.exit(abs(status))
