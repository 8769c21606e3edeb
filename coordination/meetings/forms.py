from wtforms import FieldList, FormField, StringField, TextAreaField, TimeField
from wtforms.fields import DateTimeLocalField
from wtforms.validators import DataRequired, InputRequired, Optional

from coordination.forms import (
    BaseForm,
    ChoiceField,
    DayField,
    SubForm,
    WholeNumberField,
    max_length,
    optional_int,
)
from coordination.i18n import lazy_gettext as _l

SECTION_LABELS = {
    "opening": _l("Opening"), "decisions": _l("Matters for decision"), "follow_up": _l("Follow-up of action items"),
    "information": _l("Information"), "committee": _l("Preparation for committee"), "other": _l("Other business"),
}
OUTCOME_LABELS = {
    "delegate": _l("Delegate to the work group, with action items"), "escalate": _l("Escalate"),
    "refer": _l("Refer to the committee (nämnd)"), "close": _l("Close, with an answer to the company"),
    "postpone": _l("Postpone"), "noted": _l("Noted (information)"),
}


class SeriesForm(BaseForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter a name.")), max_length(200)])
    group_id = ChoiceField(_l("Group"), coerce=optional_int, message=_l("Choose a group from the list."))
    rrule = StringField(_l("Recurrence"), validators=[Optional(), max_length(500)],
                        description=_l("E.g. FREQ=WEEKLY;INTERVAL=4;BYDAY=WE for every fourth Wednesday. "
                                       "Leave empty to list dates instead."))
    first_date = DayField(_l("First meeting"), validators=[Optional()], description=_l("YYYY-MM-DD"))
    dates = TextAreaField(_l("Or: dates"), validators=[Optional(), max_length(5000)],
                          description=_l("One date per line, YYYY-MM-DD."))
    start_time = TimeField(_l("Starts"), validators=[InputRequired(_l("Enter when the meetings start, e.g. 09:00."))])
    end_time = TimeField(_l("Ends"), validators=[InputRequired(_l("Enter when the meetings end, e.g. 11:00."))])
    place = StringField(_l("Place"), validators=[Optional(), max_length(300)])
    video_link = StringField(_l("Video link"), validators=[Optional(), max_length(500)])
    lead_time_days = WholeNumberField(_l("Agenda lead time (working days)"),
                                      validators=[InputRequired(_l("Enter the lead time in working days."))],
                                      description=_l("The agenda is generated this many working days before the meeting."))


class MoveMeetingForm(BaseForm):
    starts_at = DateTimeLocalField(_l("Starts"), format=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
                                   validators=[InputRequired(_l("Enter when the meeting starts."))])
    ends_at = DateTimeLocalField(_l("Ends"), format=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
                                 validators=[InputRequired(_l("Enter when the meeting ends."))])
    place = StringField(_l("Place"), validators=[Optional(), max_length(300)])


class CancelForm(BaseForm):
    reason = StringField(_l("Reason"), validators=[DataRequired(_l("Give a reason.")), max_length(1000)])


class ItemForm(BaseForm):
    title = StringField(_l("Title"), validators=[DataRequired(_l("Enter a title.")), max_length(300)])
    body = TextAreaField(_l("Text"), validators=[Optional(), max_length(10000)])


class AddItemForm(ItemForm):
    section = ChoiceField(_l("Section"), choices=list(SECTION_LABELS.items()),
                          message=_l("Choose a section from the list."))


class RemoveItemForm(BaseForm):
    reason = StringField(_l("Why remove it"), validators=[DataRequired(_l("Give a reason.")), max_length(500)])


class ActionRow(SubForm):
    organisation_id = ChoiceField(_l("Organisation"), coerce=optional_int,
                                  message=_l("Choose the organisation of each action item from the list."))
    title = StringField(_l("What"), validators=[Optional(), max_length(200)])
    due_date = DayField(_l("Due"), validators=[Optional()])


class DecisionForm(BaseForm):
    decision = TextAreaField(_l("Decision"), validators=[Optional(), max_length(10000)])
    outcome = ChoiceField(_l("Outcome"), choices=[("", _l("– not decided –"))] + list(OUTCOME_LABELS.items()),
                          message=_l("Choose an outcome from the list."))
    to = ChoiceField(_l("Escalate to"), choices=[("", "–"), ("steering", _l("The steering group")),
                                                  ("committee", _l("Preparation for committee"))],
                     message=_l("Choose whether the case goes to the steering group or is prepared for committee."))
    answer = TextAreaField(_l("Answer to the company"), validators=[Optional(), max_length(5000)],
                           description=_l("Shown on the company's status link."))
    actions = FieldList(FormField(ActionRow), min_entries=3, max_entries=3)


class CorrectionForm(BaseForm):
    reason = StringField(_l("Reason for the correction"), validators=[DataRequired(_l("Give a reason.")),
                                                                      max_length(1000)])
