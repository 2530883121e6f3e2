"""Is a run's training process still alive? Shared by the job queue and the studio's classifier runs.

A pid alone is not proof: after a restart of the machine the number may belong to another program.
On Linux the process's command line must name an Afinar job module (a task's training, or RAG
indexing) and the run's folder, and a zombie counts as dead. Elsewhere, a signal-0 probe (on Windows, where that would end the
process, the process is assumed alive).
"""

from __future__ import annotations

import os
from pathlib import Path

# what the command line of a job's process names: a task's training module, or RAG indexing
JOB_MODULES = ("afinar.tasks.", "afinar.rag.index_job")


def training_alive(pid: int | None, run_dir: str | Path) -> bool:
    if not pid:
        return False
    proc_dir = Path(f"/proc/{pid}")
    if Path("/proc/self").is_dir():
        if not proc_dir.is_dir():
            return False
        try:
            if (proc_dir / "stat").read_text().split(") ")[-1].startswith("Z"):
                return False
            cmdline = (proc_dir / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            return False
        folders = {str(run_dir), str(Path(run_dir).resolve())}
        return any(module in cmdline for module in JOB_MODULES) and any(folder in cmdline for folder in folders)
    if os.name == "nt":  # os.kill would terminate the process there: assume it lives
        return True
    try:
        os.kill(int(pid), 0)
    except (ProcessLookupError, PermissionError):
        return False
    return True
