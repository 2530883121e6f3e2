"""Afinar's DPO objective against TRL's ``DPOTrainer`` (the peer the issue names), on the same tiny
random chat model, the same preference pairs, the same LoRA adapters and the same β.

At a true step 0 the adapters' B matrices are zero, so the policy *is* the reference and every
pair's loss is log 2 on both sides, whatever either computes: a match that proves nothing. The
test therefore gives both models the same random, non-zero adapter weights first (as after a few
steps), so each pair's loss depends on its tokens, its masks and both sides' log-probabilities.

What must agree: the tokens (TRL renders ``prompt`` with the generation prompt and
``prompt + chosen``; Afinar renders the whole conversation and trains the reply's span), the
per-pair loss, the batch loss and the gradients of every adapter weight. Tolerance: 1e-5 on a loss
(about 0.7), 1e-4 relative on the gradients. Both sides compute in float32 on the CPU but not in
the same order — Afinar packs every reply of the batch into one padding-free row (attention per
sequence, log-probabilities in chunks at the target positions only), TRL pads the batch and uses
its fused LM head — so the sums of a reply's ~40 log-probabilities differ in their last bits
(measured: 1.7e-6 on a loss, 6e-7 relative on the gradients); a different objective (a token left
out or counted twice, a missing β, the mean instead of the sum over a reply) moves them by 1e-2 or
more.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("trl")

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import tiny_chat

pytestmark = pytest.mark.unit

BETA, R, ALPHA = 0.1, 8, 16


def rows() -> list[dict]:
    """Six pairs of different lengths: a system prompt, some with an earlier assistant turn (context)."""
    out = []
    for i in range(6):
        messages = [{"role": "system", "content": "Eres el asistente de TechStore."},
                    {"role": "user", "content": f"¿Cuánto cuesta el producto {i}?"}]
        if i % 3 == 2:
            messages += [{"role": "assistant", "content": "¿Cuál modelo?"}, {"role": "user", "content": "El básico"}]
        out.append({"input": {"messages": messages},
                    "preferred_output": [{"role": "assistant",
                                          "content": f"El producto {i} cuesta ${100 + i}." + " Gracias." * i}],
                    "non_preferred_output": [{"role": "assistant", "content": "No lo sé, pregunta en otra tienda."}]})
    return out


@pytest.fixture(scope="module")
def sides(tmp_path_factory: pytest.TempPathFactory) -> dict:
    from datasets import Dataset
    from peft import LoraConfig
    from transformers import AutoModelForCausalLM
    from trl import DPOConfig, DPOTrainer

    from afinar.data.preference import read_pairs
    from afinar.tasks.chat import dpo, modeling

    folder = tmp_path_factory.mktemp("dpo-peer")
    base = tiny_chat.build(folder / "tiny", hidden=64)
    data = folder / "pares.jsonl"
    data.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows()), encoding="utf-8")
    pairs = read_pairs(data)
    tokenizer, _ = modeling.load_tokenizer(base)

    # TRL: its conversational preference format, its own tokenization, LoRA from the same config
    dataset = Dataset.from_list([{"prompt": p["messages"], "chosen": [p["chosen"]], "rejected": [p["rejected"]]}
                                 for p in pairs])
    args = DPOConfig(output_dir=str(folder / "trl"), beta=BETA, per_device_train_batch_size=len(pairs),
                     bf16=False, gradient_checkpointing=False, use_cpu=True, report_to=[], max_length=None,
                     disable_tqdm=True, seed=0)
    trainer = DPOTrainer(model=AutoModelForCausalLM.from_pretrained(str(base), dtype=torch.float32), args=args,
                         train_dataset=dataset, processing_class=tokenizer,
                         peft_config=LoraConfig(r=R, lora_alpha=ALPHA, lora_dropout=0.0, target_modules="all-linear",
                                                task_type="CAUSAL_LM", bias="none"))
    # Afinar: the trainer's own model loading and LoRA
    ours = modeling.add_lora(modeling.load_model(base, torch.float32, torch.device("cpu")), R, ALPHA, 0.0)
    # the same non-zero adapters on both (see the module docstring)
    torch.manual_seed(1)
    adapters = {n: torch.randn_like(p) * 0.2 for n, p in trainer.model.named_parameters() if "lora_" in n}
    with torch.no_grad():
        for model in (trainer.model, ours):
            names = [n for n, _ in model.named_parameters() if "lora_" in n]
            assert sorted(names) == sorted(adapters)
            for n, p in model.named_parameters():
                if n in adapters:
                    p.copy_(adapters[n])
    trainer.model.train()
    ours.train()
    return {"trainer": trainer, "ours": ours, "pairs": [dpo.tokenize_pair(tokenizer, p, 1024) for p in pairs]}


def test_same_tokens_and_targets(sides: dict) -> None:
    trainer = sides["trainer"]
    for i, pair in enumerate(sides["pairs"]):
        peer = trainer.train_dataset[i]
        for side, reply in (("chosen", pair.chosen), ("rejected", pair.rejected)):
            assert peer["prompt_ids"] + peer[f"{side}_ids"] == reply.input_ids
            # Afinar's targets are shifted by one: position t predicts token t + 1
            trained = [t + 1 for t, target in enumerate(reply.targets) if target != -100]
            assert trained == list(range(len(peer["prompt_ids"]), len(reply.input_ids)))


def ours_per_pair(sides: dict) -> tuple:
    from afinar.tasks.chat import dpo

    cpu = torch.device("cpu")
    refs = dpo.reference_logps(sides["ours"], sides["pairs"], len(sides["pairs"]), cpu)
    chosen, rejected = dpo.pair_logps(sides["ours"], sides["pairs"], cpu)  # one packed row, every pair
    ref_chosen, ref_rejected = torch.tensor([r[0] for r in refs]), torch.tensor([r[1] for r in refs])
    return chosen, rejected, ref_chosen, ref_rejected


def test_per_pair_loss_matches_trl(sides: dict) -> None:
    trainer = sides["trainer"]
    chosen, rejected, ref_chosen, ref_rejected = ours_per_pair(sides)
    with torch.no_grad():
        ours = (-torch.nn.functional.logsigmoid(BETA * ((chosen - ref_chosen) - (rejected - ref_rejected)))).tolist()
        peer = [float(trainer.compute_loss(trainer.model, trainer.data_collator([trainer.train_dataset[i]])))
                for i in range(len(sides["pairs"]))]
    assert max(abs(a - b) for a, b in zip(ours, peer)) < 1e-5, (ours, peer)
    assert max(ours) - min(ours) > 0.02  # the pairs' losses differ: the adapters are not the reference
    assert all(abs(v - 0.693147) > 1e-3 for v in ours)


def test_batch_loss_and_gradients_match_trl(sides: dict) -> None:
    from afinar.tasks.chat import dpo

    trainer, model = sides["trainer"], sides["ours"]
    for m in (trainer.model, model):
        m.zero_grad(set_to_none=True)
    chosen, rejected, ref_chosen, ref_rejected = ours_per_pair(sides)
    ours, _ = dpo.dpo_loss(chosen, rejected, ref_chosen, ref_rejected, BETA)
    ours.backward()
    # TRL's batch of every pair, padded to the longest
    peer = trainer.compute_loss(trainer.model, trainer.data_collator(list(trainer.train_dataset)))
    peer.backward()
    assert abs(ours.item() - peer.item()) < 1e-5
    mine = {n: p.grad for n, p in model.named_parameters() if p.grad is not None}
    theirs = {n: p.grad for n, p in trainer.model.named_parameters() if p.grad is not None}
    assert set(mine) == set(theirs) and len(mine) == 2 * 7 * 2  # A and B of 7 linear layers × 2 layers
    diff = sum(float((mine[n] - theirs[n]).norm() ** 2) for n in mine) ** 0.5
    size = sum(float(theirs[n].norm() ** 2) for n in mine) ** 0.5
    assert size > 0 and diff / size < 1e-4, diff / size
