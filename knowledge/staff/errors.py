"""Why a staff account operation was refused, in Chinese (for the console
and the API) and English (for the command line).

Each error carries a code the API returns as `error`.
"""

from __future__ import annotations


class StaffError(Exception):
    code = "staff_error"

    def __init__(self, message: str, english: str) -> None:
        super().__init__(message)
        self.message = message
        self.english = english


class InvalidUserError(StaffError):
    """A username, display name or role that is not allowed."""

    code = "invalid"


class WeakPasswordError(StaffError):
    code = "weak_password"


class UserExistsError(StaffError):
    code = "exists"


class UnknownUserError(StaffError):
    code = "not_found"


class LoginFailedError(StaffError):
    """One message for a wrong username and a wrong password: no one learns
    which usernames exist."""

    code = "login_failed"

    def __init__(self) -> None:
        super().__init__("用户名或密码不对。", "Wrong username or password.")


class TooManyAttemptsError(StaffError):
    code = "too_many_attempts"

    def __init__(self, retry_after_s: int) -> None:
        minutes = -(-retry_after_s // 60)
        super().__init__(
            f"登录失败次数太多，请{minutes}分钟后再试。",
            f"Too many failed logins; try again in {minutes} minute(s).",
        )
        self.retry_after_s = retry_after_s
