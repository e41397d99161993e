"""The glossary and timeline for students: shipped as package data, linked from the film and the assignment."""

import json
from importlib import resources

import pytest

from classroom.glossary import glossary, parse_glossary

TOPICS = {
    "gulag": ["Gulag", "forced-labour camps"],
    "nkvd": ["NKVD", "political police"],
    "great-terror": ["1937", "executions"],
    "war-and-victory-day": ["22 June 1941", "9 May"],
    "de-stalinisation": ["1956", "Khrushchev", "rehabilitated"],
    "memorial": ["Memorial", "December 2021", "2022"],
    "crimea-2014": ["Crimea", "2014", "Ukraine"],
}


def test_every_topic_the_issue_names_is_explained():
    shipped = glossary()
    by_id = {term.id: term for term in shipped.terms}
    assert set(by_id) == set(TOPICS)
    for topic, words in TOPICS.items():
        text = " ".join((by_id[topic].term, *by_id[topic].explanation))
        for word in words:
            assert word in text, (topic, word)
        assert by_id[topic].ru and any("\u0400" <= ch <= "\u04ff" for ch in by_id[topic].ru)
    years = [moment.first_year for moment in shipped.timeline]
    assert years == sorted(years) and years[0] <= 1930 and 2021 in years and 2014 in years and 1956 in years


def test_the_glossary_is_package_data():
    raw = resources.files("classroom").joinpath("data/glossary.json").read_text(encoding="utf-8")
    assert parse_glossary(json.loads(raw)) == glossary()


@pytest.mark.parametrize(
    "broken,message",
    [
        ({"terms": [{"id": "x"}], "timeline": []}, "incomplete"),
        (
            {"terms": [{"id": "x", "term": "X", "ru": "Х", "ru_latin": "Kh", "explanation": []}], "timeline": []},
            "explanation",
        ),
        ({"terms": [], "timeline": [{"when": "1956", "what": "b"}, {"when": "1937–38", "what": "a"}]}, "date order"),
        ({"terms": [], "timeline": [{"when": "soon", "what": "a"}]}, "incomplete"),
    ],
)
def test_broken_glossary_data_is_refused(broken, message):
    with pytest.raises(ValueError, match=message):
        parse_glossary(broken)


def test_glossary_page_for_anyone(client):
    response = client.get("/film/glossary")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<h1>Glossary and timeline</h1>" in page
    for term in glossary().terms:
        assert f'id="{term.id}"' in page and f'<span lang="ru">{term.ru}</span>' in page
    assert '<h2 id="timeline">Timeline</h2>' in page
    assert "Great Terror" in page and "Victory Day" in page and "Memorial" in page


def test_glossary_is_linked_from_the_film_page_and_the_assignments(
    client, student_client, teacher_client, assignment, answer_stance, student
):
    assert 'href="/film/glossary"' in client.get("/film").get_data(as_text=True)
    assert 'href="/film/glossary"' in student_client.get(f"/student/assignments/{assignment.id}").get_data(as_text=True)
    assert 'href="/film/glossary"' in teacher_client.get(f"/classes/assignments/{assignment.id}").get_data(as_text=True)
