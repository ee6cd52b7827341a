"""Evaluate a person's profile against the benefit catalogue.

For each benefit of the person's region (and of the province whose document
also applies), the result is:
- `not_eligible` when a stated condition is known to fail;
- `maybe` when a condition depends on a fact not given, when an official
  assessment decides (能力评估, 经济状况核对), when the document leaves who
  qualifies unstated, or when it only pilots or encourages the benefit;
- `eligible` otherwise.
Each result carries Chinese reasons and the citation; `missing` lists the
facts that would settle the `maybe`s, the one that settles most first.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from knowledge.eligibility.catalogue import ATTRIBUTES, Benefit, Condition, benefits
from knowledge.regions import gazetteer
from knowledge.zh.age import AgeReading

ELIGIBLE, MAYBE, NOT_ELIGIBLE = "eligible", "maybe", "not_eligible"
FACT_QUESTIONS = {
    "age": "老人今年多大岁数？",
    "economic_status": "家里是特困、低保、低收入，还是一般家庭？",
    "self_care": "老人生活能自理吗？还是半失能、失能（瘫在床上）？",
    "living": "老人是一个人住、老两口住，还是跟家人住？",
    "disability": "老人有残疾吗（重度残疾）？",
    "receives_disability_care_subsidy": "老人现在领残疾人护理补贴吗？",
    "special_family": "是计划生育特殊家庭吗？",
    "hukou_local": "老人是本地户口吗？",
}
COMMITMENT_NOTES = {
    "pilot": "文件里说的是“试点/探索”，不一定已经在您那里实行",
    "encouraged": "文件里说的是“鼓励/支持”，不是一定能享受的待遇",
}


@dataclass(frozen=True)
class Result:
    benefit: Benefit
    status: str
    reasons: list[str]
    amount: str | None
    missing: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The API's result shape (also sent to chat clients)."""
        return {
            "id": self.benefit.id,
            "name": self.benefit.name,
            "region": self.benefit.region,
            "status": self.status,
            "amount": self.amount,
            "reasons": self.reasons,
            "citations": [self.benefit.citation.as_dict()],
            "next_step": self.benefit.next_step,
        }


@dataclass(frozen=True)
class Evaluation:
    results: list[Result]
    missing: list[str]  # facts that would settle `maybe`s, most useful first


def _amount(benefit: Benefit, profile: dict[str, Any]) -> str | None:
    """The stated amount for this person, or all stated amounts when the
    deciding fact is unknown; None when the document states none."""
    matching = [a for a in benefit.amounts if all(profile.get(k) == v for k, v in a.when.items())]
    chosen = matching or [a for a in benefit.amounts if any(profile.get(k) is None for k in a.when)]
    if not chosen:
        return None
    return "、".join(f"{a.value:g}{a.unit}" for a in chosen)


def _check(condition: Condition, profile: dict[str, Any]) -> bool | None:
    """True/False when the known facts decide the condition, else None.

    A vague age (八十好几 → 81–89) decides only when every age it may be
    decides the same way."""
    value = profile.get(condition.attribute)
    if value is None:
        return None
    if isinstance(value, AgeReading):
        outcomes = {condition.holds(age) for age in range(value.minimum, value.maximum + 1)}
        return outcomes.pop() if len(outcomes) == 1 else None
    return condition.holds(value)


def evaluate_benefit(benefit: Benefit, profile: dict[str, Any]) -> Result:
    outcomes = [(c, _check(c, profile)) for c in benefit.conditions]
    failed = [c for c, holds in outcomes if holds is False]
    unknown = [c for c, holds in outcomes if holds is None]
    if failed:
        reasons = [f"条件是{c.describe()}，不符合" for c in failed]
        return Result(benefit, NOT_ELIGIBLE, reasons, None)
    reasons = [f"符合：{c.describe()}" for c, holds in outcomes if holds]
    reasons += [f"还要看：{c.describe()}" for c in unknown]
    if benefit.unstated:
        reasons.append(benefit.unstated)
    if benefit.assessment:
        reasons.append(f"最后要经过{benefit.assessment}认定")
    if benefit.commitment in COMMITMENT_NOTES:
        reasons.append(COMMITMENT_NOTES[benefit.commitment])
    certain = (
        not unknown
        and not benefit.unstated
        and not benefit.assessment
        and benefit.commitment == "committed"
    )
    return Result(
        benefit,
        ELIGIBLE if certain else MAYBE,
        reasons,
        _amount(benefit, profile),
        [c.attribute for c in unknown],
    )


class ContradictoryProfileError(ValueError):
    """Two facts about the person cannot both be true."""

    def __init__(self, first: str, second: str, why: str) -> None:
        super().__init__(why)
        self.facts = (first, second)
        self.why = why


# (if fact, then fact, why): the only rule one fact implies about another.
# The contrapositive holds too: not disabled → no disability care subsidy.
IMPLICATIONS = (
    (
        ("receives_disability_care_subsidy", True),
        ("disability", True),
        "残疾人护理补贴是发给重度残疾人的，领着这项补贴就是重度残疾人",
    ),
)


def complete(profile: dict[str, Any]) -> dict[str, Any]:
    """The profile with what its facts imply; ContradictoryProfileError when two
    given facts cannot both hold (领残疾人护理补贴 but 没有残疾)."""
    completed = dict(profile)
    for (if_fact, if_value), (then_fact, then_value), why in IMPLICATIONS:
        given_if, given_then = profile.get(if_fact), profile.get(then_fact)
        if given_if == if_value and given_then not in (None, then_value):
            raise ContradictoryProfileError(if_fact, then_fact, why)
        if given_if == if_value:
            completed[then_fact] = then_value
        elif given_then is not None and given_then != then_value:
            completed.setdefault(if_fact, not if_value)
    return completed


def evaluate(profile: dict[str, Any], region: str) -> Evaluation:
    unknown = set(profile) - set(ATTRIBUTES) - {"region"}
    if unknown:
        raise ValueError(f"unknown profile facts: {sorted(unknown)}")
    profile = complete(profile)
    regions = gazetteer().applicable(region)
    results = [evaluate_benefit(b, profile) for b in benefits() if b.region in regions]
    order = {ELIGIBLE: 0, MAYBE: 1, NOT_ELIGIBLE: 2}
    results.sort(key=lambda r: (order[r.status], regions.index(r.benefit.region)))
    counts = Counter(attribute for r in results if r.status == MAYBE for attribute in r.missing)
    return Evaluation(results, [attribute for attribute, _ in counts.most_common()])


def highlights(evaluation: Evaluation, limit: int = 3) -> list[Result]:
    """The results to mention first when speaking: certain before possible,
    committed before piloted, a stated amount before none, and benefits
    specific to this person (more conditions met) before ones for everyone."""

    def rank(result: Result) -> tuple[int, bool, bool, int, bool]:
        return (
            result.status != ELIGIBLE,
            result.benefit.commitment != "committed",
            result.amount is None,
            -len(result.benefit.conditions),
            result.benefit.kind != "cash",
        )

    possible = [r for r in evaluation.results if r.status != NOT_ELIGIBLE]
    return sorted(possible, key=rank)[:limit]
