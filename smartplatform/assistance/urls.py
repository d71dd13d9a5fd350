from django.urls import path

from smartplatform.assistance import views

urlpatterns = [
    path(
        "organisations/<slug:slug>/residents/",
        views.ResidentsView.as_view(),
        name="organisation-residents",
    ),
    path(
        "organisations/<slug:slug>/residents/<int:resident_id>/login-code/",
        views.ResidentLoginCodeView.as_view(),
        name="organisation-resident-login-code",
    ),
    path(
        "organisations/<slug:slug>/residents/<int:resident_id>/consent/",
        views.ResidentConsentView.as_view(),
        name="organisation-resident-consent",
    ),
    path("me/assistance-consents/", views.MyConsentsView.as_view(), name="my-consents"),
    path(
        "me/assistance-consents/<int:consent_id>/",
        views.MyConsentView.as_view(),
        name="my-consent",
    ),
    path("me/assisted-acts/", views.MyAssistedActsView.as_view(), name="my-assisted-acts"),
    path("assisted/claim/", views.ClaimAccountView.as_view(), name="assisted-claim"),
    path(
        "assisted/claim/confirm/",
        views.ConfirmClaimView.as_view(),
        name="assisted-claim-confirm",
    ),
]
