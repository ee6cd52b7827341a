"""Policy knowledge API: search, cited answers, region comparison.

GET  /api/knowledge/search?q=…&region=…&k=5
POST /api/ask {"question", "region"}
GET  /api/knowledge/compare?topic=…&regions=无锡市,赣州市   (all regions without `regions`)
GET  /api/knowledge/regions                                  the regions and their districts
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, StrictStr, validator

from gateway.errors import error_response
from gateway.routes.providers import region_filter
from knowledge.db import in_transaction
from knowledge.regions import gazetteer
from knowledge.search.index import Hit
from knowledge.services import policy

router = APIRouter()


class AskRequest(BaseModel):
    question: StrictStr
    region: StrictStr | None = None

    @validator("question")
    def _question(cls, value: str) -> str:  # noqa: N805
        value = value.strip()
        if not value:
            raise ValueError("问题是空的，请输入要问的内容")
        if len(value) > policy.MAX_QUESTION_CHARS:
            raise ValueError(f"问题太长了，请不超过{policy.MAX_QUESTION_CHARS}个字")
        return value


def result(hit: Hit) -> dict[str, Any]:
    entry = hit.entry
    return {
        "source": entry.source,
        "lines": [entry.start_line, entry.end_line],
        "document": entry.document,
        "section": entry.section,
        "text": entry.text,
        "score": hit.score,
    }


def _query_error(text: str, name: str) -> Any:
    text = text.strip()
    if not text:
        return error_response(422, "invalid_request", f"请求内容有误：{name} 不能为空")
    if len(text) > policy.MAX_QUESTION_CHARS:
        return error_response(
            422, "invalid_request", f"请求内容有误：{name} 不能超过{policy.MAX_QUESTION_CHARS}个字"
        )
    return None


@router.get("/api/knowledge/search")
async def search(
    q: str = Query(..., max_length=10_000),
    region: str | None = Query(None, max_length=50),
    k: int = Query(5, ge=1, le=policy.MAX_K),
) -> Any:
    if (error := _query_error(q, "q")) is not None:
        return error
    try:
        hits = await in_transaction(policy.search, q.strip(), region or None, k)
    except policy.UnknownRegionError as unknown:
        return error_response(422, "unknown_region", str(unknown))
    return {"results": [result(hit) for hit in hits]}


@router.post("/api/ask")
async def ask(body: AskRequest) -> Any:
    try:
        answer = await in_transaction(policy.ask, body.question, body.region or None)
    except policy.UnknownRegionError as unknown:
        return error_response(422, "unknown_region", str(unknown))
    return {
        "answer": answer.answer,
        "found": answer.found,
        "citations": [c.as_dict() for c in answer.citations],
    }


@router.get("/api/knowledge/compare")
async def compare(
    topic: str = Query(..., max_length=10_000),
    k: int = Query(3, ge=1, le=10),
    regions: str | None = Query(None, max_length=200),
) -> Any:
    if (error := _query_error(topic, "topic")) is not None:
        return error
    wanted = None
    if regions and regions.strip():
        wanted = [region_filter(name) for name in regions.split(",") if name.strip()]
    per_region = await in_transaction(policy.compare, topic.strip(), k, wanted)
    return {
        "topic": topic.strip(),
        "regions": [
            {"region": region, "results": [result(hit) for hit in hits]}
            for region, hits in per_region.items()
        ],
    }


@router.get("/api/knowledge/regions")
async def regions() -> Any:
    return {
        "regions": [
            {"name": region.name, "places": list(region.places)} for region in gazetteer().regions
        ]
    }
