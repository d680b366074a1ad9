"""gunicorn's settings for chibo, read by `gunicorn chibo.wsgi` started in this folder.

The command line still wins (`--workers`, `--bind`), so docs/ops.md and docs/deploy.md give
only what differs by host.
"""

import multiprocessing

# A province's roll exported as .xlsx takes 40 s to a minute (docs/performance.md: 39–57 s
# for 240.000 members on a 2-core machine), and the page waits for it with its progress bar.
# gunicorn's default of 30 s would kill the worker half-way and the user would get nothing.
# The proxy in front must wait as long (nginx: `proxy_read_timeout 180s`).
timeout = 180
graceful_timeout = 30

# Two workers a core, each answering one request at a time: the pages are short database
# reads and writes, and a long export holds one worker, not the server.
workers = 2 * multiprocessing.cpu_count()

# A worker restarted after this many requests (spread so they do not restart together) keeps
# the memory of a long-running process in check.
max_requests = 2000
max_requests_jitter = 200
