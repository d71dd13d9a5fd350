"""Settings for the test suite: the real settings, read from the environment, plus what
only tests need (a fast password hasher, a cache namespace per run, a file SQLite database).
"""

import os
import uuid

os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production-use-0123456789abcdef")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("STATIC_MANIFEST", "false")
os.environ.setdefault("CELERY_VISIBILITY_TIMEOUT", "3600")
# Tests share one client address; the throttling tests set their own low rates.
os.environ.setdefault("THROTTLE_ANON_RATE", "100000/min")
os.environ.setdefault("THROTTLE_USER_RATE", "100000/min")
os.environ.setdefault("THROTTLE_CLAIM_RATE", "100000/min")
os.environ.setdefault("THROTTLE_INVITATION_RATE", "100000/min")

from smartplatform.settings import *  # noqa: F403
from smartplatform.settings import BASE_DIR, CACHES, DATABASES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Each run (and each xdist worker) gets its own cache namespace, so rate limits and cached
# values never leak between runs sharing one Redis.
CACHES["default"]["KEY_PREFIX"] = f"test-{uuid.uuid4().hex[:12]}"

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not the in-memory shared-cache database: that one fails with "database is
    # locked" errors which the busy timeout never retries.
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / f".test-db-{worker}.sqlite3")}

# Events are captured by a fixture in tests, never relayed behind their back.
EVENT_RELAY_IN_PROCESS = False

EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

# Serve static files (the offline API docs' assets) from the app folders, without collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# Tasks run in-process in tests; the tests that need a real worker start one on a Celery app
# of their own (tests/fixtures/workers.py), which leaves this default untouched.
CELERY_TASK_ALWAYS_EAGER = True
