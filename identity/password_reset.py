"""Password reset in the app's own style: Django's views, our templates, SITE_URL links, throttled asking."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views

from identity import links
from identity.link_views import throttled


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset request, with links built on SITE_URL (not the request's Host header)."""

    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    html_email_template_name = "email/password_reset.html"  # the branded layout (email/base.html)

    def form_valid(self, form):
        if not links.within_limit("reset", form.cleaned_data["email"], self.request):
            return throttled(self.request)
        self.extra_email_context = {"site_url": settings.SITE_URL}
        return super().form_valid(form)
