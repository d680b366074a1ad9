"""The JSON API instance; each app adds its router. OpenAPI at /api/v1/openapi.json."""

from ninja import NinjaAPI

from chibo.api import errors
from chibo.api.auth import AUTH

api = NinjaAPI(
    title="chibo API",
    version="1",
    description=(
        "Sinh hoạt chi bộ và phát triển đảng viên. Every call is scoped to the caller's units: "
        "an object outside them is a 404. Dates are ISO (YYYY-MM-DD); `on` asks for the state "
        "as of that day (default: today in Asia/Ho_Chi_Minh)."
    ),
    auth=AUTH,
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
errors.install(api)


def _routers() -> None:
    from chibo.committees.api import router as committees_router
    from chibo.compliance.api import router as compliance_router
    from chibo.meetings.api import router as meetings_router
    from chibo.members.api import router as members_router
    from chibo.recruitment.api import router as recruitment_router
    from chibo.units.api import router as units_router

    api.add_router("/units", units_router, tags=["units"])
    api.add_router("/committees", committees_router, tags=["committees"])
    api.add_router("/members", members_router, tags=["members"])
    api.add_router("/meetings", meetings_router, tags=["meetings"])
    api.add_router("/recruitment", recruitment_router, tags=["recruitment"])
    api.add_router("/compliance", compliance_router, tags=["compliance"])


_routers()
