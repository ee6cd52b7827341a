"""python -m knowledge.staff: manage staff console accounts in DATABASE_URL.

  create-user USERNAME --name 名字 [--role advisor|admin] [--password-stdin]
  set-password USERNAME [--password-stdin]
  deactivate USERNAME
  list

A password is asked twice without echo, or read from the first line of
standard input with --password-stdin (for scripts). It is never an
argument, so it shows neither in the shell history nor in the process list.

Exit codes: 0 done; 1 refused (the message says why); 2 wrong usage;
3 the database is unreachable or not migrated.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from sqlalchemy.exc import SQLAlchemyError

from knowledge.db import UnitOfWork, unit_of_work
from knowledge.staff.errors import StaffError
from knowledge.staff.users import (
    ADVISOR,
    ROLE_NAMES,
    ROLES,
    create_user,
    deactivate_user,
    list_users,
    set_password,
)

EXIT_REFUSED, EXIT_DATABASE = 1, 3


def read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    password = getpass.getpass("密码 / Password: ")
    if getpass.getpass("再输入一遍 / Repeat: ") != password:
        raise StaffError("两次输入的密码不一样。", "The two passwords differ.")
    return password


def _create(uow: UnitOfWork, args: argparse.Namespace) -> str:
    password = read_password(args.password_stdin)
    user = create_user(uow, args.username, args.name, args.role, password)
    return (
        f"已创建{ROLE_NAMES[user.role]}账号 {user.username}（{user.display_name}）。"
        f" / Created {user.role} {user.username}."
    )


def _set_password(uow: UnitOfWork, args: argparse.Namespace) -> str:
    password = read_password(args.password_stdin)
    user = set_password(uow, args.username, password)
    return (
        f"已为 {user.username} 设置新密码，原有登录已全部退出。"
        f" / New password set for {user.username}; its sessions have ended."
    )


def _deactivate(uow: UnitOfWork, args: argparse.Namespace) -> str:
    user = deactivate_user(uow, args.username)
    return (
        f"已停用 {user.username}，原有登录已全部退出。"
        f" / Deactivated {user.username}; its sessions have ended."
    )


def _list(uow: UnitOfWork, _: argparse.Namespace) -> str:
    users = list_users(uow)
    if not users:
        return "还没有员工账号。/ No staff accounts yet."
    lines = ["username\trole\tactive\tlast login (UTC)\tname"]
    for user in users:
        last = user.last_login_at.strftime("%Y-%m-%d %H:%M") if user.last_login_at else "-"
        active = "yes" if user.active else "no"
        lines.append(f"{user.username}\t{user.role}\t{active}\t{last}\t{user.display_name}")
    return "\n".join(lines)


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m knowledge.staff",
        description="管理养老顾问工作台的账号（DATABASE_URL 的数据库）。"
        " / Manage staff console accounts.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    stdin_help = "从标准输入的第一行读密码 / read the password from stdin"

    create = commands.add_parser("create-user", help="新建账号 / create an account")
    create.add_argument("username")
    create.add_argument("--name", required=True, help="显示的名字 / display name")
    create.add_argument("--role", choices=ROLES, default=ADVISOR)
    create.add_argument("--password-stdin", action="store_true", help=stdin_help)
    create.set_defaults(run=_create)

    password = commands.add_parser("set-password", help="设置新密码 / set a new password")
    password.add_argument("username")
    password.add_argument("--password-stdin", action="store_true", help=stdin_help)
    password.set_defaults(run=_set_password)

    deactivate = commands.add_parser("deactivate", help="停用账号 / deactivate an account")
    deactivate.add_argument("username")
    deactivate.set_defaults(run=_deactivate)

    listing = commands.add_parser("list", help="列出账号 / list accounts")
    listing.set_defaults(run=_list)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        with unit_of_work() as uow:
            message = args.run(uow, args)
    except StaffError as error:
        print(f"{error.message} / {error.english}", file=sys.stderr)
        return EXIT_REFUSED
    except SQLAlchemyError as error:
        reason = str(getattr(error, "orig", None) or error).splitlines()[0]
        print(
            f"数据库出错：{reason}。请确认 DATABASE_URL 的数据库已启动并已迁移"
            "（python -m knowledge.migrate）。"
            f" / Database error: {reason}. Is DATABASE_URL up and migrated?",
            file=sys.stderr,
        )
        return EXIT_DATABASE
    print(message)
    return 0


if __name__ == "__main__":
    sys.exit(main())
