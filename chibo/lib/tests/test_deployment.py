"""What docs/deploy.md promises and this machine can show: the app served by gunicorn with two
workers against PostgreSQL, and report pages read from a replica connection."""

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from chibo.accounts import services as account_services
from chibo.accounts.models import Role
from chibo.lib import replica
from chibo.units.models import UnitKind
from conftest import make_member, make_unit, make_user

ROOT = Path(__file__).resolve().parents[3]


def test_reads_go_to_the_replica_only_inside_a_report() -> None:
    router = replica.ReplicaRouter()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(replica, "has_replica", lambda: True)
        assert router.db_for_read(Role) is None
        with replica.replica_reads():
            assert router.db_for_read(Role) == "replica"
            assert router.db_for_write(Role) == "default"
        assert router.db_for_read(Role) is None
        patch.setattr(replica, "has_replica", lambda: False)
        with replica.replica_reads():
            assert router.db_for_read(Role) is None  # no replica configured: the primary
    assert router.allow_migrate("default", "units") and not router.allow_migrate("replica", "units")


@pytest.mark.skipif(
    "replica" not in settings.DATABASES, reason="CHIBO_REPLICA_URL is not set (CI sets it)"
)
@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_a_report_is_served_from_the_replica_connection() -> None:
    province = make_unit(None, UnitKind.PROVINCE, "PR", "Đảng bộ tỉnh Thử")
    base = make_unit(province, UnitKind.BASE, "PRB", "Đảng bộ xã Thử")
    cell = make_unit(base, UnitKind.CELL, "PRC", "Chi bộ Thử")
    make_member(cell, "Lê Văn Chín")
    client = Client()
    client.force_login(make_user("tinhuy", Role.STAFF, province))
    with (
        CaptureQueriesContext(connections["replica"]) as on_replica,
        CaptureQueriesContext(connection) as on_primary,
    ):
        response = client.get(reverse("meetings:dues_totals", args=[province.pk]))
    assert response.status_code == 200
    assert "Đảng bộ xã Thử" in response.content.decode()
    assert any("meetings_duespayment" in q["sql"] for q in on_replica.captured_queries)
    assert not any("meetings_duespayment" in q["sql"] for q in on_primary.captured_queries)


@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="JIT is PostgreSQL's",
)
@pytest.mark.django_db(databases="__all__")
def test_the_applications_postgresql_sessions_compile_nothing() -> None:
    """JIT off in every session the application opens, the replica's too (decision 0021)."""
    for alias in settings.DATABASES:
        with connections[alias].cursor() as cursor:
            cursor.execute("SHOW jit")
            assert cursor.fetchone() == ("off",), alias
        if alias != "default":
            connections[alias].close()  # the test database is dropped at the end of the run


def test_jit_is_left_to_the_server_when_asked() -> None:
    from chibo import settings as project

    postgres = {"ENGINE": "django.db.backends.postgresql", "OPTIONS": {"options": "-c x=1"}}
    with pytest.MonkeyPatch.context() as patch:
        project._postgres_options(postgres)  # type: ignore[arg-type]
        assert postgres["OPTIONS"] == {"options": "-c x=1 -c jit=off"}
        patch.setenv("CHIBO_DB_JIT", "on")
        untouched = {"ENGINE": "django.db.backends.postgresql"}
        project._postgres_options(untouched)  # type: ignore[arg-type]
        assert untouched == {"ENGINE": "django.db.backends.postgresql"}
    sqlite = {"ENGINE": "django.db.backends.sqlite3"}
    project._postgres_options(sqlite)  # type: ignore[arg-type]
    assert sqlite == {"ENGINE": "django.db.backends.sqlite3"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="gunicorn is shown against PostgreSQL, the production engine",
)
@pytest.mark.django_db(transaction=True)
def test_gunicorn_with_two_workers_serves_the_api_from_postgresql() -> None:
    province = make_unit(None, UnitKind.PROVINCE, "PR", "Đảng bộ tỉnh Gunicorn")
    user = make_user("tinhuy", Role.STAFF, province)
    _token, raw = account_services.create_token(user, actor=user, name="gunicorn")
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "CHIBO_DEBUG": "false",
        "CHIBO_SECRET_KEY": "gunicorn-test-" + "x" * 40,
        "CHIBO_ALLOWED_HOSTS": "127.0.0.1",
        "CHIBO_SSL_REDIRECT": "false",
        "CHIBO_REPLICA_URL": "",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}", "chibo.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/v1/units/", headers={"Authorization": f"Bearer {raw}"}
        )
        body = ""
        for _ in range(100):
            try:
                with urllib.request.urlopen(request, timeout=5) as response:
                    body = response.read().decode()
                break
            except OSError:
                time.sleep(0.2)
        assert [u["name"] for u in json.loads(body)] == ["Đảng bộ tỉnh Gunicorn"]
        for _ in range(6):  # several requests, answered by either worker
            with urllib.request.urlopen(request, timeout=5) as response:
                assert response.status == 200
    finally:
        server.terminate()
        log = server.communicate(timeout=20)[0]
    workers = set(re.findall(r"Booting worker with pid: (\d+)", log))
    assert len(workers) == 2, log


def test_gunicorn_started_in_the_project_waits_for_a_provinces_export() -> None:
    """`gunicorn chibo.wsgi` in the project's folder reads gunicorn.conf.py: a time-out well
    beyond a province's export as .xlsx (39–57 s in docs/performance.md), which gunicorn's own
    30 s would cut off, and two workers a core."""
    printed = subprocess.run(
        [sys.executable, "-m", "gunicorn", "--print-config", "chibo.wsgi"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    config = dict(re.findall(r"^(\w+)\s+= (.*)$", printed, re.MULTILINE))
    assert int(config["timeout"]) >= 120
    assert int(config["workers"]) == 2 * (os.cpu_count() or 1)
    assert "proxy_read_timeout 180s" in (ROOT / "docs" / "deploy.md").read_text()
