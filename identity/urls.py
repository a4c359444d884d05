"""Sign-in paths beside Django's own /accounts/ views, the account page and SCIM (CONTRACT: /account/, /scim/v2/)."""

from django.urls import path

from identity import oidc

urlpatterns: list = [
    # Single sign-on (identity/oidc.py): 404 unless OIDC_* is configured. The callback's name is the
    # one mozilla-django-oidc reverses for the redirect URI registered with the provider.
    path("accounts/oidc/start/", oidc.StartView.as_view(), name="oidc_authentication_init"),
    path("accounts/oidc/callback/", oidc.CallbackView.as_view(), name="oidc_authentication_callback"),
]
