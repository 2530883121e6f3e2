"""Text-classification validation: every code at its line and severity, on tiny fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from afinar.data.textcls_validate import resolve_columns
from afinar.data.validate import ValidateOptions, validate

pytestmark = pytest.mark.unit

FIX = Path(__file__).resolve().parent.parent / "fixtures" / "textcls"
# The fixtures have 16 good examples; these options make size findings not get in the way.
SMALL = ValidateOptions(task="text-classification", min_examples=4, recommended_examples=10)


def run(name: str | Path, options: ValidateOptions = SMALL):
    return validate(FIX / name if isinstance(name, str) else name, options)


def found(report, code: str) -> list[tuple[int, str]]:
    return [(f.line, f.severity) for f in report.findings if f.code == code]


def codes(report) -> set[str]:
    return {f.code for f in report.findings}


def test_clean_file_has_no_findings():
    report = run("clean.csv")
    assert report.findings == []
    assert report.valid and report.examples == 16
    assert report.stats["labels"] == {"negativo": 8, "positivo": 8}
    assert report.stats["columns"] == {"text": "texto", "label": "etiqueta"}


def test_label_variants_case_space_and_typo():
    report = run("label_variants.csv")
    assert found(report, "label_variants") == [(18, "warning"), (19, "warning")]
    variants = {f.params["variant"]: f.params["canonical"] for f in report.findings}
    assert variants == {"Positivo ": "positivo", "positvo": "positivo"}
    # merged: no rare_label for the variants, and the distribution counts them as "positivo"
    assert "rare_label" not in codes(report)
    assert report.stats["labels"]["positivo"] == 10


def test_short_and_numbered_labels_are_not_typos(tmp_path):
    rows = [f"texto {i},clase1" for i in range(9)] + ["otro,clase2"] + [f"t{i},pos" for i in range(9)] + ["u,po"]
    path = tmp_path / "d.csv"
    path.write_text("texto,etiqueta\n" + "\n".join(rows) + "\n", encoding="utf-8")
    assert "label_variants" not in codes(run(path))


def test_duplicate_names_first_line():
    report = run("duplicate.csv")
    assert found(report, "duplicate_example") == [(18, "warning")]
    assert report.findings[0].params["first_line"] == 2


def test_conflicting_labels():
    report = run("conflicting.csv")
    assert found(report, "conflicting_labels") == [(18, "warning")]
    finding = report.findings[0]
    assert finding.params["first_line"] == 3 and finding.params["other_label"] == "positivo"
    assert "duplicate_example" not in codes(report)


def test_missing_text_and_label():
    report = run("missing.csv")
    assert found(report, "missing_text") == [(18, "error")]
    assert found(report, "missing_label") == [(19, "error")]
    assert not report.valid


def test_rare_label():
    report = run("rare_label.csv")
    assert found(report, "rare_label") == [(18, "warning")]
    assert report.findings[0].params["label"] == "neutro"


def test_class_imbalance():
    report = run("imbalance.csv", ValidateOptions(task="text-classification"))
    assert found(report, "class_imbalance") == [(0, "warning")]
    finding = next(f for f in report.findings if f.code == "class_imbalance")
    assert finding.params["largest"] == "positivo" and finding.params["smallest_count"] == 8

def test_field_count_is_invalid_csv():
    report = run("field_count.csv")
    assert found(report, "invalid_csv") == [(18, "error")]
    assert "3 cells" in report.findings[0].message("en")
    assert "3 celdas" in report.findings[0].message("es")


def test_multiline_quoted_field_moves_lines():
    report = run("multiline.csv")
    assert found(report, "duplicate_example") == [(21, "warning")]
    assert report.findings[0].params["first_line"] == 5


def test_unclosed_quote():
    report = run("unclosed_quote.csv")
    assert found(report, "invalid_csv") == [(18, "error")]
    assert "19" in report.findings[0].message("en")


def test_unknown_columns():
    report = run("unknown_columns.csv")
    assert found(report, "unknown_columns") == [(1, "error")]
    assert "id, fecha, valor" in report.findings[0].message("en")
    assert codes(report) == {"unknown_columns"}


def test_headerless_two_columns_are_all_data():
    report = run("headerless.csv")
    assert report.stats["header"] is False
    assert report.examples == 16 and report.findings == []


def test_english_header():
    report = run("english.csv")
    assert report.stats["columns"] == {"text": "review", "label": "sentiment"}
    assert report.findings == []


def test_semicolon_latin1_is_sniffed():
    report = run("semicolon_latin1.csv")
    assert report.findings == []
    assert report.stats["delimiter"] == ";" and report.stats["encoding"] == "cp1252"
    assert report.stats["columns"] == {"text": "frase", "label": "categoría"}


def test_jsonl_text_label():
    report = run("reviews.jsonl")
    assert found(report, "invalid_json") == [(17, "error")]
    assert found(report, "missing_text") == [(18, "error")]
    assert report.stats["labels"] == {"negativo": 8, "positivo": 8}


def test_too_few_examples_error_and_warning():
    report = run("clean.csv", ValidateOptions(task="text-classification", min_examples=20))
    assert found(report, "too_few_examples") == [(0, "error")]
    report = run("clean.csv", ValidateOptions(task="text-classification", min_examples=10))
    assert found(report, "too_few_examples") == [(0, "warning")]


def test_too_few_classes(tmp_path):
    path = tmp_path / "one.csv"
    path.write_text("texto,etiqueta\n" + "".join(f"t{i},positivo\n" for i in range(12)), encoding="utf-8")
    assert found(run(path), "too_few_classes") == [(0, "error")]


def test_nul_byte_row(tmp_path):
    path = tmp_path / "nul.csv"
    path.write_bytes((FIX / "clean.csv").read_bytes() + b"Hola\x00mundo,positivo\n")
    report = run(path)
    assert found(report, "invalid_csv") == [(18, "error")]
    assert report.examples == 17


def test_binary_and_empty_files(tmp_path):
    binary = tmp_path / "bin.csv"
    binary.write_bytes(bytes(range(256)) * 4)
    assert found(run(binary), "invalid_csv") == [(0, "error")]
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert found(run(empty), "empty_file") == [(0, "error")]


def test_messages_exist_in_both_languages():
    report = run("missing.csv")
    for f in report.findings:
        for lang in ("en", "es"):
            assert f.message(lang) and f.hint(lang)


@pytest.mark.parametrize(("first", "following", "expected"), [
    (["texto", "etiqueta"], [["a", "x"]], (0, 1, True)),
    (["Sentimiento", "Reseña"], [["x", "a"]], (1, 0, True)),
    (["id", "texto", "clase"], [["1", "a", "x"]], (1, 2, True)),
    (["review", "stars"], [["a", "5"]], (0, 1, True)),
    (["Muy bueno", "pos"], [["Malo", "neg"], ["Bien", "pos"]], (0, 1, False)),
    (["positivo", "Me gustó"], [["negativo", "Malo"], ["positivo", "Bien"], ["negativo", "Feo"]],
     (1, 0, False)),
    (["a", "b", "c"], [["1", "2", "3"]], None),
])
def test_resolve_columns(first, following, expected):
    assert resolve_columns(first, following) == expected


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=2048))
def test_random_bytes_never_raise(tmp_path_factory, raw):
    path = tmp_path_factory.mktemp("rnd") / "random.csv"
    path.write_bytes(raw)
    report = validate(path, ValidateOptions(task="text-classification"))
    assert report.valid in (True, False)
    for f in report.findings:
        assert f.message("es") and f.hint("en")


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(st.text(max_size=12), min_size=1, max_size=4), max_size=30))
def test_random_csv_cells_never_raise(tmp_path_factory, rows):
    import csv
    import io

    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    path = tmp_path_factory.mktemp("rnd") / "cells.csv"
    path.write_text(buf.getvalue(), encoding="utf-8", errors="surrogatepass")
    report = validate(path, ValidateOptions(task="text-classification"))
    assert report.valid in (True, False)


def test_overlong_line_is_reported_and_skipped(tmp_path, monkeypatch):
    import afinar.data.csvread as csvread

    monkeypatch.setattr(csvread, "MAX_LINE_CHARS", 200)
    path = tmp_path / "long.csv"
    path.write_bytes((FIX / "clean.csv").read_bytes() + b"x" * 1000 + b",positivo\nFin,negativo\n")
    report = run(path)
    assert found(report, "invalid_csv") == [(18, "error")]
    assert report.examples == 17 and report.stats["labels"]["negativo"] == 9


def test_nul_in_every_line_near_the_limit(tmp_path):
    path = tmp_path / "nuls.csv"
    path.write_bytes(b"texto,etiqueta\n" + b"".join(b"t%d\x00xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx,a\n" % i
                                                    for i in range(30)))
    report = run(path)
    assert [f.line for f in report.findings if f.code == "invalid_csv"] == list(range(2, 32))


def test_json_array_items_are_checked_at_their_lines(tmp_path):
    path = tmp_path / "arr.json"
    items = [{"texto": f"reseña {i}", "etiqueta": "ab"[i % 2]} for i in range(12)] + [{"texto": "x", "etiqueta": ""}]
    import json

    path.write_text(json.dumps(items, ensure_ascii=False, indent=1), encoding="utf-8")
    report = run(path)
    assert found(report, "json_array") == [(1, "error")]
    # indent=1: "[" on line 1, each item takes 4 lines, the 13th starts on line 2 + 12 * 4
    assert found(report, "missing_label") == [(50, "error")]
    assert report.stats["columns"] == {"text": "texto", "label": "etiqueta"}


def test_jsonl_trailing_comma_is_reported_and_read(tmp_path):
    path = tmp_path / "tc.jsonl"
    lines = [f'{{"text": "t{i}", "label": "{"ab"[i % 2]}"}}' for i in range(12)]
    lines[3] += ","
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = run(path)
    assert found(report, "trailing_comma") == [(4, "error")]
    assert report.stats["complete_examples"] == 12


def test_csv_whose_first_cell_starts_with_a_bracket(tmp_path):
    path = tmp_path / "spam.csv"
    path.write_text("[SPAM] gana dinero,spam\n" + "".join(f"mensaje {i},{'spam' if i % 2 else 'ham'}\n"
                                                          for i in range(11)), encoding="utf-8")
    report = run(path)
    assert report.stats["header"] is False and report.examples == 12


def test_spreadsheets_ask_to_convert_first(tmp_path):
    from openpyxl import Workbook

    path = tmp_path / "libro.xlsx"
    Workbook().save(path)
    report = run(path)
    assert found(report, "unsupported_format") == [(0, "error")]
    assert "convert" in report.findings[0].hint("en")
