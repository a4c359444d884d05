"""Admin defaults shared by every app's admin."""

from django.db import models

# Links typed without a scheme become https (Django 6's default, and what people mean today).
HTTPS_LINKS = {models.URLField: {"assume_scheme": "https"}}
