from django.urls import path

from chibo.committees import views

app_name = "committees"
urlpatterns = [
    path("units/<int:unit_id>/", views.unit_committee, name="unit"),
    path("units/<int:unit_id>/appoint/", views.appoint, name="appoint"),
    path("units/<int:unit_id>/assign/", views.assign, name="assign"),
    path("seats/<int:seat_id>/end/", views.end_seat, name="end_seat"),
    path("supervisions/<int:assignment_id>/end/", views.end_supervision, name="end_supervision"),
]
