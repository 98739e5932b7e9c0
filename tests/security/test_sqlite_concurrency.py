"""Issue 15, point 8: the embedded shop (one SQLite file) serves several people at once: 20
threads of cart, checkout and console posts end with 0 errors ("database is locked" was a 500)."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_twenty_people_at_once_on_the_sqlite_file_get_no_error(tmp_path):
    env = {key: value for key, value in os.environ.items() if key not in ("REDIS_URL", "DEBUG")}
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings.local",
                "DATABASE_URL": f"sqlite:///{tmp_path / 'drill.sqlite3'}",
                "MEDIA_ROOT": str(tmp_path / "media"), "PRIVATE_MEDIA_ROOT": str(tmp_path / "private"),
                "AXES_ENABLED": "0", "LOG_LEVEL": "ERROR"})

    result = subprocess.run([sys.executable, "tests/security/sqlite_drill.py"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=600)

    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["journal_mode"] == "wal"
    assert report["error_count"] == 0, report["errors"]
    assert report["requests"] == 15 * 4 * 3 + 5 * 4 * 3  # every request answered
    assert report["orders_placed"] == 15 * 4  # every checkout placed its order
