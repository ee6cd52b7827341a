"""Where a statement comes from: document, section and line numbers.

One shape for every answer the assistant gives (policy answers, eligibility
results), so channels render and speak sources the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from knowledge.ingest.catalogue import catalogue, read_lines
from knowledge.ingest.parse import parse_document


@dataclass(frozen=True)
class Citation:
    source: str
    lines: tuple[int, int]
    document: str
    section: str
    quote: str

    def as_dict(self) -> dict[str, object]:
        """The API's citation shape (also sent to chat clients)."""
        return {
            "source": self.source,
            "lines": list(self.lines),
            "document": self.document,
            "section": self.section,
            "quote": self.quote,
        }

    @property
    def short_name(self) -> str:
        return next((s.short_name for s in catalogue() if s.source == self.source), self.document)

    def spoken(self) -> str:
        """《赣州规划》（二）… 第30行: short enough to say aloud."""
        section = self.section.split(" > ")[-1] if self.section else ""
        first, last = self.lines
        lines = f"第{first}行" if first == last else f"第{first}到{last}行"
        return f"《{self.short_name}》{section}{lines}"


@cache
def _section_spans(source: str) -> tuple[tuple[int, int, str], ...]:
    spec = next(s for s in catalogue() if s.source == source)
    parsed = parse_document(read_lines(spec.path), spec)
    return tuple((s.start_line, s.end_line, " > ".join(s.path())) for s in parsed.sections)


def locate(source: str, lines: tuple[int, int], quote: str) -> Citation:
    """A citation of `lines` of a catalogued source, with its document title
    and the innermost section containing the first line."""
    spec = next((s for s in catalogue() if s.source == source), None)
    if spec is None:
        raise KeyError(f"{source} is not in the document catalogue")
    containing = [
        (end - start, path)
        for start, end, path in _section_spans(source)
        if start <= lines[0] <= end
    ]
    section = min(containing)[1] if containing else ""
    return Citation(source, lines, spec.title, section, quote)


def verified(source: str, lines: tuple[int, int], quote: str) -> Citation:
    """`locate`, after checking that the quote really is in those lines of a
    catalogued source: data files cite the documents, and a citation that
    does not hold must stop the loader, not reach a caller."""
    spec = next((s for s in catalogue() if s.source == source), None)
    if spec is None:
        raise ValueError(f"no catalogued source {source!r}")
    text = read_lines(spec.path)
    first, last = lines
    if not 1 <= first <= last <= len(text):
        raise ValueError(f"lines {first}-{last} outside 1-{len(text)} of {source}")
    cited = "".join(line.strip() for line in text[first - 1 : last])
    if not quote or quote not in cited:
        raise ValueError(f"quote is not in {source} lines {first}-{last}")
    return locate(source, (first, last), quote)
