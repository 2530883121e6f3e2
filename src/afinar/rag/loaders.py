"""Documents from files: txt, md, pdf (pypdf), csv/tsv (one document per row, header as context),
html (stdlib ``html.parser``), and folders of them (walked recursively, sorted, hidden files skipped).

A loaded file is a :class:`Document`: its path, its bytes' sha256 (re-indexing skips unchanged
files) and its sections — a whole text file, a PDF page, a CSV row — each with where it came from
(``{"page": 3}``, ``{"row": 7}``: the line number of the row in the file). No torch here.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from afinar.data.csvread import sniff_delimiter
from afinar.data.textio import decode_text
from afinar.errors import AfinarError

TEXT_SUFFIXES = (".txt", ".md", ".markdown", ".rst", ".text")
SUFFIXES = (*TEXT_SUFFIXES, ".pdf", ".csv", ".tsv", ".html", ".htm")
MAX_FILE_BYTES = 200 * 1024 * 1024


@dataclass
class Section:
    text: str
    where: dict[str, int] = field(default_factory=dict)
    keep_lines: bool = False  # each line stands alone (a CSV row's "column: value" lines)


@dataclass
class Document:
    path: Path
    sha256: str
    sections: list[Section]

    @property
    def source(self) -> str:
        return str(self.path)


def collect_files(paths: list[Path]) -> list[Path]:
    """The supported files named by ``paths`` (folders expanded). Missing paths raise AfinarError;
    a file named explicitly with an unsupported extension too (inside folders they are skipped)."""
    found: list[Path] = []
    for given in paths:
        path = given.expanduser()
        if not path.exists():
            raise AfinarError("common.file_not_found", path=str(path))
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                rel = child.relative_to(path).parts
                if child.is_file() and child.suffix.lower() in SUFFIXES and not any(p.startswith(".") for p in rel):
                    found.append(child.resolve())
        elif path.suffix.lower() in SUFFIXES:
            found.append(path.resolve())
        else:
            raise AfinarError("rag.load.unsupported", path=str(path), suffix=path.suffix or "-",
                              choices=", ".join(SUFFIXES))
    return list(dict.fromkeys(found))


def load(path: Path) -> Document:
    """Read one file into a Document. Unreadable content raises AfinarError naming the file."""
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise AfinarError("rag.load.too_big", path=str(path), mb=size // (1024 * 1024),
                          limit=MAX_FILE_BYTES // (1024 * 1024))
    raw = path.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        sections = _pdf(path, raw)
    elif suffix in (".csv", ".tsv"):
        sections = _csv(path, raw)
    elif suffix in (".html", ".htm"):
        sections = [Section(html_to_text(decode_text(raw)[0]))]
    elif suffix in (".md", ".markdown"):
        sections = [Section(re.sub(r"<!--.*?-->", "", decode_text(raw)[0], flags=re.DOTALL))]
    else:
        sections = [Section(decode_text(raw)[0])]
    sections = [s for s in sections if s.text.strip()]
    return Document(path, digest, sections)


def _pdf(path: Path, raw: bytes) -> list[Section]:
    import logging

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(raw))
        if reader.is_encrypted:
            raise AfinarError("rag.load.pdf_encrypted", path=str(path))
        return [Section(page.extract_text() or "", {"page": n}) for n, page in enumerate(reader.pages, 1)]
    except AfinarError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError) as err:
        raise AfinarError("rag.load.bad_pdf", path=str(path), error=f"{type(err).__name__}: {err}") from None


def _csv(path: Path, raw: bytes) -> list[Section]:
    """One section per row: ``column: value`` lines, so each chunk keeps the header as context."""
    text = decode_text(raw)[0]
    delimiter = sniff_delimiter(text[:65536], path.suffix)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        return []
    except csv.Error as err:
        raise AfinarError("rag.load.bad_csv", path=str(path), line=1, error=str(err)) from None
    sections = []
    try:
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            names = header + [f"col{i + 1}" for i in range(len(header), len(row))]
            lines = [f"{name}: {value.strip()}" for name, value in zip(names, row) if value.strip()]
            sections.append(Section("\n".join(lines), {"row": reader.line_num}, keep_lines=True))
    except csv.Error as err:
        raise AfinarError("rag.load.bad_csv", path=str(path), line=reader.line_num, error=str(err)) from None
    return sections


class _TextExtractor(HTMLParser):
    SKIP = frozenset({"script", "style", "noscript", "template", "svg"})
    BLOCK = frozenset({"p", "div", "br", "li", "ul", "ol", "tr", "table", "section", "article", "header",
                       "footer", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "blockquote", "dd", "dt", "title"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in self.SKIP:
            self.skipping += 1
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """Visible text of an HTML page: scripts and styles dropped, block elements become line breaks."""
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    text = "".join(parser.parts)
    lines = [re.sub(r"[ \t\r\f\v]+", " ", line).strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
