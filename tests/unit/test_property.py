"""Property-based: whatever bytes or JSON arrive, validate and fix answer with findings, never a crash."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from afinar.data.fix import fix_file
from afinar.data.validate import ValidateOptions, validate
from afinar.errors import AfinarError

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(
        st.sampled_from(["messages", "role", "content", "weight", "name", "tool_calls", "x"]) | st.text(max_size=5),
        children, max_size=4),
    max_leaves=12,
)
lines = st.one_of(
    json_values.map(lambda v: json.dumps(v, ensure_ascii=False)),
    st.text(max_size=40),
    st.sampled_from(["", "{", "}", "[", "]", ",", '{"messages": [', "  {", "  },", "\ufeff{}"]),
)


def _check(path: Path, tmp: Path) -> None:
    for task in ("chat", "text-classification"):
        report = validate(path, ValidateOptions(task=task))
        assert isinstance(report.valid, bool)
        for finding in report.findings:
            assert finding.message("es") and finding.hint("en")
    try:
        result = fix_file(path, tmp / "fixed.out")
    except AfinarError as err:  # a refusal is an answer too; it must be explainable
        assert err.message("es") and err.message("en")
    else:
        assert (tmp / "fixed.out").exists() and result.mode in ("jsonl", "text")


@SETTINGS
@given(data=st.binary(max_size=400))
def test_random_bytes(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "random.jsonl"
    path.write_bytes(data)
    _check(path, tmp_path)


@SETTINGS
@given(rows=st.lists(lines, max_size=12), crlf=st.booleans())
def test_random_jsonl_lines(tmp_path: Path, rows: list[str], crlf: bool) -> None:
    path = tmp_path / "random.jsonl"
    path.write_text(("\r\n" if crlf else "\n").join(rows), encoding="utf-8", errors="surrogatepass")
    _check(path, tmp_path)


@SETTINGS
@given(value=json_values)
def test_random_json_document(tmp_path: Path, value) -> None:
    path = tmp_path / "random.json"
    path.write_text(json.dumps(value, indent=2), encoding="utf-8")
    _check(path, tmp_path)


plain_messages = st.lists(st.fixed_dictionaries({
    "role": st.sampled_from(["system", "user", "assistant", "tool", "function"]),
    "content": st.sampled_from(["", "  ", "hola", "¿Qué tal?", "x" * 50]) | st.text(max_size=20),
}), max_size=5)


@settings(max_examples=300, deadline=None)
@given(messages=plain_messages)
def test_fast_plain_path_matches_general_path(messages) -> None:
    """The msgspec fast path must report exactly what the general checks report, with the same key."""
    import msgspec

    from afinar.data.chat_schema import PlainExample, check_example, check_plain

    value = {"messages": messages}
    general: list = []
    fast: list = []
    info_general = check_example(value, 7, lambda *a, **k: general.append((a, k)))
    info_fast = check_plain(msgspec.convert(value, PlainExample), 7, lambda *a, **k: fast.append((a, k)))
    assert fast == general
    assert info_fast == info_general


# Lines of the shapes the batch path reads (system prompts, accented text, name, weight, tool
# messages) mixed with lines that need the general path (tool calls, wrong types, blanks, broken
# JSON, mojibake, a pretty-printed object), so batches start and stop anywhere.
_texts = st.sampled_from(["hola", "¿Qué tal la garantía?", "  ", "", "envío gratis", "canciÃ³n", "x" * 70])
_message = st.fixed_dictionaries(
    {"role": st.sampled_from(["system", "user", "assistant", "tool", "function", "bot"]), "content": _texts},
    optional={"name": st.sampled_from(["ana", 3]), "weight": st.sampled_from([0, 1, 2, True]),
              "tool_call_id": st.just("call_1")})
_tool_call = {"role": "assistant", "content": None,
              "tool_calls": [{"id": "call_1", "type": "function",
                              "function": {"name": "precio", "arguments": "{\"modelo\": \"X1\"}"}}]}
# Tool-calling examples (the ToolExample path): assistant messages with or without tool_calls and
# content, top-level tools valid or not, written in different key orders (same content: duplicates).
_calling = st.fixed_dictionaries(
    {"role": st.just("assistant")},
    optional={"content": st.sampled_from([None, "", "ok", 3]), "weight": st.sampled_from([0, 1]),
              "tool_calls": st.sampled_from([_tool_call["tool_calls"], [], [{"function": {"name": "precio"}}],
                                             [{"id": "c", "function": {"name": "p", "arguments": "{}"}, "x": 1}]])})
_tools = st.sampled_from([
    [{"type": "function", "function": {"name": "precio", "parameters": {"type": "object", "properties": {}}}}],
    [{"function": {"parameters": {"properties": {}, "type": "object"}, "name": "precio"}, "type": "function"}],
    [], [{"type": "function"}], "no", [{"function": {"name": "p", "n": 12345678901234567890123}}]])
_with_tools = st.fixed_dictionaries(
    {"messages": st.lists(_message | _calling, max_size=4), "tools": _tools},
    optional={"parallel_tool_calls": st.sampled_from([True, None, 1]), "functions": st.just([])})
_example_lines = st.one_of(
    st.lists(_message, max_size=4).map(lambda m: json.dumps({"messages": m}, ensure_ascii=False)),
    st.lists(_message, max_size=3).map(lambda m: json.dumps({"messages": m + [_tool_call]})),
    st.tuples(_with_tools, st.sampled_from([(", ", ": "), (",", ":")])).map(
        lambda v: json.dumps(v[0], ensure_ascii=False, separators=v[1])),
    st.sampled_from(["", "  ", "{", '{"messages": [', "]}", '{"messages": []}', "[1]", "{\"messages\": 3},",
                     '{"messages": [{"role": "user", "content": "\\u00c3\\u00b3"}]}']),
)


def _reformatted(row: str) -> str:
    """The same JSON value written another way (sorted keys, no spaces): the same example."""
    try:
        return json.dumps(json.loads(row), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    except ValueError:
        return row


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(_example_lines, max_size=40), repeat=st.integers(0, 3), block=st.sampled_from([16, 64, 4096]))
def test_batch_path_reports_exactly_what_the_general_path_reports(tmp_path: Path, monkeypatch, rows,
                                                                  repeat: int, block: int) -> None:
    """Whole files, both ways: the batch path (msgspec + C-level counting) and the general path
    (orjson + check_example, one record at a time) give byte-identical reports."""
    from afinar.data import chat_validate, jsonl_batches

    rows = rows + rows[:repeat] + [_reformatted(row) for row in rows[len(rows) - repeat:]]  # some duplicates
    path = tmp_path / "mixed.jsonl"
    path.write_text("\n".join(rows), encoding="utf-8")
    scan = chat_validate._scan
    with monkeypatch.context() as patch:
        patch.setattr(jsonl_batches, "BLOCK_BYTES", block)  # tiny blocks: runs cut everywhere
        fast = validate(path, ValidateOptions(task="chat", max_tokens=20)).to_dict("en")
        patch.setattr(chat_validate, "_scan", lambda *a: scan(*a, fast=False))
        slow = validate(path, ValidateOptions(task="chat", max_tokens=20)).to_dict("en")
    assert json.dumps(fast, ensure_ascii=False) == json.dumps(slow, ensure_ascii=False)


@settings(max_examples=100, deadline=None)
@given(hashes=st.lists(st.integers(-3, 3), max_size=60), lines=st.lists(st.integers(1, 3), max_size=60))
def test_duplicates_by_dict_and_by_numpy_agree(hashes, lines) -> None:
    from afinar.data.duplicates import NO_KEY, DuplicateFinder

    finder, line = DuplicateFinder(), 1
    for key, step in zip(hashes, lines + [1] * len(hashes)):
        line += step
        finder.add(key, line)
    by_dict, by_numpy = finder.duplicates(dict_limit=10**9), finder.duplicates(dict_limit=-1)
    assert by_dict == by_numpy
    firsts: dict[int, int] = {}
    expected = []
    for i, key in enumerate(hashes):
        if key == NO_KEY:  # a line without an example: never a duplicate, never a first
            continue
        if key in firsts:
            expected.append((finder._line(i), finder._line(firsts[key])))
        firsts.setdefault(key, i)
    assert by_dict == expected


@settings(max_examples=300, deadline=None)
@given(rows=st.lists(st.binary(max_size=9).map(lambda b: b.replace(b"\n", b"")), max_size=12),
       end=st.booleans(), chunk=st.integers(1, 9), factor=st.integers(1, 4), by_find=st.booleans())
def test_line_blocks_cut_lines_like_split(rows, end: bool, chunk: int, factor: int, by_find: bool) -> None:
    import io

    from afinar.data import textio
    from afinar.data.textio import iter_lines

    data = b"\n".join(rows) + (b"\n" if end and rows else b"")
    max_line = chunk * factor
    expected, offset = [], 0
    for n, row in enumerate(rows):
        if row or n < len(rows) - 1 or not data.endswith(row) or end:
            expected.append((n + 1, offset, row if len(row) <= max_line else None))
        offset += len(row) + 1
    long_line, textio._LONG_LINE = textio._LONG_LINE, 0 if by_find else 1 << 30  # either way of splitting
    try:
        got = list(iter_lines(io.BytesIO(data), chunk_bytes=chunk, max_line=max_line))
    finally:
        textio._LONG_LINE = long_line
    assert got == [e for e in expected if not (e[0] == len(rows) and not rows[-1] and not end)]


def test_a_line_put_back_by_a_failed_join_at_a_block_end_is_still_checked_for_mojibake(tmp_path: Path,
                                                                                      monkeypatch) -> None:
    """Found by the property above: a cut-off "{" tries to join the next line and puts it back; when
    the file's last line came as a block of its own, that block's lack of mojibake hints used to
    hide the put-back line's "canciÃ³n" from the general path (the batch path saw it)."""
    from afinar.data import chat_validate

    path = tmp_path / "cortado.jsonl"
    path.write_text('{\n{"messages": [{"role": "system", "content": "canciÃ³n"}]}\n{', encoding="utf-8")
    fast = validate(path, ValidateOptions(task="chat")).to_dict("en")
    scan = chat_validate._scan
    monkeypatch.setattr(chat_validate, "_scan", lambda *a: scan(*a, fast=False))
    slow = validate(path, ValidateOptions(task="chat")).to_dict("en")
    assert [(w["line"], w["code"]) for w in slow["warnings"]] == [(2, "mojibake")]
    assert json.dumps(fast, ensure_ascii=False) == json.dumps(slow, ensure_ascii=False)
