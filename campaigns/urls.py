from django.urls import path

from campaigns import asset_views, duplicate, views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("campaigns/", views.campaign_list, name="campaign_list"),
    path("campaigns/new/", views.campaign_create, name="campaign_create"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("campaigns/<int:pk>/edit/", views.campaign_edit, name="campaign_edit"),
    path("campaigns/<int:pk>/history/", views.campaign_history_page, name="campaign_history"),
    path("campaigns/<int:pk>/duplicate/", duplicate.campaign_duplicate, name="campaign_duplicate"),
    path("campaigns/new/from-earlier/", duplicate.start_from_earlier, name="campaign_start_from_earlier"),
    path("assets/", asset_views.asset_library, name="asset_library"),
    path("assets/<int:pk>/", asset_views.asset_detail, name="asset_detail"),
    path("campaigns/<int:pk>/assets/<int:asset_pk>/delete/", views.asset_delete, name="asset_delete"),
    path("campaigns/<int:pk>/assets/<int:asset_pk>/file", views.asset_file, name="asset_file"),
    # A catch-all for status moves: every more specific /campaigns/<pk>/... route of a higher app
    # is included before this module in campaignhub/urls.py.
    path("campaigns/<int:pk>/<slug:action>/", views.campaign_move, name="campaign_move"),
]
