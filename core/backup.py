"""Backups of the whole shop: the database, the media files and the private files, in one folder.

A backup folder (``backups/shop-20260101-033000/``) holds:

- ``database.dump``: ``pg_dump --format=custom`` of the PostgreSQL database (or ``database.sqlite3``,
  a consistent copy made with SQLite's backup API, in the embedded mode);
- ``media.tar.gz`` and ``private-media.tar.gz``: MEDIA_ROOT (product images) and PRIVATE_MEDIA_ROOT
  (claim photos);
- ``manifest.json``: when, from which migrations, and the *figures*: every table's row count and
  the sum of each of its money columns (``*_amount``). A restore recomputes them on the restored
  database and refuses to call itself done unless they are equal.

``restore_backup`` loads a backup into an **empty** database (never over a live shop) and unpacks
the files. See docs/operations.md for nightly runs and point-in-time recovery.
"""

import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone

MANIFEST = "manifest.json"
PG_DUMP = "database.dump"
SQLITE_COPY = "database.sqlite3"


class BackupError(Exception):
    pass


# --- figures: row counts and money sums ------------------------------------------------------


def figures_postgres(cursor) -> dict:
    """{table: {"rows": n, "sums": {column: total}}} for every table of the public schema."""
    cursor.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
                   "AND table_type = 'BASE TABLE' ORDER BY table_name")
    tables = [row[0] for row in cursor.fetchall()]
    cursor.execute("SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public' "
                   "AND column_name LIKE '%\\_amount' AND data_type IN ('bigint', 'integer', 'numeric') "
                   "ORDER BY table_name, column_name")
    money: dict[str, list[str]] = {}
    for table, column in cursor.fetchall():
        money.setdefault(table, []).append(column)
    return {table: _table_figures(cursor, table, money.get(table, []), quote='"') for table in tables}


def figures_sqlite(cursor) -> dict:
    cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    tables = [row[0] for row in cursor.fetchall()]
    result = {}
    for table in tables:
        cursor.execute(f'PRAGMA table_info("{table}")')
        columns = [row[1] for row in cursor.fetchall() if row[1].endswith("_amount")]
        result[table] = _table_figures(cursor, table, columns, quote='"')
    return result


def _table_figures(cursor, table: str, money_columns: list[str], *, quote: str) -> dict:
    # Names come from the catalogue (information_schema / sqlite_master), never from a request.
    sums = ", ".join(f"COALESCE(SUM({quote}{column}{quote}), 0)" for column in money_columns)
    cursor.execute(f"SELECT COUNT(*){', ' + sums if sums else ''} FROM {quote}{table}{quote}")
    row = cursor.fetchone()
    return {"rows": int(row[0]), "sums": {column: int(total) for column, total in zip(money_columns, row[1:],
                                                                                     strict=True)}}


def current_figures() -> dict:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            return figures_postgres(cursor)
        return figures_sqlite(cursor)


# --- backup ----------------------------------------------------------------------------------


def _pg_arguments(database: dict) -> tuple[list[str], dict]:
    arguments = ["--dbname", database["NAME"]]
    if database.get("HOST"):
        arguments += ["--host", str(database["HOST"])]
    if database.get("PORT"):
        arguments += ["--port", str(database["PORT"])]
    if database.get("USER"):
        arguments += ["--username", str(database["USER"])]
    environment = {**os.environ}
    if database.get("PASSWORD"):
        environment["PGPASSWORD"] = str(database["PASSWORD"])  # never on the command line (ps shows it)
    return arguments, environment


def _run(command: list[str], environment: dict) -> None:
    result = subprocess.run(command, env=environment, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()[-2000:]}")


def _pack(folder: Path, source, name: str) -> None:
    with tarfile.open(folder / name, "w:gz") as archive:
        if source and Path(source).is_dir():
            archive.add(str(source), arcname=".")


