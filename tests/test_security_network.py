"""Nothing listens on a network port, and nothing opens an internet socket, during translate.

A real ``i18n-pipeline translate`` subprocess is watched from outside while it runs: every
socket it holds (``/proc/PID/fd``) is looked up in the kernel's tables of TCP and UDP sockets
(``/proc/net/{tcp,tcp6,udp,udp6}``). A local listener started by the test is the control: the
same lookup finds it.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from i18n_pipeline.mt.store import ModelStore

pytestmark = pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="needs Linux /proc/net")
CLI = Path(sys.executable).with_name("i18n-pipeline")
ARTICLE = """---
title: Council approves the budget
author: Anna Petrova
---

The city council approved the new budget on Tuesday. Officials said the plan would fund schools.

Critics argued that the spending was too high. The mayor called the vote a victory.
"""


def _inet_sockets() -> dict[int, tuple[str, str]]:
    """Socket inode → (table, state) for every TCP/UDP socket on the machine."""
    found = {}
    for table in ("tcp", "tcp6", "udp", "udp6"):
        path = Path("/proc/net") / table
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            fields = line.split()
            found[int(fields[9])] = (table, fields[3])
    return found


def _socket_inodes(pid: int) -> set[int]:
    inodes = set()
    try:
        entries = os.listdir(f"/proc/{pid}/fd")
    except FileNotFoundError:
        return inodes
    for entry in entries:
        try:
            target = os.readlink(f"/proc/{pid}/fd/{entry}")
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(int(target[8:-1]))
    return inodes


def _inet_sockets_of(pid: int) -> list[tuple[str, str]]:
    inodes = _socket_inodes(pid)
    return [state for inode, state in _inet_sockets().items() if inode in inodes] if inodes else []


def test_the_watch_sees_a_listening_socket():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    try:
        assert ("tcp", "0A") in _inet_sockets_of(os.getpid())  # 0A: LISTEN
    finally:
        server.close()


def test_translate_opens_no_network_socket(tmp_path, copy_package, copy_package_hy):
    models = tmp_path / "models"
    for package in (copy_package, copy_package_hy):
        ModelStore(models).install(package)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "budget.md").write_text(ARTICLE, encoding="utf-8")
    command = [str(CLI), "translate", str(inbox), "--to", "ru,arm", "--out", str(tmp_path / "out"),
               "--models", str(models), "--state", str(tmp_path / "state"), "--json", "--quiet"]
    seen: list[tuple[str, str]] = []
    polls = 0
    with subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=tmp_path) as process:
        while process.poll() is None:
            seen += _inet_sockets_of(process.pid)
            polls += 1
            time.sleep(0.01)
        stderr = process.stderr.read().decode()
    assert process.returncode == 0, stderr
    assert polls > 10  # the run was watched while it worked, not only after
    assert seen == [], f"translate held network sockets: {sorted(set(seen))}"
    assert (tmp_path / "out" / "budget" / "ru.xlf").is_file()
