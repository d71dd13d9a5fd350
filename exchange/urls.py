from django.urls import path
from rest_framework.routers import SimpleRouter

from exchange import booking_views, exchange_views, timebank_views, views

router = SimpleRouter()
router.register("listings", views.ListingViewSet, basename="listing")
router.register("reports", views.ReportViewSet, basename="report")
router.register("blocks", views.BlockViewSet, basename="block")
router.register("exchanges", exchange_views.ExchangeViewSet, basename="exchange")
router.register("reviews", exchange_views.ReviewViewSet, basename="review")
router.register("resources", booking_views.ResourceViewSet, basename="resource")
router.register("bookings", booking_views.BookingViewSet, basename="booking")
router.register("calendars", booking_views.CalendarFeedViewSet, basename="calendar-feed")
router.register("trips", booking_views.TripViewSet, basename="trip")
router.register("seats", booking_views.SeatBookingViewSet, basename="seat-booking")

urlpatterns = [
    *router.urls,
    path("timebank/account/", timebank_views.TimeAccountView.as_view(), name="timebank-account"),
    path("timebank/entries/", timebank_views.EntryListView.as_view(), name="timebank-entries"),
    path(
        "timebank/transfers/",
        timebank_views.TransferCreateView.as_view(),
        name="timebank-transfers",
    ),
]
