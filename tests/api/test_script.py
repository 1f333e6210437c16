"""The user story of the issue: a script with only the OpenAPI document and a token lists a
process's proposals, posts one, supports it, and later reads the council's response."""


class Script:
    """Knows nothing but the document's address and a token; finds operations by id."""

    def __init__(self, http, token):
        self.http = http
        self.headers = {"Authorization": f"Bearer {token}", "Accept-Language": "en"}
        self.document = http.get("/api/v1/openapi.json").get_json()
        self.base = self.document["servers"][0]["url"]

    def call(self, operation_id, body=None, **params):
        for path, item in self.document["paths"].items():
            for method, operation in item.items():
                if operation["operationId"] == operation_id:
                    response = self.http.open(
                        self.base + path.format(**params), method=method.upper(),
                        json=body, headers=self.headers,
                    )  # fmt: skip
                    expected = next(code for code in operation["responses"] if code < "300")
                    assert str(response.status_code) == expected, response.get_json()
                    return response.get_json()
        raise LookupError(operation_id)


def test_a_script_posts_supports_and_reads_the_council_response(
    app, client, create_user, create_process, token_for, move_to
):
    from participation.accounts.models import User
    from participation.extensions import db
    from participation.proposals.models import Proposal
    from participation.proposals.operations import respond

    process = create_process("reimagine", support_threshold=1)
    script = Script(client, token_for(create_user()))

    [found] = [p for p in script.call("listProcesses")["items"] if p["phase"] == "reimagine"]
    before = script.call("listProposals", slug=found["slug"])["items"]
    proposal = {"title": "Shade trees on the market street", "body": "Plant rain trees."}
    posted = script.call("createProposal", proposal, slug=found["slug"])
    supported = script.call("supportProposal", slug=found["slug"], item_id=posted["id"])

    move_to(process, "remake")
    council = create_user(roles=["council"])
    with app.app_context():
        respond(db.session.get(Proposal, posted["id"]), db.session.get(User, council.id),
                "evaluating", "The council will survey the street.")  # fmt: skip
        db.session.commit()
    answer = script.call("getProposal", slug=found["slug"], item_id=posted["id"])

    assert before == []
    assert supported == {"supported": True, "support_count": 1, "supports_left": None,
                         "qualifies": True}  # fmt: skip
    assert answer["status"] == "evaluating"
    assert answer["response"]["body"] == "The council will survey the street."
    assert answer["response"]["status_title"] == "Under consideration"
