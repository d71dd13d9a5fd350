from django.urls import path

from smartplatform.accounts.views import MeView, PublicProfileView

urlpatterns = [
    path("me/", MeView.as_view(), name="me"),
    path("users/<int:pk>/", PublicProfileView.as_view(), name="user-profile"),
]
