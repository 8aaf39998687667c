"""Run the web UI: ``python -m web serve [--host H] [--port P] [--database FILE] [--wsgi waitress|flask]``.

waitress (the default) is a production-grade WSGI server; ``--wsgi flask`` runs
Flask's development server instead.  Under gunicorn use the factory:
``gunicorn -w 2 -b 127.0.0.1:5000 'web:create_app()'``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from web import create_app


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Return the parsed command line."""
    parser = argparse.ArgumentParser(prog="python -m web", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the web UI and the JSON API")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=5000, help="port to listen on (default 5000)")
    serve.add_argument("--database", help="SQLite file of the documents (default: instance/compare.sqlite3)")
    serve.add_argument("--wsgi", choices=("waitress", "flask"), default="waitress",
                       help="WSGI server: waitress (default, production-grade) or flask (development)")
    serve.add_argument("--threads", type=int, default=4, help="waitress worker threads (default 4)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Start the server the command line asks for."""
    args = parse_args(argv)
    config: dict[str, Any] = {}
    if args.database:
        config["DATABASE"] = args.database
    app = create_app(config)
    print(f"compare: serving http://{args.host}:{args.port}/ (database {app.config['DATABASE']})",
          file=sys.stderr)
    if args.wsgi == "flask":
        app.run(host=args.host, port=args.port, threaded=True)
    else:
        import waitress

        waitress.serve(app, host=args.host, port=args.port, threads=args.threads)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
