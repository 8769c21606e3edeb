from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Optional

from coordination.forms import BaseForm, ChoiceField, DayField, max_length, optional_int
from coordination.i18n import lazy_gettext as _l
from coordination.labels import ACTION_STATUS_LABELS as STATUS_LABELS


class NewActionForm(BaseForm):
    organisation_id = ChoiceField(_l("Organisation"), coerce=optional_int,
                                  message=_l("Choose an organisation from the list."))
    title = StringField(_l("What is to be done"), validators=[DataRequired(_l("Say what is to be done.")),
                                                             max_length(200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), max_length(5000)])
    due_date = DayField(_l("Due date"), validators=[InputRequired(_l("Enter the due date."))],
                        description=_l("YYYY-MM-DD"))
    responsible_user_id = ChoiceField(_l("Responsible person (optional)"), coerce=optional_int,
                                      message=_l("Choose a person of the organisation from the list."))
    work_group_id = ChoiceField(_l("Work group (optional)"), coerce=optional_int,
                                message=_l("Choose a work group from the list."))


class UpdateActionForm(BaseForm):
    status = ChoiceField(_l("Status"), choices=list(STATUS_LABELS.items()),
                         message=_l("Choose a status from the list."))
    note = TextAreaField(_l("Progress note"), validators=[Optional(), max_length(5000)])
    blocked_reason = StringField(_l("What blocks it"), validators=[Optional(), max_length(1000)],
                                 description=_l("Only when the status is Blocked."))
    version = HiddenField()


class PlannedChangeForm(BaseForm):
    organisation_id = ChoiceField(_l("Organisation"), coerce=optional_int,
                                  message=_l("Choose an organisation from the list."))
    business_area_id = ChoiceField(_l("Business area"), coerce=optional_int,
                                   message=_l("Choose a business area from the list."))
    title = StringField(_l("What is planned"), validators=[DataRequired(_l("Say what is planned.")), max_length(200)],
                        description=_l("E.g. road works on Ågesta broväg, a new detaljplan, changed waste collection."))
    description = TextAreaField(_l("Description"), validators=[Optional(), max_length(5000)])
    starts_on = DayField(_l("From"), validators=[Optional()], description=_l("YYYY-MM-DD"))
    ends_on = DayField(_l("To"), validators=[Optional()], description=_l("YYYY-MM-DD"))
    contact = StringField(_l("Contact"), validators=[Optional(), max_length(300)],
                          description=_l("Who companies can ask: name, e-mail or phone."))
