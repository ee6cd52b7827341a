"""A test provider written straight to the database: a 无锡 梁溪区 meal
point with 5 places per meal, closed on Sundays; override any column."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from knowledge.db import unit_of_work
from knowledge.models import Provider


def add_provider(engine: Engine, **overrides: object) -> int:
    values: dict[str, object] = {
        "code": "T-MEAL",
        "kind": "meal",
        "name": "清名桥长者食堂",
        "region": "无锡市",
        "district": "梁溪区",
        "street": "清名桥街道",
        "address": "清名桥街道2号",
        "phone": "051000000000",
        "services": ["堂食", "送餐上门"],
        "periods": ["lunch", "dinner"],
        "daily_capacity": 5,
        "dine_in": True,
        "delivery": True,
        "service_area": ["清名桥街道"],
        "closed_weekdays": [6],
    }
    values.update(overrides)
    with unit_of_work(engine) as uow:
        provider = Provider(**values)
        uow.session.add(provider)
        uow.session.flush()
        return provider.id
