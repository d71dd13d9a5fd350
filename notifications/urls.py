from rest_framework.routers import SimpleRouter

from notifications import announcement_views, views, webhook_views

router = SimpleRouter()
router.register("notifications", views.NotificationViewSet, basename="notification")
router.register("announcements", announcement_views.AnnouncementViewSet, basename="announcement")
router.register(
    r"organisations/(?P<organisation_slug>[-\w]+)/webhooks",
    webhook_views.WebhookViewSet,
    basename="organisation-webhook",
)

urlpatterns = router.urls
