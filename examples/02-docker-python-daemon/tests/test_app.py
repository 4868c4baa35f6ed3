"""The endpoints, through Flask's test client."""

from __future__ import annotations

import socket

import pytest
from app import create_app
from flask.testing import FlaskClient


def test_index_names_the_service_and_host(client: FlaskClient) -> None:
    response = client.get("/")

    assert response.status_code == 200
    assert response.get_json() == {"service": "greeter", "host": socket.gethostname()}


@pytest.mark.parametrize(
    ("query", "message"),
    [("", "Hello, world!"), ("?name=Ada", "Hello, Ada!"), ("?name=%20", "Hello, world!")],
)
def test_greet(client: FlaskClient, query: str, message: str) -> None:
    response = client.get(f"/api/greet{query}")

    assert response.status_code == 200
    assert response.get_json() == {"message": message}


def test_health(client: FlaskClient) -> None:
    response = client.get("/health")

    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_unknown_path_is_a_json_404(client: FlaskClient) -> None:
    response = client.get("/nope")

    assert response.status_code == 404
    assert response.get_json() == {"error": "not found"}


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLASK_GREETING", "Hej")
    monkeypatch.setenv("FLASK_SERVICE_NAME", "greeter-eu")
    client = create_app().test_client()

    assert client.get("/api/greet?name=Ada").get_json() == {"message": "Hej, Ada!"}
    assert client.get("/").get_json()["service"] == "greeter-eu"
