from django.urls import path

from chibo.meetings.dues import views

# Included in the "meetings" namespace by chibo/meetings/urls.py: no app_name here.
urlpatterns = [
    path("units/<int:unit_id>/dues/", views.dues_month, name="dues_month"),
    path("units/<int:unit_id>/dues/collect/", views.dues_collect, name="dues_collect"),
    path("units/<int:unit_id>/dues/year/", views.dues_year, name="dues_year"),
    path("units/<int:unit_id>/dues/totals/", views.dues_totals, name="dues_totals"),
]
