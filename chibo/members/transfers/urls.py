from django.urls import path

from chibo.members.transfers import views

# Included in the "members" namespace by chibo/members/urls.py: no app_name here.
urlpatterns = [
    path("<int:member_id>/transfer/", views.issue, name="transfer_issue"),
    path("units/<int:unit_id>/transfers/", views.pending, name="transfers_pending"),
    path("transfers/<int:transfer_id>/confirm/", views.confirm, name="transfer_confirm"),
    path("transfers/<int:transfer_id>/cancel/", views.cancel, name="transfer_cancel"),
]
