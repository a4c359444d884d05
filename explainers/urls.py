"""URLs of the employee experience: inbox, explainers, and IC's explainer editor."""

from django.urls import path

from explainers import views

urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/<int:pk>/", views.inbox_item, name="inbox_item"),
    path("inbox/<int:pk>/acknowledge/", views.inbox_acknowledge, name="inbox_acknowledge"),
    path("explainers/", views.explainer_list, name="explainer_list"),
    path("explainers/<slug:slug>/", views.explainer_detail, name="explainer_detail"),
    path("explainers/<slug:slug>/helpful/", views.explainer_helpful, name="explainer_helpful"),
    path("explainers/<slug:slug>/progress/", views.explainer_progress, name="explainer_progress"),
    path("explainers/<slug:slug>/questions/", views.explainer_question, name="explainer_question"),
    path("campaigns/<int:pk>/explainer/", views.explainer_edit, name="explainer_edit"),
    path(
        "campaigns/<int:pk>/explainer/questions/<int:question_pk>/answer/",
        views.explainer_answer,
        name="explainer_answer",
    ),
    path("campaigns/<int:pk>/explainer/preview/", views.explainer_preview, name="explainer_preview"),
]
