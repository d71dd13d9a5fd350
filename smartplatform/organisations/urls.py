from django.urls import path
from rest_framework.routers import SimpleRouter

from smartplatform.organisations.views import (
    AnswerInvitationView,
    MunicipalityViewSet,
    OrganisationViewSet,
)

router = SimpleRouter()
router.register("municipalities", MunicipalityViewSet, basename="municipality")
router.register("organisations", OrganisationViewSet, basename="organisation")

urlpatterns = [
    *router.urls,
    path(
        "invitations/accept/",
        AnswerInvitationView.as_view(decision="accept"),
        name="invitation-accept",
    ),
    path(
        "invitations/decline/",
        AnswerInvitationView.as_view(decision="decline"),
        name="invitation-decline",
    ),
]
