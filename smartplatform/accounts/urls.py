from django.urls import path

from smartplatform.accounts.views import ExportView, MeView, PublicProfileView

urlpatterns = [
    path("me/", MeView.as_view(), name="me"),
    path("me/export/", ExportView.as_view(), name="me-export"),
    path("users/<int:pk>/", PublicProfileView.as_view(), name="user-profile"),
]
