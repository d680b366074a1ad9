from django.urls import URLPattern, path

from chibo.members.spreadsheets import views

# Included in the "members" namespace by chibo/members/urls.py: no app_name here.
urlpatterns: list[URLPattern] = [
    path("import/template.xlsx", views.import_template, name="import_template"),
    path("units/<int:unit_id>/import/", views.import_upload, name="import_upload"),
    path("units/<int:unit_id>/import/<str:token>/", views.import_confirm, name="import_confirm"),
    path("units/<int:unit_id>/export/", views.export, name="export"),
]
