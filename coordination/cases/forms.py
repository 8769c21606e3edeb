from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    MultipleFileField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.fields import DateTimeLocalField
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    NumberRange,
    Optional,
    ValidationError,
)

from coordination.cases.orgnr import (
    InvalidOrganisationNumber,
    normalise_organisation_number,
)
from coordination.forms import (
    BaseForm,
    ChoiceField,
    DayField,
    MultiChoiceField,
    WholeNumberField,
    max_length,
    optional_int,
)
from coordination.i18n import lazy_gettext as _l

TITLE_MAX = 200
DESCRIPTION_MAX = 5000


def organisation_number_check(form, field):
    if not field.data:
        return
    try:
        field.data = normalise_organisation_number(field.data)
    except InvalidOrganisationNumber as error:
        if error.reason == "form":
            raise ValidationError(_l("Check the organisation number: it has 10 digits, written NNNNNN-NNNN "
                                     "or without the dash."))
        raise ValidationError(_l("Check the organisation number: the last digit does not match the others."))


class SubmitterFields:
    """The company or property owner and its contact person (public form and registration)."""

    company_name = StringField(_l("Company or property owner"), validators=[
        DataRequired(_l("Enter the name of the company or property owner.")), max_length(200)],
        render_kw={"autocomplete": "organization"})
    organisation_number = StringField(_l("Organisation number"), validators=[
        Optional(), max_length(20), organisation_number_check],
        description=_l("10 digits, e.g. 556677-8899."), render_kw={"inputmode": "numeric"})
    contact_name = StringField(_l("Contact person"), validators=[
        DataRequired(_l("Enter the name of the contact person.")), max_length(200)],
        render_kw={"autocomplete": "name"})
    contact_email = EmailField(_l("E-mail address"), validators=[
        DataRequired(_l("Enter an e-mail address so that we can reply.")), max_length(254),
        Email(_l("Enter an e-mail address in the form name@example.se."), check_deliverability=False)],
        render_kw={"autocomplete": "email"})
    contact_phone = TelField(_l("Phone (optional)"), validators=[Optional(), max_length(40)],
                             render_kw={"autocomplete": "tel"})
    location = StringField(_l("Address or place"), validators=[Optional(), max_length(300)],
                           description=_l("Where the matter is, e.g. a street address or a property."))


class IntakeForm(SubmitterFields, BaseForm):
    business_area_id = ChoiceField(_l("Business area"), coerce=optional_int,
                                   message=_l("Choose a business area from the list, or \u201cDon't know\u201d."))
    title = StringField(_l("Subject"), validators=[DataRequired(_l("Enter a subject.")), max_length(TITLE_MAX)],
                        description=_l("In a few words, e.g. \u201cSnow clearing on Ågesta broväg\u201d. At most 200 characters."))
    description = TextAreaField(_l("Describe the matter"), validators=[
        DataRequired(_l("Describe the matter.")), max_length(DESCRIPTION_MAX)],
        description=_l("What has happened, where, and what you need from the city. At most 5 000 characters."))
    attachments = MultipleFileField(_l("Attachments (optional)"),
                                    description=_l("PDF, JPG, PNG or DOCX, at most 10 MB each and 5 files."))
    consent = BooleanField(_l("I have read how the city handles the personal data in this form."), validators=[
        DataRequired(_l("Confirm that you have read how the city handles personal data."))])
    # A field people do not see: bots fill it in.
    website = StringField(_l("Leave this field empty"), validators=[Optional(), max_length(200)])


class RegisterForm(SubmitterFields, BaseForm):
    """The coordinator registers a case that came by phone, e-mail, a meeting or outreach."""

    source = ChoiceField(_l("Came in by"), message=_l("Choose how the case came in."))
    received_at = DateTimeLocalField(_l("Received"), format=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
                                     validators=[InputRequired(_l("Enter when the case came in."))],
                                     description=_l("Date and time it came in; deadlines count from here."))
    business_area_id = ChoiceField(_l("Business area"), coerce=optional_int,
                                   message=_l("Choose a business area from the list."))
    title = StringField(_l("Subject"), validators=[DataRequired(_l("Enter a subject.")), max_length(TITLE_MAX)])
    description = TextAreaField(_l("Description"), validators=[
        DataRequired(_l("Describe the matter.")), max_length(DESCRIPTION_MAX)])
    attachments = MultipleFileField(_l("Attachments (optional)"),
                                    description=_l("PDF, JPG, PNG or DOCX, at most 10 MB each and 5 files."))
    # Contact details may be unknown when a matter comes up in a meeting.
    contact_name = StringField(_l("Contact person"), validators=[Optional(), max_length(200)])
    contact_email = EmailField(_l("E-mail address"), validators=[
        Optional(), max_length(254),
        Email(_l("Enter an e-mail address in the form name@example.se."), check_deliverability=False)],
        description=_l("If given, the company gets a receipt with the status link."))


