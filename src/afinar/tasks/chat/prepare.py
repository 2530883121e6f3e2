"""The parent side of a chat fine-tune: check the data, resolve ``auto``, lay out the run directory.

Nothing here imports torch. ``prepare`` refuses invalid data with the validator's report (never a
KeyError mid-epoch), pulls the base if needed, holds out a validation split when none is given,
snapshots the data into the run, and writes the resolved config.yaml and meta.json. ``launch``
starts the training subprocess from that saved config.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from afinar.data.findings import Report
from afinar.data.recipe import DPO_METHODS, Recipe, chat_recipe
from afinar.data.validate import ValidateOptions, validate
from afinar.engine.modelid import model_id, new_job_id, runs_dir
from afinar.engine.rundir import RunDir, sha256_file
from afinar.errors import AfinarError
from afinar.tasks.chat.config import ChatTrainConfig, ResolvedChatConfig
from afinar.tasks.chat.continued import (
    BASE_FOLDER,
    is_fine_tuned,
    root_base,
    source_meta,
    write_base,
)
from afinar.tasks.chat.evaluation import shared_system_prompt

# Sets smaller than the course's recommended minimum are too precious to hold any example out.
MIN_FOR_AUTO_SPLIT = 50


def check_data(path: Path, task: str = "chat") -> Report:
    """``task``: chat (supervised) or preference (DPO) data."""
    report = validate(path, ValidateOptions(task=task, min_examples=1))
    if not report.valid:
        raise InvalidData(report)
    return report


class InvalidData(AfinarError):
    """The data has errors; ``report`` holds every finding (the CLI prints it like `data validate`)."""

    def __init__(self, report: Report):
        super().__init__("chat.train.invalid_data", file=report.file, errors=len(report.errors))
        self.report = report


def _read(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def split_examples(examples: list[dict], fraction: float, seed: int,
                   group: Callable[[dict], str] | None = None) -> tuple[list[dict], list[dict]]:
    """Hold out ``fraction`` (at least 1) of the examples, reproducibly; tiny sets keep everything.
    With ``group``, examples of the same group stay on one side (whole groups are held out, in a
    seeded order, until the share is reached; at least one stays for training)."""
    if len(examples) < MIN_FOR_AUTO_SPLIT or fraction <= 0:
        return examples, []
    n_valid = max(1, round(len(examples) * fraction))
    if group is None:
        order = list(range(len(examples)))
        random.Random(seed).shuffle(order)
        held = set(order[:n_valid])
    else:
        keys = [group(e) for e in examples]
        groups = list(dict.fromkeys(keys))
        random.Random(seed).shuffle(groups)
        sizes: dict[str, int] = {}
        for k in keys:
            sizes[k] = sizes.get(k, 0) + 1
        chosen: set[str] = set()
        taken = 0
        for key in groups[:-1]:
            if taken >= n_valid:
                break
            chosen.add(key)
            taken += sizes[key]
        held = {i for i, k in enumerate(keys) if k in chosen}
    return [e for i, e in enumerate(examples) if i not in held], [e for i, e in enumerate(examples) if i in held]


def conversation_of(pair: dict) -> str:
    """A preference pair's conversation (its ``input``), the group of the pairs that share it."""
    return json.dumps(pair.get("input"), sort_keys=True, ensure_ascii=False)


def auto_values(config: ChatTrainConfig, n_train: int) -> Recipe:
    """The recipe for ``n_train`` examples: given values kept, ``auto`` ones chosen (with reasons)."""
    def given(value: object, kind: type) -> object:
        return None if value == "auto" else kind(value)

    return chat_recipe(n_train, config.method, given(config.epochs, int), given(config.batch_size, int),
                       given(config.lr_multiplier, float))


def resolve(config: ChatTrainConfig, n_train: int, model_path: str, job_id: str,
            n_valid: int, named_after: str | None = None) -> ResolvedChatConfig:
    """Every auto value decided; the model id is named after ``named_after`` (default: the base)."""
    recipe = auto_values(config, n_train)
    # absolute paths: the saved config.yaml re-runs from anywhere (`afinar train chat --config RUN/config.yaml`)
    paths = {k: Path(v).resolve() for k in ("data", "validation", "eval_prompts") if (v := getattr(config, k))}
    return ResolvedChatConfig(**{**config.model_dump(), **paths, "epochs": recipe.epochs, "batch_size": recipe.batch_size,
                                 "lr_multiplier": recipe.lr_multiplier,
                                 "learning_rate": recipe.learning_rate,
                                 "model_path": model_path, "job_id": job_id,
                                 "model_id": model_id(named_after or config.model, job_id, config.suffix),
                                 "train_examples": n_train, "valid_examples": n_valid})


def _log_recipe(run: RunDir, recipe: Recipe) -> None:
    """Each auto value and why, in the job's events (English, like OpenAI's; the studio translates)."""
    from afinar import i18n

    for key, params in recipe.reasons:
        run.log_event(i18n.t(key, "en", **params), recipe=key, **params)


