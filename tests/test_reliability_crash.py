"""A translate run killed at any moment, or stopped by a full disk, loses nothing.

SIGKILL: real ``i18n-pipeline translate`` processes are killed at seeded random moments, half
anywhere in the run and half while the run holds the state lock (TM reads and writes, MT,
output writes), several times in a row on the same workspace; after each kill every output
file present must be complete, and the TM must pass ``PRAGMA integrity_check``. A final rerun
must then produce what an uninterrupted run produces, leave no temp file, and hold the same TM.

Full disk: writes fail with ENOSPC (patched ``os.fsync``, so it runs anywhere; and, where the
test may mount one, a real tiny tmpfs): a clear one-line error, no temp file, every file left
under its real name complete, and the next run with space again completes.
"""

from __future__ import annotations

import errno
import os
import random
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
from test_reliability_support import (
    content, install_models, make_inbox, run_cli, snapshot, temp_files, tm_rows, translate_command,
)
from typer.testing import CliRunner

from i18n_pipeline import fsutil
from i18n_pipeline.cli import app
from i18n_pipeline.runlock import LOCK_NAME

SEED = 20250306
ROUNDS = 2
KILLS_PER_ROUND = 10  # 20 kills in all
FIRST_ARTICLES = 1  # then one more lands in the inbox before every other run, so runs have new MT to do
MORE_ARTICLES = KILLS_PER_ROUND // 2


@pytest.fixture(scope="module")
def models(tmp_path_factory, copy_package, copy_package_hy) -> Path:
    return install_models(tmp_path_factory.mktemp("models"), copy_package, copy_package_hy)


@pytest.fixture(scope="module")
def baseline(tmp_path_factory, models):
    """One uninterrupted run on the full inbox: outputs, TM, how long the run and its locked part take."""
    from i18n_pipeline.langid import _load_full_model

    # The first run on a model store also writes its language-ID copy (~0.8 s): made beforehand,
    # so the baseline times the run every later one is (the kills land within its duration).
    _load_full_model(models / ".cache")
    root = tmp_path_factory.mktemp("baseline")
    inbox = make_inbox(root / "inbox", count=FIRST_ARTICLES + MORE_ARTICLES)
    out, state = root / "out", root / "state"
    started = time.monotonic()
    # Inputs by relative path: the JSON output records the path it was given.
    with subprocess.Popen(translate_command(Path("inbox"), out, state, models, "--quiet"), cwd=root,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) as process:
        locked_at = _wait_for_lock(process, state)
        stderr = process.stderr.read().decode()
    ended = time.monotonic()
    assert process.returncode == 0, stderr
    return {"inbox": inbox, "root": root, "outputs": snapshot(out), "tm": tm_rows(state),
            "duration": ended - started, "locked": ended - (locked_at or started)}


def _wait_for_lock(process: subprocess.Popen, state: Path) -> float | None:
    """Poll until the run holds the state lock (the lock file names its pid), or exits."""
    lock = state / LOCK_NAME
    while process.poll() is None:
        try:
            if lock.read_text().strip() == str(process.pid):
                return time.monotonic()
        except (FileNotFoundError, UnicodeDecodeError):
            pass
        time.sleep(0.005)
    return None


def _run_and_kill(command, cwd, state, rng, baseline) -> bool:
    """Start a run and SIGKILL it at a random moment; False when it finished first."""
    with subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) as process:
        if rng.random() < 0.5:
            time.sleep(rng.uniform(0.05, baseline["duration"] * 0.95))
        else:
            if _wait_for_lock(process, state) is None:
                return False
            time.sleep(rng.uniform(0.0, baseline["locked"] * 0.9))
        if process.poll() is not None:
            return False
        process.send_signal(signal.SIGKILL)
        process.wait()
    return True


def _assert_complete_files_only(out: Path, expected: dict) -> None:
    """Every file under its real name parses and holds what the uninterrupted run wrote."""
    for path in (p for p in out.rglob("*") if p.is_file() and not p.name.endswith(fsutil.TEMP_SUFFIX)):
        relative = str(path.relative_to(out))
        assert content(path) == expected[relative], f"{relative} is incomplete or different"


