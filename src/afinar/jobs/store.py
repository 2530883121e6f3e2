"""The durable state of every job: files, jobs of every task and their events, in one SQLite database.

``AFINAR_HOME/afinar.db`` in WAL mode, so the server, its job runner, the studio and the ``afinar
jobs`` CLI can read and write at the same time. The schema grows by append-only, named migrations: a migration that
has been applied is never edited; a change is a new entry at the end of ``MIGRATIONS``.
Uploaded file contents live next to it under ``AFINAR_HOME/files/<file-id>`` (never a user's name).
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from afinar.paths import afinar_home

MIGRATIONS: list[tuple[str, str]] = [
    ("0001_files_jobs_events", """
        CREATE TABLE files (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            id TEXT UNIQUE NOT NULL,
            filename TEXT NOT NULL,
            purpose TEXT NOT NULL,
            bytes INTEGER NOT NULL,
            created_at INTEGER NOT NULL,
            status TEXT NOT NULL,
            status_details TEXT,
            findings TEXT,
            examples INTEGER
        );
        CREATE TABLE jobs (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            id TEXT UNIQUE NOT NULL,
            created_at INTEGER NOT NULL,
            model TEXT NOT NULL,
            training_file TEXT NOT NULL,
            validation_file TEXT,
            status TEXT NOT NULL,
            request TEXT NOT NULL,
            hyperparameters TEXT NOT NULL,
            suffix TEXT,
            seed INTEGER NOT NULL,
            metadata TEXT,
            fine_tuned_model TEXT,
            finished_at INTEGER,
            trained_tokens INTEGER,
            estimated_finish INTEGER,
            error TEXT,
            result_files TEXT NOT NULL DEFAULT '[]',
            run_dir TEXT,
            pid INTEGER,
            attempts INTEGER NOT NULL DEFAULT 0,
            events_read INTEGER NOT NULL DEFAULT 0,
            requested TEXT
        );
        CREATE INDEX jobs_status ON jobs(status);
        CREATE TABLE events (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            id TEXT UNIQUE NOT NULL,
            job_id TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            level TEXT NOT NULL,
            message TEXT NOT NULL,
            type TEXT NOT NULL,
            data TEXT NOT NULL
        );
        CREATE INDEX events_job ON events(job_id, seq);
    """),
    # the API key (its id, see afinar.server.auth) that created a file or job; NULL: the operator
    ("0002_owners", """
        ALTER TABLE files ADD COLUMN owner TEXT;
        ALTER TABLE jobs ADD COLUMN owner TEXT;
        CREATE INDEX files_owner ON files(owner);
        CREATE INDEX jobs_owner ON jobs(owner);
    """),
    # every task is a job: the task's name (afinar.tasks.job_tasks); a job started with its run folder
    # already written (studio, CLI) has it in run_dir from the start
    # follower: the pid of `afinar train` following its own job in a terminal (the runner leaves it alone)
    ("0003_task", """
        ALTER TABLE jobs ADD COLUMN task TEXT NOT NULL DEFAULT 'chat';
        ALTER TABLE jobs ADD COLUMN follower INTEGER;
        CREATE INDEX jobs_task ON jobs(task);
        CREATE INDEX jobs_run_dir ON jobs(run_dir);
        CREATE INDEX jobs_model ON jobs(fine_tuned_model);
    """),
]

JOB_JSON_FIELDS = ("request", "hyperparameters", "metadata", "error", "result_files")
ACTIVE = ("validating_files", "queued", "running")
FINAL = ("succeeded", "failed", "cancelled")


def new_id(prefix: str) -> str:
    """``file-…`` and the like: OpenAI's id shape (job ids: ``afinar.engine.modelid.new_job_id``)."""
    return f"{prefix}-{secrets.token_hex(12)}"


def db_path() -> Path:
    return afinar_home() / "afinar.db"


def files_dir() -> Path:
    return afinar_home() / "files"


