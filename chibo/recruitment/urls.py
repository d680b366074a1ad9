from django.urls import path

from chibo.recruitment import views

app_name = "recruitment"
urlpatterns = [
    path("units/<int:unit_id>/", views.board, name="board"),
    path("units/<int:unit_id>/new/", views.add, name="add"),
    path("units/<int:unit_id>/review/", views.review, name="review"),
    path("units/<int:unit_id>/targets/", views.targets, name="targets"),
    path("units/<int:unit_id>/targets/set/", views.set_target, name="set_target"),
    path("units/<int:unit_id>/report/", views.report_page, name="report"),
    path("<int:candidate_id>/", views.candidate, name="candidate"),
    path("<int:candidate_id>/edit/", views.edit, name="edit"),
    path("<int:candidate_id>/steps/<str:kind>/", views.step, name="step"),
    path("<int:candidate_id>/introducers/", views.introducers, name="introducers"),
    path("<int:candidate_id>/relatives/", views.relatives, name="relatives"),
    path("documents/<int:attachment_id>/", views.attachment, name="attachment"),
    path("documents/<int:attachment_id>/remove/", views.remove_document, name="remove_document"),
    path("steps/<int:step_id>/documents/", views.add_document, name="add_document"),
]
