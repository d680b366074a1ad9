from django.urls import path

from chibo.meetings.records import views

# Included in the "meetings" namespace by chibo/meetings/urls.py: no app_name here.
urlpatterns = [
    path("<int:meeting_id>/records/", views.records, name="records"),
    path("<int:meeting_id>/records/minutes/", views.write_minutes, name="records_minutes"),
    path("<int:meeting_id>/records/votes/", views.record_vote, name="records_vote"),
    path(
        "<int:meeting_id>/records/resolutions/",
        views.adopt_resolution,
        name="records_resolution",
    ),
    path("<int:meeting_id>/records/amend/", views.amend, name="records_amend"),
    path("<int:meeting_id>/minutes.pdf", views.minutes_pdf, name="minutes_pdf"),
    path("<int:meeting_id>/attendance.pdf", views.attendance_pdf, name="attendance_pdf"),
    path("resolutions/<int:resolution_id>.pdf", views.resolution_pdf, name="resolution_pdf"),
]
