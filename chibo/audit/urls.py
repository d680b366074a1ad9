from django.urls import path

from chibo.audit import views

app_name = "audit"
urlpatterns = [
    path("units/<int:unit_id>/", views.unit_history, name="unit"),
    path("<str:object_type>/<str:object_id>/", views.object_history, name="object"),
]
