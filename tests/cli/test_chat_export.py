"""`afinar export gguf|ollama|hf` on tiny random chat fine-tunes (Llama with LoRA, Qwen2 fully trained).

The GGUF files are read back with the `gguf` package's reader and loaded with transformers' own
GGUF loader; answers and logits are compared with `afinar chat` on the same run.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import tiny_chat
from fixtures.models.tiny_models import write_tiny_gemma3_gguf

pytestmark = pytest.mark.cli
PROMPT = "¿Precio del producto 3?"
SYSTEM = "Eres el asistente de TechStore."


def _train(root: Path, arch: str, method: str, hidden: int) -> Path:
    """A finished run of `afinar train chat` on a tiny model, in a private AFINAR_HOME. Gemma 3 comes
    the way the packaged gemma-3-270m does: a GGUF file converted by `afinar models import`."""
    from afinar.cli import main

    if arch == "gemma3":
        from afinar.models.importer import import_gguf

        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("AFINAR_HOME", str(root / "home"))
            base = import_gguf(write_tiny_gemma3_gguf(root / "tiny-gemma3.gguf"), "tiny-gemma3")
    else:
        base = tiny_chat.build(root / f"tiny-{arch}", arch=arch, hidden=hidden)
    rows = [{"messages": [{"role": "system", "content": SYSTEM},
                          {"role": "user", "content": f"¿Precio del producto {i}?"},
                          {"role": "assistant", "content": f"El producto {i} cuesta ${100 + i}."}]} for i in range(8)]
    data = root / "data.jsonl"
    data.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("AFINAR_HOME", str(root / "home"))
        with pytest.raises(SystemExit) as exc:
            main(["train", "chat", str(data), "--model", str(base), "--method", method, "--epochs", "2",
                  "--output", str(root / "run"), "--suffix", "tienda"])
    assert exc.value.code == 0
    return root / "run"


@pytest.fixture(scope="module")
def lora_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _train(tmp_path_factory.mktemp("lora"), "llama", "lora", 32)


@pytest.fixture(scope="module")
def full_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _train(tmp_path_factory.mktemp("full"), "qwen2", "full", 48)


@pytest.fixture(scope="module")
def gemma_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _train(tmp_path_factory.mktemp("gemma"), "gemma3", "lora", 64)


def _register(run: Path) -> str:
    """Make the run's ft: id resolvable in this test's AFINAR_HOME; returns the id."""
    from afinar.jobs.runs import adopt_run

    meta = json.loads((run / "meta.json").read_text())
    adopt_run(run)
    return meta["model_id"]


def _logits(model, tokenizer, messages=None):
    import torch

    messages = messages or [{"role": "user", "content": PROMPT}]
    ids = tokenizer.apply_chat_template(messages, add_generation_prompt=True, return_tensors="pt",
                                        return_dict=True)["input_ids"]
    with torch.no_grad():
        return ids, model(ids).logits[0]


def _load_gguf(path: Path):
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    model = AutoModelForCausalLM.from_pretrained(str(path.parent), gguf_file=path.name, dtype=torch.float32)
    return model.eval(), AutoTokenizer.from_pretrained(str(path.parent), gguf_file=path.name)


def test_gguf_f16_answers_like_afinar_chat_and_q8_0_within_tolerance(run_cli, lora_run: Path, tmp_path: Path) -> None:
    import gguf

    from afinar.tasks.chat.predict import generate, load

    model_id = _register(lora_run)
    f16, q8 = tmp_path / "tienda-f16.gguf", tmp_path / "tienda-q8_0.gguf"
    code, out, err = run_cli("export", "gguf", model_id, "-o", f16, "--quant", "f16")
    assert code == 0, err
    assert f"GGUF written to {f16} (f16, 21 tensors" in " ".join(out.split())
    code, out, err = run_cli("export", "gguf", lora_run, "-o", q8)  # q8_0 is the default
    assert code == 0, err
    assert not list(tmp_path.glob(".*partial"))

    reader = gguf.GGUFReader(str(q8))
    fields = {k: f.contents() for k, f in reader.fields.items() if k != "tokenizer.ggml.merges"}
    tuned, tokenizer, _ = load(str(lora_run))
    assert fields["general.architecture"] == "llama" and fields["general.name"] == model_id
    assert fields["general.file_type"] == gguf.LlamaFileType.MOSTLY_Q8_0
    assert fields["tokenizer.ggml.model"] == "gpt2" and fields["tokenizer.ggml.pre"] == "gpt2"
    assert fields["tokenizer.chat_template"] == tokenizer.chat_template
    assert len(fields["tokenizer.ggml.tokens"]) == tuned.config.vocab_size
    assert fields["tokenizer.ggml.eos_token_id"] == tokenizer.eos_token_id
    kinds = {t.name: t.tensor_type.name for t in reader.tensors}
    assert kinds["blk.0.attn_q.weight"] == "Q8_0" and kinds["blk.0.attn_norm.weight"] == "F32"
    assert "output.weight" in kinds  # the tiny Llama does not tie its output layer

    # `afinar chat` starts the conversation with the training data's shared system prompt
    messages = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": PROMPT}]
    expected = generate(tuned, tokenizer, messages, max_new_tokens=12)["text"]
    code, said, err = run_cli("chat", "-m", model_id, "-p", PROMPT, "--max-tokens", "12")
    assert code == 0 and said.strip() == expected and SYSTEM in err
    ids, reference = _logits(tuned, tokenizer, messages)
    for path, tolerance in ((f16, 2e-3), (q8, 2e-2)):
        model, gguf_tokenizer = _load_gguf(path)
        gguf_ids, got = _logits(model, gguf_tokenizer, messages)
        assert gguf_ids.tolist() == ids.tolist()  # the GGUF's tokenizer and template render the same ids
        assert (got - reference).abs().max().item() < tolerance, path.name
        if path == f16:
            assert generate(model, gguf_tokenizer, messages, max_new_tokens=12)["text"] == expected


def test_checkpoint_exports_equal_the_checkpoint(run_cli, lora_run: Path, tmp_path: Path) -> None:
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    from afinar.tasks.chat.predict import load

    model_id = _register(lora_run) + ":ckpt-step-2"
    tuned, tokenizer, _ = load(model_id)
    ids, reference = _logits(tuned, tokenizer)
    code, _, err = run_cli("export", "gguf", model_id, "-o", tmp_path / "step2.gguf", "--quant", "f32")
    assert code == 0, err
    model, gguf_tokenizer = _load_gguf(tmp_path / "step2.gguf")
    assert (_logits(model, gguf_tokenizer)[1] - reference).abs().max().item() < 1e-4
    folder = lora_run / "checkpoints" / "checkpoint-2"
    code, out, err = run_cli("export", "hf", folder, "-o", tmp_path / "adapter", "--adapter-only")
    assert code == 0 and "Adapter written to" in out, err
    base = AutoModelForCausalLM.from_pretrained(json.loads((lora_run / "meta.json").read_text())["base_path"])
    adapter = PeftModel.from_pretrained(base, str(tmp_path / "adapter")).eval()
    assert (_logits(adapter, tokenizer)[1] - reference).abs().max().item() < 1e-5


def test_merged_hf_folder_equals_the_adapter_applied_at_run_time(run_cli, lora_run: Path, tmp_path: Path) -> None:
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    out_dir = tmp_path / "merged"
    code, out, err = run_cli("export", "hf", lora_run, "-o", out_dir)
    assert code == 0 and "Merged model written to" in out, err
    names = {p.name for p in out_dir.iterdir()}
    assert {"config.json", "model.safetensors", "generation_config.json", "tokenizer.json", "README.md"} <= names
    assert not any(n.startswith("adapter") for n in names)
    card = (out_dir / "README.md").read_text()
    assert card.startswith("---\nlicense: other\nlibrary_name: transformers\npipeline_tag: text-generation")
    assert "with its adapter merged into the base" in card and "## Hyperparameters" in card and "lora_r" in card

    base_path = json.loads((lora_run / "meta.json").read_text())["base_path"]
    base = AutoModelForCausalLM.from_pretrained(base_path, dtype=torch.float32)
    at_run_time = PeftModel.from_pretrained(base, str(lora_run / "final")).eval()  # not merged
    tokenizer = AutoTokenizer.from_pretrained(str(out_dir))
    merged = AutoModelForCausalLM.from_pretrained(str(out_dir), dtype=torch.float32).eval()
    assert merged.dtype == torch.float32  # the tiny base is stored in float32, so is the export
    delta = (_logits(merged, tokenizer)[1] - _logits(at_run_time, tokenizer)[1]).abs().max().item()
    assert delta < 1e-4
    lora_b = [p for n, p in at_run_time.named_parameters() if "lora_B" in n]
    assert any(p.abs().sum() > 0 for p in lora_b)  # training moved the adapter: the merge is not a no-op
    # a plain HF folder carries no training data: its card names the system prompt to pass
    assert f"```text\n{SYSTEM}\n```" in card
    code, answer, err = run_cli("chat", "-m", out_dir, "--system", SYSTEM, "-p", PROMPT, "--max-tokens", "6")
    assert code == 0, err
    code, said, _ = run_cli("chat", "-m", lora_run, "-p", PROMPT, "--max-tokens", "6")
    assert answer == said


def test_a_catalog_bases_card_names_its_hub_id(tmp_path: Path) -> None:
    """A chat run records its base's license by name only; the card finds the hub id in the catalog
    (`afinar export hf` of a SmolLM2 fine-tune once failed on this)."""
    from afinar.engine.card import base_hub_id

    meta = {"base_model": "smollm2-135m-instruct", "base_license": "Apache-2.0"}
    assert base_hub_id(meta) == "HuggingFaceTB/SmolLM2-135M-Instruct"
    assert base_hub_id({"base_model": "/some/folder", "base_license": None}) is None and base_hub_id({}) is None


def test_ollama_folder_has_gguf_modelfile_and_commands(run_cli, lora_run: Path, tmp_path: Path) -> None:
    out_dir = tmp_path / "ollama"
    code, out, err = run_cli("export", "ollama", lora_run, "-o", out_dir, "--quant", "q4_0")
    assert code == 0, err
    assert sorted(p.name for p in out_dir.iterdir()) == ["Modelfile", "model.gguf"]
    text = (out_dir / "Modelfile").read_text()
    assert text.startswith("FROM ./model.gguf\n")
    assert 'TEMPLATE """{{- if .System }}<|im_start|>system\n{{ .System }}<|im_end|>' in text
    assert '{{- range .Messages }}{{- if ne .Role "system" }}<|im_start|>{{ .Role }}' in text  # system once
    assert f'SYSTEM """{SYSTEM}"""' in text and 'PARAMETER stop "<|im_end|>"' in text
    assert "PARAMETER temperature 0" in text
    meta = json.loads((lora_run / "meta.json").read_text())
    name = f"tiny-llama-tienda-{meta['job_id'].removeprefix('ftjob-')}"
    assert f"ollama create {name} -f {out_dir / 'Modelfile'}" in out and f"ollama run {name}" in out


