"""Show every person times in their own zone."""

from django.utils import timezone

from people.models import user_zone


class UserTimezoneMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        timezone.activate(user_zone(request.user))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
