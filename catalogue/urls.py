from rest_framework.routers import SimpleRouter

from catalogue import views

router = SimpleRouter()
router.register("catalogue/projects", views.ProjectViewSet, basename="catalogue-project")
router.register("catalogue/themes", views.ThemeViewSet, basename="catalogue-theme")
router.register(
    "catalogue/contact-requests", views.ContactRequestViewSet, basename="catalogue-contact-request"
)

urlpatterns = router.urls
