"""The API's meetings and agendas."""

from datetime import datetime
from typing import Annotated

from flask_login import current_user
from flask_openapi3 import Tag
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from coordination.access import allow, can_view_meeting
from coordination.api.problems import Problem, problem
from coordination.api.views import api
from coordination.db import get_session
from coordination.meetings import services
from coordination.meetings.models import Agenda, AgendaStatus, Meeting, MeetingSeries
from coordination.organisations.models import Group, GroupMember
from coordination.web import clock

meetings_tag = Tag(name="meetings", description="Meetings of the groups and their agendas")


class MeetingOut(BaseModel):
    id: int
    series: str
    group: str
    starts_at: datetime
    ends_at: datetime
    place: str
    status: str = Field(description="planned or cancelled")
    agenda: str | None = Field(description="null (not generated), draft or published")


class MeetingList(BaseModel):
    items: list[MeetingOut]


class MeetingQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    days_back: Annotated[int, Field(ge=0, le=3650)] = 60
    limit: Annotated[int, Field(ge=1, le=500)] = 200


class MeetingPath(BaseModel):
    id: Annotated[int, Field(ge=1, le=2**31 - 1)]


class AgendaItemOut(BaseModel):
    id: int
    title: str
    body: str
    case_id: int | None
    state: str = Field(description="new, current or stale (no longer matching)")
    carried_from: str | None = Field(description="The date of the meeting that handled it before")


class AgendaSection(BaseModel):
    key: str = Field(description="opening, decisions, follow_up, information, committee, other")
    items: list[AgendaItemOut]


class AgendaOut(BaseModel):
    meeting_id: int
    status: str
    generated_at: datetime | None
    published_at: datetime | None
    sections: list[AgendaSection]


def _membership() -> set[int]:
    return set(get_session().execute(select(GroupMember.group_id).where(GroupMember.user_id == current_user.id))
               .scalars())


@api.get("/meetings", tags=[meetings_tag], responses={200: MeetingList, 422: Problem},
         summary="Meetings you may see, from some days back and ahead")
@allow()
def list_meetings(query: MeetingQuery):
    from datetime import timedelta

    db = get_session()
    since = clock().now() - timedelta(days=query.days_back)
    member_of = _membership()
    rows = db.execute(select(Meeting, MeetingSeries, Group, Agenda)
                      .join(MeetingSeries, MeetingSeries.id == Meeting.series_id)
                      .join(Group, Group.id == MeetingSeries.group_id)
                      .outerjoin(Agenda, Agenda.meeting_id == Meeting.id)
                      .where(Meeting.starts_at >= since).order_by(Meeting.starts_at).limit(query.limit)).all()
    items = []
    for meeting, series, group, agenda in rows:
        published = agenda is not None and agenda.status == AgendaStatus.published.value
        if not can_view_meeting(current_user, group_kind=group.kind, is_member=group.id in member_of,
                                published=published):
            continue
        items.append(MeetingOut(id=meeting.id, series=series.name, group=group.name, starts_at=meeting.starts_at,
                                ends_at=meeting.ends_at, place=meeting.place, status=meeting.status,
                                agenda=None if agenda is None or agenda.generation == 0 else agenda.status))
    return MeetingList(items=items).model_dump(mode="json")


@api.get("/meetings/<int:id>/agenda", tags=[meetings_tag], responses={200: AgendaOut, 404: Problem, 422: Problem},
         summary="A meeting's agenda by section (drafts only for the coordinator)")
@allow()
def get_agenda(path: MeetingPath):
    db = get_session()
    meeting = db.get(Meeting, path.id)
    agenda = db.execute(select(Agenda).where(Agenda.meeting_id == path.id)).scalars().first() if meeting else None
    if meeting is None or agenda is None or agenda.generation == 0:
        return problem(404, "Not found", f"There is no agenda for meeting {path.id} that you may see.")
    group = db.get(Group, db.get(MeetingSeries, meeting.series_id).group_id)
    if not can_view_meeting(current_user, group_kind=group.kind, is_member=group.id in _membership(),
                            published=agenda.status == AgendaStatus.published.value):
        return problem(404, "Not found", f"There is no agenda for meeting {path.id} that you may see.")
    sections = [AgendaSection(key=key, items=[AgendaItemOut(id=i.id, title=i.title, body=i.body, case_id=i.case_id,
                                                           state=i.state, carried_from=i.carried_from)
                                             for i in items if i.state != "removed"])
                for key, items in services.agenda_items(db, agenda).items()]
    return AgendaOut(meeting_id=meeting.id, status=agenda.status, generated_at=agenda.generated_at,
                     published_at=agenda.published_at, sections=sections).model_dump(mode="json")
