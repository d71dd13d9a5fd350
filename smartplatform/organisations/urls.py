from rest_framework.routers import SimpleRouter

from smartplatform.organisations.views import MunicipalityViewSet

router = SimpleRouter()
router.register("municipalities", MunicipalityViewSet, basename="municipality")

urlpatterns = router.urls