class Store:
    """Thread-safe access to the database (one connection, one lock; WAL lets other processes in)."""

    def __init__(self, path: Path | None = None):
        self.path = Path(path) if path else db_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, timeout=30, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA busy_timeout=30000")
        self._migrate()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _migrate(self) -> None:
        with self.tx() as db:
            db.execute("CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)")
            done = {row[0] for row in db.execute("SELECT name FROM migrations")}
            for name, sql in MIGRATIONS:
                if name not in done:
                    for statement in filter(str.strip, sql.split(";")):
                        db.execute(statement)
                    db.execute("INSERT INTO migrations VALUES (?, ?)", (name, int(time.time())))

    def claim_step(self, name: str) -> bool:
        """Record a one-time step (beside the SQL migrations) as done; False when it already was, by
        this process or another (so exactly one runs it)."""
        with self.tx() as db:
            if db.execute("SELECT 1 FROM migrations WHERE name = ?", (name,)).fetchone():
                return False
            db.execute("INSERT INTO migrations VALUES (?, ?)", (name, int(time.time())))
            return True

    def _query(self, sql: str, args: tuple = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._db.execute(sql, args).fetchall()

    # --- files ------------------------------------------------------------------------------
    def add_file(self, record: dict[str, Any]) -> None:
        with self.tx() as db:
            db.execute("INSERT INTO files (id, filename, purpose, bytes, created_at, status, status_details, "
                       "findings, examples, owner) VALUES (:id, :filename, :purpose, :bytes, :created_at, :status, "
                       ":status_details, :findings, :examples, :owner)",
                       {"owner": None, **record, "findings": json.dumps(record.get("findings"), ensure_ascii=False)})

    def get_file(self, file_id: str) -> dict[str, Any] | None:
        rows = self._query("SELECT * FROM files WHERE id = ?", (file_id,))
        return _file(rows[0]) if rows else None

    def list_files(self, purpose: str | None, order: str, after: str | None, limit: int,
                   owner: str | None = None) -> tuple[list[dict], bool]:
        """Files (of ``owner`` only, when given)."""
        where, args = _owner_clause(owner)
        if purpose:
            where, args = where + ["purpose = ?"], (*args, purpose)
        return self._page("files", " AND ".join(where), args, order, after, limit, _file)

    def delete_file(self, file_id: str) -> bool:
        with self.tx() as db:
            return db.execute("DELETE FROM files WHERE id = ?", (file_id,)).rowcount > 0

    # --- jobs -------------------------------------------------------------------------------
    def add_job(self, job: dict[str, Any]) -> None:
        row = {k: (json.dumps(v, ensure_ascii=False) if k in JOB_JSON_FIELDS and v is not None else v)
               for k, v in job.items()}
        with self.tx() as db:
            db.execute(f"INSERT INTO jobs ({', '.join(row)}) VALUES ({', '.join(':' + k for k in row)})", row)

    def get_job(self, job_id: str) -> dict[str, Any] | None:
        rows = self._query("SELECT * FROM jobs WHERE id = ?", (job_id,))
        return _job(rows[0]) if rows else None

    def jobs_with_status(self, *statuses: str) -> list[dict[str, Any]]:
        marks = ", ".join("?" * len(statuses))
        return [_job(r) for r in self._query(f"SELECT * FROM jobs WHERE status IN ({marks}) ORDER BY seq", statuses)]

    def jobs_with_process(self) -> list[dict[str, Any]]:
        """Jobs whose training process may exist: it has a pid, or the job says it is running."""
        return [_job(r) for r in self._query("SELECT * FROM jobs WHERE pid IS NOT NULL OR status = 'running' "
                                             "ORDER BY seq")]

    def job_of_run(self, run_dir: str | Path) -> dict[str, Any] | None:
        """The job whose run folder is ``run_dir``."""
        rows = self._query("SELECT * FROM jobs WHERE run_dir = ? ORDER BY seq DESC LIMIT 1",
                           (str(Path(run_dir).resolve()),))
        return _job(rows[0]) if rows else None

    def job_of_model(self, model: str) -> dict[str, Any] | None:
        """The job that made the fine-tuned model ``model``."""
        rows = self._query("SELECT * FROM jobs WHERE fine_tuned_model = ? ORDER BY seq DESC LIMIT 1", (model,))
        return _job(rows[0]) if rows else None

    def list_jobs(self, after: str | None, limit: int, metadata: dict[str, str] | None = None,
                  owner: str | None = None, task: str | None = None) -> tuple[list[dict], bool]:
        """Newest first; OpenAI's list shows only chat jobs (``task="chat"``), Afinar's every task."""
        where, args = _owner_clause(owner)
        if task is not None:
            where, args = where + ["task = ?"], (*args, task)
        jobs, more = self._page("jobs", " AND ".join(where), args, "desc", after, limit if not metadata else 10**9,
                                _job)
        if metadata:  # OpenAI's metadata[k]=v filter
            jobs = [j for j in jobs if all((j.get("metadata") or {}).get(k) == v for k, v in metadata.items())]
            jobs, more = jobs[:limit], len(jobs) > limit
        return jobs, more

    def update_job(self, job_id: str, **fields: Any) -> bool:
        """Set fields; ``expect_status`` (a tuple) makes it a compare-and-set on the status."""
        expect = fields.pop("expect_status", None)
        row = {k: (json.dumps(v, ensure_ascii=False) if k in JOB_JSON_FIELDS and v is not None else v)
               for k, v in fields.items()}
        sql = f"UPDATE jobs SET {', '.join(f'{k} = :{k}' for k in row)} WHERE id = :_id"
        if expect:
            sql += f" AND status IN ({', '.join(repr(s) for s in expect)})"
        with self.tx() as db:
            return db.execute(sql, {**row, "_id": job_id}).rowcount > 0

    # --- events -----------------------------------------------------------------------------
    def add_event(self, job_id: str, message: str, level: str = "info", data: dict | None = None,
                  created_at: int | None = None, kind: str = "message", events_read: int | None = None) -> None:
        """``events_read``: how far the run's events.jsonl is now recorded (set in the same transaction)."""
        with self.tx() as db:
            seq = db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM events").fetchone()[0]
            db.execute("INSERT INTO events (seq, id, job_id, created_at, level, message, type, data) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                       (seq, f"ftevent-{job_id.removeprefix('ftjob-')}-{seq}", job_id,
                        int(created_at or time.time()), level, message, kind,
                        json.dumps(data or {}, ensure_ascii=False)))
            if events_read is not None:
                db.execute("UPDATE jobs SET events_read = ? WHERE id = ?", (events_read, job_id))

    def list_events(self, job_id: str, after: str | None, limit: int) -> tuple[list[dict], bool]:
        return self._page("events", "job_id = ?", (job_id,), "desc", after, limit, _event)

    # --- paging -----------------------------------------------------------------------------
    def _page(self, table: str, where: str, args: tuple, order: str, after: str | None, limit: int,
              convert: Any) -> tuple[list[dict], bool]:
        clauses, params = ([where] if where else []), list(args)
        op, direction = ("<", "DESC") if order == "desc" else (">", "ASC")
        if after:
            found = self._query(f"SELECT seq FROM {table} WHERE id = ?", (after,))
            if found:
                clauses.append(f"seq {op} ?")
                params.append(found[0][0])
        sql = f"SELECT * FROM {table}{' WHERE ' + ' AND '.join(clauses) if clauses else ''} " \
              f"ORDER BY seq {direction} LIMIT ?"
        rows = self._query(sql, (*params, limit + 1))
        return [convert(r) for r in rows[:limit]], len(rows) > limit


def _owner_clause(owner: str | None) -> tuple[list[str], tuple]:
    return (["owner = ?"], (owner,)) if owner is not None else ([], ())


def _file(row: sqlite3.Row) -> dict[str, Any]:
    out = dict(row)
    out["findings"] = json.loads(out["findings"]) if out["findings"] else None
    return out


def _job(row: sqlite3.Row) -> dict[str, Any]:
    out = dict(row)
    for key in JOB_JSON_FIELDS:
        out[key] = json.loads(out[key]) if out[key] is not None else None
    return out


def _event(row: sqlite3.Row) -> dict[str, Any]:
    out = dict(row)
    out["data"] = json.loads(out["data"]) if out["data"] else {}
    return out
