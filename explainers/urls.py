"""URLs of the employee experience: inbox, explainers, and IC's explainer editor."""

from django.urls import path

from explainers import views as v

urlpatterns = [
    path("inbox/", v.inbox, name="inbox"),
    path("inbox/<int:pk>/", v.inbox_item, name="inbox_item"),
    path("inbox/<int:pk>/acknowledge/", v.inbox_acknowledge, name="inbox_acknowledge"),
    path("explainers/", v.explainer_list, name="explainer_list"),
    path("explainers/<slug:slug>/", v.explainer_detail, name="explainer_detail"),
    path("explainers/<slug:slug>/helpful/", v.explainer_helpful, name="explainer_helpful"),
    path("explainers/<slug:slug>/progress/", v.explainer_progress, name="explainer_progress"),
    path("explainers/<slug:slug>/questions/", v.explainer_question, name="explainer_question"),
    path("campaigns/<int:pk>/explainer/", v.explainer_edit, name="explainer_edit"),
    path("campaigns/<int:pk>/explainer/preview/", v.explainer_preview, name="explainer_preview"),
]
