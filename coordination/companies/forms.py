from wtforms import BooleanField, StringField, TextAreaField
from wtforms.fields import DateTimeLocalField
from wtforms.validators import DataRequired, Email, InputRequired, Optional

from coordination.forms import (
    BaseForm,
    ChoiceField,
    DayField,
    MultiChoiceField,
    max_length,
    optional_int,
)
from coordination.i18n import lazy_gettext as _l

KIND_LABELS = {"company": _l("Company"), "property_owner": _l("Property owner"),
               "both": _l("Company and property owner")}
CONTACT_KIND_LABELS = {"meeting": _l("Meeting"), "call": _l("Call"), "visit": _l("Visit"), "mail": _l("Mail"),
                       "outreach": _l("Outreach")}


class CompanyForm(BaseForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter a name.")), max_length(200)])
    organisation_number = StringField(_l("Organisation number"), validators=[Optional(), max_length(20)],
                                      description=_l("10 digits, e.g. 556677-8899."))
    sole_trader = BooleanField(_l("Sole trader (enskild firma): registered with a personal identity number"))
    kind = ChoiceField(_l("Kind"), choices=list(KIND_LABELS.items()), message=_l("Choose a kind from the list."))
    address = StringField(_l("Address"), validators=[Optional(), max_length(300)])
    properties = TextAreaField(_l("Property designations"), validators=[Optional(), max_length(2000)],
                               description=_l("One per line, e.g. Högdalen 3:14."))
    business_area_ids = MultiChoiceField(_l("Business areas"), coerce=int,
                                         message=_l("Choose business areas from the list."),
                                         description=_l("Hold Ctrl (Cmd on a Mac) to choose several."))


class ContactForm(BaseForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter a name.")), max_length(200)])
    role = StringField(_l("Role"), validators=[Optional(), max_length(200)])
    email = StringField(_l("E-mail address"), validators=[
        Optional(), max_length(254),
        Email(_l("Enter an e-mail address in the form name@example.se."), check_deliverability=False)])
    phone = StringField(_l("Phone"), validators=[Optional(), max_length(40)])


class ContactLogForm(BaseForm):
    at = DateTimeLocalField(_l("When"), format=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
                            validators=[InputRequired(_l("Enter when the contact took place."))])
    kind = ChoiceField(_l("Kind of contact"), choices=list(CONTACT_KIND_LABELS.items()),
                       message=_l("Choose a kind of contact from the list."))
    company_ids = MultiChoiceField(_l("Companies"), coerce=int, message=_l("Choose companies from the list."),
                                   description=_l("Hold Ctrl (Cmd on a Mac) to choose several."))
    cases = StringField(_l("Cases (optional)"), validators=[Optional(), max_length(500)],
                        description=_l("References separated by commas, e.g. SBR 2026/0042."))
    note = TextAreaField(_l("Note"), validators=[Optional(), max_length(10000)])


class CompanySearchForm(BaseForm):
    class Meta:
        csrf = False

    q = StringField(_l("Search"), validators=[Optional(), max_length(200)],
                    description=_l("Name, organisation number or address."))
    business_area_id = ChoiceField(_l("Business area"), coerce=optional_int,
                                   message=_l("Choose a business area from the list."))
    kind = ChoiceField(_l("Kind"), message=_l("Choose a kind from the list."))
    unconfirmed = BooleanField(_l("Only those not yet confirmed"))


PROJECT_KIND_LABELS = {"development": _l("Development project (exploatering)"), "detailed_plan": _l("Detailed plan"),
                       "road_works": _l("Road works"), "other": _l("Other")}
HOW_LABELS = {"meeting": _l("Meeting"), "call": _l("Call"), "visit": _l("Visit"), "mail": _l("E-mail"),
              "letter": _l("Letter")}


class ProjectForm(BaseForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter a name.")), max_length(200)])
    kind = ChoiceField(_l("Kind"), choices=list(PROJECT_KIND_LABELS.items()), message=_l("Choose a kind from the list."))
    description = TextAreaField(_l("Description"), validators=[Optional(), max_length(5000)])
    starts_on = DayField(_l("From"), validators=[Optional()], description=_l("YYYY-MM-DD"))
    ends_on = DayField(_l("To"), validators=[Optional()], description=_l("YYYY-MM-DD"))
    business_area_ids = MultiChoiceField(_l("Business areas affected"), coerce=int,
                                         message=_l("Choose business areas from the list."),
                                         description=_l("Hold Ctrl (Cmd on a Mac) to choose several."))
