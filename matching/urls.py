from django.urls import path
from rest_framework.routers import SimpleRouter

from matching.views import MatchViewSet, PartnerView, SavedSearchViewSet

router = SimpleRouter()
router.register("me/saved-searches", SavedSearchViewSet, basename="saved-search")

urlpatterns = [
    *router.urls,
    path("me/matches/", MatchViewSet.as_view({"get": "list"}), name="my-matches"),
    path(
        "matches/<int:pk>/dismiss/",
        MatchViewSet.as_view({"post": "dismiss"}),
        name="match-dismiss",
    ),
    path("listings/<int:listing_id>/partners/", PartnerView.as_view(), name="listing-partners"),
    path(
        "listings/<int:listing_id>/matches/",
        MatchViewSet.as_view({"get": "for_listing"}),
        name="listing-matches",
    ),
]
