"""Write parsed documents to the database, idempotently.

A document is re-ingested only when its fingerprint (the source file's bytes
plus its catalogue entry) changed; re-running on unchanged sources writes
nothing. Each document is replaced inside the caller's transaction, so a
failure leaves the previous version intact.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field

from sqlalchemy import delete, select

from knowledge.db import UnitOfWork
from knowledge.ingest.catalogue import DocumentSpec, catalogue, read_lines
from knowledge.ingest.parse import ParsedSection, parse_document
from knowledge.models import Document, Indicator, Passage, Section


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)


def fingerprint(spec: DocumentSpec) -> str:
    digest = hashlib.sha256(spec.path.read_bytes())
    digest.update(json.dumps(asdict(spec), default=str, sort_keys=True).encode())
    return digest.hexdigest()


def _delete_document(uow: UnitOfWork, document_id: int) -> None:
    for model in (Passage, Indicator, Section):
        uow.session.execute(delete(model).where(model.document_id == document_id))
    uow.session.execute(delete(Document).where(Document.id == document_id))


def _write(uow: UnitOfWork, spec: DocumentSpec, digest: str) -> None:
    lines = read_lines(spec.path)
    parsed = parse_document(lines, spec)
    document = Document(
        source=spec.source,
        sha256=digest,
        title=spec.title,
        short_name=spec.short_name,
        region=spec.region,
        issuer=spec.issuer,
        doc_number=spec.doc_number,
        issued_on=spec.issued_on,
        line_count=len(lines),
    )
    uow.session.add(document)
    uow.session.flush()
    section_ids: dict[int, int] = {}
    for section in parsed.sections:  # parents come before their children
        row = Section(
            document_id=document.id,
            kind=section.kind,
            depth=section.depth,
            title=section.title,
            start_line=section.start_line,
            end_line=section.end_line,
            parent_id=section_ids[id(section.parent)] if section.parent else None,
        )
        uow.session.add(row)
        uow.session.flush()
        section_ids[id(section)] = row.id

    def section_id(section: ParsedSection | None) -> int | None:
        return section_ids[id(section)] if section else None

    uow.session.add_all(
        Passage(
            document_id=document.id,
            section_id=section_id(p.section),
            kind=p.kind,
            topic=p.topic,
            start_line=p.start_line,
            end_line=p.end_line,
            text=p.text,
        )
        for p in parsed.passages
    )
    uow.session.add_all(
        Indicator(document_id=document.id, **asdict(indicator)) for indicator in parsed.indicators
    )
    uow.session.flush()


def ingest(uow: UnitOfWork, specs: tuple[DocumentSpec, ...] | None = None) -> IngestReport:
    """Bring the knowledge tables in line with the catalogue and sources."""
    specs = catalogue() if specs is None else specs
    report = IngestReport()
    existing = {d.source: d for d in uow.session.execute(select(Document)).scalars()}
    for spec in specs:
        digest = fingerprint(spec)
        current = existing.pop(spec.source, None)
        if current is not None and current.sha256 == digest:
            report.unchanged.append(spec.source)
            continue
        if current is not None:
            _delete_document(uow, current.id)
            uow.session.flush()
            report.updated.append(spec.source)
        else:
            report.added.append(spec.source)
        _write(uow, spec, digest)
    for stale in existing.values():
        _delete_document(uow, stale.id)
        report.removed.append(stale.source)
    return report
