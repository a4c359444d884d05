from django.urls import path

from people import views

urlpatterns = [
    path("audiences/", views.audience_list, name="audience_list"),
    path("audiences/new/", views.audience_create, name="audience_create"),
    path("audiences/import/", views.audience_import, name="audience_import"),
    path("audiences/<int:pk>/", views.audience_detail, name="audience_detail"),
    path("audiences/<int:pk>/edit/", views.audience_edit, name="audience_edit"),
]
