"""The web UI and JSON API of ``compare``: Flask + htmx over a SQLite document store.

Run it with ``python -m web serve`` (waitress), or under any WSGI server with the
factory, e.g. ``gunicorn 'web:create_app()'``.  ``create_app({"DATABASE": path})``
builds an app on another database file; the first start creates and seeds it.
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from flask_wtf.csrf import CSRFProtect
from htmx_flask import Htmx

from compare import Options, read_document
from web.ids import DocumentIdConverter
from web.limits import Limits
from web.store import (
    BUSY_TIMEOUT_MS,
    CACHE_MAX_BYTES,
    CACHE_MAX_ENTRIES,
    NewDocument,
    Store,
    StoreSettings,
    StoreUnavailable,
)

PACKAGE_DIR = Path(__file__).resolve().parent
DEFAULT_SEED_DIR = PACKAGE_DIR.parent / "seeds"

DEFAULTS: dict[str, Any] = {
    "DATABASE": None,  # a path; None means instance/compare.sqlite3
    "SEED_DIR": None,  # None means the seeds/ folder next to the package
    "SEED": True,  # store the seed documents on first start
    "WTF_CSRF_TIME_LIMIT": None,  # a token lives as long as the session
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_HTTPONLY": True,
    # the store (see web.store.StoreSettings); failures answer 503, or 507 when full
    "DATABASE_BUSY_TIMEOUT_MS": BUSY_TIMEOUT_MS,  # how long a write waits for another writer's lock
    "DATABASE_MAX_BYTES": None,  # cap on the database file's size; None: the disk is the limit
    "DATABASE_READ_ONLY": False,  # serve an existing database read-only
    "CACHE_MAX_ENTRIES": CACHE_MAX_ENTRIES,  # cached comparisons kept, least recently used pruned first ...
    "CACHE_MAX_BYTES": CACHE_MAX_BYTES,  # ... and their bytes at most
}

csrf = CSRFProtect()


def _secret_key(instance: Path) -> str:
    """Return the instance's secret key, created on first start and kept in the instance folder.

    The file is created exclusively, readable by its owner only; of two processes
    starting together, one writes it and both read the same key.
    """
    path = instance / "secret_key"
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _ in range(50):
            key = path.read_text(encoding="ascii").strip()
            if key:
                return key
            time.sleep(0.01)  # the other process is writing it
        raise RuntimeError(f"the secret key file {path} is empty; delete it to make a new one") from None
    key = secrets.token_hex(32)
    with os.fdopen(descriptor, "w", encoding="ascii") as stream:
        stream.write(key)
    return key


def _seed_documents(seed_dir: Path) -> list[NewDocument]:
    documents = []
    for path in sorted(seed_dir.glob("*.txt")):
        document = read_document(path)
        documents.append(NewDocument(path.name, document.text))
    return documents


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the application: configuration, store (created and seeded on first start), blueprints."""
    instance_path = (config or {}).get("INSTANCE_PATH")  # None: Flask's instance/ folder
    app = Flask(
        __name__,
        instance_relative_config=True,
        instance_path=str(Path(instance_path).resolve()) if instance_path else None,
    )
    app.config.update(DEFAULTS)
    app.config["LIMITS"] = {}  # the limits table (web.limits): a Limits or overrides; FLASK_LIMITS__NAME fills it
    app.config.from_prefixed_env()  # FLASK_SECRET_KEY, FLASK_DATABASE, ... from the environment
    if config:
        app.config.update(config)
    app.config.update(Limits.from_config(app.config).flask_config())
    instance = Path(app.instance_path)
    try:
        instance.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise StoreUnavailable(f"cannot create the instance folder {instance}: {error.strerror or error}") from error
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _secret_key(instance)

    database = app.config["DATABASE"] or instance / "compare.sqlite3"
    app.config["DATABASE"] = str(database)
    from web.documents import library_line

    store = Store(database, StoreSettings.from_config(app.config), describe=library_line)
    store.initialize()
    if app.config["SEED"]:
        seed_dir = Path(app.config["SEED_DIR"] or DEFAULT_SEED_DIR)
        if seed_dir.is_dir():
            store.seed_once(_seed_documents(seed_dir))
    app.extensions["store"] = store

    Htmx(app)
    csrf.init_app(app)

    from web import api, comparison, documents, errors, execution, report, security, store_errors, variants

    execution.init_app(app)
    app.url_map.converters["document_id"] = DocumentIdConverter

    app.jinja_env.globals["default_threshold"] = Options().min_score
    app.register_blueprint(documents.blueprint)
    app.register_blueprint(comparison.blueprint)
    app.register_blueprint(api.blueprint)
    app.register_blueprint(report.blueprint)
    app.register_blueprint(variants.blueprint)
    csrf.exempt(api.blueprint)  # the API checks origin and content type instead: see web.security
    security.init_app(app)
    errors.init_app(app)
    store_errors.init_app(app)
    return app
