from django.urls import path

from chibo.quality import views

app_name = "quality"
urlpatterns = [
    path("units/<int:unit_id>/", views.results, name="results"),
    path("units/<int:unit_id>/frameworks/", views.frameworks, name="frameworks"),
    path("units/<int:unit_id>/frameworks/new/", views.framework_new, name="framework_new"),
    path("frameworks/<int:framework_id>/edit/", views.framework_edit, name="framework_edit"),
    path("meetings/<int:meeting_id>/", views.meeting_quality, name="meeting"),
    path("meetings/<int:meeting_id>/assess/", views.assess, name="assess"),
]
