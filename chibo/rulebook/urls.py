from django.urls import path

from chibo.rulebook import views

app_name = "rulebook"
urlpatterns = [
    path("unit/<int:unit_id>/", views.unit_rules, name="unit"),
    path("unit/<int:unit_id>/set/", views.set_rule, name="set"),
    path("unit/<int:unit_id>/end/", views.end_rule, name="end"),
]
