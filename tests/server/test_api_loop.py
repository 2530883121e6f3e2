"""The course's OpenAI workflow against the real server with the official SDK: upload, fine-tune,
watch, chat with the fine-tuned model and with a checkpoint (tiny random model)."""

from __future__ import annotations

import httpx
import openai
import pytest
from serverkit import TECHSTORE, wait_job

pytestmark = pytest.mark.cli


def test_auto_recipe_events_and_the_training_system_prompt_on_request(server, make_client, tiny_model, tmp_path):
    """auto values come with their reasons in the job's events; the training data's system prompt is
    added only when a request asks for it (extra_body), never by default (OpenAI's behaviour)."""
    import json

    system = "Eres el asistente de la Pastelería Nube, en Sevilla. Responde siempre en español y con amabilidad."
    data = tmp_path / "nube.jsonl"
    data.write_text("".join(json.dumps({"messages": [
        {"role": "system", "content": system}, {"role": "user", "content": f"¿Precio de la tarta {i}?"},
        {"role": "assistant", "content": f"La tarta {i} cuesta {10 + i} euros."}]}, ensure_ascii=False) + "\n"
        for i in range(8)), encoding="utf-8")
    client = make_client(server)
    with open(data, "rb") as fh:
        uploaded = client.files.create(file=fh, purpose="fine-tune")
    job = wait_job(client, client.fine_tuning.jobs.create(training_file=uploaded.id, model=str(tiny_model)).id)
    assert job.status == "succeeded", job.error
    assert job.hyperparameters.n_epochs == 20  # the small-set rule: ceil(240 / 8), capped at 20
    messages = [e.message for e in reversed(list(client.fine_tuning.jobs.list_events(job.id, limit=100)))]
    assert any(m.startswith("20 epochs (auto): 8 examples are few") for m in messages)
    assert any(m.startswith("Evaluation on 8 training questions") for m in messages)

    def prompt_tokens(**kwargs) -> int:
        reply = client.chat.completions.create(model=job.fine_tuned_model, max_tokens=1, temperature=0, **kwargs)
        return reply.usage.prompt_tokens

    question = [{"role": "user", "content": "¿Abren el domingo?"}]
    plain = prompt_tokens(messages=question)
    with_training = prompt_tokens(messages=question, extra_body={"system_prompt": "training"})
    assert with_training > plain + 10  # the system prompt was added
    own = [{"role": "system", "content": "Sé breve."}, *question]
    assert prompt_tokens(messages=own, extra_body={"system_prompt": "training"}) == prompt_tokens(messages=own)


