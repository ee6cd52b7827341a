"""Turn one source document into sections, passages and indicator rows.

Pure functions over the file's lines, so the rules can be unit-tested:
- a heading is a short line starting with 第…章, 第…节, 一、, （一） or 1．;
  a long numbered line ("（五）提高家庭照护能力。……") is a paragraph whose
  lead sentence also opens a section (a run-in heading);
- every line belongs to exactly one passage: a paragraph line takes the blank
  lines after it, a table row takes its cells and the filler lines around
  them, a skipped block (table of contents) is one passage;
- indicator tables are read by the layout documents.yml gives for them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from knowledge.ingest.catalogue import DocumentSpec, TableSpec
from knowledge.search.text import childcare_only

NUM = "一二三四五六七八九十"
# (kind, rank, pattern): lower rank = higher in the hierarchy.
HEADING_KINDS = (
    ("chapter", 0, re.compile(f"^第[{NUM}]+章")),
    ("part", 1, re.compile(f"^第[{NUM}]+节")),
    ("item", 2, re.compile(f"^[{NUM}]+、")),
    ("subitem", 3, re.compile(f"^[（(][{NUM}]+[）)]")),
    ("point", 4, re.compile(r"^\d{1,2}[．.、](?!\d)")),
)
MAX_HEADING_CHARS = 40
LIST_NUMBER = re.compile(r"^\d{1,2}[．.、]")


@dataclass
class ParsedSection:
    kind: str
    rank: int
    title: str
    start_line: int
    end_line: int = 0
    parent: ParsedSection | None = None

    @property
    def depth(self) -> int:
        return 0 if self.parent is None else self.parent.depth + 1

    def path(self) -> list[str]:
        return ([] if self.parent is None else self.parent.path()) + [self.title]


@dataclass
class ParsedPassage:
    kind: str  # text | table | heading | skip
    start_line: int
    end_line: int
    text: str
    section: ParsedSection | None = None
    topic: str = "elderly"


@dataclass
class ParsedIndicator:
    caption: str | None
    name: str
    start_line: int
    end_line: int
    category: str | None = None
    baseline: str | None = None
    target: str | None = None
    kind: str | None = None


@dataclass
class ParsedDocument:
    sections: list[ParsedSection] = field(default_factory=list)
    passages: list[ParsedPassage] = field(default_factory=list)
    indicators: list[ParsedIndicator] = field(default_factory=list)


def classify_heading(line: str) -> tuple[str, int, str, bool] | None:
    """(kind, rank, title, standalone) if the line opens a section."""
    text = line.strip()
    for kind, rank, pattern in HEADING_KINDS:
        if not pattern.match(text):
            continue
        if len(text) <= MAX_HEADING_CHARS and not text.endswith(("。", "；")):
            return kind, rank, text, True
        lead = re.split("[。；：]", text, maxsplit=1)[0]
        if len(lead) <= MAX_HEADING_CHARS and len(lead) < len(text):
            return kind, rank, lead, False
        return None
    return None


def heading_text(title: str) -> str:
    """A heading without its number: 第二节 强化兜底保障 → 强化兜底保障."""
    for _, _, pattern in HEADING_KINDS:
        if match := pattern.match(title):
            return title[match.end() :].strip()
    return title.strip()


def topic_of(text: str) -> str:
    return "childcare" if childcare_only(text) else "elderly"


# -- indicator tables --------------------------------------------------------


def _cells(lines: list[str], spec: TableSpec) -> list[tuple[str, int]]:
    """(text, line) of each cell of a one-cell-per-line table; a line without
    a leading tab continues the cell above it (wrapped header or category)."""
    cells: list[tuple[str, int]] = []
    first, last = spec.lines
    for number in range(first, last + 1):
        line = lines[number - 1]
        if line.startswith("\t"):
            cells.append((line.strip(), number))
        elif line.strip() and cells:
            text, start = cells[-1]
            cells[-1] = (text + line.strip(), start)
    return cells


def _rows(lines: list[str], spec: TableSpec) -> list[list[tuple[str, int]]]:
    if spec.layout == "cells":
        cells = _cells(lines, spec)[spec.header :]
        width = len(spec.columns)
        if len(cells) % width:
            raise ValueError(
                f"table at lines {spec.lines}: {len(cells)} cells, not rows of {width}"
            )
        return [cells[i : i + width] for i in range(0, len(cells), width)]
    rows, header = [], None
    first, last = spec.lines
    for number in range(first, last + 1):
        parts = [p.strip() for p in lines[number - 1].split("\t")]
        if len(parts) < 2:
            continue  # caption or blank
        if header is None or parts == header:
            header = parts
            continue
        if len(parts) != len(spec.columns):
            raise ValueError(f"line {number}: {len(parts)} cells, expected {len(spec.columns)}")
        rows.append([(part, number) for part in parts])
    return rows


def parse_table(lines: list[str], spec: TableSpec) -> list[ParsedIndicator]:
    indicators: list[ParsedIndicator] = []
    category: str | None = None
    for row in _rows(lines, spec):
        values = {role: text or None for role, (text, _) in zip(spec.columns, row, strict=False)}
        category = values.get("category") or category
        indicators.append(
            ParsedIndicator(
                caption=spec.caption,
                name=LIST_NUMBER.sub("", values["name"] or ""),
                category=category if "category" in spec.columns else None,
                baseline=_clean_value(values.get("baseline")),
                target=_clean_value(values.get("target")),
                kind=(values.get("kind") or "").removesuffix("指标") or None,
                start_line=row[0][1],
                end_line=row[-1][1],
            )
        )
    return indicators


def _clean_value(value: str | None) -> str | None:
    if value is None or value.strip("-— ") == "":
        return None  # "--" means the table gives no figure
    return value


def render_indicator(indicator: ParsedIndicator, document_name: str) -> str:
    """A table row as a sentence: searchable and readable aloud."""
    table = indicator.caption or f"{document_name}主要指标"
    name = indicator.name
    if indicator.category and indicator.category not in name:
        name = f"{indicator.category}：{name}"
    parts = [f"{table}。{name}"]
    if indicator.baseline:
        parts.append(f"现状值{indicator.baseline}")
    if indicator.target:
        parts.append(f"2025年目标{indicator.target}")
    if indicator.kind:
        parts.append(f"{indicator.kind}指标")
    return "，".join(parts) + "。"


# -- the whole document ------------------------------------------------------


def parse_document(lines: list[str], spec: DocumentSpec) -> ParsedDocument:
    doc = ParsedDocument()
    table_rows: dict[int, ParsedIndicator] = {}  # row start line -> indicator
    for table in spec.tables:
        rows = parse_table(lines, table)
        doc.indicators.extend(rows)
        first = table.lines[0]
        # Row passages tile the table: each row takes the lines up to its end.
        boundaries = [first] + [row.end_line + 1 for row in rows[:-1]]
        for start, row in zip(boundaries, rows, strict=False):
            table_rows[start] = row
    skipped = {line: rng for rng in spec.skip for line in range(rng[0], rng[1] + 1)}

    stack: list[ParsedSection] = []
    number = 1
    while number <= len(lines):
        line = lines[number - 1]
        section = stack[-1] if stack else None
        if number in skipped:
            first, last = skipped[number]
            text = "\n".join(lines[first - 1 : last])
            doc.passages.append(ParsedPassage("skip", first, last, text, section))
            number = last + 1
            continue
        if number in table_rows:
            row = table_rows[number]
            end = _table_passage_end(number, table_rows, spec)
            text = render_indicator(row, spec.short_name)
            doc.passages.append(ParsedPassage("table", number, end, text, section))
            number = end + 1
            continue
        heading = classify_heading(line) if line.strip() else None
        if heading:
            kind, rank, title, standalone = heading
            while stack and stack[-1].rank >= rank:
                stack.pop()
            new = ParsedSection(kind, rank, title, number, parent=stack[-1] if stack else None)
            stack.append(new)
            doc.sections.append(new)
            section = new
            if standalone:
                end = _absorb_blanks(lines, number)
                doc.passages.append(ParsedPassage("heading", number, end, line.strip(), section))
                number = end + 1
                continue
        if not line.strip():
            # Blank lines after a table or at the top of the file.
            end = _blank_run_end(lines, number)
            if doc.passages:
                doc.passages[-1].end_line = end
            else:
                doc.passages.append(ParsedPassage("skip", number, end, "", section))
            number = end + 1
            continue
        end = _absorb_blanks(lines, number)
        text = line.strip()
        doc.passages.append(ParsedPassage("text", number, end, text, section, topic_of(text)))
        number = end + 1

    _close_sections(doc.sections, len(lines))
    return doc


def _table_passage_end(start: int, rows: dict[int, ParsedIndicator], spec: DocumentSpec) -> int:
    """A row's passage runs to the line before the next row of its table, the
    last row's to the end of the table."""
    table = next(t for t in spec.tables if t.lines[0] <= start <= t.lines[1])
    later = sorted(s for s in rows if start < s <= table.lines[1])
    return later[0] - 1 if later else table.lines[1]


def _blank_run_end(lines: list[str], number: int) -> int:
    """Last line of the run of blank lines that starts at line `number`."""
    end = number
    while end < len(lines) and not lines[end].strip():
        end += 1
    return end


def _absorb_blanks(lines: list[str], number: int) -> int:
    """Last line of the passage starting at `number`: it takes the blank
    lines that follow it."""
    if number < len(lines) and not lines[number].strip():
        return _blank_run_end(lines, number + 1)
    return number


def _close_sections(sections: list[ParsedSection], line_count: int) -> None:
    """A section ends where the next section of the same or higher rank begins."""
    for index, section in enumerate(sections):
        section.end_line = line_count
        for later in sections[index + 1 :]:
            if later.rank <= section.rank:
                section.end_line = later.start_line - 1
                break
