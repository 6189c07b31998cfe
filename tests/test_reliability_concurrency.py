"""Two translate runs on the same inbox, out/ and state at once: both succeed, the second says it
waits for the first, and the result equals a single run.

The test holds the run lock itself while both runs start, so that both are certain to meet the
lock (no reliance on timing); it lets go once both have said they wait, and they then race for it.
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import time
from pathlib import Path

import pytest
from test_reliability_support import install_models, make_inbox, run_cli, snapshot, temp_files, tm_rows, translate_command

from i18n_pipeline.runlock import LOCK_NAME

WAITING = "another translate run is using"


@pytest.fixture(scope="module")
def models(tmp_path_factory, copy_package, copy_package_hy) -> Path:
    return install_models(tmp_path_factory.mktemp("models"), copy_package, copy_package_hy)


def _wait_until(predicate, processes, limit_s: float = 120.0) -> None:
    deadline = time.monotonic() + limit_s
    while not predicate():
        assert all(p.poll() is None for p in processes), "a run ended before it met the lock"
        assert time.monotonic() < deadline, "the runs never reported waiting for the lock"
        time.sleep(0.02)


def test_two_concurrent_runs_both_succeed_and_equal_a_single_run(tmp_path, models):
    make_inbox(tmp_path / "inbox", count=3)
    out, state = tmp_path / "out", tmp_path / "state"
    # Not --quiet: the wait message is a warning, and the user must see it.
    command = translate_command(Path("inbox"), out, state, models)
    state.mkdir()
    holder = os.open(state / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    fcntl.flock(holder, fcntl.LOCK_EX)
    stderr_files = [tmp_path / f"run{n}.err" for n in (1, 2)]
    try:
        processes = [subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=err.open("w"))
                     for err in stderr_files]
        _wait_until(lambda: all(WAITING in err.read_text() for err in stderr_files), processes)
    finally:
        os.close(holder)  # both runs now race for the lock
    codes = [p.wait(timeout=120) for p in processes]
    assert codes == [0, 0], [err.read_text() for err in stderr_files]
    for err in stderr_files:  # one plain line saying what happens, nothing else
        assert [line for line in err.read_text().splitlines() if line.strip()] == \
            [f"{WAITING} {state}; waiting for it to finish"]
    assert temp_files(tmp_path) == []

    single = tmp_path / "single"
    make_inbox(single / "inbox", count=3)
    alone = run_cli(translate_command(Path("inbox"), single / "out", single / "state", models, "--quiet"), single)
    assert alone.returncode == 0, alone.stderr
    assert snapshot(out) == snapshot(single / "out")
    assert tm_rows(state) == tm_rows(single / "state")


def test_two_runs_started_together_without_help_both_succeed(tmp_path, models):
    make_inbox(tmp_path / "inbox", count=2)
    out, state = tmp_path / "out", tmp_path / "state"
    command = translate_command(Path("inbox"), out, state, models, "--quiet")
    processes = [subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
                 for _ in range(2)]
    results = [(p.wait(timeout=120), p.stderr.read().decode()) for p in processes]
    for p in processes:
        p.stderr.close()
    assert [code for code, _ in results] == [0, 0], results
    single = tmp_path / "single"
    make_inbox(single / "inbox", count=2)
    assert run_cli(translate_command(Path("inbox"), single / "out", single / "state", models, "--quiet"),
                   single).returncode == 0
    assert snapshot(out) == snapshot(single / "out")
    assert tm_rows(state) == tm_rows(single / "state")
