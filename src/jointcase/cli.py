"""The ``jointcase`` console script: every operator task, wrapping manage.py.

``jointcase COMMAND`` runs the Django management command of that name (hyphens and
underscores are interchangeable: ``jointcase demo-users`` runs ``demo_users``), plus:

- ``jointcase serve``: gunicorn in production (``--bind``, ``--workers`` as gunicorn takes them);
- ``jointcase worker``: the django-tasks database worker.

A database that cannot be reached (a wrong ``DATABASE_URL``, a database not yet created, the
server down) is one line saying so, not a Python traceback; ``--traceback`` shows the detail.
"""

from __future__ import annotations

import os
import sys

import django
from django.core.management import call_command, execute_from_command_line
from django.db.utils import OperationalError
from gunicorn.app.wsgiapp import run


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jointcase.settings")
    if len(args) > 1 and not args[1].startswith("-"):
        args[1] = args[1].replace("-", "_")
        if args[1] == "serve":
            _serve(args[2:])
            return
        if args[1] == "worker":
            args[1:2] = ["db_worker"]
    try:
        execute_from_command_line(args)
    except OperationalError as error:
        if "--traceback" in args:
            raise
        detail = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        sys.stderr.write(
            f"jointcase: the database could not be used: {detail}\n"
            "Check DATABASE_URL and that the database exists and its server is running "
            '(docs/operations.md "PostgreSQL"); add --traceback for the details.\n'
        )
        raise SystemExit(2) from None


def _serve(extra: list[str]) -> None:
    django.setup()
    call_command("check", deploy=True, fail_level="WARNING")
    port = os.environ.get("PORT", "8000")
    gunicorn_args = [
        "gunicorn",
        "jointcase.wsgi:application",
        "--bind",
        os.environ.get("JOINTCASE_BIND", f"0.0.0.0:{port}"),
        "--workers",
        os.environ.get("JOINTCASE_WORKERS", "4"),
        "--access-logfile",
        "-",
        *extra,
    ]
    sys.argv = gunicorn_args
    run()


if __name__ == "__main__":
    main()
