"""factory_boy factories for the core models."""

import hashlib
import secrets
from datetime import timedelta
from typing import Any

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone
from rest_framework.test import APIClient

from smartplatform.accounts.models import User
from smartplatform.core.models import Event, EventDelivery, IdempotencyRecord
from smartplatform.organisations.models import Municipality


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.se")
    display_name = factory.Faker("name", locale="sv_SE")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery staple")

    @factory.post_generation
    def _save(obj: Any, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            obj.save()


class StaffFactory(UserFactory):
    is_staff = True


class SuperuserFactory(UserFactory):
    is_staff = True
    is_superuser = True


def municipality(code: str = "1283") -> Municipality:
    """One of the 11 reference municipalities (written by a data migration, never created)."""
    return Municipality.objects.get(code=code)


class EventFactory(factory.django.DjangoModelFactory[Event]):
    class Meta:
        model = Event

    event_type = "test.happened"
    payload = factory.Dict({})


class EventDeliveryFactory(factory.django.DjangoModelFactory[EventDelivery]):
    class Meta:
        model = EventDelivery

    event = factory.SubFactory(EventFactory, relayed_at=factory.LazyFunction(timezone.now))
    consumer = factory.Sequence(lambda n: f"tests.consumer{n}")


class IdempotencyRecordFactory(factory.django.DjangoModelFactory[IdempotencyRecord]):
    """A first request that has finished (pass ``response_status=None`` for one in flight)."""

    class Meta:
        model = IdempotencyRecord

    user = factory.SubFactory(UserFactory)
    method = "POST"
    path = "/api/v1/test-probe/"
    path_hash = factory.LazyAttribute(lambda r: hashlib.sha256(r.path.encode()).hexdigest())
    key = factory.Sequence(lambda n: f"key-{n}")
    request_hash = "0" * 64
    lease_token = factory.LazyFunction(lambda: secrets.token_hex(16))
    lease_expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(seconds=60))
    response_status = 201
    response_body = factory.Dict({"ok": True})


def verified_user(factory: Any = UserFactory, **fields: Any) -> User:
    """A resident: a user whose address is verified, as sign-up leaves them."""
    user = factory.create(**fields)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def client_for(user: User | None, language: str = "en") -> APIClient:
    """An API client signed in as ``user`` (anonymous with None)."""
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    if user is not None:
        client.force_login(user)
    return client
