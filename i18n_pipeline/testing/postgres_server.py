"""A throwaway PostgreSQL: ``initdb`` + ``pg_ctl`` in a temp folder, for the TM contract tests
and ``python -m bench --tm-compare``.

Run as a normal user it runs as that user; run as root (CI, ``make test`` in a container) the
server runs as the ``postgres`` user Debian's package creates (or ``nobody``), since PostgreSQL
refuses to run as root. It listens on 127.0.0.1 on a free port with trust auth and fsync off:
no network, nothing outside the temp folder, gone when the session ends.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

SKIP_REASON = ("PostgreSQL binaries (initdb, pg_ctl) not found; `make install` as root installs Debian's "
               "postgresql, or install it yourself — the PostgreSQL back-end tests are skipped")


def find_bin_dir() -> Path | None:
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    return Path(candidates[-1]).parent if candidates else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    bin_dir: Path
    root: Path
    port: int
    run_as: dict

    @property
    def url(self) -> str:
        return f"postgresql://i18n@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        subprocess.run(args, check=True, capture_output=True, timeout=120, **self.run_as)

    def start(self) -> None:
        data = self.root / "data"
        self._run(str(self.bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "i18n", "-E", "UTF8",
                  "--no-locale", "--no-sync")
        options = (f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root} -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c max_connections=50")
        self._run(str(self.bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(self.root / "log"),
                  "-w", "-t", "60", "start")

    def stop(self) -> None:
        try:
            self._run(str(self.bin_dir / "pg_ctl"), "-D", str(self.root / "data"), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


def start_server(bin_dir: Path) -> Server:
    root = Path(tempfile.mkdtemp(prefix="i18n-pipeline-pg-"))
    run_as: dict = {}
    if os.geteuid() == 0:
        try:
            user = pwd.getpwnam("postgres")
        except KeyError:
            user = pwd.getpwnam("nobody")
        os.chown(root, user.pw_uid, user.pw_gid)
        run_as = {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": [], "cwd": str(root)}
    server = Server(bin_dir, root, _free_port(), run_as)
    try:
        server.start()
    except subprocess.CalledProcessError as exc:
        log = (root / "log").read_text(errors="replace") if (root / "log").exists() else ""
        shutil.rmtree(root, ignore_errors=True)
        raise RuntimeError(f"throwaway PostgreSQL did not start: {exc.stderr.decode(errors='replace')} {log}") from exc
    return server
