from wtforms import EmailField, PasswordField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, NumberRange, Optional

from coordination.auth.models import Role
from coordination.forms import (
    BaseForm,
    ChoiceField,
    MultiChoiceField,
    WholeNumberField,
    max_length,
    optional_int,
)
from coordination.i18n import lazy_gettext as _l
from coordination.organisations.models import GroupKind, OrganisationKind

ROLE_LABELS = {
    Role.coordinator.value: _l("Coordinator (Stockholm Business Region)"),
    Role.department.value: _l("Official at a department or company"),
    Role.steering.value: _l("Steering group member (FC/BC Näringsliv)"),
    Role.admin.value: _l("System administrator"),
}
ORGANISATION_KIND_LABELS = {
    OrganisationKind.department.value: _l("Department (förvaltning)"),
    OrganisationKind.company.value: _l("City-owned company (bolag)"),
    OrganisationKind.district.value: _l("District administration (stadsdelsförvaltning)"),
    OrganisationKind.external.value: _l("External partner"),
}
GROUP_KIND_LABELS = {
    GroupKind.work_group.value: _l("Work group (level 1)"),
    GroupKind.coordination_group.value: _l("Coordination group (level 2)"),
    GroupKind.steering_group.value: _l("Steering group FC/BC Näringsliv (level 3)"),
}


def _name(label, n=200):
    return StringField(label, validators=[DataRequired(_l("Enter a name.")), max_length(n)])


class UserForm(BaseForm):
    email = EmailField(_l("E-mail address"), validators=[
        DataRequired(_l("Enter an e-mail address.")),
        max_length(254),
        Email(_l("Enter an e-mail address in the form name@example.se."), check_deliverability=False)])
    name = _name(_l("Name"))
    role = ChoiceField(_l("Role"), choices=list(ROLE_LABELS.items()),
                       message=_l("Choose one of the roles in the list."))
    organisation_id = ChoiceField(_l("Organisation"), coerce=optional_int,
                                  message=_l("Choose an organisation from the list."))
    password = PasswordField(_l("Password"), validators=[Optional(), max_length(200)],
                             description=_l("At least 10 characters. Leave empty to keep the current password."),
                             render_kw={"autocomplete": "new-password"})


class NewUserForm(UserForm):
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter a password.")), max_length(200)],
                             description=_l("At least 10 characters."),
                             render_kw={"autocomplete": "new-password"})


class OrganisationForm(BaseForm):
    name = _name(_l("Name"))
    short_name = StringField(_l("Short name"), validators=[DataRequired(_l("Enter a short name.")), max_length(40)],
                             description=_l("Used in lists, e.g. TK for trafikkontoret."))
    kind = ChoiceField(_l("Kind"), choices=list(ORGANISATION_KIND_LABELS.items()),
                       message=_l("Choose a kind from the list."))
    email = EmailField(_l("Contact e-mail address"), validators=[
        Optional(), max_length(254),
        Email(_l("Enter an e-mail address in the form name@example.se."), check_deliverability=False)],
        description=_l("Also gets the reminders of the organisation's action items."))
    reminder_before_days = WholeNumberField(_l("Remind before the due date (working days)"), validators=[
        Optional(), NumberRange(min=0, max=30, message=_l("Between 0 and 30 working days."))],
        description=_l("Empty: 3 working days."))
    reminder_pace_days = WholeNumberField(_l("Remind again while overdue, every (working days)"), validators=[
        Optional(), NumberRange(min=1, max=60, message=_l("Between 1 and 60 working days."))],
        description=_l("Empty: every 5 working days."))


class CommitteeForm(BaseForm):
    name = _name(_l("Name"))
    organisation_id = ChoiceField(_l("Serving organisation"), coerce=optional_int,
                                  message=_l("Choose an organisation from the list."))


class BusinessAreaForm(BaseForm):
    name = _name(_l("Name"))
    description = TextAreaField(_l("Description"), validators=[Optional(), max_length(2000)])
    committee_id = ChoiceField(_l("Responsible committee"), coerce=optional_int,
                               message=_l("Choose a committee from the list."))


class GroupForm(BaseForm):
    name = _name(_l("Name"))
    kind = ChoiceField(_l("Kind of group"), choices=list(GROUP_KIND_LABELS.items()),
                       message=_l("Choose a kind of group from the list."))
    business_area_id = ChoiceField(_l("Business area"), coerce=optional_int,
                                   description=_l("Only for work groups."),
                                   message=_l("Choose a business area from the list."))
    member_ids = MultiChoiceField(_l("Members"), coerce=int, message=_l("Choose members from the list."),
                                  description=_l("Hold Ctrl (Cmd on a Mac) to choose several."))
    chair_id = ChoiceField(_l("Chair"), coerce=optional_int, message=_l("Choose the chair from the list."))
