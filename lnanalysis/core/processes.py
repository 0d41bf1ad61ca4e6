"""Worker processes that never outlive the build that started them.

Every process pool of the build (backtest, figures, notebooks) runs
:func:`die_with_parent` in each worker: on Linux the kernel then kills the worker
when its parent dies, however the parent died (Ctrl-C, SIGTERM, SIGKILL), so no
worker goes on computing or writing after the build has gone. SIGKILL is used
because a worker waiting inside a notebook client's event loop may never run a
Python signal handler; a file it was staging is removed by the next build
(:func:`lnanalysis.core.io.remove_stale_staging`), and the files in place are
never touched, since every output is staged and renamed.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys

PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """Ask the kernel to kill this process when its parent ends (Linux; elsewhere a no-op)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        return
    parent = multiprocessing.parent_process()
    if parent is not None and os.getppid() != parent.pid:  # it died before the request
        os._exit(1)