class TriageForm(BaseForm):
    business_area_id = ChoiceField(_l("Business area"), coerce=optional_int,
                                   message=_l("Choose a business area from the list."))
    focus_area_id = ChoiceField(_l("Focus area"), coerce=optional_int,
                                message=_l("Choose one of the four focus areas."))
    category = ChoiceField(_l("Category"), message=_l("Choose a category from the list."))
    organisation_ids = MultiChoiceField(_l("Organisations concerned"), coerce=int,
                                        message=_l("Choose organisations from the list."),
                                        description=_l("Hold Ctrl (Cmd on a Mac) to choose several."))
    priority = ChoiceField(_l("Priority"), message=_l("Choose a priority from the list."))
    major_significance = BooleanField(_l("Major significance (större dignitet)"))
    needs_department_head_decision = BooleanField(_l("Needs a decision at department-head level"))
    needs_political_decision = BooleanField(_l("Needs a political decision"))
    estimated_cost_sek = WholeNumberField(_l("Estimated cost (SEK)"), validators=[
        Optional(), NumberRange(min=0, max=10 ** 12, message=_l("Enter the cost in whole kronor, between 0 and "
                                                                  "1 000 000 000 000."))],
        description=_l("Whole kronor, no spaces. Leave empty if not known."))
    level = ChoiceField(_l("Starting level"), coerce=optional_int,
                        message=_l("Choose a level: work group, coordination group or steering group."))
    version = HiddenField()


class CommentForm(BaseForm):
    body = TextAreaField(_l("Internal comment"), validators=[
        DataRequired(_l("Write a comment.")), max_length(10_000)],
        description=_l("Only officials see comments; never the company."))


class LinkForm(BaseForm):
    other = StringField(_l("Case reference"), validators=[DataRequired(_l("Enter a case reference.")),
                                                          max_length(30)],
                        description=_l("E.g. SBR 2026/0042."))


class MergeForm(BaseForm):
    target = StringField(_l("Merge into case"), validators=[DataRequired(_l("Enter a case reference.")),
                                                            max_length(30)],
                         description=_l("This case is closed and its reference leads to the other case."))
    reason = StringField(_l("Reason"), validators=[DataRequired(_l("Give a reason.")), max_length(500)])


class QueueForm(BaseForm):
    """The queue's filters (GET, no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    q = StringField(_l("Search"), validators=[Optional(), max_length(200)],
                    description=_l("Reference, subject, description or company."))
    status = ChoiceField(_l("Status"), message=_l("Choose a status from the list."))
    level = ChoiceField(_l("Level"), coerce=optional_int, message=_l("Choose a level from the list."))
    business_area_id = ChoiceField(_l("Business area"), coerce=optional_int,
                                   message=_l("Choose a business area from the list."))
    focus_area_id = ChoiceField(_l("Focus area"), coerce=optional_int,
                                message=_l("Choose a focus area from the list."))
    organisation_id = ChoiceField(_l("Organisation"), coerce=optional_int,
                                  message=_l("Choose an organisation from the list."))
    priority = ChoiceField(_l("Priority"), message=_l("Choose a priority from the list."))
    source = ChoiceField(_l("Came in by"), message=_l("Choose a source from the list."))
    overdue = BooleanField(_l("Only overdue"))
    received_from = DayField(_l("Received from"), validators=[Optional()])
    received_to = DayField(_l("Received to"), validators=[Optional()])
    escalated_by = ChoiceField(_l("Escalated by rule"), message=_l("Choose a rule from the list."))
    escalated_from = DayField(_l("Escalated from"), validators=[Optional()])
    sort = ChoiceField(_l("Sort by"), message=_l("Choose a sort order from the list."))
    page = WholeNumberField(_l("Page"), validators=[Optional(), NumberRange(min=1, max=100000)])