def make_backup(*, output_dir: str | Path, database: dict | None = None) -> Path:
    """Write a backup folder under ``output_dir``; returns its path."""
    database = database or settings.DATABASES["default"]
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    folder = Path(output_dir) / f"shop-{stamp}"
    suffix = 1
    while folder.exists():
        suffix += 1
        folder = Path(output_dir) / f"shop-{stamp}-{suffix}"
    folder.mkdir(parents=True)
    # The figures first, then the dump: on a live shop a few rows may land in between, so the
    # manifest is checked against the dump itself by the restore drill (CI), not here.
    figures = current_figures()
    if connection.vendor == "postgresql":
        arguments, environment = _pg_arguments(database)
        _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", str(folder / PG_DUMP),
              *arguments], environment)
        engine = "postgresql"
    else:
        with sqlite3.connect(database["NAME"]) as source, sqlite3.connect(folder / SQLITE_COPY) as target:
            source.backup(target)
        engine = "sqlite"
    _pack(folder, settings.MEDIA_ROOT, "media.tar.gz")
    _pack(folder, settings.PRIVATE_MEDIA_ROOT, "private-media.tar.gz")
    manifest = {"created_at": datetime.now().astimezone().isoformat(timespec="seconds"), "engine": engine,
                "migrations": _applied_migrations(), "figures": figures}
    (folder / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True))
    return folder


def _applied_migrations() -> list[str]:
    from django.db.migrations.recorder import MigrationRecorder

    return sorted(f"{app}.{name}" for app, name in MigrationRecorder(connection).applied_migrations())


# --- restore ---------------------------------------------------------------------------------


def restore_backup(folder: str | Path, *, database: dict | None = None, media_root=None,
                   private_media_root=None) -> dict:
    """Load a backup folder into an empty database and unpack its files; returns the restored figures.

    Raises BackupError if the target database already has tables, or if the restored figures differ
    from the manifest's.
    """
    folder = Path(folder)
    manifest = json.loads((folder / MANIFEST).read_text())
    database = database or settings.DATABASES["default"]
    if manifest["engine"] == "postgresql":
        figures = _restore_postgres(folder, database)
    else:
        figures = _restore_sqlite(folder, database)
    _unpack(folder / "media.tar.gz", media_root or settings.MEDIA_ROOT)
    _unpack(folder / "private-media.tar.gz", private_media_root or settings.PRIVATE_MEDIA_ROOT)
    if figures != manifest["figures"]:
        different = sorted(table for table in set(figures) | set(manifest["figures"])
                           if figures.get(table) != manifest["figures"].get(table))
        raise BackupError(f"restored figures differ from the manifest in: {', '.join(different)}")
    return figures


def _pg_connect(database: dict):
    import psycopg

    return psycopg.connect(dbname=database["NAME"], host=database.get("HOST") or None,
                           port=database.get("PORT") or None, user=database.get("USER") or None,
                           password=database.get("PASSWORD") or None, autocommit=True)


def _restore_postgres(folder: Path, database: dict) -> dict:
    with _pg_connect(database) as target, target.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public'")
        if cursor.fetchone()[0]:
            raise BackupError(f"database {database['NAME']} is not empty: restore only into an empty database")
    arguments, environment = _pg_arguments(database)
    _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
          *arguments, str(folder / PG_DUMP)], environment)
    with _pg_connect(database) as target, target.cursor() as cursor:
        return figures_postgres(cursor)


def _restore_sqlite(folder: Path, database: dict) -> dict:
    path = Path(database["NAME"])
    if path.exists() and path.stat().st_size:
        with sqlite3.connect(path) as existing:
            if existing.execute("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]:
                raise BackupError(f"{path} is not empty: restore only into an empty database")
    shutil.copyfile(folder / SQLITE_COPY, path)
    with sqlite3.connect(path) as restored:
        return figures_sqlite(restored.cursor())


def _unpack(archive: Path, destination) -> None:
    if not archive.exists():
        return
    Path(destination).mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive, "r:gz") as source:
        source.extractall(destination, filter="data")  # "data": no absolute paths, no links out
