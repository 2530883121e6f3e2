"""One preference pair in OpenAI's DPO format, checked without raising; ``read_pairs`` for trainers.

A line is ``{"input": {"messages": [..., user], "tools"?: [...], "parallel_tool_calls"?: bool},
"preferred_output": [assistant], "non_preferred_output": [assistant]}``. The messages are checked
by the chat schema (``chat_schema.check_example``), so a pair's input and answers get the same
findings as chat messages, with fields such as ``input.messages[1].content`` or
``preferred_output[0].content``. No torch here: the web process and the trainer both read it.

``read_pairs`` turns the usable lines into what a DPO trainer needs::

    {"input": {"messages": [{"role": "user", "content": "¿Precio del iPhone 15?"}]},
     "preferred_output": [{"role": "assistant", "content": "$799."}],
     "non_preferred_output": [{"role": "assistant", "content": "It costs 899 dollars."}]}
    → {"messages": [{"role": "user", "content": "¿Precio del iPhone 15?"}],
       "chosen": {"role": "assistant", "content": "$799."},
       "rejected": {"role": "assistant", "content": "It costs 899 dollars."}}
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, NamedTuple

from afinar.data.chat_schema import ROLES, AddFinding, ExampleInfo, check_example, json_type
from afinar.data.findings import ERROR, SEVERITY
from afinar.data.records import iter_records
from afinar.data.tokens import TokenCounter, approx_tokens
from afinar.errors import AfinarError

OUTPUT_KEYS = ("preferred_output", "non_preferred_output")
TOP_KEYS = frozenset({"input", *OUTPUT_KEYS})
# Field names of other people's preference records (TRL, Anthropic HH, UltraFeedback...).
COLUMN_KEYS = frozenset({"prompt", "chosen", "rejected", "question", "response_j", "response_k"})


class PairInfo(NamedTuple):
    """What the dataset-level checks need to know about one usable pair."""

    has_system: bool
    input_chars: int
    input_messages: int
    preferred_chars: int
    non_preferred_chars: int
    key: int  # hash of the whole pair (input, both answers), for duplicates


def check_pair(value: Any, line: int, add: AddFinding) -> PairInfo | None:
    """Report every problem of one pair at ``line``; return its info, or None if it has an error."""
    if type(value) is not dict:
        add(line, "data_type", type=json_type(value))
        return None
    if not TOP_KEYS & value.keys():
        _not_a_pair(value, line, add)
        return None
    add = _Tracked(add)
    for key in value:
        if key not in TOP_KEYS:
            add(line, "preference_unrecognized_key", field=key, key=key)
    inputs = _check_input(value.get("input"), line, add)
    answers = [_check_output(value.get(key), key, line, add) for key in OUTPUT_KEYS]
    if inputs is None or None in answers or add.errors:
        return None
    (preferred, p_chars, p_key), (rejected, r_chars, r_key) = answers
    if same_answer(preferred, rejected):
        add(line, "identical_outputs", field="non_preferred_output[0]")
        return None
    return PairInfo(inputs.has_system, inputs.chars, inputs.messages, p_chars, r_chars,
                    hash((inputs.key, p_key, r_key)))


def pair_tokens(info: PairInfo, value: dict, counter: TokenCounter | None) -> tuple[int, int, int]:
    """(input, preferred answer, other answer) tokens of a usable pair: counted with ``counter``'s
    tokenizer, else approximated from the characters as for chat examples."""
    if counter is not None:
        return (counter.count_example(value["input"]), counter.count_example({"messages": value["preferred_output"]}),
                counter.count_example({"messages": value["non_preferred_output"]}))
    return (approx_tokens(info.input_chars, info.input_messages), approx_tokens(info.preferred_chars, 1),
            approx_tokens(info.non_preferred_chars, 1))


def _check_input(source: Any, line: int, add: AddFinding) -> ExampleInfo | None:
    messages = source.get("messages") if type(source) is dict else None
    if type(messages) is not list or not messages:
        add(line, "missing_input_messages", field="input.messages")
        return None
    info = check_example(source, line, _Renamed(add, "input.messages", _INPUT_CODES))
    last = messages[-1]
    role = last.get("role") if type(last) is dict else None
    if role != "user" and role in ROLES:  # a missing or unknown role has its own finding
        add(line, "input_last_not_user", field=f"input.messages[{len(messages) - 1}].role", role=role)
    return info


class _Tracked:
    """``add`` that remembers whether an error was reported through it."""

    __slots__ = ("add", "errors")

    def __init__(self, add: AddFinding):
        self.add, self.errors = add, False

    def __call__(self, line: int, code: str, severity: str | None = None, **params: Any) -> None:
        if (severity or SEVERITY[code]) == ERROR:
            self.errors = True
        self.add(line, code, severity, **params)


def _not_a_pair(value: dict, line: int, add: AddFinding) -> None:
    keys = ", ".join(map(str, list(value)[:6]))
    if "messages" in value:
        add(line, "preference_chat_example", field="messages")
    elif COLUMN_KEYS & value.keys():
        add(line, "preference_columns", keys=keys)
    else:
        add(line, "not_preference_pair", keys=keys or "—")


class _Renamed:
    """An ``add`` for the chat checks of a part of the pair: fields get the part's path
    (``messages[0]`` → ``input.messages[0]``), codes are renamed (None: dropped)."""

    __slots__ = ("add", "prefix", "codes")

    def __init__(self, add: AddFinding, prefix: str, codes: dict[str, str | None]):
        self.add, self.prefix, self.codes = add, prefix, codes

    def __call__(self, line: int, code: str, severity: str | None = None, field: str | None = None,
                 **params: Any) -> None:
        code = self.codes.get(code, code)
        if code is None:
            return
        if field is not None and field.startswith("messages"):
            field = self.prefix + field[len("messages"):]
        self.add(line, code, severity, field=field, **params)


# The input has no assistant message (the answers are the outputs); its top-level keys are OpenAI's
# chat ones (tools, parallel_tool_calls), so example_unrecognized_key keeps its meaning.
_INPUT_CODES: dict[str, str | None] = {"example_missing_assistant_message": None}
# An answer is one assistant message: its role is checked here, and an empty answer is an error.
_OUTPUT_CODES: dict[str, str | None] = {"example_missing_assistant_message": None,
                                        "unrecognized_role": None, "empty_content": "empty_output"}


def _check_output(output: Any, key: str, line: int, add: AddFinding) -> tuple[dict, int, int] | None:
    """(the answer message, its characters, its hash), or None after reporting why it is unusable
    (the chat checks report a missing or empty content, malformed tool calls...)."""
    if type(output) is not list or not output:
        add(line, "missing_output", field=key, key=key)
        return None
    if len(output) != 1:
        add(line, "output_not_one_message", field=key, key=key, count=len(output))
        return None
    message = output[0]
    info = check_example({"messages": output}, line, _Renamed(add, key, _OUTPUT_CODES))
    if type(message) is not dict:
        return None
    role = message.get("role")
    if role != "assistant":
        if role is not None:  # a missing role is already message_missing_key
            add(line, "output_not_assistant", field=f"{key}[0].role", key=key, role=str(role))
        return None
    if info is None or not _has_answer(message):
        return None
    return message, info.chars, info.key


def _has_answer(message: dict) -> bool:
    content = message.get("content")
    if type(content) is str and content.strip():
        return True
    if type(content) is list and content:
        return True
    return bool(message.get("tool_calls") or message.get("function_call"))


def same_answer(a: dict, b: dict) -> bool:
    """Whether two answers say the same: equal messages, or equal texts up to surrounding spaces."""
    if a == b:
        return True
    ca, cb = a.get("content"), b.get("content")
    return type(ca) is str and type(cb) is str and ca.strip() == cb.strip() and \
        {k: v for k, v in a.items() if k != "content"} == {k: v for k, v in b.items() if k != "content"}


def is_pair(value: Any) -> bool:
    """True for a record in OpenAI's DPO shape (whether or not it is valid)."""
    return type(value) is dict and "preferred_output" in value and "non_preferred_output" in value


