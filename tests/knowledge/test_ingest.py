"""Ingestion: exact line coverage, headings, indicator tables, idempotence."""

from __future__ import annotations

import dataclasses
import shutil

import pytest
from sqlalchemy import func, select

from knowledge.ingest import catalogue as catalogue_module
from knowledge.ingest.catalogue import CatalogueError, catalogue, load_catalogue, read_lines
from knowledge.ingest.parse import classify_heading
from knowledge.ingest.store import ingest
from knowledge.models import Document, Indicator, Passage, Section


def test_sources_are_the_published_documents_unchanged() -> None:
    seeds = catalogue_module.SOURCES_DIR.parent.parent.parent / "shared" / "seeds"
    for spec in catalogue():
        assert spec.path.read_bytes() == (seeds / spec.source).read_bytes()


def test_every_line_is_in_exactly_one_passage(uow) -> None:
    for document in uow.session.execute(select(Document)).scalars():
        passages = uow.session.execute(
            select(Passage).where(Passage.document_id == document.id).order_by(Passage.start_line)
        ).scalars()
        covered = [n for p in passages for n in range(p.start_line, p.end_line + 1)]
        assert covered == list(range(1, document.line_count + 1)), document.source


def test_passage_text_is_the_source_text(uow) -> None:
    for document in uow.session.execute(select(Document)).scalars():
        lines = read_lines(catalogue_module.SOURCES_DIR / document.source)
        for passage in uow.session.execute(
            select(Passage).where(Passage.document_id == document.id, Passage.kind == "text")
        ).scalars():
            assert passage.text == lines[passage.start_line - 1].strip()


@pytest.mark.parametrize(
    ("source", "title", "depth", "start"),
    [
        ("001_5fc364c34bb5a4b3.txt", "第一章  规划背景", 0, 17),
        ("001_5fc364c34bb5a4b3.txt", "（一）养老服务体系初步构建", 2, 22),
        ("002_85bef532ee174bb3.txt", "第三章 建立健全基本养老服务体系", 0, 181),
        ("002_85bef532ee174bb3.txt", "第二节 强化养老服务兜底保障功能", 1, 191),
        ("000_e9de9589e02bb568.txt", "（一）“十三五”发展成效", 1, 10),
        ("004_c26267be5f76219b.txt", "（五）提高家庭照护能力", 1, 25),
    ],
)
def test_headings_and_their_ranges(uow, source: str, title: str, depth: int, start: int) -> None:
    section = uow.session.execute(
        select(Section).join(Document).where(Document.source == source, Section.title == title)
    ).scalar_one()
    assert (section.depth, section.start_line) == (depth, start)
    assert section.end_line >= section.start_line


def test_table_of_contents_is_not_read_as_headings(uow) -> None:
    toc_sections = uow.session.execute(
        select(func.count(Section.id))
        .join(Document)
        .where(Document.source == "002_85bef532ee174bb3.txt", Section.start_line < 82)
    ).scalar_one()
    assert toc_sections == 0


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("第一章  规划背景", ("chapter", 0, "第一章  规划背景", True)),
        ("（二）基本原则", ("subitem", 3, "（二）基本原则", True)),
        ("（五）提高家庭照护能力。弘扬传统文化。", ("subitem", 3, "（五）提高家庭照护能力", False)),
        ("1．面临挑战", ("point", 4, "1．面临挑战", True)),
        ("2025年，全市所有养老机构完成等级评定全覆盖。", None),
        ("为加快实施国家战略，制定本规划。", None),
    ],
)
def test_heading_classification(line: str, expected) -> None:  # type: ignore[no-untyped-def]
    assert classify_heading(line) == expected