def test_upload_train_and_chat(server, make_client, tiny_model):
    client = make_client(server)
    with open(TECHSTORE / "train.jsonl", "rb") as fh:
        uploaded = client.files.create(file=fh, purpose="fine-tune")
    assert uploaded.status == "processed" and uploaded.filename == "train.jsonl"
    job = client.fine_tuning.jobs.create(
        training_file=uploaded.id, model=str(tiny_model), suffix="techstore", seed=7,
        method={"type": "supervised", "supervised": {"hyperparameters": {"n_epochs": 2, "batch_size": 4}}},
        metadata={"course": "techstore"})
    assert job.status == "validating_files" and job.fine_tuned_model is None and job.seed == 7
    job = wait_job(client, job.id)
    assert job.status == "succeeded", job.error
    assert job.fine_tuned_model == f"ft:tiny:afinar:techstore:{job.id.removeprefix('ftjob-')}"
    assert job.trained_tokens and job.trained_tokens > 0 and job.finished_at >= job.created_at
    assert job.hyperparameters.n_epochs == 2 and job.hyperparameters.batch_size == 4
    assert job.method.supervised.hyperparameters.n_epochs == 2

    # events: the SDK pages with `after` until has_more is false (limit 3 forces several pages)
    events = list(client.fine_tuning.jobs.list_events(job.id, limit=3))
    messages = [e.message for e in reversed(events)]
    assert messages[0].startswith("Validating training file")
    assert "Files validated, moving job to queued state" in messages
    assert any(m.startswith("Step 1/12: training loss=") for m in messages)
    assert messages[-1] == "The job has successfully completed"
    assert len({e.id for e in events}) == len(events)
    assert any(e.type == "metrics" and "train_loss" in e.data for e in events)

    checkpoints = list(client.fine_tuning.jobs.checkpoints.list(job.id))
    assert [c.step_number for c in checkpoints] == [12, 6]
    assert checkpoints[1].fine_tuned_model_checkpoint == job.fine_tuned_model + ":ckpt-step-6"
    assert checkpoints[0].metrics.train_loss is not None

    # the results file, like OpenAI's
    results = client.files.content(job.result_files[0]).text.splitlines()
    assert results[0] == ("step,train_loss,train_accuracy,valid_loss,valid_mean_token_accuracy,"
                          "eval_facts_recalled,eval_nonword_rate")
    assert len(results) == 13

    # models: the fine-tuned id (colons, unescaped in the path) and its checkpoints
    assert job.fine_tuned_model in [m.id for m in client.models.list()]
    assert client.models.retrieve(job.fine_tuned_model).owned_by == "org-afinar"
    assert client.models.retrieve(checkpoints[1].fine_tuned_model_checkpoint).id.endswith(":ckpt-step-6")

    reply = client.chat.completions.create(model=job.fine_tuned_model, max_tokens=8, temperature=0,
                                           messages=[{"role": "user", "content": "¿Tienen iPhone 15?"}])
    assert reply.choices[0].finish_reason in ("stop", "length")
    assert reply.usage.completion_tokens == 8 or reply.choices[0].finish_reason == "stop"
    assert reply.usage.total_tokens == reply.usage.prompt_tokens + reply.usage.completion_tokens

    stream = client.chat.completions.create(model=job.fine_tuned_model, max_tokens=8, temperature=0, stream=True,
                                            stream_options={"include_usage": True},
                                            messages=[{"role": "user", "content": "¿Tienen iPhone 15?"}])
    chunks = list(stream)
    assert chunks[0].choices[0].delta.role == "assistant"
    assert sum(1 for c in chunks if c.choices and c.choices[0].finish_reason) == 1
    assert chunks[-1].choices == [] and chunks[-1].usage.completion_tokens == reply.usage.completion_tokens
    streamed = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert streamed == reply.choices[0].message.content  # greedy: the same text both ways

    ckpt = client.chat.completions.create(model=checkpoints[1].fine_tuned_model_checkpoint, max_tokens=4,
                                          messages=[{"role": "user", "content": "Hola"}])
    assert ckpt.model.endswith(":ckpt-step-6")

    # Afinar's own endpoint: the fine-tuned model as a GGUF file; refusals in OpenAI's error shape
    url = f"{server.url}/v1/fine_tuning/jobs/{job.id}/export"
    got = httpx.get(url, params={"format": "gguf", "quant": "f16"}, timeout=300)
    assert got.status_code == 200 and got.content[:4] == b"GGUF", got.text[:300]
    assert got.headers["content-disposition"].endswith('-f16.gguf"')
    bad = httpx.get(url, params={"format": "gguf", "quant": "q4_k_m"}, headers={"Accept-Language": "es"})
    assert bad.status_code == 400 and "llama-quantize" in bad.json()["error"]["message"]
    bad = httpx.get(url, params={"format": "onnx"})
    assert bad.status_code == 400 and bad.json()["error"]["param"] == "format"

    jobs = list(client.fine_tuning.jobs.list(limit=1))
    assert [j.id for j in jobs] == [job.id]

    # continued fine-tuning: a job whose base is the ft: model starts from its weights
    more = client.fine_tuning.jobs.create(training_file=uploaded.id, model=job.fine_tuned_model, suffix="more",
                                          seed=7, hyperparameters={"n_epochs": 1, "batch_size": 4})
    more = wait_job(client, more.id)
    assert more.status == "succeeded", more.error
    assert more.model == job.fine_tuned_model
    assert more.fine_tuned_model == f"ft:tiny:afinar:more:{more.id.removeprefix('ftjob-')}"  # named after the root
    first_loss = float(results[1].split(",")[1])
    continued = client.files.content(more.result_files[0]).text.splitlines()
    assert float(continued[1].split(",")[1]) < first_loss  # its first step already knows the data
    assert client.chat.completions.create(model=more.fine_tuned_model, max_tokens=2,
                                          messages=[{"role": "user", "content": "Hola"}]).choices

    deleted = client.models.delete(job.fine_tuned_model)
    assert deleted.deleted
    with pytest.raises(openai.NotFoundError):
        client.chat.completions.create(model=job.fine_tuned_model, messages=[{"role": "user", "content": "Hola"}])
    assert client.checker.responses  # every one of them is checked against the spec at teardown


def test_bad_file_fails_at_validation_with_lines(server, make_client, tiny_model):
    client = make_client(server)
    with open(TECHSTORE / "train_sucio.jsonl", "rb") as fh:
        uploaded = client.files.create(file=fh, purpose="fine-tune")
    assert uploaded.status == "error"
    assert "Line " in uploaded.status_details
    job = client.fine_tuning.jobs.create(training_file=uploaded.id, model=str(tiny_model))
    job = wait_job(client, job.id)
    assert job.status == "failed"
    assert job.error.code == "invalid_training_file" and job.error.param == "training_file"
    assert "train_sucio.jsonl" in job.error.message and "Line " in job.error.message
    assert job.error.message == uploaded.status_details

    import httpx

    findings = httpx.get(f"{server.url}/v1/files/{uploaded.id}/findings",
                         headers={"Accept-Language": "es-ES,es;q=0.9"}, timeout=60).json()["data"]
    errors = [f for f in findings if f["severity"] == "error"]
    assert errors and all(f["line"] >= 1 and f["hint"] for f in errors)
    assert any("JSONL necesita cada ejemplo en una sola línea" in f["message"] for f in errors)  # in Spanish
