"""Plain words for residents and staff: no jargon the review found in the Thai interface."""

from babel.messages.pofile import read_po

from participation.config import ROOT_DIR

# The API's reference pages speak to developers, for whom "Markdown" is the right word.
DEVELOPER_SOURCES = ("participation/api/",)


def _thai_catalogue():
    with open(ROOT_DIR / "translations/th/LC_MESSAGES/messages.po", "rb") as handle:
        return [m for m in read_po(handle) if m.id and m.string]


def _for_residents_and_staff(message):
    return not all(path.startswith(DEVELOPER_SOURCES) for path, _line in message.locations)


def test_a_town_hall_in_progress_is_never_called_a_broadcast():
    assert [m.id for m in _thai_catalogue() if "ถ่ายทอดสด" in str(m.string)] == []


def test_forms_say_what_formatting_is_possible_instead_of_markdown():
    jargon = [m.id for m in _thai_catalogue()
              if "Markdown" in str(m.string) and _for_residents_and_staff(m)]  # fmt: skip
    assert jargon == []


def test_the_list_search_button_says_search(client, create_process, thai):
    process = create_process("reimagine")

    page = client.get(f"/processes/{process.slug}/proposals").get_data(as_text=True)

    search_form = page.split('role="search"', 1)[1].split("</form>", 1)[0]
    assert f">{thai('Search')}</button>" in search_form
    assert thai("Show") not in search_form
