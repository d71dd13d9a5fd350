"""A Celery worker process for the drills: the platform's app plus the drill consumer, on the
queue and broker the drill names. Run as ``python -m tests.drills.worker QUEUE``."""

import sys

import django


def main() -> None:
    queue = sys.argv[1]
    django.setup()
    import tests.drills.consumers  # noqa: F401  (registers the drill consumer)
    from smartplatform.celery import app

    app.worker_main(
        [
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "-Q",
            queue,
            "--loglevel=WARNING",
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
        ]
    )


if __name__ == "__main__":
    main()
