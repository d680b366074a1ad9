from django.urls import path

from chibo.units import views

app_name = "units"
urlpatterns = [
    path("kinds/", views.kind_rules, name="kind_rules"),
    path("kinds/<int:rule_id>/remove/", views.remove_kind_rule, name="remove_kind_rule"),
    path("<int:unit_id>/", views.unit_detail, name="detail"),
    path("<int:unit_id>/new/", views.create_child, name="create_child"),
    path("<int:unit_id>/rename/", views.rename, name="rename"),
    path("<int:unit_id>/move/", views.move, name="move"),
    path("<int:unit_id>/merge/", views.merge, name="merge"),
    path("<int:unit_id>/split/", views.split, name="split"),
    path("<int:unit_id>/dissolve/", views.dissolve, name="dissolve"),
]
