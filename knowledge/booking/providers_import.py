"""Import the provider directory from a CSV file kept in a spreadsheet.

Operators maintain the directory in Excel, so the file may be UTF-8 (with or
without a BOM) or GBK/GB18030, and every problem is reported by the row
number the spreadsheet shows, in Chinese, while the valid rows still go in.
The import is an upsert by `code`: re-importing the same file changes
nothing, and providers missing from a file are left alone (an operator may
keep several files; a provider is withdrawn with active=否).
The format is described in knowledge/data/providers_format.md.

Usage: python -m knowledge.booking.providers_import [CSV ...] [--dry-run]
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import sys
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

from sqlalchemy import select

from knowledge.booking.catalogue import services as catalogue_services
from knowledge.booking.rules import DELIVERY, DINE_IN, MOBILE, WEEKDAY_NAMES
from knowledge.db import UnitOfWork, unit_of_work
from knowledge.models import Provider
from knowledge.regions import gazetteer
from knowledge.zh.dates import MEAL_PERIODS

SAMPLE_FILE = Path(__file__).resolve().parent.parent / "data" / "providers_sample.csv"
COLUMNS = (
    "code",
    "kind",
    "name",
    "region",
    "district",
    "street",
    "address",
    "phone",
    "services",
    "periods",
    "daily_capacity",
    "dine_in",
    "delivery",
    "service_area",
    "closed_weekdays",
    "sample",
    "active",
)
DEFAULTS = {"sample": "否", "active": "是"}  # optional columns, as cell text
REQUIRED = tuple(c for c in COLUMNS if c not in DEFAULTS)
KINDS = {"meal": "meal", "助餐": "meal", "visit": "visit", "上门": "visit"}
KIND_NAMES = {"meal": "助餐点", "visit": "上门服务队"}
PERIOD_WORDS = {
    **{period: period for period in MEAL_PERIODS},
    **{word: period for period, word in MEAL_PERIODS.items()},  # 早餐 …
    "早饭": "breakfast",
    "午饭": "lunch",
    "晚饭": "dinner",
}
TRUE, FALSE = {"是", "true", "1", "y", "yes"}, {"否", "false", "0", "n", "no"}
MAX_CAPACITY = 1000
SEPARATOR = re.compile(r"[|、]")  # `|` as documented; 、 is what people type
LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}$")
WINDOW = re.compile(r"^(\d{1,2}):(\d{2})[-~](\d{1,2}):(\d{2})$")
WEEKDAY = re.compile(r"^(?:周|星期|礼拜)?([一二三四五六日天])$")
# Markup or control characters in a name would reach chat and web clients.
UNSAFE = re.compile(r"[<>\x00-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class RowError:
    """One problem: `row` as the spreadsheet numbers it (header = 1), or
    None for a problem with the whole file."""

    row: int | None
    code: str
    field: str
    message: str

    def __str__(self) -> str:
        if self.row is None:
            return f"整个文件: {self.message}"
        return f"第{self.row}行 [{self.code}] {self.field}: {self.message}"


@dataclass
class ImportReport:
    """What an import did (on a dry run: would do), by provider code."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def bad_rows(self) -> int:
        return len({error.row for error in self.errors})


class _CellError(ValueError):
    """A cell that cannot be imported; the message says why, in Chinese."""


class _FileError(ValueError):
    """A file that cannot be read as a directory at all."""


def _limit(column: str) -> int:
    return Provider.__table__.c[column].type.length  # type: ignore[no-any-return]


def _required(text: str) -> str:
    if not text:
        raise _CellError("不能为空")
    return text


def _plain(column: str, text: str) -> str:
    if UNSAFE.search(text):
        raise _CellError("不能含 < > 或控制字符（名录里不放网页代码）")
    if len(text) > _limit(column):
        raise _CellError(f"太长了，最多{_limit(column)}个字")
    return text


def _items(text: str) -> list[str]:
    """The values of a multi-valued cell, in order, without repeats."""
    return list(dict.fromkeys(item.strip() for item in SEPARATOR.split(text) if item.strip()))


