"""`python -m knowledge.staff` in a subprocess, as an operator runs it,
against fresh SQLite and PostgreSQL databases."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy.engine import Engine

from knowledge.db import unit_of_work
from knowledge.settings import REPO_ROOT
from knowledge.staff.passwords import verify_password
from knowledge.staff.users import find_user

PASSWORD = "correct horse battery"


def staff(url: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "knowledge.staff", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env={**os.environ, "DATABASE_URL": url},
        timeout=120,
    )


def test_the_first_admin_is_created_from_the_command_line(
    database_url: str, engine: Engine
) -> None:
    empty = staff(database_url, "list")
    assert empty.returncode == 0 and "还没有员工账号" in empty.stdout  # no default user

    created = staff(
        database_url,
        *("create-user", "wang.li", "--role", "admin", "--name", "王主任", "--password-stdin"),
        stdin=PASSWORD + "\n",
    )
    assert created.returncode == 0, created.stderr
    assert "已创建管理员账号 wang.li" in created.stdout and "Created admin" in created.stdout
    assert PASSWORD not in created.stdout + created.stderr
    with unit_of_work(engine) as uow:
        user = find_user(uow, "wang.li")
    assert user is not None and (user.role, user.display_name) == ("admin", "王主任")
    assert verify_password(PASSWORD, user.password_hash)

    listed = staff(database_url, "list")
    assert listed.returncode == 0 and "wang.li\tadmin\tyes\t-\t王主任" in listed.stdout


def test_refusals_exit_1_with_the_reason(database_url: str) -> None:
    create = ("create-user", "wang", "--name", "王丽", "--password-stdin")
    assert staff(database_url, *create, stdin=PASSWORD).returncode == 0
    for args, stdin, reason in [
        (create, PASSWORD, "已经有了"),
        (("create-user", "li", "--name", "李", "--password-stdin"), PASSWORD, "3到32个字符"),
        (
            ("create-user", "lina", "--name", "李娜", "--password-stdin"),
            "short\n",
            "至少要10个字符",
        ),
        (("create-user", "lina", "--name", "李娜", "--password-stdin"), "", "至少要10个字符"),
        (("set-password", "nobody", "--password-stdin"), PASSWORD, "没有用户"),
        (("deactivate", "nobody"), "", "没有用户"),
    ]:
        result = staff(database_url, *args, stdin=stdin)
        assert result.returncode == 1, args
        assert reason in result.stderr and " / " in result.stderr, result.stderr


def test_set_password_and_deactivate(database_url: str, engine: Engine) -> None:
    create = ("create-user", "wang", "--name", "王丽", "--password-stdin")
    assert staff(database_url, *create, stdin=PASSWORD).returncode == 0
    changed = staff(
        database_url, "set-password", "wang", "--password-stdin", stdin="new passphrase 2"
    )
    assert changed.returncode == 0 and "新密码" in changed.stdout
    deactivated = staff(database_url, "deactivate", "wang")
    assert deactivated.returncode == 0 and "已停用" in deactivated.stdout
    with unit_of_work(engine) as uow:
        user = find_user(uow, "wang")
    assert user is not None and not user.active
    assert verify_password("new passphrase 2", user.password_hash)
    assert "wang\tadvisor\tno" in staff(database_url, "list").stdout


def test_usage_errors_exit_2_and_an_unmigrated_database_exits_3(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    assert staff(url, "create-user", "wang").returncode == 2  # no --name
    assert staff(url, "create-user", "wang", "--name", "王", "--role", "root").returncode == 2
    unmigrated = staff(url, "list")
    assert unmigrated.returncode == 3 and "python -m knowledge.migrate" in unmigrated.stderr
