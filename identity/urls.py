"""Sign-in paths beside Django's own /accounts/ views, the account page and SCIM (CONTRACT: /account/, /scim/v2/)."""

from django.urls import include, path

from identity import account, link_views, oidc, password_reset, scim, unsubscribe

urlpatterns: list = [
    # Single sign-on (identity/oidc.py): 404 unless OIDC_* is configured. The callback's name is the
    # one mozilla-django-oidc reverses for the redirect URI registered with the provider.
    path("accounts/oidc/start/", oidc.StartView.as_view(), name="oidc_authentication_init"),
    path("accounts/oidc/callback/", oidc.CallbackView.as_view(), name="oidc_authentication_callback"),
    # --- Emailed sign-in links, password reset, the account page --------------------------------
    path("accounts/login/link/", link_views.request_link, name="signin_link_request"),
    path("accounts/login/link/sent/", link_views.link_sent, name="signin_link_sent"),
    path("accounts/login/link/<str:token>/", link_views.use_link, name="signin_link"),
    path("accounts/password_reset/", password_reset.PasswordResetView.as_view(), name="password_reset"),
    path("account/", account.account, name="account"),
    path("account/unsubscribe/<str:token>/", unsubscribe.unsubscribe, name="unsubscribe"),
    path("scim/v2/", include((scim.urlpatterns, "scim"))),  # SCIM 2.0 provisioning (identity/scim.py)
]
