from django.urls import include, path

from chibo.meetings import preparation_views as prep
from chibo.meetings import views

app_name = "meetings"
urlpatterns = [
    path("units/<int:unit_id>/", views.unit_meetings, name="unit"),
    path("units/<int:unit_id>/new/", views.plan, name="plan"),
    path("<int:meeting_id>/", views.meeting_detail, name="detail"),
    path("<int:meeting_id>/move/", views.move, name="move"),
    path("<int:meeting_id>/close/", views.close, name="close"),
    path("<int:meeting_id>/guests/", views.guests, name="guests"),
    path("<int:meeting_id>/roll-call/", views.roll_call, name="roll_call"),
    path("<int:meeting_id>/roll-call/all-present/", views.all_present, name="all_present"),
    path("<int:meeting_id>/roll-call/<int:member_id>/", views.mark, name="mark"),
    path("<int:meeting_id>/qr/", views.qr, name="qr"),
    path("<int:meeting_id>/checkin/<str:code>/", views.checkin, name="checkin"),
    path("", include("chibo.meetings.records.urls")),
    path("", include("chibo.meetings.dues.urls")),
    # Preparation: agenda, documents, notice, opinions; the member's own page; iCal feeds.
    path("<int:meeting_id>/prepare/", prep.prepare, name="prepare"),
    path("<int:meeting_id>/prepare/agenda/", prep.agenda_add, name="agenda_add"),
    path("<int:meeting_id>/prepare/agenda/<int:item_id>/", prep.agenda_edit, name="agenda_edit"),
    path(
        "<int:meeting_id>/prepare/agenda/<int:item_id>/move/", prep.agenda_move, name="agenda_move"
    ),
    path(
        "<int:meeting_id>/prepare/agenda/<int:item_id>/remove/",
        prep.agenda_remove,
        name="agenda_remove",
    ),
    path("<int:meeting_id>/prepare/documents/", prep.document_upload, name="document_upload"),
    path("documents/<int:document_id>/", prep.document, name="document"),
    path("documents/<int:document_id>/remove/", prep.document_remove, name="document_remove"),
    path("<int:meeting_id>/prepare/notify/", prep.notify, name="notify"),
    path("<int:meeting_id>/opinion/", prep.opinion, name="opinion"),
    path("mine/", prep.mine, name="mine"),
    path("mine/feed/", prep.my_feed, name="my_feed"),
    path("units/<int:unit_id>/feed/", prep.unit_feed, name="unit_feed"),
    path("units/<int:unit_id>/feed/new/", prep.unit_feed_new, name="unit_feed_new"),
    path("feeds/<int:feed_id>/revoke/", prep.feed_revoke, name="feed_revoke"),
    path("feeds/<slug:token>.ics", prep.feed, name="feed"),
]
urlpatterns += [path("", include("chibo.meetings.cascade_urls"))]
