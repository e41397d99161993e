"""The app for a WSGI server (gunicorn -c gunicorn.conf.py wsgi:app) and for `flask --app wsgi`."""

import gc
import os

from classroom import create_app
from classroom.logs import configure_logging

# JSON lines with a request id, set up here rather than in the factory (tests keep pytest's logging).
# gunicorn.conf.py has already done the same for gunicorn's own loggers; this then changes nothing.
configure_logging(os.environ.get("LOG_LEVEL", "INFO").upper())

app = create_app()

# The app, its modules and SQLAlchemy's mappings live as long as the process. Frozen, the garbage collector
# stops walking them again on every collection: about a tenth of the CPU of a save or a student's page
# (bench/RESULTS.md, part 5). A preloaded gunicorn master forks after this, so its workers also keep
# sharing these memory pages instead of copying them when the collector touches them.
gc.collect()
gc.freeze()
