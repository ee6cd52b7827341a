"""The benefit catalogue (knowledge/data/benefits.yml), validated on load.

Every entry cites the source lines it comes from; the quote must be in those
lines and every stated amount in the quote. Unknown fields, conditions on
unknown attributes or values, and citations outside a file fail loudly.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from knowledge.citation import Citation, verified

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "benefits.yml"

ENUMS: dict[str, tuple[str, ...]] = {
    "economic_status": ("特困", "低保", "低收入", "一般"),
    "self_care": ("自理", "半失能", "失能"),
    "living": ("独居", "空巢", "与家人同住"),
}
BOOLEANS = ("disability", "receives_disability_care_subsidy", "special_family", "hukou_local")
ATTRIBUTES = ("age", *ENUMS, *BOOLEANS)
FIELDS = {
    "id",
    "region",
    "name",
    "kind",
    "commitment",
    "conditions",
    "assessment",
    "unstated",
    "amounts",
    "citation",
    "next_step",
}
KINDS = ("cash", "service", "insurance", "facility")
COMMITMENTS = ("committed", "pilot", "encouraged")
ASSESSMENTS = (None, "能力评估", "经济状况核对", "资格审核")


class BenefitCatalogueError(ValueError):
    """benefits.yml is malformed or cites something the source does not say."""


@dataclass(frozen=True)
class Condition:
    attribute: str
    allowed: tuple[Any, ...] | None = None  # for enums and booleans
    minimum: int | None = None
    maximum: int | None = None

    def holds(self, value: Any) -> bool:
        if self.allowed is not None:
            return value in self.allowed
        return (self.minimum is None or value >= self.minimum) and (
            self.maximum is None or value <= self.maximum
        )

    def describe(self) -> str:
        if self.attribute == "age":
            if self.minimum is not None and self.maximum is not None:
                return f"年龄{self.minimum}到{self.maximum}岁"
            if self.minimum is not None:
                return f"年满{self.minimum}岁"
            return f"{self.maximum}岁及以下"
        if self.attribute in BOOLEANS:
            label = BOOLEAN_LABELS[self.attribute]
            return label if self.allowed == (True,) else f"不是{label}"
        return "、".join(str(v) for v in self.allowed or ())


BOOLEAN_LABELS = {
    "disability": "残疾人（重残）",
    "receives_disability_care_subsidy": "已领残疾人护理补贴",
    "special_family": "计划生育特殊家庭",
    "hukou_local": "本地户籍",
}


@dataclass(frozen=True)
class Amount:
    when: dict[str, Any]
    value: float
    unit: str


@dataclass(frozen=True)
class Benefit:
    id: str
    region: str
    name: str
    kind: str
    commitment: str
    conditions: tuple[Condition, ...]
    assessment: str | None
    # What the document leaves open about who qualifies (高龄 without an age,
    # 无监护人), in words for the caller; such a benefit is never certain.
    unstated: str | None
    amounts: tuple[Amount, ...]
    citation: Citation
    next_step: str


def _condition(raw: dict[str, Any], where: str) -> Condition:
    attribute = raw.get("attribute")
    if attribute not in ATTRIBUTES:
        raise BenefitCatalogueError(f"{where}: unknown attribute {attribute!r}")
    keys = set(raw) - {"attribute"}
    if attribute == "age":
        if not keys or not keys <= {"min", "max"}:
            raise BenefitCatalogueError(f"{where}: age takes min and/or max")
        return Condition("age", minimum=raw.get("min"), maximum=raw.get("max"))
    if attribute in BOOLEANS:
        if keys != {"is"} or not isinstance(raw["is"], bool):
            raise BenefitCatalogueError(f"{where}: {attribute} takes is: true|false")
        return Condition(attribute, allowed=(raw["is"],))
    values = raw.get("in")
    if keys != {"in"} or not values or not set(values) <= set(ENUMS[attribute]):
        raise BenefitCatalogueError(
            f"{where}: {attribute} takes in: a subset of {ENUMS[attribute]}"
        )
    return Condition(attribute, allowed=tuple(values))


def _citation(raw: dict[str, Any], amounts: tuple[Amount, ...], where: str) -> Citation:
    quote = str(raw.get("quote") or "")
    try:
        citation = verified(str(raw.get("source")), tuple(raw["lines"]), quote)
    except ValueError as error:
        raise BenefitCatalogueError(f"{where}: {error}") from error
    for amount in amounts:
        number = f"{amount.value:g}"
        if number not in quote:
            raise BenefitCatalogueError(f"{where}: amount {number} is not in the quote")
    return citation


def _benefit(raw: dict[str, Any], regions: list[str]) -> Benefit:
    where = f"benefits.yml[{raw.get('id')}]"
    unknown = set(raw) - FIELDS
    if unknown:
        raise BenefitCatalogueError(f"{where}: unknown fields {sorted(unknown)}")
    if raw.get("region") not in regions:
        raise BenefitCatalogueError(f"{where}: unknown region {raw.get('region')!r}")
    if raw.get("kind") not in KINDS or raw.get("commitment") not in COMMITMENTS:
        raise BenefitCatalogueError(f"{where}: kind must be {KINDS}, commitment {COMMITMENTS}")
    if raw.get("assessment") not in ASSESSMENTS:
        raise BenefitCatalogueError(f"{where}: assessment must be one of {ASSESSMENTS}")
    if raw.get("unstated") is not None and not isinstance(raw["unstated"], str):
        raise BenefitCatalogueError(f"{where}: unstated is a sentence for the caller")
    conditions = tuple(_condition(c, where) for c in raw.get("conditions") or [])
    amounts = []
    for item in raw.get("amounts") or []:
        when = dict(item.get("when") or {})
        for attribute, value in when.items():
            allowed = ENUMS.get(attribute, ()) + ((True, False) if attribute in BOOLEANS else ())
            if value not in allowed:
                raise BenefitCatalogueError(f"{where}: amount for unknown {attribute}={value!r}")
        amounts.append(Amount(when, float(item["value"]), item["unit"]))
    return Benefit(
        id=raw["id"],
        region=raw["region"],
        name=raw["name"],
        kind=raw["kind"],
        commitment=raw["commitment"],
        conditions=conditions,
        assessment=raw.get("assessment"),
        unstated=raw.get("unstated"),
        amounts=tuple(amounts),
        citation=_citation(raw["citation"], tuple(amounts), where),
        next_step=raw["next_step"],
    )


def load_benefits(path: Path = DATA_FILE) -> tuple[Benefit, ...]:
    from knowledge.regions import gazetteer

    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    benefits = tuple(_benefit(item, gazetteer().names) for item in raw["benefits"])
    ids = [b.id for b in benefits]
    if len(ids) != len(set(ids)):
        raise BenefitCatalogueError("benefits.yml: duplicate ids")
    return benefits


@lru_cache(maxsize=1)
def benefits() -> tuple[Benefit, ...]:
    return load_benefits()