@pytest.mark.parametrize(
    ("source", "name", "baseline", "target", "kind"),
    [
        (
            "000_e9de9589e02bb568.txt",
            "护理型床位数占养老机构床位总数比例（%）",
            None,
            "70",
            "约束性",
        ),
        (
            "000_e9de9589e02bb568.txt",
            "居家适老化改造户数（含社会老年人家庭）（户）",
            None,
            "10000",
            "预期性",
        ),
        ("001_5fc364c34bb5a4b3.txt", "护理人员总量（名）", "3700", "10000", "预期性"),
        ("001_5fc364c34bb5a4b3.txt", "困难老年人居家适老化改造（万户）", None, "1.2", "预期性"),
        ("002_85bef532ee174bb3.txt", "养老服务床位总量", None, "达到 25 万张", "预期性"),
        ("002_85bef532ee174bb3.txt", "养老机构护理型养老床位占比", None, "≥ 60%", "约束性"),
        ("003_dabcbaf02ab27736.txt", "养老护理员人数", "2000", "≥4200", None),
        ("003_dabcbaf02ab27736.txt", "建成家庭养老床位数", None, "7000", None),
    ],
)
def test_indicator_rows(uow, source, name, baseline, target, kind) -> None:  # type: ignore[no-untyped-def]
    row = uow.session.execute(
        select(Indicator).join(Document).where(Document.source == source, Indicator.name == name)
    ).scalar_one()
    assert (row.baseline, row.target, row.kind) == (baseline, target, kind)
    lines = read_lines(catalogue_module.SOURCES_DIR / source)
    cited = "".join(lines[row.start_line - 1 : row.end_line])
    assert name in cited and target in cited


def test_indicator_counts(uow) -> None:
    counts = dict(
        uow.session.execute(
            select(Document.source, func.count(Indicator.id))
            .join(Indicator)
            .group_by(Document.source)
        ).all()
    )
    assert counts == {
        "000_e9de9589e02bb568.txt": 19,
        "001_5fc364c34bb5a4b3.txt": 18,
        "002_85bef532ee174bb3.txt": 16,
        "003_dabcbaf02ab27736.txt": 15,
    }


def test_reingesting_unchanged_sources_changes_nothing(uow) -> None:
    before = uow.session.execute(select(func.count(Passage.id))).scalar_one()
    report = ingest(uow)
    uow.commit()
    assert not report.changed and len(report.unchanged) == 5
    assert uow.session.execute(select(func.count(Passage.id))).scalar_one() == before


def test_a_changed_source_is_reingested(uow, tmp_path, monkeypatch) -> None:
    sources = tmp_path / "sources"
    shutil.copytree(catalogue_module.SOURCES_DIR, sources)
    monkeypatch.setattr(catalogue_module, "SOURCES_DIR", sources)
    edited = sources / "004_c26267be5f76219b.txt"
    edited.write_text(edited.read_text(encoding="utf-8") + "\n新增一行。", encoding="utf-8")
    specs = tuple(dataclasses.replace(spec) for spec in load_catalogue())
    report = ingest(uow, specs)
    assert report.updated == ["004_c26267be5f76219b.txt"] and len(report.unchanged) == 4
    last = uow.session.execute(
        select(Passage)
        .join(Document)
        .where(Document.source == "004_c26267be5f76219b.txt")
        .order_by(Passage.start_line.desc())
        .limit(1)
    ).scalar_one()
    assert last.text == "新增一行。"
    uow.session.rollback()


@pytest.mark.parametrize(
    ("mutation", "message"),
    [
        (lambda d: d.update(colour="red"), "unknown fields"),
        (lambda d: d["tables"][0].update(lines=[51, 99999]), "outside"),
        (lambda d: d.update(region="北京市"), "unknown region"),
        (lambda d: d["tables"][0].update(columns=["name", "height"]), "columns"),
    ],
)
def test_catalogue_is_validated(tmp_path, mutation, message: str) -> None:  # type: ignore[no-untyped-def]
    import yaml

    raw = yaml.safe_load(catalogue_module.DATA_FILE.read_text(encoding="utf-8"))
    mutation(raw["documents"][0])
    path = tmp_path / "documents.yml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CatalogueError, match=message):
        load_catalogue(path)
