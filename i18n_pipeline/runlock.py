"""One translate run at a time per state folder: a second run waits for the lock and says so.

Two runs on the same inbox, outputs and TM would otherwise race each other's MT and writes;
waiting keeps the result equal to a single run. The lock is released by the OS if a run dies.
"""

from __future__ import annotations

import fcntl
import logging
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from .errors import StateError

log = logging.getLogger(__name__)
LOCK_NAME = "run.lock"


@contextmanager
def run_lock(state_dir: Path, on_wait: Callable[[str], None] | None = None) -> Iterator[Path]:
    path = Path(state_dir) / LOCK_NAME
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise StateError(f"{path}: cannot open the run lock ({exc.strerror or exc}); check the --state folder") from exc
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            message = f"another translate run is using {state_dir}; waiting for it to finish"
            log.warning("%s", message)
            if on_wait:
                on_wait(message)
            fcntl.flock(handle, fcntl.LOCK_EX)
        os.ftruncate(handle, 0)
        os.write(handle, str(os.getpid()).encode())
        yield path
    finally:
        os.close(handle)  # closing releases the lock
