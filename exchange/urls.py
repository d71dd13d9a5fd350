from rest_framework.routers import SimpleRouter

from exchange import views

router = SimpleRouter()
router.register("listings", views.ListingViewSet, basename="listing")

urlpatterns = router.urls