def _flag(text: str) -> bool | None:
    if not text:
        return None
    if text.lower() in TRUE:
        return True
    if text.lower() in FALSE:
        return False
    raise _CellError(f"「{text}」看不懂，填 是 或 否")


def _code(text: str, _: dict[str, Any]) -> str:
    if re.search(r"\s", _required(text)):
        raise _CellError("编号里不能有空格")
    return _plain("code", text)


def _kind(text: str, _: dict[str, Any]) -> str:
    kind = KINDS.get(_required(text).lower())
    if kind is None:
        raise _CellError(f"「{text}」不是 meal（助餐）或 visit（上门）")
    return kind


def _region(text: str, _: dict[str, Any]) -> str:
    region = gazetteer().normalise(_required(text))
    if region is None:
        raise _CellError(f"不认识「{text}」，地区只能是：{gazetteer().listing}")
    return region


def _district(text: str, values: dict[str, Any]) -> str | None:
    region = gazetteer().region(values.get("region") or "")
    _required(text)
    if region is None:  # the region's own error says why
        return None
    for place, aliases in region.places.items():
        if text == place or text in aliases:
            return place
    raise _CellError(f"「{text}」不在{region.name}，可填：{'、'.join(region.places)}")


def _phone(text: str, _: dict[str, Any]) -> str:
    phone = unicodedata.normalize("NFKC", _required(text)).replace(" ", "")
    if not (MOBILE.match(phone) or LANDLINE.match(phone)):
        raise _CellError(f"「{text}」不是手机号（11位、1开头）或座机号（如 0510-80001234）")
    return phone


def _services(text: str, values: dict[str, Any]) -> list[str] | None:
    kind = values.get("kind")
    if kind is None:
        return None
    known = {
        form: service.name
        for service in catalogue_services()
        if service.kind == kind
        for form in (service.name, *service.aliases)
    }
    items = _items(text)
    unknown = [item for item in items if item not in known]
    if unknown:
        allowed = "、".join(s.name for s in catalogue_services() if s.kind == kind)
        raise _CellError(f"{KIND_NAMES[kind]}没有「{'、'.join(unknown)}」这项服务，可填：{allowed}")
    if kind == "visit" and not items:
        raise _CellError("上门服务队至少要填一项服务")
    chosen = {known[item] for item in items}
    return [s.name for s in catalogue_services() if s.name in chosen]


def _window(item: str) -> tuple[str, str]:
    match = WINDOW.match(item)
    if not match:
        raise _CellError(f"「{item}」不是时段，要写成 08:00-12:00")
    hour1, minute1, hour2, minute2 = (int(part) for part in match.groups())
    if max(hour1, hour2) > 23 or max(minute1, minute2) > 59:
        raise _CellError(f"「{item}」里的时间不对")
    start, end = f"{hour1:02d}:{minute1:02d}", f"{hour2:02d}:{minute2:02d}"
    if start >= end:
        raise _CellError(f"「{item}」开始要早于结束")
    return start, end


def _periods(text: str, values: dict[str, Any]) -> list[str] | None:
    kind = values.get("kind")
    items = _items(unicodedata.normalize("NFKC", _required(text)))
    if kind == "meal":
        unknown = [item for item in items if item.lower() not in PERIOD_WORDS]
        if unknown:
            hint = "breakfast、lunch、dinner（早餐、午餐、晚餐）"
            raise _CellError(f"「{'、'.join(unknown)}」不是餐次，可填 {hint}")
        chosen = {PERIOD_WORDS[item.lower()] for item in items}
        return [period for period in MEAL_PERIODS if period in chosen]
    if kind == "visit":
        windows = sorted(_window(item) for item in items)
        for (_, end), (start, _) in pairwise(windows):
            if start < end:
                raise _CellError(f"时段重叠了：{start}开始时前一段到{end}才结束")
        return [f"{start}-{end}" for start, end in windows]
    return None


def _capacity(text: str, _: dict[str, Any]) -> int:
    text = unicodedata.normalize("NFKC", _required(text))
    if not text.isdigit() or not 1 <= int(text) <= MAX_CAPACITY:
        raise _CellError(f"「{text}」不对，要填1到{MAX_CAPACITY}的整数")
    return int(text)


