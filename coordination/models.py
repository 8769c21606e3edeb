"""Every feature's models, imported so that Alembic and create_all see them all."""

from coordination.actions.models import ActionItem, ActionNote, PlannedChange  # noqa: F401
from coordination.audit.models import AuditEntry  # noqa: F401
from coordination.auth.models import ApiToken, Role, User  # noqa: F401
from coordination.cases.models import (  # noqa: F401
    Attachment,
    Case,
    CaseComment,
    CaseEvent,
    CaseLink,
    CaseOrganisation,
    CaseSource,
    CaseStatus,
    ReferenceCounter,
)
from coordination.companies.models import (  # noqa: F401
    Company,
    CompanyArea,
    ContactLogCase,
    ContactLogCompany,
    ContactLogEntry,
    ContactPerson,
    DevelopmentProject,
    OutreachEntry,
    ProjectArea,
)
from coordination.db import metadata  # noqa: F401
from coordination.meetings.models import (  # noqa: F401
    Agenda,
    AgendaItem,
    AgendaVersion,
    CalendarToken,
    Meeting,
    MeetingSeries,
    Minutes,
    MinutesItem,
)
from coordination.notifications.models import Notification, NotificationPreference  # noqa: F401
from coordination.organisations.models import (  # noqa: F401
    BusinessArea,
    Committee,
    FocusArea,
    Group,
    GroupKind,
    GroupMember,
    Organisation,
    OrganisationKind,
)
from coordination.outbox.models import OutboxMessage  # noqa: F401
from coordination.pagecache import DataVersion  # noqa: F401
from coordination.reports.models import (  # noqa: F401
    Report,
    ReportAnswer,
    ReportQuestion,
    ReportTemplate,
)
from coordination.routing.models import (  # noqa: F401
    EscalationRequest,
    RoutingRule,
    RuleAudit,
    RuleFiring,
)
from coordination.system.models import JobHeartbeat  # noqa: F401
