"""The bookable services (knowledge/data/services.yml), each with the words
callers use for it and the document line that names it."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from knowledge.citation import Citation, verified

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "services.yml"
KINDS = ("meal", "visit")


@dataclass(frozen=True)
class Service:
    name: str
    kind: str
    aliases: tuple[str, ...]
    citation: Citation


def load_services(path: Path = DATA_FILE) -> tuple[Service, ...]:
    """Load and check the catalogue; a bad entry fails loudly at start-up."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    loaded = []
    for item in raw["services"]:
        where = f"services.yml[{item.get('name')}]"
        if item.get("kind") not in KINDS:
            raise ValueError(f"{where}: kind must be one of {KINDS}")
        cited = item["citation"]
        try:
            citation = verified(cited["source"], tuple(cited["lines"]), cited["quote"])
        except ValueError as error:
            raise ValueError(f"{where}: {error}") from error
        aliases = tuple(item.get("aliases") or ())
        loaded.append(Service(item["name"], item["kind"], aliases, citation))
    names = [s.name for s in loaded]
    if len(names) != len(set(names)):
        raise ValueError("services.yml: duplicate names")
    return tuple(loaded)


@lru_cache(maxsize=1)
def services() -> tuple[Service, ...]:
    return load_services()


def service_named(text: str, kind: str | None = None) -> str | None:
    """The catalogue name for a service name or alias said in `text` (the
    longest match wins: 上门护理 before 护理)."""
    forms = [
        (form, s.name)
        for s in services()
        if kind in (None, s.kind)
        for form in (s.name, *s.aliases)
    ]
    for form, name in sorted(forms, key=lambda pair: -len(pair[0])):
        if form in text:
            return name
    return None
