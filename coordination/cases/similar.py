"""Cases like this one, so that repeated issues (the same snow clearing, the same trygghet
problem) are linked or merged instead of handled twice."""

from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session, or_, select

from coordination.cases.models import OPEN_STATUSES, Case
from coordination.cases.search import ranked_similar
from coordination.clock import Clock

RECENT_DAYS = 365


@dataclass
class SimilarCase:
    case: Case
    score: float


def similar_cases(session: Session, case: Case, *, clock: Clock, limit: int = 8) -> list[SimilarCase]:
    """Open cases, and cases closed in the last year, in the same business area (any area when
    the case has none yet), ranked by how many words they share with this one."""
    since = clock.now() - timedelta(days=RECENT_DAYS)
    candidates = select(Case.id).where(Case.id != case.id, Case.merged_into_id.is_(None),
                                       or_(Case.status.in_(OPEN_STATUSES), Case.updated_at >= since))
    if case.business_area_id:
        candidates = candidates.where(Case.business_area_id == case.business_area_id)
    ranked = ranked_similar(session, f"{case.title} {case.description}", candidates, limit=limit)
    if not ranked:
        return []
    found = {c.id: c for c in session.exec(select(Case).where(Case.id.in_([i for i, _s in ranked])))}
    return [SimilarCase(case=found[i], score=score) for i, score in ranked if i in found]
