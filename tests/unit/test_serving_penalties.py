"""OpenAI's presence/frequency penalties and logit_bias, exactly as OpenAI's docs define them."""

from __future__ import annotations

import pytest
import torch

from afinar.errors import AfinarError
from afinar.serving.penalties import Penalties, Shaping


def test_penalties_follow_openais_formula() -> None:
    prompt = [7, 7, 7]  # the prompt's tokens do not count
    generated = [1, 1, 2]
    scores = torch.zeros(1, 5)
    out = Penalties(Shaping(presence=0.5, frequency=0.25), len(prompt))(torch.tensor([prompt + generated]), scores)
    # token 1: twice -> 2 * 0.25 + 0.5; token 2: once -> 0.25 + 0.5; others untouched
    assert out.tolist() == [[0.0, -1.0, -0.75, 0.0, 0.0]]
    assert scores.abs().sum() == 0  # the caller's tensor is not modified


def test_logit_bias_adds_to_the_named_tokens() -> None:
    out = Penalties(Shaping(bias={3: 100.0, 0: -100.0}), 1)(torch.tensor([[4]]), torch.ones(1, 5))
    assert out.tolist() == [[-99.0, 1.0, 1.0, 101.0, 1.0]]


def test_neutral_and_vocabulary_check() -> None:
    assert Shaping().neutral and Shaping(bias={3: 0.0}).neutral and not Shaping(frequency=0.1).neutral
    Shaping(bias={4: 1.0}).check(5)
    with pytest.raises(AfinarError) as err:
        Shaping(bias={5: 1.0}).check(5)
    assert err.value.key == "serving.bad_token_id" and "5" in err.value.message("en")
