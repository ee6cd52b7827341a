"""The document catalogue (knowledge/data/documents.yml), validated on load."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "documents.yml"
SOURCES_DIR = Path(__file__).resolve().parent.parent / "sources"

DOCUMENT_FIELDS = {
    "source",
    "title",
    "short_name",
    "region",
    "issuer",
    "doc_number",
    "issued_on",
    "tables",
    "skip",
}
TABLE_FIELDS = {"caption", "lines", "layout", "header", "columns"}
COLUMN_ROLES = {"category", "name", "baseline", "target", "kind", "number"}


def read_lines(path: Path) -> list[str]:
    """The file's lines as editors number them (a final newline ends the last
    line; it does not start another). Only "\n" separates lines."""
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    return lines[:-1] if text.endswith("\n") else lines


class CatalogueError(ValueError):
    """documents.yml is inconsistent with itself or with the source files."""


@dataclass(frozen=True)
class TableSpec:
    caption: str | None
    lines: tuple[int, int]
    layout: str
    header: int
    columns: tuple[str, ...]


@dataclass(frozen=True)
class DocumentSpec:
    source: str
    title: str
    short_name: str
    region: str
    issuer: str | None
    doc_number: str | None
    issued_on: dt.date | None
    tables: tuple[TableSpec, ...] = ()
    skip: tuple[tuple[int, int], ...] = field(default=())

    @property
    def path(self) -> Path:
        return SOURCES_DIR / self.source


def _range(value: object, line_count: int, where: str) -> tuple[int, int]:
    if not (isinstance(value, list) and len(value) == 2 and all(isinstance(v, int) for v in value)):
        raise CatalogueError(f"{where}: expected [first, last] line numbers, got {value!r}")
    first, last = value
    if not 1 <= first <= last <= line_count:
        raise CatalogueError(f"{where}: lines {first}-{last} outside 1-{line_count}")
    return first, last


def _table(raw: dict, line_count: int, where: str) -> TableSpec:
    unknown = set(raw) - TABLE_FIELDS
    if unknown:
        raise CatalogueError(f"{where}: unknown table fields {sorted(unknown)}")
    columns = tuple(raw["columns"])
    if not set(columns) <= COLUMN_ROLES or "name" not in columns:
        raise CatalogueError(f"{where}: columns must be among {sorted(COLUMN_ROLES)} incl. name")
    if raw["layout"] not in ("cells", "rows"):
        raise CatalogueError(f"{where}: layout must be cells or rows")
    return TableSpec(
        caption=raw.get("caption"),
        lines=_range(raw["lines"], line_count, where),
        layout=raw["layout"],
        header=int(raw["header"]),
        columns=columns,
    )


def load_catalogue(path: Path = DATA_FILE) -> tuple[DocumentSpec, ...]:
    from knowledge.regions import gazetteer

    specs = []
    for raw in yaml.safe_load(path.read_text(encoding="utf-8"))["documents"]:
        where = f"documents.yml[{raw.get('source')}]"
        unknown = set(raw) - DOCUMENT_FIELDS
        if unknown:
            raise CatalogueError(f"{where}: unknown fields {sorted(unknown)}")
        source = SOURCES_DIR / raw["source"]
        if not source.is_file():
            raise CatalogueError(f"{where}: no such source file {source}")
        if raw["region"] not in gazetteer().names:
            raise CatalogueError(f"{where}: unknown region {raw['region']}")
        line_count = len(read_lines(source))
        specs.append(
            DocumentSpec(
                source=raw["source"],
                title=raw["title"],
                short_name=raw["short_name"],
                region=raw["region"],
                issuer=raw.get("issuer"),
                doc_number=raw.get("doc_number"),
                issued_on=raw.get("issued_on"),
                tables=tuple(
                    _table(t, line_count, f"{where}.tables[{i}]")
                    for i, t in enumerate(raw.get("tables") or [])
                ),
                skip=tuple(_range(r, line_count, f"{where}.skip") for r in raw.get("skip") or []),
            )
        )
    return tuple(specs)


@lru_cache(maxsize=1)
def catalogue() -> tuple[DocumentSpec, ...]:
    return load_catalogue()
