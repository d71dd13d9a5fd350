"""WSGI entry point (gunicorn smartplatform.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartplatform.settings")

application = get_wsgi_application()
