import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_production_settings_pass_the_deploy_check():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "k9$Vq2!rX7@pL0zN4&wY8#tB6^mC1*eH3(sJ5)uG-aF_dK+oQ=iR",
        "ALLOWED_HOSTS": "shop.example.com",
        "DATABASE_URL": os.environ.get("DATABASE_URL", "postgres://shop@db:5432/shop"),
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://redis:6379/0"),
        "PAYMENT_GATEWAY": "toss",
        "TOSS_SECRET_KEY": "test_sk_deploy_check",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout + result.stderr
