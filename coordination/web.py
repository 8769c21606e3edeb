"""What views and the API take from the application: its clock and working-day calendar."""

from flask import current_app

from coordination.clock import Clock, WorkingDays


def clock() -> Clock:
    return current_app.extensions["clock"]


def working_days() -> WorkingDays:
    return current_app.extensions["working_days"]
