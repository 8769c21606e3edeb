"""The optional second factor: time-based one-time codes (TOTP, RFC 6238) from an app.

Admins and coordinators may turn it on. A code is accepted for the current 30-second step and
one step either side (clocks drift), and never twice: the step of the last accepted code is
kept on the user, and only a later step is accepted after it."""

from datetime import datetime

import pyotp
from sqlalchemy import or_, update
from sqlmodel import Session

from coordination.auth.models import Role, User
from coordination.errors import ValidationFailed
from coordination.i18n import lazy_gettext as _l

ISSUER = "Samordning"
ROLES = frozenset({Role.admin.value, Role.coordinator.value})
DIGITS = 6
DRIFT_STEPS = 1


def may_enrol(user: User) -> bool:
    return user.role in ROLES


def new_secret() -> str:
    """160 random bits in base32, as authenticator apps expect."""
    return pyotp.random_base32(32)


def grouped(secret: str) -> str:
    """The secret in groups of four, for typing it into an app by hand."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def provisioning_uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def clean_code(code: str | None) -> str | None:
    """The six digits of a code as typed (spaces and dashes allowed), or None."""
    digits = (code or "").replace(" ", "").replace("-", "").strip()
    return digits if len(digits) == DIGITS and digits.isascii() and digits.isdigit() else None


def matching_step(secret: str, code: str | None, *, now: datetime) -> int | None:
    """The time step the code belongs to, within the allowed drift, or None."""
    code = clean_code(code)
    if code is None:
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if pyotp.utils.strings_equal(code, totp.generate_otp(step)):
            return step
    return None


def _use_step(session: Session, user: User, step: int) -> bool:
    """Record `step` as used, unless it (or a later one) already was. One conditional UPDATE,
    so two requests with the same code cannot both pass."""
    result = session.execute(
        update(User).where(User.id == user.id,
                           or_(User.totp_last_step.is_(None), User.totp_last_step < step))
        .values(totp_last_step=step).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        return False
    user.totp_last_step = step
    return True


def check_login_code(session: Session, user: User, code: str | None, *, now: datetime) -> bool:
    """Whether the code is right for the user now and not used before (flushes the step)."""
    if not user.totp_enabled:
        return False
    step = matching_step(user.totp_secret, code, now=now)
    return step is not None and _use_step(session, user, step)


def enable_totp(session: Session, user: User, *, secret: str, code: str | None, now: datetime) -> None:
    """Turn the second factor on with the secret the user's app was given, once the app has
    shown it works by producing a right code. Flushes; the caller commits."""
    if not may_enrol(user):
        raise ValidationFailed(_l("Two-step verification is for administrators and coordinators."))
    if user.totp_enabled:
        raise ValidationFailed(_l("Two-step verification is already on."))
    step = matching_step(secret, code, now=now)
    if step is None:
        raise ValidationFailed(_l("Two-step verification was not turned on."),
                               errors={"code": [_l("The code is not right. Check that the time on your phone "
                                                   "is correct, and enter the code the app shows now.")]})
    user.totp_secret, user.totp_enabled_at, user.totp_last_step = secret, now, step
    session.add(user)
    session.flush()


def reset_totp(session: Session, user: User) -> None:
    """An administrator turns the second factor off for someone who lost the phone with the app:
    no code needed. The user's sessions end too (whoever has the phone may be logged in), and at
    the next login the password alone lets them in, after which they can set it up again.
    Flushes; the caller commits."""
    from coordination.auth.services import end_sessions

    if not user.totp_enabled:
        raise ValidationFailed(_l("Two-step verification is not on."))
    user.totp_secret, user.totp_enabled_at, user.totp_last_step = None, None, None
    end_sessions(session, user)


def disable_totp(session: Session, user: User, *, code: str | None, now: datetime) -> None:
    """Turn the second factor off; needs a current code. Flushes; the caller commits."""
    if not user.totp_enabled:
        raise ValidationFailed(_l("Two-step verification is not on."))
    if not check_login_code(session, user, code, now=now):
        raise ValidationFailed(_l("Two-step verification is still on."),
                               errors={"code": [_l("The code is not right, or it was already used. "
                                                   "Enter the code the app shows now.")]})
    user.totp_secret, user.totp_enabled_at, user.totp_last_step = None, None, None
    session.add(user)
    session.flush()
