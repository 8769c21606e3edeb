"""The audit log page's filters, and the words for its codes."""

from wtforms.validators import Optional

from coordination.audit import services
from coordination.audit.models import ANONYMOUS, SYSTEM
from coordination.forms import BaseForm, ChoiceField, DayField
from coordination.i18n import lazy_gettext as _l

ACTION_LABELS = {
    services.LOGIN_SUCCESS: _l("Login"),
    services.LOGIN_FAILURE: _l("Failed login"),
    services.LOGIN_LOCKED: _l("Login refused while locked"),
    services.LOGOUT: _l("Logout"),
    services.LOGOUT_EVERYWHERE: _l("Logout on every device"),
    services.CREATE: _l("Record created"),
    services.UPDATE: _l("Record changed"),
    services.ACTIVATE: _l("Record activated"),
    services.DEACTIVATE: _l("Record deactivated"),
    services.PERSONAL_DATA_READ: _l("Personal data read"),
    services.ANONYMISE: _l("Personal data anonymised"),
    services.EXPORT: _l("Export"),
    services.BACKUP_CREATE: _l("Backup taken"),
    services.BACKUP_RESTORE: _l("Backup restored"),
    services.ADMIN_REQUEST: _l("Other change by an administrator"),
}
OBJECT_LABELS = {
    "user": _l("User"),
    "account": _l("Unknown account (hashed e-mail address)"),
    "organisation": _l("Organisation"),
    "committee": _l("Committee"),
    "business_area": _l("Business area"),
    "group": _l("Group"),
    "meeting_series": _l("Series of meetings"),
    "routing_rule": _l("Rule"),
    "report_template": _l("Report template"),
    "report_question": _l("Report question"),
    "report": _l("Follow-up report"),
    "meeting": _l("Meeting"),
    "company": _l("Company or property owner"),
    "contact_person": _l("Contact person"),
    "case": _l("Case"),
    "person": _l("Person (hashed e-mail address)"),
    "audit_log": _l("Audit log"),
    "database": _l("Database"),
}
ACTOR_LABELS = {SYSTEM: _l("The system (command line and jobs)"), ANONYMOUS: _l("Not logged in")}


class AuditFilterForm(BaseForm):
    """The log's filters (GET, no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    actor = ChoiceField(_l("Who"), message=_l("Choose a person from the list."))
    action = ChoiceField(_l("What happened"), message=_l("Choose an event from the list."))
    object_type = ChoiceField(_l("Kind of record"), message=_l("Choose a kind of record from the list."))
    date_from = DayField(_l("From date"), validators=[Optional()], description=_l("YYYY-MM-DD"))
    date_to = DayField(_l("To date"), validators=[Optional()], description=_l("YYYY-MM-DD, this day included"))

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if valid and self.date_from.data and self.date_to.data and self.date_to.data < self.date_from.data:
            self.date_to.errors = [_l("The to date is before the from date.")]
            valid = False
        return valid
