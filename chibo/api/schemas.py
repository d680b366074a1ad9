"""Query and response shapes shared by the API routers."""

from datetime import date

from ninja import Field, Schema


class AsOf(Schema):
    on: date | None = Field(None, description="State as of this day (default today).")
