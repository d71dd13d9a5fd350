"""factory_boy factories for the core models."""

from typing import Any

import factory

from smartplatform.accounts.models import User
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
