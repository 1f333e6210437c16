"""The OpenAPI document: generated from the code, valid, complete, and in the reader's language."""

from openapi_spec_validator import validate


def test_the_document_is_valid_openapi_in_both_languages(client):
    for language in ("th", "en"):
        response = client.get("/api/v1/openapi.json", headers={"Accept-Language": language})
        assert response.status_code == 200
        validate(response.get_json())


def test_every_api_route_is_in_the_document_once_with_an_operation_id(app, client):
    document = client.get("/api/v1/openapi.json").get_json()
    documented = {
        (method.upper(), "/api/v1" + path)
        for path, item in document["paths"].items() for method in item
    }  # fmt: skip
    routes = {
        (method, rule.rule.replace("<api_id:", "{").replace("<", "{").replace(">", "}"))
        for rule in app.url_map.iter_rules() if rule.endpoint.startswith("api.")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }  # fmt: skip
    ids = [op["operationId"] for item in document["paths"].values() for op in item.values()]

    assert routes - {("GET", "/api/v1/openapi.json"), ("GET", "/api/v1/docs")} == documented
    assert len(ids) == len(set(ids)) >= 30


def test_the_document_speaks_the_readers_language(client, thai):
    thai_doc = client.get("/api/v1/openapi.json", headers={"Accept-Language": "th"}).get_json()
    english = client.get("/api/v1/openapi.json", headers={"Accept-Language": "en"}).get_json()
    summary = english["paths"]["/processes/{slug}/proposals"]["post"]["summary"]

    assert summary == "Post a proposal (during Reimagine)"
    assert thai_doc["paths"]["/processes/{slug}/proposals"]["post"]["summary"] == thai(summary)


def test_field_descriptions_are_in_the_readers_language_too(client, thai):
    def described(language):
        doc = client.get("/api/v1/openapi.json", headers={"Accept-Language": language}).get_json()
        proposals = doc["paths"]["/processes/{slug}/proposals"]["get"]["parameters"]
        search = next(p for p in proposals if p["name"] == "q")
        schemas = doc["components"]["schemas"]
        return (search["description"],
                schemas["ProcessDetail"]["properties"]["description"]["description"])  # fmt: skip

    english, in_thai = described("en"), described("th")

    assert english == (
        "Words to search for (Thai or English).",
        "Markdown, in the reader's language.",
    )
    assert in_thai == tuple(thai(text) for text in english)


def test_inputs_and_document_come_from_the_same_models(client):
    """The limits the operations enforce are the ones the document states."""
    document = client.get("/api/v1/openapi.json").get_json()
    schemas = document["components"]["schemas"]
    proposal = schemas["ProposalInput"]["properties"]

    assert proposal["title"]["maxLength"] == 150
    assert proposal["body"]["maxLength"] == 10_000
    assert set(schemas["ProposalInput"]["required"]) == {"title", "body"}
    assert schemas["ProposalInput"]["additionalProperties"] is False
    writes = document["paths"]["/processes/{slug}/proposals"]["post"]
    assert writes["x-required-scope"] == "write"
    assert {"401", "403", "409", "415", "422", "429"} <= set(writes["responses"])


def test_a_changed_document_of_the_same_length_gets_a_new_etag(client, monkeypatch):
    """After an upgrade a cached copy is not kept just because the new one is as long."""
    from participation.api import views

    etags = []
    for summary in ("Old", "New"):
        monkeypatch.setattr(views, "_documents", {"en": {"info": {"summary": summary}}})
        response = client.get("/api/v1/openapi.json", headers={"Accept-Language": "en"})
        etags.append(response.headers["ETag"])
    refreshed = client.get(
        "/api/v1/openapi.json", headers={"Accept-Language": "en", "If-None-Match": etags[0]}
    )

    assert etags[0] != etags[1]
    assert refreshed.status_code == 200
