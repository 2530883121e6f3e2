"""GGUF -> Hugging Face folder, with a tiny llama GGUF written by the `gguf` package."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

from afinar.errors import AfinarError
from afinar.models import cache
from afinar.models.importer import import_gguf
from afinar.models.progress import QuietReporter

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from fixtures.models.tiny_models import write_tiny_gguf  # noqa: E402

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def tiny_gguf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_tiny_gguf(tmp_path_factory.mktemp("gguf") / "tiny-llama.gguf")


def test_import_gguf_gives_a_loadable_hf_folder_with_chat_template(tiny_gguf: Path) -> None:
    import gguf
    from transformers import AutoModelForCausalLM, AutoTokenizer

    reporter = QuietReporter()
    folder = import_gguf(tiny_gguf, "tiny-chat", reporter=reporter)
    assert folder == cache.model_dir("tiny-chat")
    names = {p.name for p in folder.iterdir()}
    assert {"config.json", "model.safetensors", "tokenizer.json", "afinar-model.json"} <= names
    assert not any(n.endswith((".bin", ".gguf", ".pt")) for n in names)
    manifest = json.loads((folder / "afinar-model.json").read_text())
    assert manifest["source"] == "imported" and manifest["details"]["architecture"] == "llama"
    assert manifest["details"]["chat_template"] is True
    assert len(manifest["source_files"][0]["sha256"]) == 64

    tokenizer = AutoTokenizer.from_pretrained(folder)
    model = AutoModelForCausalLM.from_pretrained(folder)
    assert model.config.hidden_size == 64 and model.config.num_hidden_layers == 2
    embed = gguf.GGUFReader(str(tiny_gguf)).get_tensor(0)
    assert embed.name == "token_embd.weight"
    expected = np.asarray(embed.data, dtype=np.float32).reshape(model.config.vocab_size, 64)
    got = model.get_input_embeddings().weight.float().detach().numpy()
    assert np.allclose(got, expected, atol=2e-3)  # bf16 in the folder
    prompt = tokenizer.apply_chat_template([{"role": "user", "content": "the cat"}], add_generation_prompt=True,
                                           tokenize=False)  # fmt: skip
    assert prompt.startswith("<|im_start|>user\nthe cat<|im_end|>") and prompt.endswith("<|im_start|>assistant\n")
    ids = tokenizer(prompt, return_tensors="pt")
    out = model.generate(**ids, max_new_tokens=3, do_sample=False)
    assert out.shape[1] == ids["input_ids"].shape[1] + 3
    assert any(kind == "step" for kind, _ in reporter.events)


def test_import_refuses_non_gguf_taken_names_and_duplicates(tmp_path: Path, tiny_gguf: Path) -> None:
    not_gguf = tmp_path / "model.gguf"
    not_gguf.write_bytes(b"PK\x03\x04 not a gguf")
    with pytest.raises(AfinarError) as err:
        import_gguf(not_gguf, "x")
    assert err.value.key == "models.import_not_gguf"
    with pytest.raises(AfinarError) as err:
        import_gguf(tiny_gguf, "smollm2-135m-instruct")
    assert err.value.key == "models.name_taken"
    with pytest.raises(AfinarError) as err:
        import_gguf(tiny_gguf, "../escape")
    assert err.value.key == "models.bad_name"
    with pytest.raises(AfinarError) as err:
        import_gguf(tmp_path / "missing.gguf", "x")
    assert err.value.key == "common.file_not_found"
    cache.model_dir("taken").mkdir(parents=True)
    with pytest.raises(AfinarError) as err:
        import_gguf(tiny_gguf, "taken")
    assert err.value.key == "models.import_exists"


def test_unsupported_gguf_architecture_lists_the_supported_ones(tmp_path: Path) -> None:
    import gguf

    path = tmp_path / "bert.gguf"
    writer = gguf.GGUFWriter(str(path), "bert")
    writer.add_tensor("token_embd.weight", np.zeros((4, 32), np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    with pytest.raises(AfinarError) as err:
        import_gguf(path, "tiny-bert")
    assert err.value.key == "models.gguf_arch_unsupported"
    assert "llama" in err.value.hint() and "qwen2" in err.value.hint()
    assert not cache.model_dir("tiny-bert").exists()
