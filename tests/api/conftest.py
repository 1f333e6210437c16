"""Helpers for API tests: a client that sends a token, and JSON in and out."""

import pytest


class ApiClient:
    """The test client with a bearer token (or none) and a language."""

    def __init__(self, client, token=None, language="en"):
        self.client = client
        self.token = token
        self.language = language

    def _headers(self, headers):
        sent = {"Accept-Language": self.language}
        if self.token:
            sent["Authorization"] = f"Bearer {self.token}"
        return {**sent, **(headers or {})}

    def get(self, path, headers=None, **kwargs):
        return self.client.get("/api/v1" + path, headers=self._headers(headers), **kwargs)

    def send(self, method, path, json=None, headers=None, **kwargs):
        if json is not None:
            kwargs["json"] = json
        return self.client.open("/api/v1" + path, method=method, headers=self._headers(headers),
                                **kwargs)  # fmt: skip

    def post(self, path, json=None, **kwargs):
        return self.send("POST", path, json, **kwargs)

    def put(self, path, json=None, **kwargs):
        return self.send("PUT", path, json, **kwargs)

    def patch(self, path, json=None, **kwargs):
        return self.send("PATCH", path, json, **kwargs)

    def delete(self, path, **kwargs):
        return self.send("DELETE", path, **kwargs)


@pytest.fixture
def api(app, token_for):
    """``api(person, write=True)``: a client acting with a fresh token of ``person``;
    ``api()``: an anonymous one."""

    def make(person=None, write=True, language="en"):
        token = token_for(person, write) if person is not None else None
        return ApiClient(app.test_client(), token, language)

    return make


def assert_problem(response, status, field=None):
    """The response is a problem document with this status (and an error beside ``field``)."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json(force=True)
    assert body["status"] == status
    assert all(body[key] for key in ("type", "title", "detail")), body
    if field is not None:
        assert field in [error["field"] for error in body.get("errors", [])], body
    return body
