from django.urls import include, path

from campaigns import audience_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("audiences/", audience_views.audience_list, name="audience_list"),
    path("audiences/new/", audience_views.audience_create, name="audience_create"),
    path("audiences/import/", audience_views.audience_import, name="audience_import"),
    path("audiences/<int:pk>/", audience_views.audience_detail, name="audience_detail"),
    path("audiences/<int:pk>/edit/", audience_views.audience_edit, name="audience_edit"),
    path("healthz", views.healthz, name="healthz"),
    path("campaigns/", views.campaign_list, name="campaign_list"),
    path("campaigns/new/", views.campaign_create, name="campaign_create"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path(
        "campaigns/", include("campaigns.rollout_urls")
    ),  # rollout timeline (engine); before the <slug:action> catch-all
    path("campaigns/<int:pk>/edit/", views.campaign_edit, name="campaign_edit"),
    path("campaigns/<int:pk>/assets/<int:asset_pk>/delete/", views.asset_delete, name="asset_delete"),
    path("campaigns/<int:pk>/<slug:action>/", views.campaign_move, name="campaign_move"),
]
