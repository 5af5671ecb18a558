"""Password hashing with argon2id, and the rules a password or a username must follow.

A password must survive more than a glance at a list: zxcvbn (Dropbox's
estimator) scores it against common passwords, dictionary words, keyboard
walks, repeats, dates and the account's own name, and anything it rates 0 or
1 ("too guessable", "very guessable": under about a million guesses) is
refused with zxcvbn's own hint. zxcvbn reads at most 72 characters; a longer
password is judged by its first 72 (a long password that starts weak is weak).
"""

from __future__ import annotations

import os
import re
import threading

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from zxcvbn import zxcvbn

MIN_PASSWORD = 8
MAX_PASSWORD = 1024
MIN_SCORE = 2  # zxcvbn: 0 too guessable, 1 very guessable, 2 somewhat guessable, ...
_ZXCVBN_MAX = 72
USERNAME = re.compile(r"[A-Za-z0-9_.-]{1,32}")

_hasher = PasswordHasher()  # argon2id, the library's recommended cost (64 MiB, ~0.1 s)
# Each hash takes 64 MiB for a moment: a flood of sign-ins must not take all the
# memory of a small host, so only a few are computed at once; the rest queue.
_at_once = threading.BoundedSemaphore(max(2, min(4, os.cpu_count() or 2)))
# Verified when the username is unknown, so a wrong name costs as much time as a
# wrong password and timing does not tell which names exist.
_DUMMY = _hasher.hash("pygotchi-no-such-user")


def hash_password(password: str) -> str:
    with _at_once:
        return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    try:
        with _at_once:
            ok = _hasher.verify(stored_hash or _DUMMY, password)
        return ok and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    try:
        return _hasher.check_needs_rehash(stored_hash)
    except InvalidHashError:
        return False


def username_problem(username: str) -> str | None:
    """Why a username is not acceptable, or None."""
    if not USERNAME.fullmatch(username):
        return ("a username is 1 to 32 characters: letters, digits, '_', '.' or '-'")
    return None


def password_problem(password: str, *context: str) -> str | None:
    """Why a password is not acceptable, or None. ``context``: the username and other
    words an attacker would try first."""
    if len(password) < MIN_PASSWORD:
        return f"a password has at least {MIN_PASSWORD} characters"
    if len(password) > MAX_PASSWORD:
        return f"a password has at most {MAX_PASSWORD} characters"
    if not password.strip():
        return "a password cannot be only spaces"
    words = [w for w in (*context, "pygotchi", "tamagotchi") if w]
    result = zxcvbn(password[:_ZXCVBN_MAX], user_inputs=words)
    if result["score"] < MIN_SCORE:
        feedback = result.get("feedback") or {}
        hint = feedback.get("warning") or " ".join(feedback.get("suggestions") or [])
        message = "this password is too easy to guess"
        return f"{message}: {hint[:1].lower()}{hint[1:].rstrip('.')}" if hint else message
    return None
