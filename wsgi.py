"""The app for a WSGI server (gunicorn -c gunicorn.conf.py wsgi:app) and for `flask --app wsgi`."""

import os

from classroom import create_app
from classroom.logs import configure_logging

# JSON lines with a request id, set up here rather than in the factory (tests keep pytest's logging).
# gunicorn.conf.py has already done the same for gunicorn's own loggers; this then changes nothing.
configure_logging(os.environ.get("LOG_LEVEL", "INFO").upper())

app = create_app()