def test_sigkill_at_random_points_then_rerun_equals_an_uninterrupted_run(tmp_path, models, baseline):
    rng = random.Random(SEED)
    kills = 0
    for round_number in range(ROUNDS):
        work = tmp_path / f"round{round_number}"
        work.mkdir()
        out, state, inbox = work / "out", work / "state", work / "inbox"
        stories = sorted(baseline["inbox"].iterdir(), key=lambda p: int(p.stem.removeprefix("story")))
        inbox.mkdir()
        for story in stories[:FIRST_ARTICLES]:
            shutil.copy(story, inbox)
        command = translate_command(Path("inbox"), out, state, models, "--quiet")
        attempts = 0
        # A loaded machine lets more runs finish before the kill lands: enough attempts for 20 kills.
        while attempts < KILLS_PER_ROUND * 6 and kills < KILLS_PER_ROUND * (round_number + 1):
            attempts += 1
            if attempts % 2 == 0 and len(list(inbox.iterdir())) < len(stories):
                shutil.copy(stories[len(list(inbox.iterdir()))], inbox)
            if _run_and_kill(command, work, state, rng, baseline):
                kills += 1
                if out.exists():
                    _assert_complete_files_only(out, baseline["outputs"])
                if (state / "tm.sqlite").exists():
                    assert set(tm_rows(state)) <= set(baseline["tm"])  # never a row the run would not write
        for story in stories:  # the rerun sees the full inbox, like the uninterrupted run
            shutil.copy(story, inbox)
        rerun = run_cli(command, work)
        assert rerun.returncode == 0, rerun.stderr
        assert snapshot(out) == baseline["outputs"]
        assert temp_files(work) == []
        assert tm_rows(state) == baseline["tm"]
    assert kills >= 20


# --- full disk ----------------------------------------------------------------------------------


runner = CliRunner()


def _translate_in_process(inbox: Path, out: Path, state: Path, models: Path):
    return runner.invoke(app, translate_command(inbox, out, state, models, "--quiet")[1:])


def test_writes_failing_with_enospc_end_in_clear_errors_and_no_partial_files(tmp_path, models, baseline, monkeypatch):
    inbox = tmp_path / "inbox"
    shutil.copytree(baseline["inbox"], inbox)
    out, state = tmp_path / "out", tmp_path / "state"
    first = _translate_in_process(inbox, out, state, models)
    assert first.exit_code == 0, first.output
    earlier = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    for story in inbox.iterdir():  # new text, so every output would change
        story.write_text(story.read_text(encoding="utf-8").replace("victory", "triumph"), encoding="utf-8")

    real_fsync, calls = os.fsync, []

    def fsync_until_full(fd):
        calls.append(fd)
        if len(calls) > 5:  # a few outputs get written, then the disk is full
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_fsync(fd)

    monkeypatch.setattr(fsutil.os, "fsync", fsync_until_full)
    full = _translate_in_process(inbox, out, state, models)
    monkeypatch.undo()
    assert full.exit_code == 1, full.output
    errors = [line for line in full.stderr.splitlines() if line.strip()]
    assert errors and all(line.startswith("error: ") and "No space left on device" in line for line in errors), errors
    assert temp_files(tmp_path) == []
    for path, data in earlier.items():  # each file is the old one or a complete new one
        assert path.exists()
        if path.read_bytes() != data:
            content(path)
    assert sum(path.read_bytes() != data for path, data in earlier.items()) == 5
    tm_rows(state)

    again = _translate_in_process(inbox, out, state, models)  # space again: the run completes
    assert again.exit_code == 0, again.output
    fresh = tmp_path / "fresh"
    assert _translate_in_process(inbox, fresh / "out", fresh / "state", models).exit_code == 0
    assert snapshot(out) == snapshot(fresh / "out")


@pytest.fixture
def tiny_disk(tmp_path):
    """A 3 MB tmpfs (needs root with mount rights; skipped elsewhere, the test above covers CI)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    try:
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount)], capture_output=True)
    except FileNotFoundError:
        pytest.skip("no mount command")
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.decode().strip()})")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_really_full_filesystem_ends_in_a_clear_error_and_recovers(tmp_path, models, baseline, tiny_disk):
    out, state = tiny_disk / "out", tiny_disk / "state"
    filler = tiny_disk / "filler"
    free = os.statvfs(tiny_disk).f_bavail * os.statvfs(tiny_disk).f_frsize
    filler.write_bytes(b"\0" * (free - 96 * 1024))  # leave room for the TM and a few outputs only
    command = translate_command(Path("inbox"), out, state, models, "--quiet")  # the baseline's inbox, as it named it
    full = run_cli(command, baseline["root"])
    assert full.returncode == 1, full.stderr
    errors = [line for line in full.stderr.splitlines() if line.strip()]
    # "No space left on device" from an output write, or SQLite's "database or disk is full"
    assert errors and all(line.startswith("error: ") and ("space" in line or "full" in line) for line in errors), errors
    assert temp_files(tiny_disk) == []
    if out.exists():
        for path in (p for p in out.rglob("*") if p.is_file()):
            assert content(path) == baseline["outputs"][str(path.relative_to(out))]
    if (state / "tm.sqlite").exists():
        assert set(tm_rows(state)) <= set(baseline["tm"])
    filler.unlink()
    again = run_cli(command, baseline["root"])
    assert again.returncode == 0, again.stderr
    assert snapshot(out) == baseline["outputs"]
    assert tm_rows(state) == baseline["tm"]