def _meal_flag(text: str, values: dict[str, Any]) -> bool | None:
    flag = _flag(text)
    if values.get("kind") == "visit" and flag:
        raise _CellError("上门服务队不填堂食/送餐，留空或填 否")
    return flag


def _service_area(text: str, _: dict[str, Any]) -> list[str]:
    return [_plain("street", item) for item in _items(text)]


def _weekdays(text: str, _: dict[str, Any]) -> list[int]:
    days = set()
    for item in _items(unicodedata.normalize("NFKC", text)):
        named = WEEKDAY.match(item)
        if named:
            days.add(WEEKDAY_NAMES.index(named.group(1).replace("天", "日")))
        elif item in {"0", "1", "2", "3", "4", "5", "6"}:
            days.add(int(item))
        else:
            raise _CellError(f"「{item}」不是星期几，可填 0-6（0是星期一）或 周一…周日")
    if len(days) == 7:
        raise _CellError("不能七天都休息")
    return sorted(days)


def _text(column: str, required: bool = True) -> Callable[[str, dict[str, Any]], str]:
    def parse(text: str, _: dict[str, Any]) -> str:
        return _plain(column, _required(text) if required else text)

    return parse


def _boolean(default: bool) -> Callable[[str, dict[str, Any]], bool]:
    def parse(text: str, _: dict[str, Any]) -> bool:
        flag = _flag(text)
        return default if flag is None else flag

    return parse


# Column order, which also runs each parser after the columns it reads
# (district after region; services, periods and the flags after kind).
PARSERS: dict[str, Callable[[str, dict[str, Any]], Any]] = {
    "code": _code,
    "kind": _kind,
    "name": _text("name"),
    "region": _region,
    "district": _district,
    "street": _text("street", required=False),
    "address": _text("address"),
    "phone": _phone,
    "services": _services,
    "periods": _periods,
    "daily_capacity": _capacity,
    "dine_in": _meal_flag,
    "delivery": _meal_flag,
    "service_area": _service_area,
    "closed_weekdays": _weekdays,
    "sample": _boolean(False),
    "active": _boolean(True),
}


def _reconcile(values: dict[str, Any]) -> list[tuple[str, str]]:
    """Meals: services and the dine_in/delivery flags say the same thing
    twice, so either may be left empty and is derived from the other, but
    both given must agree (rules.py reads the flags, the bot the services)."""
    if values["kind"] == "visit":
        values["dine_in"] = values["delivery"] = False
        return []
    offered = {"dine_in": DINE_IN, "delivery": DELIVERY}
    problems = []
    if values["services"]:
        for column, service in offered.items():
            derived = service in values["services"]
            if values[column] not in (None, derived):
                said = "有" if derived else "没有"
                problems.append((column, f"和 services 不一致：services 里{said}{service}"))
            values[column] = derived
    else:
        for column in offered:
            values[column] = bool(values[column])
        values["services"] = [offered[c] for c in offered if values[c]]
    if not values["services"]:
        problems.append(("services", f"助餐点至少要有{DINE_IN}或{DELIVERY}其中一项"))
    return problems