def test_qwen2_full_fine_tune_round_trip_and_quantization_refusals(run_cli, full_run: Path, tmp_path: Path) -> None:
    import gguf

    from afinar.tasks.chat.predict import load

    target = tmp_path / "qwen.gguf"
    code, _, err = run_cli("export", "gguf", full_run, "-o", target, "--quant", "q8_0")
    assert code == 1 and "blocks of 32 values" in " ".join(err.split()) and "--quant f16" in err
    assert not target.exists() and not list(tmp_path.iterdir())
    code, _, err = run_cli("export", "gguf", full_run, "-o", target, "--quant", "f16")
    assert code == 0, err
    reader = gguf.GGUFReader(str(target))
    assert reader.fields["general.architecture"].contents() == "qwen2"
    assert reader.fields["tokenizer.ggml.pre"].contents() == "qwen2"
    names = {t.name for t in reader.tensors}
    assert "blk.0.attn_q.bias" in names and "output.weight" not in names  # tied embeddings
    tuned, tokenizer, _ = load(str(full_run))
    model, gguf_tokenizer = _load_gguf(target)
    assert (_logits(model, gguf_tokenizer)[1] - _logits(tuned, tokenizer)[1]).abs().max().item() < 2e-3
    code, _, err = run_cli("export", "hf", full_run, "-o", tmp_path / "adapter", "--adapter-only")
    assert code == 1 and "--method full" in err