def _write_jsonl(path: Path, examples: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        fh.writelines(json.dumps(example, ensure_ascii=False) + "\n" for example in examples)


def prepare(config: ChatTrainConfig, output: Path | None = None, job_id: str | None = None) -> RunDir:
    from afinar import models

    task = "preference" if config.method in DPO_METHODS else "chat"
    check_data(config.data, task)
    if config.method == "qlora":
        from afinar.tasks.chat.modeling import qlora_problem

        problem = qlora_problem()
        if problem:
            raise AfinarError(problem)
    if config.eval_prompts is not None:
        from afinar.evaluate.compare import read_prompts

        read_prompts(config.eval_prompts)  # a bad checks file fails now, not after training
    examples = _read(config.data)
    if config.validation is not None:
        check_data(config.validation, task)
        train_set, valid_set = examples, _read(config.validation)
    else:
        # the pairs of one conversation stay together: validation pairs ask something never trained on
        train_set, valid_set = split_examples(examples, config.valid_fraction, config.seed,
                                              conversation_of if task == "preference" else None)
    job_id = job_id or new_job_id()
    path = Path(output) if output else runs_dir() / job_id
    if path.exists() and any(path.iterdir()):
        raise AfinarError("chat.train.output_exists", path=str(path))
    if is_fine_tuned(config.model):  # continued fine-tuning: from that model's weights
        source = source_meta(config.model)
        named_after, license_name = root_base(source), source.get("base_license")
        run = RunDir.create(path)
        try:
            model_path = str(write_base(config.model, path / BASE_FOLDER))
        except BaseException:
            shutil.rmtree(path, ignore_errors=True)
            raise
    else:
        model_path, named_after = str(models.resolve(config.model)), config.model
        license_name = getattr(models.license_of(config.model), "name", None)
        run = RunDir.create(path)
    resolved = resolve(config, len(train_set), model_path, job_id, len(valid_set), named_after)
    _write_jsonl(path / "data" / "train.jsonl", train_set)
    if valid_set:
        _write_jsonl(path / "data" / "valid.jsonl", valid_set)
    if config.eval_prompts is not None:
        shutil.copyfile(config.eval_prompts, path / "data" / "eval_prompts.jsonl")
    run.write_config(resolved.model_dump(mode="json"))
    system_prompt = shared_system_prompt(train_set if task == "chat" else
                                         [{"messages": (e.get("input") or {}).get("messages") or []} for e in train_set])
    run.update_meta(task="chat", status="queued", job_id=job_id, model_id=resolved.model_id,
                    base_model=config.model, root_base=named_after, base_path=model_path,
                    base_license=license_name,
                    train_sha256=sha256_file(config.data), seed=config.seed, error=None,
                    system_prompt=system_prompt)
    run.log_event("Validating training file: ok")
    _log_recipe(run, auto_values(config, len(train_set)))
    if system_prompt:
        run.log_event("Every training example starts with the same system prompt: `afinar chat`, `afinar compare`, "
                      "the studio and RAG use it by default with this model", system_prompt=system_prompt)
    run.log_event(f"Fine-tuning job started: {resolved.model_id}")
    return run


def launch(run: RunDir, resume: bool = False, quiet: bool = False) -> subprocess.Popen:
    """Start the training subprocess (never through a shell); its errors go to train.log (with
    ``quiet``, its progress output too: the job queue has no terminal to show it on)."""
    nproc = int(run.read_config().get("nproc", 1))
    module = ["-m", "afinar.tasks.chat.train", str(run.path)] + (["--resume"] if resume else [])
    if nproc > 1:  # data parallel: torchrun starts one process per rank on this machine
        cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", f"--nproc_per_node={nproc}", *module]
    else:
        cmd = [sys.executable, *module]
    log = open(run.path / "train.log", "ab")  # noqa: SIM115 - owned by the child for its lifetime
    try:
        return subprocess.Popen(cmd, stderr=log, stdout=log if quiet else None, stdin=subprocess.DEVNULL)
    finally:
        log.close()


def prepare_job(job: dict) -> RunDir:
    """The run folder of an API fine-tuning job (its uploaded files and OpenAI hyperparameters)."""
    from afinar.jobs.store import files_dir

    hp = job["hyperparameters"] or {}
    output = runs_dir() / job["id"]
    if output.exists():  # a prepare interrupted by a crash: it never started training
        shutil.rmtree(output)
    config = ChatTrainConfig(
        data=files_dir() / job["training_file"],
        validation=files_dir() / job["validation_file"] if job["validation_file"] else None,
        model=job["model"], epochs=hp.get("n_epochs", "auto"), batch_size=hp.get("batch_size", "auto"),
        lr_multiplier=hp.get("learning_rate_multiplier", "auto"), suffix=job["suffix"], seed=job["seed"],
        **({"method": "dpo", "beta": hp["beta"]} if "beta" in hp else {}))
    return prepare(config, output=output, job_id=job["id"])


def shown_hyperparameters(config: dict) -> dict:
    """OpenAI's names for the resolved values a job shows."""
    shown = {"n_epochs": config["epochs"], "batch_size": config["batch_size"],
             "learning_rate_multiplier": config["lr_multiplier"]}
    if config.get("method") in DPO_METHODS:
        shown["beta"] = config["beta"]
    return shown
