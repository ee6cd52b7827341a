"""POST /api/eligibility: which benefits the documents say a person may get."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, StrictBool, StrictInt, StrictStr, validator

from gateway.errors import error_response
from knowledge.eligibility.engine import FACT_QUESTIONS, ContradictoryProfileError, evaluate
from knowledge.regions import gazetteer

router = APIRouter()


class Profile(BaseModel):
    """Any fact may be omitted; an omitted fact is unknown, not "no"."""

    region: StrictStr
    age: StrictInt | None = None
    economic_status: Literal["特困", "低保", "低收入", "一般"] | None = None
    self_care: Literal["自理", "半失能", "失能"] | None = None
    living: Literal["独居", "空巢", "与家人同住"] | None = None
    disability: StrictBool | None = None
    receives_disability_care_subsidy: StrictBool | None = None
    special_family: StrictBool | None = None
    hukou_local: StrictBool | None = None

    class Config:
        extra = "forbid"

    @validator("age")
    def _age(cls, value: int | None) -> int | None:  # noqa: N805
        if value is not None and not 0 <= value <= 125:
            raise ValueError("年龄应在0到125岁之间")
        return value


@router.post("/api/eligibility")
async def eligibility(profile: Profile) -> Any:
    region = gazetteer().normalise(profile.region)
    if region is None:
        return error_response(
            422,
            "unknown_region",
            f"没有“{profile.region}”的政策文件，目前只有：{gazetteer().listing}",
        )
    facts = {k: v for k, v in profile.dict(exclude={"region"}).items() if v is not None}
    try:
        result = evaluate(facts, region)
    except ContradictoryProfileError as contradiction:
        return error_response(
            422,
            "contradictory_profile",
            f"{contradiction.why}，这两项说法对不上，请核对。",
            fields=list(contradiction.facts),
        )
    return {
        "region": region,
        "benefits": [r.as_dict() for r in result.results],
        "missing": [{"fact": f, "question": FACT_QUESTIONS[f]} for f in result.missing],
    }