class PairDropper:
    """For ``afinar data fix``: ``(code, params)`` for a pair to leave out (a repeat of an earlier
    line, or two identical answers), None for one to keep. Call it on every record, in order."""

    def __init__(self) -> None:
        self.seen: dict[int, int] = {}  # hash of the pair's JSON (keys sorted) → first line

    def __call__(self, value: Any, line: int) -> tuple[str, dict[str, Any]] | None:
        if not is_pair(value):
            return None
        answers = [value[key][0] for key in OUTPUT_KEYS
                   if type(value[key]) is list and len(value[key]) == 1 and type(value[key][0]) is dict]
        if len(answers) == 2 and same_answer(*answers):
            return "identical_outputs", {}
        first = self.seen.setdefault(hash(json.dumps(value, sort_keys=True)), line)
        return ("duplicate_pair", {"first_line": first}) if first != line else None


def read_pairs(path: str | Path) -> list[dict[str, Any]]:
    """The pairs of ``path`` whose line has no error, in file order (see the module docstring).

    Each is ``{"messages": list, "chosen": dict, "rejected": dict}``, plus ``"tools"`` (list) and
    ``"parallel_tool_calls"`` (bool) when the input has them. Lines with errors are left out;
    ``afinar data validate`` says why. Raises AfinarError when the file does not exist.
    """
    path = Path(path)
    if not path.is_file():
        raise AfinarError("common.file_not_found", path=str(path))
    bad_lines: set[int] = set()

    def add(line: int, code: str, severity: str | None = None, **params: Any) -> None:
        if (severity or SEVERITY[code]) == ERROR:
            bad_lines.add(line)

    pairs: list[tuple[int, dict[str, Any]]] = []
    with open(path, "rb") as fh:
        for record in iter_records(fh, add, check_mojibake=False):
            if check_pair(record.value, record.line, add) is None:
                continue
            value = record.value
            pair = {"messages": value["input"]["messages"], "chosen": value["preferred_output"][0],
                    "rejected": value["non_preferred_output"][0]}
            for key in ("tools", "parallel_tool_calls"):
                if key in value["input"]:
                    pair[key] = value["input"][key]
            pairs.append((record.line, pair))
    return [pair for line, pair in pairs if line not in bad_lines]
