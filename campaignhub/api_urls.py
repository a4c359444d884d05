"""The JSON API: each app registers its viewsets on one router."""

from rest_framework.routers import DefaultRouter

router = DefaultRouter()

from campaigns.api import register as register_campaigns  # noqa: E402

register_campaigns(router)

from briefings.api import register as register_briefings  # noqa: E402

register_briefings(router)

from explainers.api import register as register_employee  # noqa: E402

register_employee(router)

from workplan.api import register as register_workplan  # noqa: E402

register_workplan(router)

urlpatterns = router.urls
