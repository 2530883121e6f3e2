"""Function-calling fine-tuning data (OpenAI's format: ``tools`` beside the messages, assistant
``tool_calls``, ``role: "tool"`` results) is validated, trains on a tiny random model, and the
fine-tuned model answers tool calls valid against the tools' schemas through the inference core."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import jsonschema
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import tiny_chat

REPO = Path(__file__).resolve().parents[2]
TOOLS_DATA = REPO / "examples" / "techstore" / "tools.jsonl"
pytestmark = pytest.mark.cli


def test_tool_calling_data_validates_trains_and_serves(run_cli, tmp_path: Path) -> None:
    from afinar.serving.engine import Controls
    from afinar.serving.pool import ModelPool
    from afinar.serving.structured import Structure

    code, out, err = run_cli("data", "validate", TOOLS_DATA)
    assert code == 0, err
    assert "valid chat data, 15 examples" in " ".join(out.split())

    base = tiny_chat.build(tmp_path / "tiny-chat")
    run = tmp_path / "run"
    code, out, err = run_cli("train", "chat", TOOLS_DATA, "--model", base, "--epochs", "1", "--output", run)
    assert code == 0, err
    meta = json.loads((run / "meta.json").read_text())
    assert meta["status"] == "succeeded"

    rows = [json.loads(line) for line in TOOLS_DATA.read_text(encoding="utf-8").splitlines()]
    tools = rows[0]["tools"]
    question = rows[0]["messages"][:2]
    pool = ModelPool()
    try:
        result = pool.submit(meta["model_id"], question, temperature=1.0, max_tokens=200, stream=False,
                             controls=Controls(structure=Structure.tools(tools, "required", parallel=False),
                                               tools=tools)).run()
    finally:
        pool.close()
    from afinar.tasks.chat.tools import parse_calls

    parsed = parse_calls(result["text"])
    assert parsed is not None, result
    (_, [call]) = parsed
    spec = {t["function"]["name"]: t["function"]["parameters"] for t in tools}[call["name"]]
    jsonschema.validate(json.loads(call["arguments"]), spec)
