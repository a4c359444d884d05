from django.urls import path

from planning import views

# Included before campaigns' urls: /campaigns/readiness/ must win over campaigns' own paths
# (it cannot clash with /campaigns/<int:pk>/, which only matches digits).
urlpatterns = [
    path("calendar/", views.calendar_view, name="calendar"),
    path("calendar/feed.ics", views.calendar_ics, name="calendar_ics"),
    path("calendar/feed/reset/", views.calendar_feed_reset, name="calendar_feed_reset"),
    path("calendar/load/", views.load_view, name="planning_load"),
    path("calendar/items/", views.comms_item_list, name="comms_item_list"),
    path("calendar/items/new/", views.comms_item_create, name="comms_item_create"),
    path("calendar/items/<int:pk>/", views.comms_item_detail, name="comms_item_detail"),
    path("calendar/items/<int:pk>/edit/", views.comms_item_edit, name="comms_item_edit"),
    path("calendar/items/<int:pk>/delete/", views.comms_item_delete, name="comms_item_delete"),
    path("campaigns/readiness/", views.readiness_list, name="readiness"),
    path("campaigns/<int:pk>/readiness/", views.readiness_targets, name="readiness_targets"),
    path("campaigns/<int:pk>/charts/", views.campaign_charts, name="campaign_charts"),
]
