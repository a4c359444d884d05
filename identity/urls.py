"""Sign-in paths beside Django's own /accounts/ views, the account page and SCIM (CONTRACT: /account/, /scim/v2/)."""

from django.urls import path

from identity import account, link_views, password_reset

urlpatterns: list = [
    # --- Emailed sign-in links, password reset, the account page --------------------------------
    path("accounts/login/link/", link_views.request_link, name="signin_link_request"),
    path("accounts/login/link/sent/", link_views.link_sent, name="signin_link_sent"),
    path("accounts/login/link/<str:token>/", link_views.use_link, name="signin_link"),
    path("accounts/password_reset/", password_reset.PasswordResetView.as_view(), name="password_reset"),
    path("account/", account.account, name="account"),
]
