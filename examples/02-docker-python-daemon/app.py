"""A small JSON web service: greetings, and a health check for Docker."""

from __future__ import annotations

import socket
from typing import Any

from flask import Flask, jsonify, request


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__)
    # region config
    app.config.from_mapping(SERVICE_NAME="greeter", GREETING="Hello")
    # FLASK_GREETING=Hi in the environment sets GREETING, FLASK_SERVICE_NAME sets SERVICE_NAME.
    app.config.from_prefixed_env()
    # endregion config
    if overrides:
        app.config.update(overrides)

    # region routes
    # region endpoints
    @app.get("/")
    def index():
        # In a container the host name is the container's id: it shows which replica answered.
        return jsonify(service=app.config["SERVICE_NAME"], host=socket.gethostname())

    @app.get("/api/greet")
    def greet():
        name = request.args.get("name", "world").strip() or "world"
        return jsonify(message=f"{app.config['GREETING']}, {name}!")

    @app.get("/health")
    def health():
        return jsonify(status="ok")
    # endregion endpoints

    @app.errorhandler(404)
    def not_found(error):
        return jsonify(error="not found"), 404

    # endregion routes

    return app


# region wsgi
# gunicorn imports this module and serves `app`: `gunicorn app:app`.
app = create_app()
# endregion wsgi
