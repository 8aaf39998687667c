"""Run the web UI: ``python -m web serve [--host H] [--port P] [--database FILE] [--instance DIR] [--wsgi ...]``.

waitress (the default) is a production-grade WSGI server; ``--wsgi flask`` runs
Flask's development server instead.  ``--port 0`` lets the system pick a free
port; the line ``compare: serving http://HOST:PORT/`` on stderr tells which.
A store that cannot be opened (a folder that cannot be created, a damaged
database file) stops the start with one line naming the problem and exit status 2.
Under gunicorn use the factory: ``gunicorn -w 2 -b 127.0.0.1:5000 'web:create_app()'``.
"""

from __future__ import annotations

import argparse
import sys
import threading
from collections.abc import Sequence
from typing import Any

from web import create_app
from web.execution import current_pools
from web.store import StoreError

THREADS = 16  # past the heavy requests (2 workers, 2 demoted, 8 queued), pages and uploads still get threads
LOOKAHEAD = 1  # waitress reads ahead on a connection, which is how it notices a client that went away


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Return the parsed command line."""
    parser = argparse.ArgumentParser(prog="python -m web", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the web UI and the JSON API")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=5000, help="port to listen on; 0 picks a free one (default 5000)")
    serve.add_argument("--database", help="SQLite file of the documents (default: INSTANCE/compare.sqlite3)")
    serve.add_argument("--instance", help="instance folder: secret key, default database (default: ./instance)")
    serve.add_argument("--wsgi", choices=("waitress", "flask"), default="waitress",
                       help="WSGI server: waitress (default, production-grade) or flask (development)")
    serve.add_argument("--threads", type=int, default=THREADS,
                       help=f"waitress threads (default {THREADS}): requests waiting for a worker process hold "
                            "one, so keep more than the limits' workers + queue")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Start the server the command line asks for; return 2 if the store cannot be opened."""
    args = parse_args(argv)
    config: dict[str, Any] = {}
    if args.database:
        config["DATABASE"] = args.database
    if args.instance:
        config["INSTANCE_PATH"] = args.instance
    try:
        app = create_app(config)
    except StoreError as error:
        print(f"compare: cannot start: {error}", file=sys.stderr)
        return 2
    database = app.config["DATABASE"]
    if args.wsgi == "flask":
        print(f"compare: serving http://{args.host}:{args.port}/ (database {database})", file=sys.stderr)
        app.run(host=args.host, port=args.port, threaded=True)
        return 0
    import waitress

    with app.app_context():  # start the workers beside serving, so the first comparison finds them ready
        threading.Thread(target=current_pools().pool("heavy").start, name="start-workers", daemon=True).start()
    try:
        server = waitress.create_server(app, host=args.host, port=args.port, threads=args.threads,
                                        channel_request_lookahead=LOOKAHEAD)
    except OSError as error:
        print(f"compare: cannot listen on {args.host}:{args.port}: {error.strerror or error}", file=sys.stderr)
        return 2
    port = getattr(server, "effective_port", args.port)
    print(f"compare: serving http://{args.host}:{port}/ (database {database})", file=sys.stderr, flush=True)
    server.run()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
