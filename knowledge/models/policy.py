"""The policy knowledge base: documents, their headings, passages and
indicator tables, each tied to exact line numbers of the source file."""

from __future__ import annotations

from sqlalchemy import Column, Date, ForeignKey, Integer, String, Text, UniqueConstraint

from knowledge.models.base import Base


class Document(Base):
    __tablename__ = "documents"

    id = Column(Integer, primary_key=True)
    source = Column(String(128), nullable=False, unique=True)  # file name: the citation anchor
    sha256 = Column(String(64), nullable=False)
    title = Column(String(200), nullable=False)
    short_name = Column(String(40), nullable=False)
    region = Column(String(20), nullable=False, index=True)
    issuer = Column(String(100), nullable=True)
    doc_number = Column(String(60), nullable=True)  # 文号
    issued_on = Column(Date, nullable=True)
    line_count = Column(Integer, nullable=False)


class Section(Base):
    """A heading (章/节/一、/（一）/1.) and the lines it governs."""

    __tablename__ = "sections"

    id = Column(Integer, primary_key=True)
    document_id = Column(Integer, ForeignKey("documents.id", ondelete="CASCADE"), nullable=False)
    parent_id = Column(Integer, ForeignKey("sections.id", ondelete="CASCADE"), nullable=True)
    kind = Column(String(16), nullable=False)
    depth = Column(Integer, nullable=False)
    title = Column(String(200), nullable=False)
    start_line = Column(Integer, nullable=False)
    end_line = Column(Integer, nullable=False)


class Passage(Base):
    """A retrievable unit: one paragraph line (with the blank lines after it),
    one indicator-table row, a heading, or a skipped block such as a table of
    contents. Together the passages of a document cover every line once."""

    __tablename__ = "passages"
    __table_args__ = (UniqueConstraint("document_id", "start_line"),)

    id = Column(Integer, primary_key=True)
    document_id = Column(Integer, ForeignKey("documents.id", ondelete="CASCADE"), nullable=False)
    section_id = Column(Integer, ForeignKey("sections.id", ondelete="SET NULL"), nullable=True)
    kind = Column(String(16), nullable=False)  # text | table | heading | skip
    topic = Column(String(16), nullable=False, default="elderly")  # elderly | childcare
    start_line = Column(Integer, nullable=False)
    end_line = Column(Integer, nullable=False)
    text = Column(Text, nullable=False)


class Indicator(Base):
    """One row of an indicator table (指标, baseline, 2025 target, 属性)."""

    __tablename__ = "indicators"

    id = Column(Integer, primary_key=True)
    document_id = Column(Integer, ForeignKey("documents.id", ondelete="CASCADE"), nullable=False)
    caption = Column(String(200), nullable=True)
    category = Column(String(60), nullable=True)
    name = Column(String(200), nullable=False)
    baseline = Column(String(40), nullable=True)
    target = Column(String(40), nullable=True)
    kind = Column(String(20), nullable=True)  # 预期性 | 约束性
    start_line = Column(Integer, nullable=False)
    end_line = Column(Integer, nullable=False)
