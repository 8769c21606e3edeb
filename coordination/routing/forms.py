from wtforms import BooleanField, FieldList, FormField, StringField, TextAreaField
from wtforms.validators import NumberRange, Optional

from coordination.forms import (
    BaseForm,
    ChoiceField,
    MultiChoiceField,
    SubForm,
    WholeNumberField,
    max_length,
    optional_int,
)
from coordination.i18n import lazy_gettext as _l
from coordination.routing.vocabulary import (
    ACTIONS,
    FIELDS,
    LEVELS,
    NOTIFY_TARGETS,
    OPERATORS,
)


class ConditionForm(SubForm):
    field = ChoiceField(_l("Tests"), choices=[("", _l("– no condition –"))] + [(k, f.label) for k, f in FIELDS.items()],
                        message=_l("Choose what the condition tests from the list."))
    op = ChoiceField(_l("Comparison"), choices=[("", "–")] + list(OPERATORS.items()),
                     message=_l("Choose a comparison from the list."))
    value = StringField(_l("Value"), validators=[max_length(500)])


class ActionForm(SubForm):
    type = ChoiceField(_l("Action"), choices=[("", _l("– no action –"))] + list(ACTIONS.items()),
                       message=_l("Choose an action from the list."))
    to_level = ChoiceField(_l("To level"), coerce=optional_int,
                           choices=[("", "–"), (2, LEVELS[2]), (3, LEVELS[3])],
                           message=_l("A rule escalates to level 2 or 3; rules never move a case down."))
    who = ChoiceField(_l("Whom"), choices=[("", "–")] + list(NOTIFY_TARGETS.items()),
                      message=_l("Choose whom to notify from the list."))


class RuleForm(BaseForm):
    code = StringField(_l("Code"), validators=[max_length(20)], description=_l("Short, e.g. R8."))
    name_sv = StringField(_l("Name (Swedish)"), validators=[max_length(200)])
    name_en = StringField(_l("Name (English)"), validators=[max_length(200)])
    description = TextAreaField(_l("Description"), validators=[max_length(2000)])
    enabled = BooleanField(_l("Enabled"))
    position = WholeNumberField(_l("Order"), description=_l("Rules run in this order, lowest first."),
                                validators=[Optional(), NumberRange(min=0, max=100000,
                                                                    message=_l("Give an order between 0 and 100 000."))])
    on_change = BooleanField(_l("Runs when a case changes (triage, edits)"))
    on_sweep = BooleanField(_l("Runs in the regular sweep (time-based conditions)"))
    levels = MultiChoiceField(_l("Applies to cases at"), coerce=int, choices=list(LEVELS.items()),
                              message=_l("Choose levels from the list."),
                              description=_l("None chosen: every level. Hold Ctrl (Cmd on a Mac) to choose several."))
    match = ChoiceField(_l("Conditions"), choices=[("all", _l("All conditions must hold")),
                                                    ("any", _l("Any one condition is enough"))],
                        message=_l("Choose whether all or any of the conditions must hold."))
    conditions = FieldList(FormField(ConditionForm), min_entries=5, max_entries=10)
    actions = FieldList(FormField(ActionForm), min_entries=3, max_entries=5)
    reason_sv = StringField(_l("Reason shown (Swedish)"), validators=[max_length(500)])
    reason_en = StringField(_l("Reason shown (English)"), validators=[max_length(500)])


class MoveForm(BaseForm):
    to_level = ChoiceField(_l("Move to"), coerce=optional_int,
                           choices=[(1, LEVELS[1]), (2, LEVELS[2]), (3, LEVELS[3])],
                           message=_l("Choose a level: work group, coordination group or steering group."))
    reason = TextAreaField(_l("Reason"), validators=[max_length(2000)],
                           description=_l("Required. Shown in the case's history."))


class RequestEscalationForm(BaseForm):
    to_level = ChoiceField(_l("Ask to move it to"), coerce=optional_int,
                           choices=[(2, LEVELS[2]), (3, LEVELS[3])],
                           message=_l("Choose a level above the case's current level."))
    reason = TextAreaField(_l("Why"), validators=[max_length(2000)],
                           description=_l("The coordinator decides; your reason is kept in the case's history."))


class ResolveRequestForm(BaseForm):
    answer = TextAreaField(_l("Answer"), validators=[max_length(2000)],
                           description=_l("Required when you decline."))
