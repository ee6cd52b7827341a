"""Retrieval quality and answer honesty over the project's question set
(tests/knowledge/questions.yml: callers', families' and staff's questions,
each with the source lines that answer it, or none)."""

from __future__ import annotations

import re

import pytest

from knowledge.ingest.catalogue import SOURCES_DIR, catalogue, read_lines
from knowledge.regions import gazetteer
from knowledge.services import policy
from tests.conftest import report_figure
from tests.knowledge.conftest import load_questions

QUESTIONS = load_questions()
FOUND = [q for q in QUESTIONS if q["found"]]
NOT_FOUND = [q for q in QUESTIONS if not q["found"]]
NUMBER = re.compile(r"\d+(?:\.\d+)?")


def covered_region(question: dict) -> str | None:
    return question["region"] if question.get("region") in gazetteer().names else None


def is_hit(hit, expected: list[dict]) -> bool:  # type: ignore[no-untyped-def]
    entry = hit.entry
    return any(
        entry.source == e["source"]
        and entry.start_line <= e["lines"][1]
        and e["lines"][0] <= entry.end_line
        for e in expected
    )


def cited_text(citation) -> str:  # type: ignore[no-untyped-def]
    """The cited lines; for a table row also the table's header lines, where
    its column titles (2025年目标值) are written."""
    lines = read_lines(SOURCES_DIR / citation.source)
    text = "\n".join(lines[citation.lines[0] - 1 : citation.lines[1]])
    spec = next(s for s in catalogue() if s.source == citation.source)
    for table in spec.tables:
        first, last = table.lines
        if first <= citation.lines[0] <= last:
            text += "\n".join(lines[first - 1 : first + 8])
    return text


def test_question_set_is_big_and_varied() -> None:
    assert len(QUESTIONS) >= 100 and len(NOT_FOUND) >= 15
    assert {q["audience"] for q in QUESTIONS} == {"senior", "family", "staff"}
    sources = {e["source"] for q in FOUND for e in q["expect"]}
    assert len(sources) == 5


def test_retrieval_beats_the_targets(uow) -> None:
    hit1 = hit3 = 0
    for question in FOUND:
        hits = policy.search(uow, question["question"], covered_region(question), k=3)
        hit1 += bool(hits) and is_hit(hits[0], question["expect"])
        hit3 += any(is_hit(h, question["expect"]) for h in hits)
    report_figure(
        f"Retrieval ({uow.session.get_bind().dialect.name}): hit@1 {hit1 / len(FOUND):.3f}, "
        f"hit@3 {hit3 / len(FOUND):.3f} over {len(FOUND)} answerable questions"
    )
    assert hit1 / len(FOUND) >= 0.90, f"hit@1 {hit1 / len(FOUND):.3f}"
    assert hit3 / len(FOUND) >= 0.97, f"hit@3 {hit3 / len(FOUND):.3f}"


@pytest.mark.parametrize("question", NOT_FOUND, ids=[q["id"] for q in NOT_FOUND])
def test_questions_the_documents_do_not_answer_are_not_answered(uow, question: dict) -> None:
    answer = policy.ask(uow, question["question"], covered_region(question))
    assert answer.found is False, answer.answer
    # Whatever it quotes as context is verbatim, and it states no figure of its own.
    quoted = "".join(c.quote for c in answer.citations)
    for number in NUMBER.findall(answer.answer):
        assert number in quoted, f"{number} in {answer.answer}"


def test_most_answerable_questions_are_answered(uow) -> None:
    unanswered = [
        q["id"] for q in FOUND if not policy.ask(uow, q["question"], covered_region(q)).found
    ]
    assert len(unanswered) <= 0.05 * len(FOUND), unanswered


@pytest.mark.parametrize("question", QUESTIONS, ids=[q["id"] for q in QUESTIONS])
def test_every_number_in_an_answer_is_in_the_cited_source_lines(uow, question: dict) -> None:
    answer = policy.ask(uow, question["question"], covered_region(question))
    sources = "\n".join(cited_text(c) for c in answer.citations)
    for citation in answer.citations:
        assert citation.quote in cited_text(citation).replace("\n", "") or citation.quote in (
            cited_passage_text(uow, citation)
        )
    for number in NUMBER.findall(answer.answer):
        assert number in sources, f"{number} not in cited lines: {answer.answer}"


def cited_passage_text(uow, citation) -> str:  # type: ignore[no-untyped-def]
    """Table rows are quoted as rendered rows; their cells are in the lines."""
    hits = policy.index(uow).entries
    return next(
        (e.text for e in hits if e.source == citation.source and e.start_line == citation.lines[0]),
        "",
    )


def test_answers_are_short_enough_to_follow_by_ear(uow) -> None:
    for question in FOUND[:40]:
        answer = policy.ask(uow, question["question"], covered_region(question))
        assert len(answer.answer) <= 260, answer.answer


@pytest.mark.parametrize(
    ("question", "region", "expected_sources"),
    [
        ("家庭养老床位", "宜兴", {"000_e9de9589e02bb568.txt", "004_c26267be5f76219b.txt"}),
        ("家庭养老床位", "赣州市", {"001_5fc364c34bb5a4b3.txt"}),
        ("家庭养老床位", "渝中区", {"002_85bef532ee174bb3.txt"}),
    ],
)
def test_region_scope(uow, question: str, region: str, expected_sources: set[str]) -> None:
    hits = policy.search(uow, question, region, k=20)
    assert hits and {h.entry.source for h in hits} <= expected_sources


def test_jiangsu_applies_to_wuxi_callers(uow) -> None:
    hits = policy.search(uow, "养老托育服务设施用地保障", "无锡市", k=5)
    assert any(h.entry.source == "004_c26267be5f76219b.txt" for h in hits)


def test_colloquial_questions_find_policy_terms(uow) -> None:
    hits = policy.search(uow, "俺娘瘫在床上，家里想装扶手", "赣州市", k=3)
    assert any("适老化改造" in h.entry.text for h in hits)


def test_childcare_only_text_is_never_returned(uow) -> None:
    for hit in policy.search(uow, "婴幼儿托育服务 托育机构", "江苏省", k=20):
        assert not re.search("托育|婴幼儿", hit.entry.text) or re.search("老", hit.entry.text)


def test_unknown_region_parameter_is_refused(uow) -> None:
    with pytest.raises(policy.UnknownRegionError):
        policy.search(uow, "高龄津贴", "火星")


def test_a_place_we_have_no_documents_for_is_said_so(uow) -> None:
    answer = policy.ask(uow, "北京80岁以上的老人有啥补贴")
    assert answer.found is False and "北京" in answer.answer and not answer.citations


def test_wrong_amount_is_never_attached_to_another_benefit(uow) -> None:
    """赣州 states 1200/300/70元 for 护理补贴 right after naming 高龄津贴."""
    answer = policy.ask(uow, "赣州的高龄津贴每个月发多少钱", "赣州市")
    assert answer.found is False
    assert not NUMBER.search(answer.answer.replace("80岁", ""))
    care = policy.ask(uow, "赣州特困失能老人的护理补贴一个月多少钱", "赣州市")
    assert care.found and "1200元" in care.answer
