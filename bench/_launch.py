"""Run a command and report its wall time and peak RSS to a JSON file (``python -S _launch.py REPORT CMD...``).

Why a launcher: a child's ``ru_maxrss`` on Linux includes the memory it had between fork and
exec, i.e. a copy of its parent's. Spawned from the benchmark process (hundreds of MB after the
ceiling run) every child would report at least that much; spawned from this small interpreter
(``-S``: no site imports, under 10 MB), the figure is the command's own.
"""

import json
import os
import sys
import time


def main() -> int:
    report, command = sys.argv[1], sys.argv[2:]
    start = time.perf_counter()
    pid = os.posix_spawnp(command[0], command, os.environ)
    _, status, usage = os.wait4(pid, 0)
    seconds = time.perf_counter() - start
    with open(report, "w", encoding="utf-8") as handle:
        json.dump({"seconds": seconds, "maxrss_kib": usage.ru_maxrss,
                   "returncode": os.waitstatus_to_exitcode(status)}, handle)
    return 0


if __name__ == "__main__":
    sys.exit(main())
