from rest_framework.routers import SimpleRouter

from exchange import views

router = SimpleRouter()
router.register("listings", views.ListingViewSet, basename="listing")
router.register("reports", views.ReportViewSet, basename="report")
router.register("blocks", views.BlockViewSet, basename="block")

urlpatterns = router.urls
