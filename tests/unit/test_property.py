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
