"""What the photo tests share: reading a served photo, the files stored, who may see a photo."""

import io
from pathlib import Path


def post_issue(client, process, files, **fields):
    """A resident raises an issue with ``files`` ((name, bytes) pairs) as its photos."""
    data = {"title": "ทางเท้าแตกหน้าตลาด", "body": "ทางเท้าแตกเป็นหลุม คนเดินสะดุดล้ม", **fields}
    data["photos"] = [(io.BytesIO(content), name) for name, content in files]
    return client.post(f"/processes/{process.slug}/issues/new", data=data,
                       content_type="multipart/form-data")  # fmt: skip


def fetch(client, url):
    """GET and close (a served file stays open until its response is closed)."""
    response = client.get(url)
    response.get_data()
    response.close()
    return response


def stored_files(app):
    root = Path(app.config["PHOTO_STORAGE_DIR"])
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def assert_seen_only_by_author_and_moderators(client, auth, url, author, moderator, stranger):
    """A hidden photo: 404 to visitors and other residents; its author and a moderator still
    see it, never from a shared cache."""
    auth.logout()
    assert fetch(client, url).status_code == 404
    auth.login(stranger)
    assert fetch(client, url).status_code == 404
    auth.logout()
    auth.login(author)
    seen = fetch(client, url)
    assert seen.status_code == 200
    assert "no-store" in seen.headers["Cache-Control"]
    auth.logout()
    auth.login(moderator)
    assert fetch(client, url).status_code == 200
