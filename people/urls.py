from django.urls import path

from people import views

urlpatterns = [
    path("audiences/", views.audience_list, name="audience_list"),
    path("audiences/new/", views.audience_create, name="audience_create"),
    path("audiences/import/", views.audience_import, name="audience_import"),
    path("audiences/import/<int:pk>/", views.import_job, name="import_job"),
    path("audiences/import/<int:pk>/progress/", views.import_job_progress, name="import_job_progress"),
    path("audiences/import/<int:pk>/errors.csv", views.import_job_errors, name="import_job_errors"),
    path("audiences/import/<int:pk>/run-again/", views.import_job_run_again, name="import_job_run_again"),
    path("audiences/<int:pk>/", views.audience_detail, name="audience_detail"),
    path("audiences/<int:pk>/edit/", views.audience_edit, name="audience_edit"),
]
