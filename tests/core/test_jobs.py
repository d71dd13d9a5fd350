import pytest
from celery import shared_task
from django.db import transaction

from smartplatform.core.jobs import enqueue_on_commit

ran: list[int] = []


@shared_task(name="tests.record")
def record(number: int) -> None:
    if number < 0:
        raise ValueError("a failing task")
    ran.append(number)


@pytest.fixture(autouse=True)
def _clear():
    ran.clear()


@pytest.mark.django_db(transaction=True)
def test_the_task_runs_after_the_commit_and_not_before():
    with transaction.atomic():
        enqueue_on_commit(record, 7)
        assert ran == []

    assert ran == [7]


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_queues_nothing():
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue_on_commit(record, 7)
        raise RuntimeError

    assert ran == []


@pytest.mark.django_db(transaction=True)
def test_a_failing_task_never_reaches_the_committed_caller(caplog):
    with transaction.atomic():
        enqueue_on_commit(record, -1)  # in-process: it raises after the commit

    assert ran == []
    assert "could not run or queue tests.record after commit" in caplog.text
