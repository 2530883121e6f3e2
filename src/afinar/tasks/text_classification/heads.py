"""The mean-pooling classification head for sentence-embedding bases such as e5.

e5 represents a text as the average of its token vectors (over the attention mask), L2-normalised;
the standard ``BertForSequenceClassification`` head reads the first token (``[CLS]``) through a
pooler instead, a representation e5 was never trained to produce. ``MeanPoolingClassifier`` keeps
e5's own sentence vector and puts one linear layer on it::

    logits = classifier(normalize(mean(last_hidden_state, attention_mask)))

Training starts the linear layer from a logistic regression fitted on the frozen base's vectors of
the training texts (a linear probe; then everything is fine-tuned: "LP-FT", Kumar et al., 2022), so
the first epoch begins where "frozen embeddings + logistic regression" ends.

A saved model is a plain Hugging Face folder plus one small file, safetensors only::

    config.json               the encoder's config (architectures: BertModel) with id2label, label2id
                              and "afinar": {"head": "mean", "text_prefix": "query: "}
    model.safetensors         the fine-tuned encoder: AutoModel.from_pretrained(folder) loads it
    classifier.safetensors    "weight" (labels × hidden) and "bias" (labels)
    tokenizer files

No custom code is needed to use it: ``AutoModel`` + these few lines (the exported Space's ``app.py``
has them too). ``AutoModelForSequenceClassification`` must NOT be used on such a folder: it would
add a random head on ``[CLS]``; ``load_model`` reads ``config.json`` and picks the right class.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from safetensors.torch import load_file, save_file
from transformers.modeling_outputs import SequenceClassifierOutput

HEAD_FILE = "classifier.safetensors"


def mean_pool(hidden: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    """The L2-normalised average of the token vectors that the attention mask keeps."""
    mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
    pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
    return F.normalize(pooled, dim=-1)


class MeanPoolingClassifier(torch.nn.Module):
    """A base encoder (``AutoModel``) and a linear layer on its mean-pooled sentence vector."""

    def __init__(self, encoder: Any, num_labels: int) -> None:
        super().__init__()
        self.encoder = encoder
        self.classifier = torch.nn.Linear(encoder.config.hidden_size, num_labels)

    @property
    def config(self) -> Any:
        return self.encoder.config

    def get_input_embeddings(self) -> Any:
        return self.encoder.get_input_embeddings()

    def embed(self, input_ids: torch.Tensor, attention_mask: torch.Tensor, **inputs: Any) -> torch.Tensor:
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask, **inputs).last_hidden_state
        return mean_pool(hidden, attention_mask)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor, **inputs: Any) -> SequenceClassifierOutput:
        return SequenceClassifierOutput(logits=self.classifier(self.embed(input_ids, attention_mask, **inputs)))

    def set_head(self, weight: Any, bias: Any) -> None:
        """Copy a (labels × hidden) weight and a bias, e.g. a logistic regression's ``coef_`` and ``intercept_``."""
        with torch.no_grad():
            self.classifier.weight.copy_(torch.as_tensor(weight, dtype=self.classifier.weight.dtype))
            self.classifier.bias.copy_(torch.as_tensor(bias, dtype=self.classifier.bias.dtype))

    def save_pretrained(self, folder: Path) -> None:
        self.encoder.save_pretrained(folder)
        save_file({"weight": self.classifier.weight.detach().cpu().contiguous(),
                   "bias": self.classifier.bias.detach().cpu().contiguous()}, str(Path(folder) / HEAD_FILE))

    @classmethod
    def from_pretrained(cls, folder: Path, **kwargs: Any) -> MeanPoolingClassifier:
        """A saved classifier (``classifier.safetensors`` present) or, with ``num_labels`` in
        ``kwargs``, a base encoder with a new zero head (training sets it from the linear probe)."""
        from transformers import AutoModel

        kwargs = {"trust_remote_code": False, "use_safetensors": True, **kwargs}
        head_path = Path(folder) / HEAD_FILE
        encoder = AutoModel.from_pretrained(folder, **kwargs)
        model = cls(encoder, encoder.config.num_labels)
        if head_path.is_file():
            state = load_file(str(head_path))
            model.set_head(state["weight"], state["bias"])
        else:
            torch.nn.init.zeros_(model.classifier.weight)
            torch.nn.init.zeros_(model.classifier.bias)
        return model
