"""Accounts: passwords (argon2), authentication, sessions, users and API tokens."""

import hashlib
import secrets
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func
from sqlmodel import Session, select

from coordination.auth.models import ApiToken, Role, User
from coordination.auth.passwords import (  # noqa: F401  (the rules live there; callers import them here)
    PASSWORD_MAX_LENGTH,
    PASSWORD_MIN_LENGTH,
    check_password_rules,
)
from coordination.errors import NotFound, ValidationFailed
from coordination.i18n import lazy_gettext as _l
from coordination.organisations.models import Organisation

_hasher = PasswordHasher()
# Verified against when the e-mail is unknown, so both answers take the same time.
_DUMMY_HASH = _hasher.hash("not-a-real-password-" + secrets.token_hex(8))

TOKEN_PREFIX = "sam_"


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def get_user_by_email(session: Session, email: str) -> User | None:
    return session.exec(select(User).where(User.email == normalise_email(email))).first()


def verify_password(session: Session, *, email: str, password: str) -> User | None:
    """The active user with this e-mail and password, or None. Says nothing about which was
    wrong and takes as long either way. Rehashes an outdated hash in place (flush only)."""
    user = get_user_by_email(session, email) if email else None
    stored = user.password_hash if user is not None else _DUMMY_HASH
    try:
        _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.active:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
        session.add(user)
        session.flush()
    return user


def record_login(session: Session, user: User, *, now: datetime) -> None:
    """The user has passed every step of the login."""
    user.last_login_at = now
    session.add(user)
    session.flush()


# --- sessions ------------------------------------------------------------------------------

def user_for_session_id(session: Session, value: str | None, cache=None) -> User | None:
    """The active user a session's user id ("id:epoch", see User.get_id) stands for, or None
    once the user's sessions were ended. A bare "id" (sessions from before the epoch) counts
    as epoch 0, so it stops working at the first "log out everywhere" too. With a `cache`
    (coordination/auth/usercache.py) an unchanged user is made without a query."""
    from coordination.auth.usercache import load_user

    user_id, _sep, epoch = str(value or "").partition(":")
    epoch = epoch or "0"
    if not all(part.isascii() and part.isdigit() and len(part) <= 9 for part in (user_id, epoch)):
        return None
    user = load_user(session, int(user_id), cache)
    if user is None or not user.active or (user.session_epoch or 0) != int(epoch):
        return None
    return user


def end_sessions(session: Session, user: User) -> None:
    """Log the user out everywhere: every session (and remember-me cookie) made before this
    stops working at its next request. API tokens are not sessions and keep working."""
    user.session_epoch = (user.session_epoch or 0) + 1
    session.add(user)
    session.flush()


def _check_user_fields(session: Session, *, user: User | None, email: str, role: str,
                       organisation_id: int | None) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if role not in {r.value for r in Role}:
        errors["role"] = [_l("Choose one of the roles in the list.")]
    existing = get_user_by_email(session, email)
    if existing is not None and (user is None or existing.id != user.id):
        errors["email"] = [_l("There is already a user with this e-mail address.")]
    if organisation_id is not None and session.get(Organisation, organisation_id) is None:
        errors["organisation_id"] = [_l("Choose an organisation from the list.")]
    if role in (Role.department.value, Role.coordinator.value, Role.steering.value) and organisation_id is None:
        errors.setdefault("organisation_id", []).append(
            _l("Officials of this role must belong to an organisation."))
    return errors


def create_user(session: Session, *, email: str, name: str, role: str, organisation_id: int | None,
                password: str, locale: str | None = None) -> User:
    email = normalise_email(email)
    errors = _check_user_fields(session, user=None, email=email, role=role, organisation_id=organisation_id)
    password_problems = check_password_rules(password, email=email)
    if password_problems:
        errors["password"] = password_problems
    if errors:
        raise ValidationFailed(_l("The user was not saved."), errors=errors)
    user = User(email=email, name=name.strip(), role=role, organisation_id=organisation_id,
                password_hash=hash_password(password), locale=locale)
    session.add(user)
    session.flush()
    return user


def update_user(session: Session, user: User, *, email: str, name: str, role: str,
                organisation_id: int | None, active: bool, password: str | None = None) -> User:
    email = normalise_email(email)
    errors = _check_user_fields(session, user=user, email=email, role=role, organisation_id=organisation_id)
    if password:
        problems = check_password_rules(password, email=email)
        if problems:
            errors["password"] = problems
    if errors:
        raise ValidationFailed(_l("The user was not saved."), errors=errors)
    deactivated = user.active and not active
    user.email, user.name, user.role = email, name.strip(), role
    user.organisation_id, user.active = organisation_id, active
    if password:
        user.password_hash = hash_password(password)
    session.add(user)
    session.flush()
    if password or deactivated:
        end_sessions(session, user)  # whoever had the old password is out
    return user


def set_user_active(session: Session, user: User, *, active: bool) -> User:
    """Deactivate (or activate again) a user; deactivation ends their sessions, so activating
    them later does not bring an old session back."""
    if user.active and not active:
        end_sessions(session, user)
    user.active = active
    session.add(user)
    session.flush()
    return user


def change_password(session: Session, user: User, *, current: str, new: str) -> User:
    """The user's own change of password: the current one must be right and the new one keep
    the rules. Ends every other session (the caller starts a fresh one for this)."""
    errors: dict[str, list] = {}
    if verify_password(session, email=user.email, password=current) is None:
        errors["current_password"] = [_l("The current password is not right.")]
    problems = check_password_rules(new, email=user.email)
    if problems:
        errors["new_password"] = problems
    elif secrets.compare_digest(new.encode("utf-8"), current.encode("utf-8")):
        errors["new_password"] = [_l("Choose a password other than the current one.")]
    if errors:
        raise ValidationFailed(_l("The password was not changed."), errors=errors)
    user.password_hash = hash_password(new)
    session.add(user)
    session.flush()
    end_sessions(session, user)
    return user


def set_locale(session: Session, user: User, locale: str) -> None:
    user.locale = locale
    session.add(user)
    session.flush()


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(session: Session, *, email: str) -> str:
    """A new API token for the user; returned once, stored only as a hash."""
    user = get_user_by_email(session, email)
    if user is None:
        raise NotFound(_l("No user with the e-mail address %(email)s.", email=email))
    if not user.active:
        raise ValidationFailed(_l("The user %(email)s is deactivated.", email=email))
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, token_hash=_token_hash(token), prefix=token[:12]))
    session.flush()
    return token


def user_for_token(session: Session, token: str) -> User | None:
    if not token or len(token) > 200:
        return None
    row = session.exec(
        select(User).join(ApiToken, ApiToken.user_id == User.id)
        .where(ApiToken.token_hash == _token_hash(token), ApiToken.revoked_at.is_(None))
    ).first()
    if row is None or not row.active:
        return None
    return row


def count_users(session: Session) -> int:
    return session.exec(select(func.count()).select_from(User)).one()
