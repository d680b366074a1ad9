from django.urls import include, path

from chibo.meetings import views

app_name = "meetings"
urlpatterns = [
    path("units/<int:unit_id>/", views.unit_meetings, name="unit"),
    path("units/<int:unit_id>/new/", views.plan, name="plan"),
    path("<int:meeting_id>/", views.meeting_detail, name="detail"),
    path("<int:meeting_id>/move/", views.move, name="move"),
    path("<int:meeting_id>/close/", views.close, name="close"),
    path("<int:meeting_id>/roll-call/", views.roll_call, name="roll_call"),
    path("<int:meeting_id>/roll-call/all-present/", views.all_present, name="all_present"),
    path("<int:meeting_id>/roll-call/<int:member_id>/", views.mark, name="mark"),
    path("<int:meeting_id>/qr/", views.qr, name="qr"),
    path("<int:meeting_id>/checkin/<str:code>/", views.checkin, name="checkin"),
    path("", include("chibo.meetings.records.urls")),
    path("", include("chibo.meetings.dues.urls")),
]
