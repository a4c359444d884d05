"""Routes of the rollout timeline (included under /campaigns/ in campaignhub/urls.py)."""

from django.urls import path

from rollout import views

urlpatterns = [
    path("<int:pk>/stages/new/", views.stage_add, name="stage_add"),
    path("<int:pk>/stages/<int:stage_pk>/edit/", views.stage_edit, name="stage_edit"),
    path("<int:pk>/stages/<int:stage_pk>/delete/", views.stage_delete, name="stage_delete"),
    path("<int:pk>/stages/<int:stage_pk>/preview/", views.stage_preview, name="stage_preview"),
    path("<int:pk>/stages/<int:stage_pk>/test/", views.stage_test_send, name="stage_test_send"),
    path("<int:pk>/pause/", views.campaign_pause, name="campaign_pause"),
    path("<int:pk>/resume/", views.campaign_resume, name="campaign_resume"),
]
