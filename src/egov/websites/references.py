"""Wagtail's reference index, updated by the task worker without failing on replaced rows.

Wagtail queues an index update for each saved row, a page's child rows (a body's leaders)
included, and its task loads the row by key. Publishing a revision replaces child rows, so by the
time the worker runs, the queued row is often gone and the task fails with DoesNotExist, although
the page's own update (and the new rows' updates) index the same references. This task skips rows
that no longer exist and hands the rest to Wagtail's.
"""

from __future__ import annotations

from django.apps import apps
from django_tasks import task
from wagtail import signal_handlers
from wagtail import tasks as wagtail_tasks


@task()
def update_reference_index(app_label: str, model_name: str, pk: str) -> None:
    model = apps.get_model(app_label, model_name)
    if model._default_manager.filter(pk=pk).exists():
        wagtail_tasks.update_reference_index_task.call(app_label, model_name, pk)


def install() -> None:
    """Wagtail's save handler looks its task up by name at each save: it then queues this one."""
    signal_handlers.update_reference_index_task = update_reference_index
