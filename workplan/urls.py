from django.urls import path

from workplan import views

urlpatterns = [
    path("campaigns/<int:pk>/workplan/", views.workplan, name="workplan"),
    path("campaigns/<int:pk>/workplan/brief/", views.brief, name="brief"),
    path("campaigns/<int:pk>/workplan/brief/edit/", views.brief_edit, name="brief_edit"),
    path("campaigns/<int:pk>/workplan/deliverables/new/", views.deliverable_add, name="deliverable_add"),
    path(
        "campaigns/<int:pk>/workplan/deliverables/<int:deliverable_pk>/",
        views.deliverable_edit,
        name="deliverable_edit",
    ),
    path(
        "campaigns/<int:pk>/workplan/deliverables/<int:deliverable_pk>/share/",
        views.deliverable_share,
        name="deliverable_share",
    ),
    path("my-work/", views.my_work, name="my_work"),
]
