"""The real benefit catalogue: it loads (validated), covers every region, and
every entry behaves at its boundaries. Table-driven from the catalogue itself,
so a new entry is tested the day it is added."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from knowledge.eligibility.catalogue import (
    BOOLEANS,
    DATA_FILE,
    ENUMS,
    Benefit,
    BenefitCatalogueError,
    Condition,
    benefits,
    load_benefits,
)
from knowledge.eligibility.engine import ELIGIBLE, MAYBE, NOT_ELIGIBLE, evaluate, evaluate_benefit
from knowledge.regions import gazetteer

BENEFITS = benefits()


def satisfying(condition: Condition) -> Any:
    if condition.allowed is not None:
        return condition.allowed[0]
    return condition.minimum if condition.minimum is not None else condition.maximum


def violating(condition: Condition) -> Any:
    if condition.attribute == "age":
        return condition.minimum - 1 if condition.minimum is not None else condition.maximum + 1
    if condition.attribute in BOOLEANS:
        return not condition.allowed[0]
    others = [v for v in ENUMS[condition.attribute] if v not in condition.allowed]
    return others[0] if others else None


def profile_for(benefit: Benefit) -> dict[str, Any]:
    return {c.attribute: satisfying(c) for c in benefit.conditions}


def test_every_region_has_benefits() -> None:
    assert {b.region for b in BENEFITS} == set(gazetteer().names)


@pytest.mark.parametrize("benefit", BENEFITS, ids=[b.id for b in BENEFITS])
def test_meeting_every_condition_is_eligible_or_pending_assessment(benefit: Benefit) -> None:
    result = evaluate_benefit(benefit, profile_for(benefit))
    certain = (
        benefit.assessment is None
        and benefit.unstated is None
        and benefit.commitment == "committed"
    )
    assert result.status == (ELIGIBLE if certain else MAYBE)


@pytest.mark.parametrize("benefit", BENEFITS, ids=[b.id for b in BENEFITS])
def test_failing_any_condition_is_not_eligible(benefit: Benefit) -> None:
    for condition in benefit.conditions:
        value = violating(condition)
        if value is None:
            continue  # the condition allows every value of its attribute
        result = evaluate_benefit(benefit, profile_for(benefit) | {condition.attribute: value})
        assert result.status == NOT_ELIGIBLE, (condition, value)


@pytest.mark.parametrize("benefit", BENEFITS, ids=[b.id for b in BENEFITS])
def test_an_unknown_fact_is_never_a_no(benefit: Benefit) -> None:
    for condition in benefit.conditions:
        profile = profile_for(benefit)
        del profile[condition.attribute]
        result = evaluate_benefit(benefit, profile)
        assert result.status == MAYBE and condition.attribute in result.missing


@pytest.mark.parametrize("region", gazetteer().names)
def test_every_region_evaluates_an_empty_profile_to_maybes(region: str) -> None:
    evaluation = evaluate({}, region)
    assert evaluation.results
    assert all(r.status in (ELIGIBLE, MAYBE) for r in evaluation.results)


def test_wuxi_residents_also_get_jiangsu_benefits() -> None:
    regions = {r.benefit.region for r in evaluate({}, "无锡市").results}
    assert regions == {"无锡市", "江苏省"}


def _mutated(tmp_path, change) -> Any:  # type: ignore[no-untyped-def]
    raw = yaml.safe_load(DATA_FILE.read_text(encoding="utf-8"))
    change(raw["benefits"][0])
    path = tmp_path / "benefits.yml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda b: b.update(colour="red"), "unknown fields"),
        (lambda b: b.update(conditions=[{"attribute": "height", "min": 1}]), "unknown attribute"),
        (lambda b: b.update(conditions=[{"attribute": "living", "in": ["月球"]}]), "living"),
        (lambda b: b["citation"].update(lines=[1, 99999]), "outside"),
        (lambda b: b["citation"].update(quote="每人每月9999元"), "quote"),
        (lambda b: b.update(amounts=[{"when": {}, "value": 4321, "unit": "元/月"}]), "amount"),
        (lambda b: b.update(region="火星"), "unknown region"),
        (lambda b: b.update(unstated=["年龄"]), "unstated"),
    ],
)
def test_catalogue_validation_fails_loudly(tmp_path, change, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(BenefitCatalogueError, match=message):
        load_benefits(_mutated(tmp_path, change))