def _validate(cells: dict[str, str]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The provider's column values from a row's cells, and what is wrong."""
    values: dict[str, Any] = {}
    problems: list[tuple[str, str]] = []
    for column, parse in PARSERS.items():
        try:
            values[column] = parse(cells[column].strip(), values)
        except _CellError as error:
            problems.append((column, str(error)))
    if not {"kind", "services", "dine_in", "delivery"} & {column for column, _ in problems}:
        problems.extend(_reconcile(values))
    return values, problems


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:  # UTF-16 decodes "successfully" with NULs
            return text
    raise _FileError("文件编码认不出，请另存为 CSV UTF-8 或 GBK 格式")


def _read(source: Path | bytes) -> bytes:
    if isinstance(source, bytes):
        return source
    try:
        return source.read_bytes()
    except FileNotFoundError as error:
        raise _FileError("找不到这个文件") from error
    except OSError as error:
        raise _FileError(f"读不了这个文件（{error.strerror or error}）") from error


def _records(source: Path | bytes) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and the non-blank rows with their spreadsheet numbers."""
    text = _decode(_read(source))
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as error:
        raise _FileError(f"不是正常的 CSV 文件：{error}") from error
    numbered = [
        (number, row) for number, row in enumerate(rows, start=1) if any(map(str.strip, row))
    ]
    if not numbered:
        raise _FileError("文件是空的")
    (_, header), records = numbered[0], numbered[1:]
    header = [name.strip().lower() for name in header]
    while not header[-1]:  # trailing empty columns that Excel keeps
        header.pop()
    missing = [c for c in REQUIRED if c not in header]
    unknown = [c or "（空）" for c in header if c not in COLUMNS]
    repeated = sorted({c for c in header if header.count(c) > 1})
    if missing or unknown or repeated:
        parts = [
            f"缺少列：{'、'.join(missing)}" if missing else "",
            f"不认识的列：{'、'.join(unknown)}" if unknown else "",
            f"重复的列：{'、'.join(repeated)}" if repeated else "",
        ]
        raise _FileError("；".join(p for p in parts if p) + f"。表头应为：{','.join(COLUMNS)}")
    if not records:
        raise _FileError("只有表头，没有数据行")
    return header, records


def import_providers(uow: UnitOfWork, source: Path | bytes, dry_run: bool = False) -> ImportReport:
    """Add or update the providers in the CSV (a file, or its bytes as
    uploaded) in the caller's transaction; with `dry_run`, only say what
    would change."""
    report = ImportReport()
    try:
        header, records = _records(source)
    except _FileError as error:
        report.errors.append(RowError(None, "", "", str(error)))
        return report
    valid: dict[str, dict[str, Any]] = {}
    first_row: dict[str, int] = {}
    code_at = header.index("code")
    for number, record in records:
        while len(record) > len(header) and not record[-1].strip():
            record = record[:-1]
        code = record[code_at].strip() if code_at < len(record) else ""
        if len(record) != len(header):
            message = f"这一行有{len(record)}格，表头有{len(header)}列"
            report.errors.append(RowError(number, code, "整行", message))
            continue
        cells = DEFAULTS | dict(zip(header, record, strict=True))
        values, problems = _validate(cells)
        if code in first_row:
            problems.append(("code", f"编号和第{first_row[code]}行重复"))
        elif code:
            first_row[code] = number
        report.errors.extend(RowError(number, code, column, why) for column, why in problems)
        if not problems:
            valid[code] = values
    if valid:
        query = select(Provider).where(Provider.code.in_(list(valid)))
        stored = {p.code: p for p in uow.session.execute(query).scalars()}
    else:
        stored = {}
    for code, values in valid.items():
        provider = stored.get(code)
        if provider is None:
            report.added.append(code)
            if not dry_run:
                uow.session.add(Provider(**values))
            continue
        changes = {c: v for c, v in values.items() if getattr(provider, c) != v}
        (report.updated if changes else report.unchanged).append(code)
        if not dry_run:
            for column, value in changes.items():
                setattr(provider, column, value)
    if not dry_run:
        uow.session.flush()
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="把服务机构名录（CSV）导入 DATABASE_URL 的数据库。"
    )
    parser.add_argument("paths", nargs="*", type=Path, default=[SAMPLE_FILE], metavar="CSV")
    parser.add_argument("--dry-run", action="store_true", help="只检查、报告，不写入")
    args = parser.parse_args(argv)
    failed = False
    with unit_of_work() as uow:
        for path in args.paths:
            report = import_providers(uow, path, dry_run=args.dry_run)
            trial = "（试运行，未写入）" if args.dry_run else ""
            print(
                f"{path}{trial}：新增 {len(report.added)}，更新 {len(report.updated)}，"
                f"未变 {len(report.unchanged)}，有问题的行 {report.bad_rows}"
            )
            for error in report.errors:
                print(f"  {error}")
            failed = failed or bool(report.errors)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
