from django.urls import path

from chibo.meetings import cascade_views

# Included in the "meetings" namespace by chibo/meetings/urls.py: no app_name here.
urlpatterns = [
    path("units/<int:unit_id>/cascade/", cascade_views.cascade_topic, name="cascade"),
    path("<int:meeting_id>/cascade/", cascade_views.rollup, name="cascade_rollup"),
    path("<int:meeting_id>/cascade/extend/", cascade_views.extend, name="cascade_extend"),
]
