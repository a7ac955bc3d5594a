"""Reports' Celery tasks (thin: take ids, call one service): exports built in the background,
and the scheduled monthly reports and weekly digests. Beat entries: config/celery_app.py."""

from reports.tasks.exports import *  # noqa: F403
from reports.tasks.scheduled import *  # noqa: F403
