"""One translate run at a time per state folder: a second run waits for the lock and says so.

Two runs on the same inbox, outputs and TM would otherwise race each other's MT and writes;
waiting keeps the result equal to a single run. The lock is released by the OS if a run dies.
A workspace save takes the same lock for the moment it writes (``try_run_lock``): it does not
wait for a run, it is refused. This is the embedded memory's run guard; with a PostgreSQL memory
per-article claims take its place (``TranslationMemory.run_guard``).
"""

from __future__ import annotations

import fcntl
import logging
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from .errors import OutputsBusy, StateError

log = logging.getLogger(__name__)
LOCK_NAME = "run.lock"


def _open(path: Path) -> int:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise StateError(f"{path}: cannot open the run lock ({exc.strerror or exc}); check the --state folder") from exc


@contextmanager
def run_lock(state_dir: Path, on_wait: Callable[[str], None] | None = None) -> Iterator[Path]:
    path = Path(state_dir) / LOCK_NAME
    handle = _open(path)
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


@contextmanager
def try_run_lock(state_dir: Path, article: str) -> Iterator[None]:
    """The run lock for a moment, or ``OutputsBusy`` at once when a translate run holds it."""
    handle = _open(Path(state_dir) / LOCK_NAME)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise OutputsBusy(article, f"a run on {state_dir}") from exc
        yield
    finally:
        os.close(handle)
