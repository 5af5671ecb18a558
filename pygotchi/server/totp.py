"""Two-factor sign-in with time-based one-time codes (RFC 6238, via pyotp).

Enrolment shows a new secret once (as text and as a QR code for an
authenticator app) and keeps it *pending* until the person proves their app
has it by typing a code; only then does sign-in ask for codes. A code is
accepted within one 30-second step either side (phone clocks drift), and never
twice: the step of the last accepted code is kept, so a code seen over a
shoulder or in a log cannot be replayed.
"""

from __future__ import annotations

import hmac
import time

import pyotp
import segno

ISSUER = "pygotchi"
STEP = 30
_DRIFT = 1  # steps accepted either side of now


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning(secret: str, username: str) -> tuple[str, str]:
    """The otpauth:// URI an authenticator app reads, and that URI as an SVG QR data URI."""
    uri = pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)
    qr = segno.make(uri, error="m")
    return uri, qr.svg_data_uri(scale=4, border=2)


def normalise(code: str) -> str:
    return "".join(code.split()).replace("-", "")


def accepted_step(secret: str, code: str, last_step: int | None,
                  now: float | None = None) -> int | None:
    """The time step ``code`` belongs to if it is right and newer than ``last_step``."""
    code = normalise(code)
    if len(code) != 6 or not code.isdigit():
        return None
    otp = pyotp.TOTP(secret)
    current = int((time.time() if now is None else now) // STEP)
    for step in range(current - _DRIFT, current + _DRIFT + 1):
        if hmac.compare_digest(otp.generate_otp(step), code):
            if last_step is not None and step <= last_step:
                return None  # already used
            return step
    return None
