"""Running a command as a user would, and measuring it: wall time and the child's peak RSS."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence


LAUNCHER = Path(__file__).with_name("_launch.py")


class BenchError(RuntimeError):
    """A benchmark step failed; the message names the step and what to look at."""


@dataclass(frozen=True)
class Measured:
    seconds: float  # wall time from spawn to exit, the command's interpreter start-up included
    peak_rss_mb: float  # the command's maximum resident set size (Linux ru_maxrss is in KiB)
    returncode: int
    stdout: str
    stderr: str

    def check(self, what: str) -> "Measured":
        if self.returncode != 0:
            tail = "\n".join(self.stderr.strip().splitlines()[-15:])
            raise BenchError(f"{what} exited with {self.returncode}:\n{tail}")
        return self


def run_measured(command: Sequence[str], *, cwd: Path, env: Mapping[str, str]) -> Measured:
    """Run ``command`` to completion through ``_launch.py``; output goes to temp files so no pipe stalls."""
    with tempfile.TemporaryDirectory(prefix="bench-") as scratch:
        report = Path(scratch) / "usage.json"
        out_path, err_path = Path(scratch) / "stdout", Path(scratch) / "stderr"
        with out_path.open("wb") as out, err_path.open("wb") as err:
            subprocess.run([sys.executable, "-S", str(LAUNCHER), str(report), *map(str, command)],
                           cwd=cwd, env=dict(env), stdout=out, stderr=err, check=False)
        try:
            usage = json.loads(report.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise BenchError(f"could not run {command[0]} ({exc}): {err_path.read_text(errors='replace')[-500:]}") from exc
        return Measured(usage["seconds"], usage["maxrss_kib"] / 1024, usage["returncode"],
                        out_path.read_text(encoding="utf-8", errors="replace"),
                        err_path.read_text(encoding="utf-8", errors="replace"))


def median_seconds(command: Sequence[str], runs: int, *, cwd: Path, env: Mapping[str, str]) -> float:
    return statistics.median(run_measured(command, cwd=cwd, env=env).check(" ".join(map(str, command))).seconds
                             for _ in range(runs))
