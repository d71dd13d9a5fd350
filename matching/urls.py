from django.urls import path

from matching.views import MatchViewSet

urlpatterns = [
    path("me/matches/", MatchViewSet.as_view({"get": "list"}), name="my-matches"),
    path(
        "matches/<int:pk>/dismiss/",
        MatchViewSet.as_view({"post": "dismiss"}),
        name="match-dismiss",
    ),
    path(
        "listings/<int:listing_id>/matches/",
        MatchViewSet.as_view({"get": "for_listing"}),
        name="listing-matches",
    ),
]
