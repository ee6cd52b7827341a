"""The provider directory import against real SQLite and PostgreSQL
databases: the shipped sample, idempotent upserts, one Chinese error per bad
row by spreadsheet row number while the good rows still go in, the
encodings Excel writes, dry runs and the command line; and the directory
queries the bot uses, on the imported sample."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import event, select
from sqlalchemy.engine import Engine

from knowledge.booking.directory import list_providers, nearest
from knowledge.booking.providers_import import (
    COLUMNS,
    SAMPLE_FILE,
    ImportReport,
    RowError,
    import_providers,
)
from knowledge.db import unit_of_work
from knowledge.models import Provider
from knowledge.settings import REPO_ROOT

REGIONS = ("无锡市", "赣州市", "重庆市", "淄博市", "江苏省")
SAMPLE_SIZE = 26
GOOD_MEAL = {
    "code": "T-OK",
    "kind": "meal",
    "name": "测试长者食堂（示例）",
    "region": "无锡市",
    "district": "梁溪区",
    "street": "清名桥街道",
    "address": "梁溪区清名桥街道颐年路1号",
    "phone": "0510-80009999",
    "services": "堂食|送餐上门",
    "periods": "lunch",
    "daily_capacity": "30",
    "dine_in": "是",
    "delivery": "是",
    "service_area": "清名桥街道",
    "closed_weekdays": "6",
    "sample": "是",
    "active": "是",
}
GOOD_VISIT = GOOD_MEAL | {
    "kind": "visit",
    "name": "测试上门服务队（示例）",
    "services": "探访|助浴",
    "periods": "08:00-12:00|14:00-17:30",
    "daily_capacity": "10",
    "dine_in": "",
    "delivery": "",
}


def write(
    folder: Path,
    rows: list[dict[str, str]],
    columns: tuple[str, ...] = COLUMNS,
    encoding: str = "utf-8",
) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    writer.writerows([row.get(column, "") for column in columns] for row in rows)
    path = folder / "providers.csv"
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def run(engine: Engine, path: Path, dry_run: bool = False) -> ImportReport:
    with unit_of_work(engine) as uow:
        return import_providers(uow, path, dry_run=dry_run)


def stored(engine: Engine) -> dict[str, Provider]:
    with unit_of_work(engine) as uow:
        return {p.code: p for p in uow.session.execute(select(Provider)).scalars()}


def writes_during(engine: Engine, path: Path) -> tuple[ImportReport, list[str]]:
    """The report, and every INSERT/UPDATE/DELETE the import sent."""
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        return run(engine, path), statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_the_sample_imports_cleanly_with_both_kinds_in_every_region(engine: Engine) -> None:
    report = run(engine, SAMPLE_FILE)
    assert report.errors == [] and report.updated == [] and report.unchanged == []
    assert len(report.added) == SAMPLE_SIZE
    providers = stored(engine).values()
    counts = Counter((p.region, p.kind) for p in providers)
    for region in REGIONS:
        assert counts[(region, "meal")] >= 3 and counts[(region, "visit")] >= 2, region
    assert all(p.sample and p.active and p.name.endswith("（示例）") for p in providers)
    liangxi = Counter(p.kind for p in providers if p.district == "梁溪区")
    assert liangxi["meal"] >= 2 and liangxi["visit"] >= 1
    for region, district in (("赣州市", "章贡区"), ("重庆市", "渝中区")):
        kinds = {p.kind for p in providers if (p.region, p.district) == (region, district)}
        assert kinds == {"meal", "visit"}
    first = stored(engine)["WX-M01"]
    assert (first.services, first.periods, first.daily_capacity) == (
        ["堂食", "送餐上门"],
        ["lunch", "dinner"],
        60,
    )
    assert (first.dine_in, first.delivery, first.closed_weekdays) == (True, True, [])
    assert first.service_area == ["清名桥街道", "南禅寺街道"]
    team = stored(engine)["WX-V02"]
    assert (team.services, team.periods, team.phone) == (
        ["探访", "陪诊", "喘息服务"],
        ["08:30-11:30", "13:30-17:00"],
        "13000000201",
    )
    assert (team.dine_in, team.delivery, team.closed_weekdays) == (False, False, [5, 6])


def test_importing_twice_writes_nothing_the_second_time(engine: Engine) -> None:
    run(engine, SAMPLE_FILE)
    before = {code: p.updated_at for code, p in stored(engine).items()}
    report, statements = writes_during(engine, SAMPLE_FILE)
    assert (report.added, report.updated, report.errors) == ([], [], [])
    assert sorted(report.unchanged) == sorted(before)
    assert statements == []
    assert {code: p.updated_at for code, p in stored(engine).items()} == before


def test_editing_one_row_updates_exactly_that_provider(engine: Engine, tmp_path: Path) -> None:
    run(engine, SAMPLE_FILE)
    before = {code: p.updated_at for code, p in stored(engine).items()}
    text = SAMPLE_FILE.read_text(encoding="utf-8")
    old = "0510-80000102,堂食,breakfast|lunch,30,"  # WX-M02
    assert text.count(old) == 1
    edited = tmp_path / "edited.csv"
    edited.write_text(text.replace(old, old.replace(",30,", ",35,")), encoding="utf-8")
    report, statements = writes_during(engine, edited)
    assert report.updated == ["WX-M02"] and report.added == [] and report.errors == []
    assert len(report.unchanged) == SAMPLE_SIZE - 1
    assert len(statements) == 1 and statements[0].lstrip().upper().startswith("UPDATE")
    after = stored(engine)
    assert after["WX-M02"].daily_capacity == 35
    assert after["WX-M02"].updated_at > before["WX-M02"]
    assert all(after[code].updated_at == at for code, at in before.items() if code != "WX-M02")


@pytest.mark.parametrize(
    ("bad", "column", "reason"),
    [
        ({"region": "火星市"}, "region", "不认识「火星市」，地区只能是：无锡市、赣州市、重庆市"),
        ({"district": "鼓楼区"}, "district", "「鼓楼区」不在无锡市，可填：梁溪区、"),
        ({"phone": "12345"}, "phone", "「12345」不是手机号"),
        ({"phone": "2345-80000101"}, "phone", "不是手机号"),
        ({"daily_capacity": "0"}, "daily_capacity", "「0」不对，要填1到1000的整数"),
        ({"daily_capacity": "三十"}, "daily_capacity", "要填1到1000的整数"),
        ({"daily_capacity": "1001"}, "daily_capacity", "要填1到1000的整数"),
        ({"periods": "lunch|夜宵"}, "periods", "「夜宵」不是餐次"),
        ({"periods": ""}, "periods", "不能为空"),
        ({"services": "堂食|理发"}, "services", "助餐点没有「理发」这项服务，可填：堂食、送餐上门"),
        (
            {"services": "", "dine_in": "否", "delivery": "否"},
            "services",
            "助餐点至少要有堂食或送餐上门其中一项",
        ),
        ({"services": "堂食", "delivery": "是"}, "delivery", "和 services 不一致"),
        ({"name": "<b>好食堂</b>（示例）"}, "name", "不能含 < >"),
        ({"address": "清名桥\x07街道"}, "address", "控制字符"),
        ({"name": "食" * 101}, "name", "太长了，最多100个字"),
        ({"address": ""}, "address", "不能为空"),
        ({"kind": "外卖"}, "kind", "「外卖」不是 meal（助餐）或 visit（上门）"),
        ({"dine_in": "也许"}, "dine_in", "「也许」看不懂"),
        ({"closed_weekdays": "0|1|2|3|4|5|6"}, "closed_weekdays", "不能七天都休息"),
        ({"closed_weekdays": "8"}, "closed_weekdays", "「8」不是星期几"),
        (GOOD_VISIT | {"services": "探访|理发"}, "services", "上门服务队没有「理发」"),
        (GOOD_VISIT | {"services": ""}, "services", "至少要填一项服务"),
        (GOOD_VISIT | {"periods": "08:00-12:00|11:00-13:00"}, "periods", "时段重叠了"),
        (GOOD_VISIT | {"periods": "12:00-08:00"}, "periods", "开始要早于结束"),
        (GOOD_VISIT | {"periods": "lunch"}, "periods", "「lunch」不是时段"),
        (GOOD_VISIT | {"delivery": "是"}, "delivery", "上门服务队不填堂食/送餐"),
    ],
)
def test_a_bad_row_is_reported_and_the_good_rows_still_go_in(
    engine: Engine, tmp_path: Path, bad: dict[str, str], column: str, reason: str
) -> None:
    rows = [
        GOOD_MEAL | {"code": "T-A"},
        (GOOD_MEAL | bad) | {"code": "T-BAD"},
        GOOD_VISIT | {"code": "T-B"},
    ]
    report = run(engine, write(tmp_path, rows))
    assert [(e.row, e.code, e.field) for e in report.errors] == [(3, "T-BAD", column)]
    assert reason in report.errors[0].message
    assert str(report.errors[0]).startswith(f"第3行 [T-BAD] {column}: ")
    assert report.added == ["T-A", "T-B"]
    assert sorted(stored(engine)) == ["T-A", "T-B"]


def test_a_repeated_code_is_refused_on_the_later_row(engine: Engine, tmp_path: Path) -> None:
    rows = [
        GOOD_MEAL | {"code": "T-A"},
        GOOD_MEAL | {"code": "T-B"},
        GOOD_MEAL | {"code": "T-A", "daily_capacity": "99"},
    ]
    report = run(engine, write(tmp_path, rows))
    assert report.errors == [RowError(4, "T-A", "code", "编号和第2行重复")]
    assert report.added == ["T-A", "T-B"]
    assert stored(engine)["T-A"].daily_capacity == 30


def test_a_row_missing_cells_is_refused_alone(engine: Engine, tmp_path: Path) -> None:
    path = write(tmp_path, [GOOD_MEAL | {"code": "T-A"}, GOOD_MEAL | {"code": "T-B"}])
    text = path.read_text(encoding="utf-8") + "T-SHORT,meal,短行食堂（示例）,无锡市\r\n"
    path.write_text(text, encoding="utf-8")
    report = run(engine, path)
    assert report.errors == [RowError(4, "T-SHORT", "整行", "这一行有4格，表头有17列")]
    assert report.added == ["T-A", "T-B"]


def test_row_numbers_are_the_spreadsheets(engine: Engine, tmp_path: Path) -> None:
    """A cell with a line break is still one row, a blank line is a row."""
    path = write(tmp_path, [GOOD_MEAL | {"code": "T-A", "address": "两行\n地址"}])
    text = path.read_text(encoding="utf-8") + "\r\n" + ",".join(["T-B", "火星"]) + "\r\n"
    path.write_text(text, encoding="utf-8")
    report = run(engine, path)
    assert [(e.row, e.code, e.field) for e in report.errors] == [
        (2, "T-A", "address"),
        (4, "T-B", "整行"),
    ]


def test_header_problems_refuse_the_whole_file(engine: Engine, tmp_path: Path) -> None:
    no_phone = tuple(c for c in COLUMNS if c != "phone")
    report = run(engine, write(tmp_path, [GOOD_MEAL], columns=no_phone))
    assert len(report.errors) == 1 and report.errors[0].row is None
    assert report.errors[0].message.startswith("缺少列：phone。")
    report = run(engine, write(tmp_path, [GOOD_MEAL], columns=(*COLUMNS, "remark")))
    assert report.errors[0].message.startswith("不认识的列：remark。")
    assert str(report.errors[0]).startswith("整个文件: ")
    (tmp_path / "empty.csv").write_bytes(b"")
    assert [e.message for e in run(engine, tmp_path / "empty.csv").errors] == ["文件是空的"]
    header_only = write(tmp_path, [])
    assert [e.message for e in run(engine, header_only).errors] == ["只有表头，没有数据行"]
    assert stored(engine) == {}


def test_optional_columns_and_everyday_spellings(engine: Engine, tmp_path: Path) -> None:
    row = GOOD_MEAL | {
        "kind": "助餐",
        "region": "无锡",
        "district": "梁溪",
        "phone": "１３９００００１１１１",  # full-width digits, as IMEs type them
        "services": "",
        "periods": "晚饭|早餐",
        "dine_in": "N",
        "delivery": "TRUE",
        "closed_weekdays": "周日|六",
        "service_area": "清名桥街道、南禅寺街道",
    }
    without_flags = tuple(c for c in COLUMNS if c not in ("sample", "active"))
    report = run(engine, write(tmp_path, [row], columns=without_flags))
    assert report.errors == []
    provider = stored(engine)["T-OK"]
    assert (provider.kind, provider.region, provider.district) == ("meal", "无锡市", "梁溪区")
    assert (provider.phone, provider.services) == ("13900001111", ["送餐上门"])
    assert (provider.periods, provider.closed_weekdays) == (["breakfast", "dinner"], [5, 6])
    assert (provider.dine_in, provider.delivery) == (False, True)
    assert provider.service_area == ["清名桥街道", "南禅寺街道"]
    assert (provider.sample, provider.active) == (False, True)


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig"])
def test_the_encodings_excel_saves(engine: Engine, tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes(SAMPLE_FILE.read_text(encoding="utf-8").encode(encoding))
    report = run(engine, path)
    assert report.errors == [] and len(report.added) == SAMPLE_SIZE
    assert stored(engine)["WX-M01"].name == "清名桥长者食堂（示例）"


def test_an_unreadable_encoding_is_one_file_error(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "unicode.csv"
    path.write_bytes(SAMPLE_FILE.read_text(encoding="utf-8").encode("utf-16"))
    report = run(engine, path)
    assert [(e.row, e.message) for e in report.errors] == [
        (None, "文件编码认不出，请另存为 CSV UTF-8 或 GBK 格式")
    ]
    assert stored(engine) == {}


def test_a_dry_run_reports_and_writes_nothing(engine: Engine, tmp_path: Path) -> None:
    report = run(engine, SAMPLE_FILE, dry_run=True)
    assert len(report.added) == SAMPLE_SIZE and report.errors == []
    assert stored(engine) == {}
    run(engine, SAMPLE_FILE)
    edited = tmp_path / "edited.csv"
    text = SAMPLE_FILE.read_text(encoding="utf-8")
    edited.write_text(text.replace("0510-80000101", "0510-80000199"), encoding="utf-8")
    report = run(engine, edited, dry_run=True)
    assert report.updated == ["WX-M01"]
    assert stored(engine)["WX-M01"].phone == "0510-80000101"


def test_the_command_line(tmp_path: Path) -> None:
    env = os.environ | {"DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}", "PYTHONUTF8": "1"}

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", *args],
            cwd=REPO_ROOT,
            env=env,
            capture_output=True,
            text=True,
            encoding="utf-8",
            check=False,
        )

    assert cli("knowledge.migrate").returncode == 0
    dry = cli("knowledge.booking.providers_import", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert f"（试运行，未写入）：新增 {SAMPLE_SIZE}，更新 0，未变 0，有问题的行 0" in dry.stdout
    first = cli("knowledge.booking.providers_import")
    assert first.returncode == 0 and f"新增 {SAMPLE_SIZE}，" in first.stdout
    again = cli("knowledge.booking.providers_import", str(SAMPLE_FILE))
    assert again.returncode == 0 and f"新增 0，更新 0，未变 {SAMPLE_SIZE}，" in again.stdout
    rows = [GOOD_MEAL | {"code": "T-A"}, GOOD_MEAL | {"code": "T-BAD", "phone": "12345"}]
    bad = cli("knowledge.booking.providers_import", str(write(tmp_path, rows)))
    assert bad.returncode == 1
    assert "新增 1，更新 0，未变 0，有问题的行 1" in bad.stdout
    assert "第3行 [T-BAD] phone: 「12345」不是手机号" in bad.stdout


def test_the_directory_on_the_imported_sample(engine: Engine, tmp_path: Path) -> None:
    run(engine, SAMPLE_FILE)
    with unit_of_work(engine) as uow:
        near = nearest(uow, "meal", "无锡市", district="梁溪区")
        assert [p.district for p in near[:2]] == ["梁溪区", "梁溪区"]
        assert {p.district for p in near[2:]} == {"惠山区", "滨湖区"}
        on_street = nearest(uow, "meal", "无锡市", district="滨湖区", street="清名桥街道")
        assert [p.code for p in on_street[:2]] == ["WX-M01", "WX-M04"]
        delivered = nearest(uow, "meal", "无锡市", district="梁溪区", delivery=True)
        assert delivered[0].code == "WX-M01"
        assert {p.code for p in delivered} == {"WX-M01", "WX-M03", "WX-M04"}
        eaten_in = nearest(uow, "meal", "无锡市", delivery=False)
        assert {p.code for p in eaten_in} == {"WX-M01", "WX-M02", "WX-M04"}
        bathing = nearest(uow, "visit", "无锡市", district="新吴区", service="助浴")
        assert [p.code for p in bathing] == ["WX-V01"]
        assert nearest(uow, "meal", "火星市", district="梁溪区") == []
        assert list_providers(uow, region="火星市") == []
        assert {p.code for p in list_providers(uow, kind="visit", region="重庆市")} == {
            "CQ-V01",
            "CQ-V02",
        }
        yuzhong = list_providers(uow, region="重庆市", district="渝中区")
        assert sorted(p.code for p in yuzhong) == ["CQ-M01", "CQ-M02", "CQ-V01"]
        assert len(list_providers(uow)) == SAMPLE_SIZE
    text = SAMPLE_FILE.read_text(encoding="utf-8")
    closing = tmp_path / "closing.csv"
    header, rows = text.split("\n", 1)
    wx_m01 = next(line for line in rows.splitlines() if line.startswith("WX-M01,"))
    closing.write_text(f"{header}\n{wx_m01.removesuffix(',是,是')},是,否\n", encoding="utf-8")
    assert run(engine, closing).updated == ["WX-M01"]
    with unit_of_work(engine) as uow:
        codes = [p.code for p in nearest(uow, "meal", "无锡市", district="梁溪区")]
        assert "WX-M01" not in codes and codes[0] == "WX-M02"
        assert len(list_providers(uow)) == SAMPLE_SIZE - 1
