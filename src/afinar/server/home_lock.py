"""One server per ``AFINAR_HOME``: two would both run the job queue and start the same jobs twice.

``afinar serve`` holds an exclusive lock on ``AFINAR_HOME/server.lock`` (filelock: ``flock`` on
Unix, ``msvcrt.locking`` on Windows) for as long as it runs; the operating system drops it when the
process ends, however it ends, so a crash never leaves a stale lock behind. The lock file also holds
the address of the server that has it, for the message a second one shows.
"""

from __future__ import annotations

from pathlib import Path

from afinar.errors import AfinarError
from afinar.paths import afinar_home

LOCK_NAME = "server.lock"
INFO_NAME = "server.lock.info"


def hold_home_lock(url: str) -> object:
    """Take the lock or raise AfinarError naming the server that has it. Keep the returned object."""
    from filelock import FileLock, Timeout

    home = afinar_home()
    home.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(home / LOCK_NAME), timeout=0)
    info = home / INFO_NAME
    try:
        lock.acquire()
    except Timeout as err:
        other = info.read_text(encoding="utf-8").strip() if info.is_file() else "?"
        raise AfinarError("server.serve.locked", exit_code=2, home=str(home), other=other) from err
    Path(info).write_text(url + "\n", encoding="utf-8")
    return lock
