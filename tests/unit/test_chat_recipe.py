"""The chat recipe's auto rules, the end-of-job check's pieces and the training system prompt."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from afinar.data.estimate import estimate
from afinar.data.recipe import (
    SMALL_TARGET_PASSES,
    auto_epochs,
    chat_recipe,
    openai_epochs,
)
from afinar.evaluate.compare import PromptCase, score
from afinar.evaluate.fluency import dictionary_available, language_of, nonword_rate
from afinar.tasks.chat.evaluation import (
    checks_from_examples,
    evaluate_model,
    facts_of,
    pick_checks,
    shared_system_prompt,
)

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("n,epochs", [(1, 20), (5, 20), (12, 20), (16, 15), (20, 12), (24, 10), (30, 8),
                                      (60, 4), (79, 4), (80, 3), (100, 3), (1000, 3), (8334, 2), (30_000, 1)])
def test_auto_epochs_give_small_sets_enough_passes(n: int, epochs: int) -> None:
    assert auto_epochs(n) == epochs
    if n * 3 < SMALL_TARGET_PASSES:
        assert n * epochs >= min(SMALL_TARGET_PASSES, n * 20)  # capped at 20 epochs for the tiniest sets
    else:
        assert epochs == openai_epochs(n)


def test_recipe_keeps_given_values_and_explains_auto_ones() -> None:
    auto = chat_recipe(16)
    assert (auto.epochs, auto.batch_size, auto.lr_multiplier, auto.learning_rate) == (15, 4, 5.0, 1e-3)
    assert [key for key, _ in auto.reasons] == ["recipe.epochs_small", "recipe.batch", "recipe.lr_small"]
    assert auto.openai_epochs == 6  # what OpenAI's rule would have trained
    given = chat_recipe(16, "full", epochs=2, batch_size=8, lr_multiplier=1.0)
    assert (given.epochs, given.batch_size, given.learning_rate, given.reasons) == (2, 8, 1e-5, [])
    large = chat_recipe(5000)
    assert (large.epochs, large.lr_multiplier) == (3, 2.0)
    assert [key for key, _ in large.reasons] == ["recipe.epochs_openai", "recipe.batch", "recipe.lr"]


def test_estimate_shows_the_recipe_and_bills_openai_epochs(tmp_path: Path) -> None:
    data = tmp_path / "d.jsonl"
    data.write_text("".join(json.dumps({"messages": [{"role": "user", "content": f"pregunta {i}"},
                                                     {"role": "assistant", "content": "respuesta"}]}) + "\n"
                            for i in range(16)), encoding="utf-8")
    est = estimate(data, "smollm2-135m-instruct")
    assert (est.epochs, est.openai_epochs, est.batch_size, est.learning_rate) == (15, 6, 4, 1e-3)
    assert est.trained_tokens == 15 * est.tokens_per_epoch
    assert est.openai_cost_usd["gpt-4o-mini-2024-07-18"] == round(6 * est.tokens_per_epoch / 1e6 * 3.0, 4)
    assert next(r["key"] for r in est.recipe) == "recipe.epochs_small"


def _example(answer: str, system: str | None = "Eres el asistente de la tienda.", user: str = "¿Precio?") -> dict:
    head = [{"role": "system", "content": system}] if system else []
    return {"messages": [*head, {"role": "user", "content": user}, {"role": "assistant", "content": answer}]}


def test_shared_system_prompt() -> None:
    assert shared_system_prompt([_example("a"), _example("b")]) == "Eres el asistente de la tienda."
    assert shared_system_prompt([_example("a"), _example("b", system=None)]) is None
    assert shared_system_prompt([_example("a"), _example("b", system="Otro.")]) is None
    assert shared_system_prompt([]) is None


def test_facts_are_the_numbers_an_answer_states() -> None:
    facts = facts_of("Cuesta $1,999; abrimos de 9:00 a 14:00 y el 9:00 otra vez.")
    assert len(facts) == 3
    assert score("Son $1,999 de 9:00 a 14:00", facts) == [True, True, True]
    assert score("Son $11,999 de 19:00 a 14:005", facts) == [False, False, False]  # no partial numbers
    assert facts_of("Sin cifras.") == []


def test_checks_come_from_the_best_source(tmp_path: Path) -> None:
    train = [_example("Cuesta 10 euros.", user="¿Y la tarta?"), _example("Hola.")]
    valid = [_example("Abrimos a las 9:00.", user="¿Horario?")]
    source, cases = pick_checks(None, valid, train)
    assert source == "validation" and [c.prompt for c in cases] == ["¿Horario?"]
    source, cases = pick_checks(None, [], train)
    assert source == "training" and len(cases) == 1 and cases[0].prompt == "¿Y la tarta?"
    own = tmp_path / "checks.jsonl"
    own.write_text('{"prompt": "¿Cuánto vale la tarta?", "expected": ["10 ?euros"]}\n', encoding="utf-8")
    assert pick_checks(own, valid, train)[0] == "eval_prompts"
    assert len(checks_from_examples([_example(f"{i} euros") for i in range(20)])) == 8


def _needs_dictionary(lang: str) -> None:
    if not dictionary_available(lang):
        if os.environ.get("CI"):
            pytest.fail(f"hunspell's {lang} dictionary is missing: `make test` installs it (make dictionaries)")
        pytest.skip(f"hunspell's {lang} dictionary is not installed (make dictionaries)")


def test_nonword_rate_counts_invented_words_but_not_training_words() -> None:
    _needs_dictionary("es")
    result = nonword_rate(["El sábadon abrimos la tarjetismo de Pastelería Nubecita."], "es", known={"nubecita"})
    assert result.words == 8 and result.unknown == 2 and result.rate == 0.25
    assert result.examples == ["sábadon", "tarjetismo"]
    assert nonword_rate(["Abrimos el sábado a las nueve."], "es").rate == 0.0
    _needs_dictionary("en")
    assert nonword_rate(["We open on Saturday."], "en").rate == 0.0
    assert nonword_rate(["We opn on Saturdey."], "en").unknown == 2


def test_language_of_answers() -> None:
    assert language_of(["La tarta cuesta diez euros y abrimos por la mañana."]) == "es"
    assert language_of(["The cake costs ten euros and we open in the morning."]) == "en"


def test_evaluate_model_asks_with_the_system_prompt() -> None:
    seen = []

    def answer(messages: list[dict]) -> str:
        seen.append(messages)
        return "Cuesta 10 euros."

    cases = [PromptCase("¿Precio de la tarta?", ["10 ?euros"]), PromptCase("¿Horario?", ["9:00"])]
    result = evaluate_model(answer, "eval_prompts", cases, "Eres el asistente.", [_example("Cuesta 10 euros.")])
    assert (result.facts_recalled, result.facts_total, result.recall) == (1, 2, 0.5)
    assert seen[0][0] == {"role": "system", "content": "Eres el asistente."} and result.language == "es"


def test_training_system_prompt_of_a_run_folder_and_of_unknown_names(tmp_path: Path) -> None:
    from afinar.tasks.chat.predict import training_system_prompt

    run = tmp_path / "run"
    run.mkdir()
    (run / "config.yaml").write_text("method: lora\n", encoding="utf-8")
    (run / "meta.json").write_text(json.dumps({"status": "succeeded", "base_path": "x", "model_id": "ft:x:afinar::1",
                                               "system_prompt": "Eres Nube."}), encoding="utf-8")
    assert training_system_prompt(str(run)) == "Eres Nube."
    # a base model name or an unknown id never resolves (no download), it has no training prompt
    assert training_system_prompt("gpt-4o") is None and training_system_prompt("ft:nope:afinar::0") is None


def test_dpo_auto_is_a_few_gentle_passes() -> None:
    from afinar.data.recipe import BASE_LR, chat_recipe

    recipe = chat_recipe(24, "dpo")
    assert (recipe.epochs, recipe.lr_multiplier, recipe.learning_rate) == (3, 1.0, BASE_LR["dpo"])
    assert [key for key, _ in recipe.reasons] == ["recipe.epochs_dpo", "recipe.lr_dpo", "recipe.batch"]
    given = chat_recipe(24, "dpo", epochs=5, lr_multiplier=2.0)
    assert (given.epochs, given.learning_rate) == (5, 2 * BASE_LR["dpo"])
