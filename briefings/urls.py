from django.urls import path

from briefings import attendance_views, calendar_views, feedback_views, pack_views, views

urlpatterns = [
    path("briefings/", views.briefing_list, name="briefing_list"),
    path("briefings/new/<int:campaign_pk>/", views.briefing_new, name="briefing_new"),
    path("briefings/<int:pk>/", views.briefing_detail, name="briefing_detail"),
    path("briefings/<int:pk>/ics", views.briefing_ics, name="briefing_ics"),
    path("briefings/<int:pk>/edit/", views.briefing_edit, name="briefing_edit"),
    path("briefings/<int:pk>/invite/", views.briefing_invite, name="briefing_invite"),
    path("briefings/<int:pk>/cancel/", views.briefing_cancel, name="briefing_cancel"),
    path("briefings/<int:pk>/rsvp/", views.briefing_rsvp, name="briefing_rsvp"),
    path("briefings/<int:pk>/pack/", pack_views.pack, name="briefing_pack"),
    path("briefings/<int:pk>/pack/edit/", pack_views.pack_edit, name="briefing_pack_edit"),
    path("briefings/<int:pk>/pack/print/", pack_views.pack_print, name="briefing_pack_print"),
    path("briefings/<int:pk>/pack/release/", pack_views.pack_release, name="briefing_pack_release"),
    path("briefings/<int:pk>/presenter/", pack_views.presenter_view, name="briefing_presenter"),
    path("briefings/<int:pk>/attendance/", attendance_views.attendance, name="briefing_attendance"),
    path("briefings/<int:pk>/delivered/", attendance_views.delivered, name="briefing_delivered"),
    path("briefings/<int:pk>/feedback/", feedback_views.feedback, name="briefing_feedback"),
    path(
        "briefings/campaign/<int:campaign_pk>/feedback/",
        feedback_views.feedback_summary,
        name="feedback_summary",
    ),
    path(
        "briefings/campaign/<int:campaign_pk>/feedback.csv", feedback_views.feedback_csv, name="feedback_csv"
    ),
    path("briefings/feedback/<uuid:pk>/answer/", feedback_views.feedback_answer, name="feedback_answer"),
    path("briefings/calendar/", calendar_views.calendar_settings, name="calendar_settings"),
    path("briefings/calendar/regenerate/", calendar_views.calendar_regenerate, name="calendar_regenerate"),
    path("briefings/calendar/revoke/", calendar_views.calendar_revoke, name="calendar_revoke"),
    path("briefings/feed/<str:token>.ics", calendar_views.calendar_feed, name="briefing_feed"),
]
