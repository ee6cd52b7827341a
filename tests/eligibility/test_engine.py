"""Engine rules on hand-made entries: eligible / maybe / not_eligible,
boundaries, missing facts, amounts."""

from __future__ import annotations

import pytest

from knowledge.citation import locate
from knowledge.eligibility.catalogue import Amount, Benefit, Condition
from knowledge.eligibility.engine import (
    ELIGIBLE,
    MAYBE,
    NOT_ELIGIBLE,
    ContradictoryProfileError,
    complete,
    evaluate_benefit,
)
from knowledge.zh.age import AgeReading

CITATION = locate("001_5fc364c34bb5a4b3.txt", (30, 30), "…")


def benefit(
    *conditions: Condition,
    commitment: str = "committed",
    assessment=None,  # type: ignore[no-untyped-def]
    amounts: tuple[Amount, ...] = (),
    unstated: str | None = None,
) -> Benefit:
    return Benefit(
        "t",
        "赣州市",
        "测试",
        "cash",
        commitment,
        conditions,
        assessment,
        unstated,
        amounts,
        CITATION,
        "咨询民政部门",
    )


AGE_80 = Condition("age", minimum=80)
AGE_65 = Condition("age", minimum=65)
TEKUN = Condition("economic_status", allowed=("特困",))
NO_DISABILITY_SUBSIDY = Condition("receives_disability_care_subsidy", allowed=(False,))
CARE = benefit(
    TEKUN,
    amounts=(
        Amount({"self_care": "失能"}, 1200, "元/月"),
        Amount({"self_care": "半失能"}, 300, "元/月"),
        Amount({"self_care": "自理"}, 70, "元/月"),
    ),
)


@pytest.mark.parametrize(("age", "status"), [(79, NOT_ELIGIBLE), (80, ELIGIBLE), (81, ELIGIBLE)])
def test_age_boundary_80(age: int, status: str) -> None:
    assert evaluate_benefit(benefit(AGE_80), {"age": age}).status == status


@pytest.mark.parametrize(("age", "status"), [(64, NOT_ELIGIBLE), (65, ELIGIBLE)])
def test_age_boundary_65(age: int, status: str) -> None:
    assert evaluate_benefit(benefit(AGE_65), {"age": age}).status == status


def test_missing_fact_is_maybe_not_no() -> None:
    result = evaluate_benefit(benefit(AGE_80, TEKUN), {"age": 85})
    assert result.status == MAYBE and result.missing == ["economic_status"]
    assert any("还要看" in r for r in result.reasons)


def test_a_known_failing_condition_wins_over_missing_facts() -> None:
    result = evaluate_benefit(benefit(AGE_80, TEKUN), {"age": 70})
    assert result.status == NOT_ELIGIBLE and "不符合" in result.reasons[0]


def test_assessment_and_pilots_are_never_certain() -> None:
    assert evaluate_benefit(benefit(AGE_80, assessment="能力评估"), {"age": 90}).status == MAYBE
    piloted = evaluate_benefit(benefit(AGE_80, commitment="pilot"), {"age": 90})
    assert piloted.status == MAYBE and any("试点" in r for r in piloted.reasons)


def test_exclusion_of_those_already_receiving_the_disability_care_subsidy() -> None:
    low_income_care = benefit(
        Condition("economic_status", allowed=("低保",)),
        Condition("self_care", allowed=("失能",)),
        NO_DISABILITY_SUBSIDY,
    )
    base = {"economic_status": "低保", "self_care": "失能"}
    assert (
        evaluate_benefit(low_income_care, base | {"receives_disability_care_subsidy": True}).status
        == NOT_ELIGIBLE
    )
    assert (
        evaluate_benefit(low_income_care, base | {"receives_disability_care_subsidy": False}).status
        == ELIGIBLE
    )
    assert evaluate_benefit(low_income_care, base).missing == ["receives_disability_care_subsidy"]


@pytest.mark.parametrize(
    ("self_care", "amount"),
    [
        ("失能", "1200元/月"),
        ("半失能", "300元/月"),
        ("自理", "70元/月"),
        (None, "1200元/月、300元/月、70元/月"),
    ],
)
def test_amount_follows_the_stated_table(self_care: str | None, amount: str) -> None:
    profile = {"economic_status": "特困"} | ({"self_care": self_care} if self_care else {})
    assert evaluate_benefit(CARE, profile).amount == amount


def test_no_amount_when_the_document_states_none() -> None:
    assert evaluate_benefit(benefit(AGE_80), {"age": 90}).amount is None


@pytest.mark.parametrize(
    ("reading", "status"),
    [
        (AgeReading(81, 89), ELIGIBLE),  # 八十好几: every age it may be is 80+
        (AgeReading(71, 79), NOT_ELIGIBLE),  # 七十好几
        (AgeReading(78, 82), MAYBE),  # 八十来岁: could be either side
    ],
)
def test_vague_age_decides_only_when_the_whole_range_does(reading: AgeReading, status: str) -> None:
    result = evaluate_benefit(benefit(AGE_80), {"age": reading})
    assert result.status == status
    assert result.missing == (["age"] if status == MAYBE else [])


def test_citations_carry_document_and_section() -> None:
    assert CITATION.document.startswith("赣州")
    assert CITATION.section and CITATION.spoken().startswith("《赣州规划》")


def test_what_the_document_leaves_open_is_never_certain() -> None:
    result = evaluate_benefit(benefit(unstated="文件没有写明多大年龄可以领"), {"age": 90})
    assert result.status == MAYBE and "文件没有写明多大年龄可以领" in result.reasons


def test_receiving_the_disability_care_subsidy_implies_disability() -> None:
    assert complete({"receives_disability_care_subsidy": True})["disability"] is True
    assert complete({"disability": False})["receives_disability_care_subsidy"] is False
    assert complete({"disability": True}) == {"disability": True}  # implies nothing


def test_contradictory_facts_are_refused_not_guessed() -> None:
    with pytest.raises(ContradictoryProfileError) as raised:
        complete({"receives_disability_care_subsidy": True, "disability": False})
    assert set(raised.value.facts) == {"receives_disability_care_subsidy", "disability"}
