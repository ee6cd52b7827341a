"""Region gazetteer: every district, county and short name → its region.

The data lives in knowledge/data/regions.yml. The NLU resources (lookup table,
synonyms, jieba dictionary) are generated from the same file by
`scripts/gen_nlu_resources.py`, so the bot and the services agree on names.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

import yaml

DATA_FILE = Path(__file__).resolve().parent / "data" / "regions.yml"


@dataclass(frozen=True)
class Region:
    name: str
    aliases: tuple[str, ...]
    places: dict[str, tuple[str, ...]] = field(default_factory=dict)
    also_covered_by: tuple[str, ...] = ()

    def surface_forms(self) -> list[str]:
        """Every name a caller may use for this region or a place in it."""
        forms = [self.name, *self.aliases]
        for place, short in self.places.items():
            forms.extend([place, *short])
        return forms


@dataclass(frozen=True)
class Gazetteer:
    regions: tuple[Region, ...]

    @property
    def names(self) -> list[str]:
        return [r.name for r in self.regions]

    @property
    def listing(self) -> str:
        """The covered regions as said to a caller: 无锡市、赣州市、…"""
        return "、".join(self.names)

    @cached_property
    def index(self) -> dict[str, str]:
        """Surface form → canonical region name (ambiguous names fail loudly)."""
        table: dict[str, str] = {}
        for region in self.regions:
            for form in region.surface_forms():
                previous = table.setdefault(form, region.name)
                if previous != region.name:
                    raise ValueError(f"{form} belongs to both {previous} and {region.name}")
        return table

    def normalise(self, text: str | None) -> str | None:
        """The region a name refers to, or None if it is not one we cover.

        Accepts canonical names, districts, counties and short names; a name
        contained in a longer phrase ("宜兴那边") is found by the longest match.
        """
        if not text:
            return None
        text = text.strip()
        table = self.index
        if text in table:
            return table[text]
        for form in sorted(table, key=len, reverse=True):
            if len(form) >= 2 and form in text:
                return table[form]
        return None

    def region(self, name: str) -> Region | None:
        """The region with this canonical name (its places, aliases …)."""
        return next((r for r in self.regions if r.name == name), None)

    def applicable(self, region_name: str) -> list[str]:
        """Regions whose documents apply to a resident of `region_name`."""
        for region in self.regions:
            if region.name == region_name:
                return [region.name, *region.also_covered_by]
        return []


def _load(path: Path) -> Gazetteer:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    regions = tuple(
        Region(
            name=item["name"],
            aliases=tuple(item.get("aliases", [])),
            places={k: tuple(v or []) for k, v in (item.get("places") or {}).items()},
            also_covered_by=tuple(item.get("also_covered_by", [])),
        )
        for item in raw["regions"]
    )
    gazetteer = Gazetteer(regions)
    _ = gazetteer.index  # fail loudly on ambiguous names
    return gazetteer


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    return _load(DATA_FILE)
