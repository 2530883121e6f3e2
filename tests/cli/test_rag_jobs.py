"""RAG indexing is a job of the one queue (task rag-index): `afinar rag index` follows it in the
terminal, `afinar jobs` lists and cancels it, the studio queues it on the server's runner, and a
cancelled or killed indexing is resumed by running it again (indexed files are skipped)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from fixtures.rag.tiny_embedder import write_lexical_embedder

from afinar import rag
from afinar.engine.rundir import RunDir

pytestmark = pytest.mark.cli

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "rag" / "corpus"
MANY = 240  # files in the corpus a test stops half-way: enough that indexing lasts a few seconds


def _product(i: int) -> str:
    return f"El producto número {i} se llama Modelo{i} y cuesta {i * 10} pesos en la tienda."


@pytest.fixture(scope="module")
def embedder_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    texts = [p.read_text(encoding="utf-8") for p in CORPUS.rglob("*") if p.is_file()]
    texts += [_product(i) for i in range(MANY)]
    return write_lexical_embedder(tmp_path_factory.mktemp("embedder") / "lexical", texts)


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    return shutil.copytree(CORPUS, tmp_path / "docs")


@pytest.fixture
def many(tmp_path: Path) -> Path:
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(MANY):
        (folder / f"producto-{i:03}.txt").write_text(_product(i), encoding="utf-8")
    return folder


def _jobs(run_cli) -> list[dict]:
    code, out, err = run_cli("jobs", "list", "--json")
    assert code == 0, err
    return json.loads(out)["data"]


def _settings(embedder_dir: Path) -> list[str]:
    return ["--embedding-model", str(embedder_dir), "--chunk-size", "100", "--chunk-overlap", "20"]


def test_rag_index_in_a_terminal_is_a_job_with_its_run_folder(embedder_dir: Path, docs: Path, run_cli,
                                                               afinar_home: Path) -> None:
    code, _, err = run_cli("rag", "index", "tienda", docs / "nada.md", *_settings(embedder_dir))
    assert code == 1 and "nada.md" in err and _jobs(run_cli) == []  # the request is checked before any job

    code, out, err = run_cli("rag", "index", "tienda", docs, *_settings(embedder_dir))
    assert code == 0, err
    assert "added" in out and "teclados.md" in out and "4 added, 0 updated, 0 unchanged, 0 failed" in out
    (job,) = _jobs(run_cli)
    assert (job["task"], job["status"], job["fine_tuned_model"]) == ("rag-index", "succeeded", "rag:tienda")
    assert job["model"] == str(embedder_dir) and job["training_file"] == "docs" and job["error"] is None
    assert job["hyperparameters"] == {"knowledge_base": "tienda", "chunk_size": 100, "chunk_overlap": 20}
    assert job["run"].startswith("rag-index-tienda-")

    run = RunDir(afinar_home / "runs" / job["run"])
    config = run.read_config()
    assert config["knowledge_base"] == "tienda" and config["paths"] == [str(docs.resolve())]
    meta = run.read_meta()
    assert (meta["task"], meta["status"], meta["model_id"], meta["total_files"]) == ("rag-index", "succeeded",
                                                                                    "rag:tienda", 4)
    assert [row["step"] for row in run.metrics()] == [1, 2, 3, 4]
    code, out, _ = run_cli("jobs", "events", job["id"])
    assert code == 0 and "Job started from the terminal: rag-index" in out and "File 4/4 added" in out

    code, out, err = run_cli("rag", "index", "tienda", docs, "--json")  # again: a new job, nothing to embed
    assert code == 0, err
    report = json.loads(out)
    assert len(report["unchanged"]) == 4 and report["chunks"] == 0 and report["failed"] == []
    again, first = _jobs(run_cli)
    assert first["id"] == job["id"] and (again["task"], again["status"]) == ("rag-index", "succeeded")
    code, out, _ = run_cli("jobs", "list", "--task", "rag-index", "--json")
    assert code == 0 and len(json.loads(out)["data"]) == 2


def _start_indexing(afinar_home: Path, folder: Path, embedder_dir: Path) -> subprocess.Popen:
    env = {**os.environ, "AFINAR_HOME": str(afinar_home), "AFINAR_LANG": "en"}
    return subprocess.Popen([sys.executable, "-m", "afinar", "rag", "index", "grande", str(folder),
                             *_settings(embedder_dir)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def _half_way(cli: subprocess.Popen) -> dict:
    """The running job once its process has indexed a few files."""
    from afinar.jobs.runs import store

    deadline = time.time() + 180
    while time.time() < deadline and cli.poll() is None:
        jobs = store().jobs_with_status("running")
        if jobs and jobs[0]["pid"] and len(RunDir(Path(jobs[0]["run_dir"])).metrics()) >= 3:
            return jobs[0]
        time.sleep(0.02)
    out, err = cli.communicate()
    raise AssertionError(f"indexing did not get going: {out}\n{err}")


def _rerun_skips_what_was_indexed(run_cli, many: Path, done: int) -> None:
    assert 0 < done < MANY, done  # stopped half-way
    code, out, err = run_cli("rag", "index", "grande", many, "--json")
    assert code == 0, err
    report = json.loads(out)
    assert (len(report["unchanged"]), len(report["added"])) == (done, MANY - done)
    kb = rag.KnowledgeBase.open("grande")
    assert len(kb.files) == MANY and kb.collection().count() == kb.chunk_count() == MANY  # no chunk twice


def test_cancel_an_indexing_then_run_it_again(embedder_dir: Path, many: Path, run_cli, afinar_home: Path) -> None:
    import afinar.server.service  # noqa: F401  (loaded before the race: `jobs cancel` answers at once)

    cli = _start_indexing(afinar_home, many, embedder_dir)
    job = _half_way(cli)
    code, _, err = run_cli("jobs", "pause", job["id"])  # an indexing has no point to stop at and keep
    assert code == 1 and "cannot pause" in err and "Traceback" not in err, err
    code, out, err = run_cli("jobs", "cancel", job["id"])
    assert code == 0 and f"Job {job['id']} cancelled." in out, err
    _, err = cli.communicate(timeout=60)
    err = " ".join(err.split())
    assert cli.returncode == 1 and "Traceback" not in err
    assert f"The indexing job {job['id']} did not finish: cancelled" in err and "run the same" in err, err
    (cancelled,) = _jobs(run_cli)
    assert (cancelled["id"], cancelled["task"], cancelled["status"]) == (job["id"], "rag-index", "cancelled")
    _rerun_skips_what_was_indexed(run_cli, many, len(rag.KnowledgeBase.open("grande").files))
    again, first = _jobs(run_cli)
    assert (first["status"], again["status"]) == ("cancelled", "succeeded")


def test_a_killed_indexing_fails_with_the_reason_and_resumes_as_the_same_job(embedder_dir: Path, many: Path,
                                                                             run_cli, afinar_home: Path) -> None:
    from afinar.rag.index_job import read_report
    from afinar.server.service import Service

    cli = _start_indexing(afinar_home, many, embedder_dir)
    job = _half_way(cli)
    os.kill(job["pid"], signal.SIGKILL)
    _, err = cli.communicate(timeout=60)
    err = " ".join(err.split())
    assert cli.returncode == 1 and "Traceback" not in err
    assert "The indexing process stopped unexpectedly (signal 9)" in err, err
    (failed,) = _jobs(run_cli)
    assert (failed["status"], failed["error"]["code"]) == ("failed", "training_interrupted")
    done = len(rag.KnowledgeBase.open("grande").files)
    assert 0 < done < MANY, done

    code, out, err = run_cli("jobs", "resume", job["id"])  # no checkpoint needed: indexing again resumes it
    assert code == 0, err
    service = Service()
    service.start()
    try:
        deadline = time.time() + 180
        while time.time() < deadline and service.get_any_job(job["id"])["status"] not in ("succeeded", "failed"):
            time.sleep(0.2)
    finally:
        service.stop()
    (resumed,) = _jobs(run_cli)
    assert (resumed["id"], resumed["status"], resumed["fine_tuned_model"]) == (job["id"], "succeeded", "rag:grande")
    report = read_report(RunDir(Path(job["run_dir"])))
    assert (len(report["unchanged"]), len(report["added"])) == (done, MANY - done)
    kb = rag.KnowledgeBase.open("grande")
    assert len(kb.files) == MANY and kb.collection().count() == kb.chunk_count() == MANY  # no chunk twice
    code, out, _ = run_cli("jobs", "events", job["id"], "--limit", "1000")
    assert "Failed job resumed: queued to run again, skipping what it finished" in out
    assert "again: files indexed before are skipped" in out


def test_the_studio_indexes_as_a_job_of_the_servers_queue(embedder_dir: Path, docs: Path) -> None:
    from afinar.server.service import Service
    from afinar.studio import knowledge_tab
    from afinar.studio.local import LocalBackend

    uploads = [str(p) for p in sorted(docs.rglob("*")) if p.suffix in (".txt", ".md", ".csv", ".html")]
    service = Service()
    service.start()
    try:
        shown = [text for text, _ in knowledge_tab.index("tienda", uploads, str(embedder_dir), "en", service)]
    finally:
        service.stop()
    assert "Indexing **tienda** (job `ftjob-" in shown[0]
    assert shown[-1].startswith("**tienda**: 4 new documents, 0 updated, 0 unchanged;"), shown[-1]
    (job,) = service.list_all_jobs(task="rag-index")["data"]
    assert (job["status"], job["fine_tuned_model"], job["training_file"]) == ("succeeded", "rag:tienda", "tienda")

    # the studio without a server follows its job itself, as a terminal does
    shown = [text for text, _ in knowledge_tab.index("tienda", uploads[:1], "", "es", LocalBackend())]
    assert shown[-1].startswith("**tienda**: 0 documentos nuevos, 0 actualizados, 4 sin cambios;"), shown[-1]
    assert [j["status"] for j in service.list_all_jobs(task="rag-index")["data"]] == ["succeeded", "succeeded"]
