"""Production settings pass Django's deployment checks; malformed settings are refused."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from chibo.lib import env

ROOT = Path(__file__).resolve().parents[3]


def run_manage(*args: str, **extra_env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("CHIBO_") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    environment.update(extra_env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_is_clean_under_production_settings() -> None:
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        CHIBO_DEBUG="false",
        CHIBO_SECRET_KEY="a-long-random-production-key-" + "x7Qp2Lm9" * 6,
        CHIBO_ALLOWED_HOSTS="chibo.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_the_development_secret() -> None:
    result = run_manage("check", CHIBO_DEBUG="false")
    assert result.returncode != 0
    assert "CHIBO_SECRET_KEY must be set" in result.stderr


def test_malformed_values_are_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHIBO_X", "maybe")
    with pytest.raises(ImproperlyConfigured, match="true or false"):
        env.env_bool("CHIBO_X", True)
    monkeypatch.setenv("CHIBO_X", "ten")
    with pytest.raises(ImproperlyConfigured, match="whole number"):
        env.env_int("CHIBO_X", 1)
    monkeypatch.setenv("CHIBO_X", "a, b ,,c")
    assert env.env_list("CHIBO_X", []) == ["a", "b", "c"]
