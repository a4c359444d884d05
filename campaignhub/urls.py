from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

urlpatterns = [
    path("", include("identity.urls")),  # before Django's: identity may replace its sign-in pages
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("campaignhub.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    # The split view serves Swagger UI's start script from a URL, not inline (Content-Security-Policy).
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api_schema"), name="api_docs"),
    # Highest app first: campaigns.urls ends in a campaigns/<pk>/<action>/ catch-all that would
    # otherwise swallow /campaigns/readiness/, campaigns/<pk>/explainer/ and the stage routes.
    path("", include("notifications.urls")),
    path("", include("briefings.urls")),
    path("", include("planning.urls")),
    path("", include("workplan.urls")),
    path("", include("search.urls")),
    path("", include("explainers.urls")),
    path("campaigns/", include("rollout.urls")),
    path("", include("people.urls")),
    path("", include("campaigns.urls")),
]
# No static(MEDIA_URL, ...): uploaded assets are served only by campaigns.views.asset_file, which
# checks who may see them (README "Production").
