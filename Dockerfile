# One image for every process of the platform: web (gunicorn), worker, beat and event relay.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_PYTHON_DOWNLOADS=never \
    UV_LINK_MODE=copy \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    PATH=/opt/venv/bin:$PATH \
    DJANGO_SETTINGS_MODULE=smartplatform.settings

RUN apt-get update \
    && apt-get install --yes --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/* \
    && pip install --no-cache-dir uv

WORKDIR /app
COPY pyproject.toml uv.lock ./
RUN uv sync --locked --no-dev --no-install-project

COPY . .
RUN SECRET_KEY=collectstatic-only DEBUG=false python manage.py compilemessages --ignore=.venv \
    && SECRET_KEY=collectstatic-only DEBUG=false python manage.py collectstatic --noinput \
    && useradd --system --uid 10001 --home /app app \
    && mkdir -p /app/media && chown app /app/media

USER app
EXPOSE 8000
# gunicorn trusts X-Forwarded-* only from FORWARDED_ALLOW_IPS (default 127.0.0.1); the
# compose file sets it for its private network behind nginx.
CMD ["gunicorn", "smartplatform.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", \
     "--access-logfile", "-"]