def test_gemma3_round_trip_copies_the_sentencepiece_vocabulary(run_cli, gemma_run: Path, tmp_path: Path) -> None:
    import gguf

    from afinar.tasks.chat.predict import generate, load

    target = tmp_path / "gemma.gguf"
    code, _, err = run_cli("export", "gguf", gemma_run, "-o", target, "--quant", "f16")
    assert code == 0, err
    fields = gguf.GGUFReader(str(target)).fields
    source = gguf.GGUFReader(str(gemma_run.parent / "tiny-gemma3.gguf")).fields
    assert fields["general.architecture"].contents() == "gemma3"
    assert fields["tokenizer.ggml.model"].contents() == "llama"
    for key in ("tokenizer.ggml.tokens", "tokenizer.ggml.scores", "tokenizer.ggml.token_type",
                "tokenizer.ggml.bos_token_id", "tokenizer.chat_template", "gemma3.attention.key_length",
                "gemma3.attention.sliding_window", "gemma3.rope.freq_base"):
        assert fields[key].contents() == source[key].contents(), key
    tuned, tokenizer, _ = load(str(gemma_run))
    model, gguf_tokenizer = _load_gguf(target)
    ids, reference = _logits(tuned, tokenizer)
    gguf_ids, got = _logits(model, gguf_tokenizer)
    assert gguf_ids.tolist() == ids.tolist() and ids[0, 0].item() == 2  # <bos>, then Gemma's turn markers
    assert (got - reference).abs().max().item() < 5e-3  # norms travel as 1 + w in f16
    messages = [{"role": "user", "content": PROMPT}]
    expected = generate(tuned, tokenizer, messages, max_new_tokens=8)["text"]
    assert generate(model, gguf_tokenizer, messages, max_new_tokens=8)["text"] == expected


