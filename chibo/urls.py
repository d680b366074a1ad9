"""Each app's pages, the JSON API under /api/v1/, and the language switch."""

from django.urls import include, path

from chibo.api.site import api
from chibo.units import views as unit_views

urlpatterns = [
    path("", unit_views.home, name="home"),
    path("search/", unit_views.search, name="search"),
    path("accounts/", include("chibo.accounts.urls")),
    path("units/", include("chibo.units.urls")),
    path("committees/", include("chibo.committees.urls")),
    path("members/", include("chibo.members.urls")),
    path("meetings/", include("chibo.meetings.urls")),
    path("quality/", include("chibo.quality.urls")),
    path("recruitment/", include("chibo.recruitment.urls")),
    path("compliance/", include("chibo.compliance.urls")),
    path("rules/", include("chibo.rulebook.urls")),
    path("history/", include("chibo.audit.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
]
