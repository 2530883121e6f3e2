"""A DPO job through the official SDK, as OpenAI's API takes it (``method={"type": "dpo", ...}``):
upload preference data, fine-tune, read the DPO hyperparameters back, chat with the result."""

from __future__ import annotations

import json

import openai
import pytest
from serverkit import wait_job

pytestmark = pytest.mark.cli


def test_a_dpo_job_runs_and_its_model_answers(server, make_client, tiny_model, tmp_path) -> None:
    rows = [{"input": {"messages": [{"role": "user", "content": f"¿Cuánto cuesta el producto {i}?"}]},
             "preferred_output": [{"role": "assistant", "content": f"Cuesta ${100 + i}."}],
             "non_preferred_output": [{"role": "assistant", "content": "Pregunta en otra tienda."}]}
            for i in range(12)]
    data = tmp_path / "pares.jsonl"
    data.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    client = make_client(server)
    with open(data, "rb") as fh:
        uploaded = client.files.create(file=fh, purpose="fine-tune")
    assert uploaded.status == "processed"
    with pytest.raises(openai.BadRequestError) as err:  # a hyperparameter DPO does not have
        client.fine_tuning.jobs.create(training_file=uploaded.id, model=str(tiny_model),
                                       method={"type": "dpo", "dpo": {"hyperparameters": {"beta": 0}}})
    assert err.value.body["param"] == "hyperparameters.beta"
    job = client.fine_tuning.jobs.create(
        training_file=uploaded.id, model=str(tiny_model), suffix="prefs",
        method={"type": "dpo", "dpo": {"hyperparameters": {"n_epochs": 2, "batch_size": 4, "beta": 0.2}}})
    job = wait_job(client, job.id)
    assert job.status == "succeeded", job.error
    assert job.method.type == "dpo" and job.method.dpo.hyperparameters.beta == 0.2
    assert job.method.dpo.hyperparameters.n_epochs == 2
    messages = [e.message for e in reversed(list(client.fine_tuning.jobs.list_events(job.id, limit=100)))]
    assert any("reward accuracy=" in m for m in messages) and messages[-1] == "The job has successfully completed"
    results = client.files.content(job.result_files[0]).text.splitlines()
    assert results[0].startswith("step,train_loss,train_reward_accuracy,train_reward_margin")
    reply = client.chat.completions.create(model=job.fine_tuned_model, max_tokens=6, temperature=0,
                                           messages=[{"role": "user", "content": "¿Cuánto cuesta el producto 3?"}])
    assert reply.choices[0].finish_reason in ("stop", "length")

    # the studio draws the job's rewards beside its loss, in the page's language
    from afinar.server.service import Service
    from afinar.studio import finetune_tab

    shown = finetune_tab.rewards_view(Service(start_worker=False), job.id, "es")
    frame = shown["value"]
    assert shown["visible"] and set(frame["serie"]) >= {"acierto de recompensa, entrenamiento",
                                                        "margen de recompensa, entrenamiento"}
    assert len(frame) == 2 * (len(results) - 1)  # accuracy and margin of every training step
    assert not finetune_tab.rewards_view(Service(start_worker=False), None, "es")["visible"]
