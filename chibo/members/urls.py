from django.urls import include, path

from chibo.members import views

app_name = "members"
urlpatterns = [
    path("units/<int:unit_id>/", views.member_list, name="list"),
    path("units/<int:unit_id>/new/", views.add_member, name="add"),
    path("<int:member_id>/", views.member_detail, name="detail"),
    path("<int:member_id>/edit/", views.edit_member, name="edit"),
    path("<int:member_id>/status/<str:action>/", views.change_status, name="change_status"),
    path("", include("chibo.members.spreadsheets.urls")),
    path("", include("chibo.members.transfers.urls")),
]