def test_bad_input_is_refused_and_nothing_is_half_written(run_cli, lora_run: Path, tmp_path: Path) -> None:
    target = tmp_path / "out.gguf"
    code, _, err = run_cli("export", "gguf", lora_run, "-o", target, "--quant", "q4_k_m")
    err = " ".join(err.split())
    assert code == 1 and "llama-quantize" in err and "q8_0" in err and "Traceback" not in err
    code, _, err = run_cli("export", "gguf", lora_run, "-o", target, "--quant", "q9")
    assert code == 1 and "not a tensor type" in err
    code, _, err = run_cli("--lang", "es", "export", "gguf", lora_run, "-o", target, "--quant", "q4_k_m")
    assert code == 1 and "no sabe escribir" in " ".join(err.split())
    for other in ("multilingual-e5-small", "mobilenet_v2"):  # an embedder, an image model
        code, _, err = run_cli("--lang", "en", "export", "gguf", other, "-o", target)
        assert code == 1 and "is not a chat fine-tune" in " ".join(err.split()) and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []

    target.write_bytes(b"keep me")
    code, _, err = run_cli("export", "gguf", lora_run, "-o", target, "--quant", "f16")
    assert code == 1 and "already exists" in " ".join(err.split()) and target.read_bytes() == b"keep me"
    code, _, err = run_cli("export", "gguf", lora_run, "-o", target, "--quant", "f16", "--force")
    assert code == 0 and target.read_bytes()[:4] == b"GGUF"
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x.txt").write_text("mine")
    code, _, err = run_cli("export", "ollama", lora_run, "-o", tmp_path / "full")
    assert code == 1 and (tmp_path / "full" / "x.txt").read_text() == "mine"
    code, _, err = run_cli("--lang", "es", "export", "hf", lora_run, "-o", tmp_path / "full")
    err = " ".join(err.split())  # the console wraps at its width
    assert code == 1 and "ya existe" in err and "--force" in err
    assert sorted(p.name for p in (tmp_path / "full").iterdir()) == ["x.txt"]

    running = tmp_path / "running"
    shutil.copytree(lora_run, running)
    meta = json.loads((running / "meta.json").read_text())
    (running / "meta.json").write_text(json.dumps({**meta, "status": "running"}))
    code, _, err = run_cli("export", "hf", running, "-o", tmp_path / "hf")
    assert code == 1 and "running" in err and not (tmp_path / "hf").exists()
    (running / "meta.json").write_text(json.dumps({**meta, "status": "failed"}))
    code, _, err = run_cli("--lang", "es", "export", "ollama", running, "-o", tmp_path / "o")
    assert code == 1 and "no ha terminado (estado: failed)" in " ".join(err.split()) and "ckpt-step-N" in err
    assert not (tmp_path / "o").exists()
    classifier = tmp_path / "classifier"
    classifier.mkdir()
    (classifier / "meta.json").write_text(json.dumps({"task": "text-classification", "status": "succeeded"}))
    code, _, err = run_cli("--lang", "en", "export", "gguf", classifier, "-o", tmp_path / "c.gguf")
    assert code == 1 and "text-classification run" in err and "afinar export space" in " ".join(err.split())
    assert not list(tmp_path.glob(".*"))


