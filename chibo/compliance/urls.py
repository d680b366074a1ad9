from django.urls import path

from chibo.compliance import views

app_name = "compliance"
urlpatterns = [
    path("units/<int:unit_id>/", views.dashboard, name="dashboard"),
    path("units/<int:unit_id>/alerts/", views.unit_alerts, name="unit_alerts"),
    path("alerts/", views.inbox, name="inbox"),
    path("alerts/<int:alert_id>/", views.alert, name="alert"),
    path("alerts/<int:alert_id>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("alerts/<int:alert_id>/resolve/", views.resolve, name="resolve"),
    path("reviews/<int:review_id>/", views.review, name="review"),
    path("reviews/<int:review_id>/decide/", views.decide, name="decide"),
]
