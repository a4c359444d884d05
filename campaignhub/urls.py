from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

urlpatterns = [
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("campaignhub.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    # The split view serves Swagger UI's start script from a URL, not inline (Content-Security-Policy).
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api_schema"), name="api_docs"),
    # Highest app first: campaigns.urls ends in a campaigns/<pk>/<action>/ catch-all that would
    # otherwise swallow /campaigns/readiness/, campaigns/<pk>/explainer/ and the stage routes.
    path("", include("briefings.urls")),
    path("", include("planning.urls")),
    path("", include("explainers.urls")),
    path("campaigns/", include("rollout.urls")),
    path("", include("people.urls")),
    path("", include("campaigns.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
