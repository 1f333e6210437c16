"""A published summary is shared with its title and picture; a draft shares nothing."""

from tests.share.test_share import PUBLIC, image_of, site_card, tags


def test_a_published_summary_has_share_tags_and_a_draft_has_none(app, client, auth,
                                                                 finished_process):  # fmt: skip
    app.config["PUBLIC_URL"] = PUBLIC
    slug = finished_process.slug
    path = f"/summaries/processes/{slug}"
    auth.login(finished_process.council)
    client.post(f"{path}/review")
    draft = tags(client.get(path).get_data(as_text=True))
    assert draft["og:title"] == "ร่วมคิด"  # only the site's name while it is a draft
    assert image_of(client, draft) == site_card(client)

    client.post(f"{path}/statement", data={"statement_th": "สภาเทศบาลขอบคุณทุกความคิดเห็น"})
    assert client.post(f"{path}/publish").status_code == 302
    auth.logout()
    found = tags(client.get(path).get_data(as_text=True))

    assert found["og:url"] == PUBLIC + path
    assert found["og:title"] != "ร่วมคิด"
    assert image_of(client, found) != site_card(client)
