"""Domain errors. Services raise them with a message a person can read; views turn them into
form errors or flashes, the API into problem objects."""

from coordination.i18n import lazy_gettext as _l


class DomainError(Exception):
    status = 400
    title = _l("The request could not be carried out")

    def __init__(self, message, *, errors: dict[str, list[str]] | None = None):
        super().__init__(str(message))
        self.message = message
        self.errors = errors or {}


class ValidationFailed(DomainError):
    """Input that breaks a rule of the domain; `errors` maps field names to messages."""

    status = 422
    title = _l("The input needs correcting")


class NotFound(DomainError):
    status = 404
    title = _l("Not found")


class NotAllowed(DomainError):
    status = 403
    title = _l("Not allowed")


class Conflict(DomainError):
    status = 409
    title = _l("Someone else changed this first")
