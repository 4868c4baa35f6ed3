"""The same endpoints over real HTTP, served by gunicorn as in the container."""

from __future__ import annotations

import json
import urllib.error
import urllib.request


def get_json(url: str) -> tuple[int, dict[str, object], str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, json.load(response), response.headers["Content-Type"]
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.load(error), error.headers["Content-Type"]


def test_health_over_http(server: str) -> None:
    assert get_json(f"{server}/health") == (200, {"status": "ok"}, "application/json")


def test_greeting_is_configured_by_the_environment(server: str) -> None:
    status, body, _ = get_json(f"{server}/api/greet?name=Grace")

    assert status == 200
    assert body == {"message": "Hi, Grace!"}


def test_index_over_http(server: str) -> None:
    status, body, _ = get_json(f"{server}/")

    assert status == 200
    assert body["service"] == "greeter"


def test_not_found_over_http(server: str) -> None:
    assert get_json(f"{server}/missing") == (404, {"error": "not found"}, "application/json")
