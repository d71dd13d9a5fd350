from django.urls import path

from smartplatform.accounts.views import AvatarView, ExportView, MeView, PublicProfileView

urlpatterns = [
    path("me/", MeView.as_view(), name="me"),
    path("me/export/", ExportView.as_view(), name="me-export"),
    path("me/avatar/", AvatarView.as_view(), name="me-avatar"),
    path("users/<int:pk>/", PublicProfileView.as_view(), name="user-profile"),
]