def test_ollama_name_and_common_system_prompt(tmp_path: Path) -> None:
    from afinar.tasks.chat.export import common_system_prompt, ollama_name

    assert ollama_name("ft:SmolLM2-135M:afinar:tienda:ab12") == "smollm2-135m-tienda-ab12"
    data = tmp_path / "d.jsonl"
    same = {"messages": [{"role": "system", "content": "S"}, {"role": "user", "content": "u"}]}
    data.write_text(json.dumps(same) + "\n\n" + json.dumps(same) + "\n")
    assert common_system_prompt(data) == "S"
    other = {"messages": [{"role": "system", "content": "T"}, {"role": "user", "content": "u"}]}
    data.write_text(json.dumps(same) + "\n" + json.dumps(other) + "\n")
    assert common_system_prompt(data) is None
    data.write_text(json.dumps({"messages": [{"role": "user", "content": "u"}]}) + "\n")
    assert common_system_prompt(data) is None


def test_modelfile_states_the_default_system_prompt_the_template_writes(tmp_path: Path) -> None:
    """SmolLM2's chat template writes its own system turn when a conversation has none; training and
    `afinar chat` saw it, so the Modelfile states it (a Go template cannot compute it)."""
    from transformers import AutoTokenizer

    from afinar.tasks.chat.export import default_system, modelfile

    tokenizer = AutoTokenizer.from_pretrained(str(tiny_chat.build(tmp_path / "tiny")))
    assert default_system(tokenizer) is None and "SYSTEM" not in modelfile(tokenizer, "m.gguf", None)
    tokenizer.chat_template = (
        "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}"
        "{{ '<|im_start|>system\\nYou are SmolLM.<|im_end|>\\n' }}{% endif %}{{ '<|im_start|>' + message['role'] "
        "+ '\\n' + message['content'] + '<|im_end|>\\n' }}{% endfor %}"
        "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}")
    assert default_system(tokenizer) == "You are SmolLM."
    assert 'SYSTEM """You are SmolLM."""' in modelfile(tokenizer, "m.gguf", None)
    assert 'SYSTEM """Eres TechStore."""' in modelfile(tokenizer, "m.gguf", "Eres TechStore.")  # the data's wins


def test_studio_exports_a_finished_job(tmp_path: Path) -> None:
    """The Ajuste fino page's export row, on a job the real service trained."""
    import time
    import zipfile

    from afinar.server.service import Service
    from afinar.studio.chat_export import export_job

    base = tiny_chat.build(tmp_path / "tiny")
    service = Service()
    service.start()
    try:
        data = tmp_path / "train.jsonl"
        data.write_text("\n".join(json.dumps({"messages": [{"role": "user", "content": f"hola {i}"},
                                                           {"role": "assistant", "content": f"adiós {i}"}]})
                                  for i in range(6)) + "\n", encoding="utf-8")
        upload = service.upload_file(data, "train.jsonl")
        job = service.create_job({"training_file": upload["id"], "model": str(base), "suffix": "studio",
                                  "hyperparameters": {"n_epochs": 1}})
        path, text = export_job(service, job["id"], "gguf", "es")
        assert path is None and "solo se puede exportar un trabajo terminado" in text
        deadline = time.time() + 600
        while service.get_job(job["id"])["status"] not in ("succeeded", "failed", "cancelled"):
            assert time.time() < deadline
            time.sleep(1)
        assert service.get_job(job["id"])["status"] == "succeeded"
        ticks: list[tuple[int, int]] = []
        path, text = export_job(service, job["id"], "gguf", "en", on_tensor=lambda d, t: ticks.append((d, t)))
        assert path is not None and path.name.endswith("-q8_0.gguf") and path.read_bytes()[:4] == b"GGUF"
        assert ticks[-1] == (21, 21) and "llama-cli -m" in text
        path, text = export_job(service, job["id"], "ollama", "en")
        assert "ollama create" in text and sorted(zipfile.ZipFile(path).namelist()) == ["Modelfile", "model.gguf"]
        path, _ = export_job(service, job["id"], "hf", "en")
        assert {"config.json", "model.safetensors", "README.md"} <= set(zipfile.ZipFile(path).namelist())
    finally:
        service.stop()
