"""The Celery app. With no CELERY_BROKER_URL, settings make every task run eagerly in-process."""

import multiprocessing
import os
from multiprocessing.process import AuthenticationString

from celery import Celery
from celery.signals import worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bigcare.settings")

app = Celery("bigcare")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_process_init.connect
def _may_have_children(**_) -> None:
    """Let a task start processes of its own: an import stages its parts in a process pool
    (intake.staging).

    The prefork pool's processes are daemonic, and multiprocessing refuses a daemonic process
    children. Safe here: that pool is shut down before the task returns, and if the task's
    process is killed its workers see their pipes close and exit. The process is billiard's,
    and so is its authentication key's type, which multiprocessing will not hand to a child:
    the same key, as multiprocessing's type.
    """
    process = multiprocessing.current_process()
    process.daemon = False
    process._config["authkey"] = AuthenticationString(bytes(process.authkey))
