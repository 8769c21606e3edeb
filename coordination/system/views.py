"""Probes for operators and load balancers: `/healthz` (the process answers) and `/readyz` (the
database answers and is migrated to this code's head). Public, JSON, nothing personal."""

from flask import Blueprint, jsonify

from coordination.access import allow
from coordination.db import get_engine
from coordination.system.health import check_readiness

bp = Blueprint("system", __name__)


def _no_store(response, status: int = 200):
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/healthz")
@allow(public=True)
def healthz():
    """Answers as long as the process serves requests; touches no database."""
    return _no_store(jsonify(status="ok"))


@bp.get("/readyz")
@allow(public=True)
def readyz():
    """200 when the database is reachable and at the migrations' head; 503 naming what is not."""
    readiness = check_readiness(get_engine())
    return _no_store(jsonify(readiness.as_dict()), 200 if readiness.ready else 503)
