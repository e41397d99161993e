"""Dashboard: aggregates against hand-computed values, themes, charts, pages, query counts, permissions."""

import re
import secrets
import time
from xml.etree import ElementTree

import pytest
from sqlalchemy import insert

from classroom.dashboard.charts import histogram, paired_bars
from classroom.dashboard.stats import assignment_dashboard, class_overview, reflections_for
from classroom.dashboard.themes import matching, personal_data, stem, themes, tokens, top_terms
from classroom.extensions import db
from classroom.models import Assignment, Reflection, SchoolClass, StanceAnswer, Student
from tests.conftest import login_as

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def fixture_class(make_student, make_reflection, make_stance, school_class, assignment):
    """Four students, three prompts, every status, cited moments and stance answers (numbers in the tests)."""
    p0, p1, p2 = assignment.prompts
    anya, boris, chen, dasha = (make_student(school_class, n) for n in ("Anya", "Boris", "Chen", "Dasha"))
    make_reflection(anya, p0, "Memory of the victims matters.", status="approved", cited_seconds=610, starred=True)
    make_reflection(
        anya, p1, "Память о жертвах, это память о нас. Flowers for Stalin.", status="awaiting", cited_seconds=620
    )
    make_reflection(anya, p2, "Victims memory", status="returned", cited_seconds=3000)
    make_reflection(boris, p0, "The victims need memory and justice.", status="awaiting", cited_seconds=900)
    make_reflection(boris, p1, "Rude words here", status="rejected", cited_seconds=600)
    make_reflection(boris, p2, "draft text here", status="draft", cited_seconds=60)
    make_reflection(chen, p0, "A victim's memory.", status="approved", cited_seconds=5400)
    make_reflection(chen, p1, "Память жива, не забудем.", status="returned")
    for student, pre, post in ((anya, 0, 1), (boris, 0, 0), (chen, 2, 1), (dasha, 3, None)):
        make_stance(student, assignment, "pre", pre)
        if post is not None:
            make_stance(student, assignment, "post", post)
    return {"students": (anya, boris, chen, dasha), "prompts": (p0, p1, p2)}


def dashboard_data(app, assignment, **kwargs):
    with app.app_context():
        return assignment_dashboard(db.session.get(Assignment, assignment.id), **kwargs)


def test_completion_matrix_and_totals(app, fixture_class, assignment):
    data = dashboard_data(app, assignment)
    assert [(r.name, r.done, r.started) for r in data.rows] == [
        ("Anya", 2, True),
        ("Boris", 1, True),
        ("Chen", 1, True),
        ("Dasha", 0, False),
    ]
    assert data.rows[0].cells == ["approved", "awaiting", "returned"]
    assert data.rows[1].cells == ["awaiting", "rejected", "draft"]
    assert data.rows[3].cells == [None, None, None]
    assert [s.done for s in data.prompt_stats] == [3, 1, 0]
    assert data.total_done == 4
    assert [r.name for r in data.not_started] == ["Dasha"]


def test_matrix_sorts_by_name_and_by_done(app, fixture_class, assignment):
    assert [r.name for r in dashboard_data(app, assignment, descending=True).rows] == ["Dasha", "Chen", "Boris", "Anya"]
    by_done = dashboard_data(app, assignment, sort="done", descending=True).rows
    assert [r.name for r in by_done] == ["Anya", "Boris", "Chen", "Dasha"]
    # The sort's old name, in addresses bookmarked before, sorts the same way.
    assert dashboard_data(app, assignment, sort="completed", descending=True).rows == by_done
    fewest = dashboard_data(app, assignment, sort="done").rows
    assert [r.name for r in fewest] == ["Dasha", "Boris", "Chen", "Anya"]
    assert dashboard_data(app, assignment, sort="nonsense").sort == "name"


def test_per_prompt_counts_and_words(app, fixture_class, assignment):
    p0, p1, p2 = dashboard_data(app, assignment).prompt_stats
    assert (p0.handed_in, p0.approved, p0.awaiting, p0.returned, p0.rejected, p0.drafts) == (3, 2, 1, 0, 0, 0)
    assert (p1.handed_in, p1.approved, p1.awaiting, p1.returned, p1.rejected) == (3, 0, 1, 1, 1)
    assert (p2.handed_in, p2.returned, p2.drafts) == (1, 1, 1)
    # Words over awaiting, approved and returned answers: p0 5, 6, 3; p1 10 and 4; p2 2.
    assert (p0.median_words, p0.min_words, p0.max_words) == (5, 3, 6)
    assert (p1.median_words, p1.min_words, p1.max_words) == (7, 4, 10)
    assert (p2.median_words, p2.min_words, p2.max_words) == (2, 2, 2)


def test_cited_moments_in_five_minute_bins(app, fixture_class, assignment):
    p0, p1, p2 = dashboard_data(app, assignment).prompt_stats
    assert len(p0.cited) == 18
    expected = [0] * 18
    expected[2], expected[3], expected[17] = 1, 1, 1  # 10:10, 15:00, and 1:30:00 counted in the last bin
    assert p0.cited == expected
    assert p1.cited[2] == 1 and p1.cited_total == 1  # the rejected answer's moment does not count
    assert p2.cited[10] == 1 and p2.cited_total == 1  # the draft's moment does not count
    assert p0.most_cited(2) == [(600, 1), (900, 1)]


def test_stance_distribution_and_shift(app, fixture_class, assignment):
    stance = dashboard_data(app, assignment).stance
    assert stance.before == [2, 0, 1, 1]
    assert stance.after == [1, 2, 0, 0]
    assert stance.transitions == [[1, 1, 0, 0], [0, 0, 0, 0], [0, 1, 0, 0], [0, 0, 0, 0]]
    assert (stance.answered_both, stance.moved) == (3, 2)
    options = stance.options
    assert stance.moves == [(options[0], options[1], 1), (options[2], options[1], 1)]


def test_themes_per_prompt(app, fixture_class, assignment):
    p0, p1, p2 = dashboard_data(app, assignment).prompt_stats
    assert [(t.term, t.count) for t in p0.themes] == [("memory", 3), ("victim", 3)]
    assert [(t.term, t.count) for t in p1.themes] == [("память", 2)]
    assert p2.themes == []
    # Each theme comes with sentences that use it, one per reflection, in the order they were written.
    assert p0.themes[1].examples == [
        "Memory of the victims matters.",
        "The victims need memory and justice.",
        "A victim's memory.",
    ]


def test_theme_tokens_handle_english_and_russian():
    assert tokens("The Victims' memory, Stalin’s crimes; Ёлка и память — это наша история!") == [
        "victims",
        "memory",
        "stalin",
        "crimes",
        "елка",
        "память",
        "наша",
        "история",
    ]
    assert tokens("I think it was really about 1937 and the NKVD") == ["nkvd"]
    assert top_terms(["memories matter", "a memory", "memories"], min_texts=1) == [("memory", 3), ("matter", 1)]
    assert matching(["The victims", "a victim", "nothing"], "Victim") == [0, 1]


def test_reflections_filtered_by_term(app, fixture_class, assignment):
    p0 = fixture_class["prompts"][0]
    with app.app_context():
        a = db.session.get(Assignment, assignment.id)
        assert [r.student.display_name for r in reflections_for(a, p0.id, "victim")] == ["Anya", "Boris", "Chen"]
        assert [r.student.display_name for r in reflections_for(a, None, "память")] == ["Anya", "Chen"]
        assert [r.status for r in reflections_for(a, None, "", "rejected")] == ["rejected"]
        assert all(r.status != "draft" for r in reflections_for(a))


def test_class_overview_across_assignments(app, fixture_class, make_assignment, make_reflection, school_class):
    second = make_assignment(school_class, title="Second viewing")
    _anya, _boris, _chen, dasha = fixture_class["students"]
    make_reflection(dasha, second.prompts[0], "Late but here.", status="approved")
    with app.app_context():
        overview = class_overview(db.session.get(SchoolClass, school_class.id), "done", True)
    assert [
        (a.title, a.prompts, a.awaiting, a.approved, a.returned, a.rejected, a.drafts) for a in overview.assignments
    ] == [
        ("Memory and the Stalin legacy", 3, 2, 2, 2, 1, 1),
        ("Second viewing", 3, 0, 1, 0, 0, 0),
    ]
    assert [(a.stance_before, a.stance_after) for a in overview.assignments] == [(4, 3), (0, 0)]
    assert [(r.name, r.done) for r in overview.rows] == [("Anya", 2), ("Boris", 1), ("Chen", 1), ("Dasha", 1)]
    assert [(a.done, a.finished_students) for a in overview.assignments] == [(4, 0), (1, 0)]
    assert overview.total_done == 5
    first_id, second_id = (a.assignment_id for a in overview.assignments)
    assert overview.rows[3].cells == {second_id: 1}
    assert overview.rows[0].cells == {first_id: 2}
    assert overview.not_started == []
    assert overview.total_prompts == 6


# --- charts -----------------------------------------------------------------------------------


def test_histogram_is_well_formed_accessible_svg():
    counts = [0] * 18
    counts[2] = 3
    svg = str(histogram(counts, chart_id="c1", title='Cited <b>"moments"</b> & more', description="desc"))
    root = ElementTree.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img" and root.get("aria-labelledby") == "c1-title c1-desc"
    assert root.find(f"{SVG}title").text == 'Cited <b>"moments"</b> & more'
    assert root.find(f"{SVG}desc").text == "desc"
    assert "<b>" not in svg
    assert len(root.findall(f"{SVG}rect")) == 18
    values = [t.text for t in root.findall(f"{SVG}text") if t.get("class") == "chart__value"]
    assert values == ["3"]


def test_paired_bars_escape_every_label():
    labels = ["<script>alert(1)</script>", 'Tom & Jerry\'s "war"', "Как помнить Сталина?"]
    svg = str(paired_bars(labels, [1, 0, 2], [0, 3, 1], chart_id="s<x>", title="T", description="D"))
    root = ElementTree.fromstring(svg)
    texts = [t.text for t in root.iter(f"{SVG}text")]
    for label in labels:
        assert label in texts
    assert "<script>" not in svg
    assert root.find(f"{SVG}title").get("id") == "s<x>-title"
    assert len(root.findall(f"{SVG}rect")) == 2 + 2 * len(labels)


def test_charts_with_no_data_are_still_valid():
    ElementTree.fromstring(str(histogram([0] * 18, chart_id="e", title="t", description="d")))
    ElementTree.fromstring(str(paired_bars([], [], [], chart_id="f", title="t", description="d")))


# --- pages ------------------------------------------------------------------------------------


def test_assignment_dashboard_page(teacher_client, fixture_class, assignment):
    page = teacher_client.get(f"/dashboard/assignments/{assignment.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert html.count("<svg") == 4  # three prompts with cited moments, and the stance poll
    for svg in re.findall(r"<svg.*?</svg>", html, re.S):
        ElementTree.fromstring(svg)
    assert 'aria-sort="ascending"' in html
    assert "sort=done&amp;order=desc" in html
    assert "Dasha" in html and "Not started" in html
    assert "2 of 3 students who answered both times changed their answer." in html
    assert "term=%D0%BF%D0%B0%D0%BC%D1%8F%D1%82%D1%8C" in html  # the link for the theme "память"
    assert f"/moderation/classes/{assignment.class_id}?assignment={assignment.id}" in html


def test_dashboard_sorted_page(teacher_client, fixture_class, assignment):
    html = teacher_client.get(f"/dashboard/assignments/{assignment.id}?sort=done&order=desc").get_data(as_text=True)
    matrix = html[html.index('id="matrix"') :]
    assert matrix.index(">Anya<") < matrix.index(">Boris<") < matrix.index(">Dasha<")
    assert 'aria-sort="descending"' in html


def test_theme_link_lists_the_reflections_using_it(teacher_client, fixture_class, assignment):
    p1 = fixture_class["prompts"][1]
    html = teacher_client.get(
        f"/dashboard/assignments/{assignment.id}/reflections?prompt={p1.id}&term=память"
    ).get_data(as_text=True)
    assert "Answers using “память”" in html
    assert "2 reflections" in html
    assert "Жертвах".lower() in html.lower() and "Память жива" in html
    assert "Rude words" not in html


def test_reflections_page_for_a_prompt_of_another_assignment_is_404(
    teacher_client, make_assignment, school_class, assignment
):
    other = make_assignment(school_class)
    assert (
        teacher_client.get(
            f"/dashboard/assignments/{assignment.id}/reflections?prompt={other.prompts[0].id}"
        ).status_code
        == 404
    )


def test_class_overview_page(teacher_client, fixture_class, school_class):
    html = teacher_client.get(f"/dashboard/classes/{school_class.id}").get_data(as_text=True)
    assert "Memory and the Stalin legacy" in html
    assert "2 / 3" in html  # Anya's cell
    # The footer counts answers, like every cell above it: 4 done of 4 students x 3 prompts.
    footer = html[html.index("<tfoot>") : html.index("</tfoot>")]
    assert "Answers done, whole class" in footer and "4 / 12" in footer


def test_highlights_hide_names(teacher_client, fixture_class, assignment):
    html = teacher_client.get(f"/dashboard/assignments/{assignment.id}/highlights").get_data(as_text=True)
    assert "Memory of the victims matters." in html
    assert "Anya" not in html and "Chen" not in html
    assert "A victim" not in html  # approved but not starred


def test_report_page_is_printable(teacher_client, fixture_class, assignment):
    html = teacher_client.get(f"/dashboard/assignments/{assignment.id}/report").get_data(as_text=True)
    assert "class report" in html and "print.css" in html
    assert "aria-sort" not in html and "sort=done" not in html
    assert html.count("<svg") == 4


def test_empty_assignment_dashboard(teacher_client, assignment):
    html = teacher_client.get(f"/dashboard/assignments/{assignment.id}").get_data(as_text=True)
    assert "No students have joined" in html
    assert "No student has answered the stance poll yet." in html


# --- speed ------------------------------------------------------------------------------------


def add_students_with_work(app, school_class, assignment, how_many):
    """Bulk inserts: students, a reflection for most prompts, and stance answers."""
    with app.app_context():
        db.session.execute(
            insert(Student),
            [
                {
                    "class_id": school_class.id,
                    "display_name": f"Student {i:03d}",
                    "return_code": f"bulk-{i:03d}-{secrets.token_hex(3)}",
                }
                for i in range(how_many)
            ],
        )
        ids = db.session.scalars(db.select(Student.id).where(Student.class_id == school_class.id)).all()
        statuses = ("awaiting", "approved", "returned", "rejected", "draft")
        rows = [
            {
                "student_id": sid,
                "prompt_id": prompt.id,
                "body": f"Memory and justice for victims number {n}",
                "body_html": "<p>Memory and justice</p>",
                "word_count": 7,
                "status": statuses[(n + k) % 5],
                "starred": statuses[(n + k) % 5] == "approved",
                "cited_seconds": (n * 97) % 5400,
            }
            for n, sid in enumerate(ids)
            for k, prompt in enumerate(assignment.prompts)
            if (n + k) % 4
        ]
        db.session.execute(insert(Reflection), rows)
        db.session.execute(
            insert(StanceAnswer),
            [
                {"student_id": sid, "assignment_id": assignment.id, "phase": phase, "option_index": n % 4}
                for n, sid in enumerate(ids)
                for phase in ("pre", "post")
            ],
        )
        db.session.commit()


@pytest.mark.parametrize(
    "url",
    [
        "/dashboard/assignments/{assignment}",
        "/dashboard/assignments/{assignment}?sort=completed&order=desc",
        "/dashboard/classes/{school_class}",
        "/dashboard/assignments/{assignment}/report",
        "/dashboard/assignments/{assignment}/completion.csv",
        "/dashboard/assignments/{assignment}/reflections",
        "/dashboard/assignments/{assignment}/reflections?term=memory",
        "/dashboard/assignments/{assignment}/reflections?status=approved",
        "/dashboard/assignments/{assignment}/reflections.csv",
        "/dashboard/assignments/{assignment}/highlights",
    ],
)
def test_query_count_does_not_grow_with_the_class(
    make_app, make_teacher, make_class, make_assignment, count_queries, url
):
    counts = []
    for size in (5, 200):
        app = make_app()
        teacher = make_teacher(email=f"t{size}@school.example")
        school_class = make_class(teacher)
        assignment = make_assignment(school_class)
        add_students_with_work(app, school_class, assignment, size)
        client = app.test_client()
        login_as(client, teacher)
        with count_queries(app) as seen:
            response = client.get(url.format(assignment=assignment.id, school_class=school_class.id))
        assert response.status_code == 200
        counts.append(len(seen))
    assert counts[0] == counts[1], counts
    # The report also lists the starred highlights (one query more than the dashboard).
    assert counts[1] <= 13, counts


def test_large_class_dashboard_numbers(app, teacher_client, school_class, assignment):
    add_students_with_work(app, school_class, assignment, 200)
    data = dashboard_data(app, assignment)
    assert len(data.rows) == 200
    # Of 600 possible (student, prompt) pairs a quarter were skipped: 450 reflections, 90 of each status.
    assert sum(s.handed_in + s.drafts for s in data.prompt_stats) == 450
    assert sum(s.approved for s in data.prompt_stats) == 90
    assert sum(data.stance.before) == 200 and data.stance.moved == 0


# --- permissions ------------------------------------------------------------------------------


def dashboard_urls(school_class, assignment):
    a = assignment.id
    return [
        f"/dashboard/classes/{school_class.id}",
        f"/dashboard/assignments/{a}",
        f"/dashboard/assignments/{a}/highlights",
        f"/dashboard/assignments/{a}/report",
        f"/dashboard/assignments/{a}/reflections",
        f"/dashboard/assignments/{a}/reflections.csv",
        f"/dashboard/assignments/{a}/completion.csv",
    ]


def test_another_teacher_gets_404(app, other_teacher, fixture_class, school_class, assignment):
    client = app.test_client()
    login_as(client, other_teacher)
    for url in dashboard_urls(school_class, assignment):
        assert client.get(url).status_code == 404, url


def test_students_and_visitors_are_sent_to_login(app, student_client, school_class, assignment):
    for url in dashboard_urls(school_class, assignment):
        for client in (student_client, app.test_client()):
            response = client.get(url)
            assert response.status_code == 302 and "/auth/login" in response.headers["Location"], url


def test_missing_assignment_is_404(teacher_client):
    assert teacher_client.get("/dashboard/assignments/999").status_code == 404
    assert teacher_client.get("/dashboard/classes/999").status_code == 404


def test_addresses_are_not_themes():
    assert tokens("Write to kid@example.com or see https://vk.com/page, www.site.ru, example.org today") == [
        "write",
        "today",
    ]


ADVERSARIAL_BODIES = [
    "a." * 2495,  # the 11-second dashboard of issue 8
    "a" * 5000,
    "a-" * 2500,
    "a'" * 2500,
    "a.c" * 1666,
    "a.com" * 1000,
    "@a" * 2500,
    "www." * 1250,
    "x" * 4990 + ".com",
    "ё-" * 2500,
    "слово." * 833,
]


@pytest.mark.parametrize("body", ADVERSARIAL_BODIES, ids=lambda body: repr(body[:8]))
def test_theme_tokeniser_is_linear_at_the_length_limit(body):
    # A generous bound that a quadratic pattern (seconds per text) cannot meet on a loaded machine.
    assert len(body) <= 5000
    started = time.perf_counter()
    tokens(body)
    top_terms([body, body])
    matching([body], "слово")
    assert time.perf_counter() - started < 0.5


# --- Themes that mean something (issue 9): stems, personal data left out, example sentences. ---


def test_themes_merge_inflected_forms_in_english_and_russian():
    english = ["The victims were remembered.", "One victim's story", "Remembering a victim", "We remember."]
    assert top_terms(english) == [("remember", 3), ("victim", 3)]
    russian = ["Память о жертвах.", "Жертвы репрессий", "жертв было много, и память о них", "Репрессии"]
    assert top_terms(russian) == [("жертв", 3), ("память", 2), ("репрессии", 2)]
    assert stem("families") == stem("family") and stem("жертвами") == stem("жертвы")
    # Filtering by a theme finds every form of it.
    assert matching(russian, "жертвы") == [0, 1, 2]
    assert matching(english, "remembered") == [0, 2, 3]
    assert matching(english, "the") == []


def test_words_that_only_come_from_personal_data_are_not_themes():
    texts = [
        "I live at 12 Baker Street. Memory matters.",
        "Come to 12 Baker Street after school.",
        "Memory is a duty.",
    ]
    hidden = [["12 Baker Street"], ["12 Baker Street"], []]
    assert ("baker", 2) in top_terms(texts)  # what the flags prevent
    found = themes(texts, hidden)
    assert [(t.term, t.count) for t in found] == [("memory", 2)]
    # No example sentence shows the personal data (the sentence beside it may).
    assert found[0].examples == ["Memory matters.", "Memory is a duty."]
    # A word used elsewhere as well still counts where it is not personal data.
    assert top_terms(["Baker Street, 12 Baker Street", "The baker sold bread"], hidden=[["12 Baker Street"], []]) == [
        ("baker", 2)
    ]


def test_personal_data_comes_from_the_stored_flags():
    stored = (
        '[{"kind": "address", "matches": ["ул. Ленина 5"]}, {"kind": "word", "matches": ["idiot"]},'
        ' {"kind": "email", "matches": ["a@b.org"]}]'
    )
    assert personal_data(stored) == ["ул. Ленина 5", "a@b.org"]
    assert personal_data("") == [] and personal_data(None) == [] and personal_data("not json") == []


def test_theme_examples_are_short_plain_sentences_from_different_texts():
    texts = [
        "**Memory** is fragile. Memory again in the same text!",
        "- memory of the camps\n- other things",
        "> memory quoted",
        "memory " * 80,
        "Another memory.",
    ]
    (theme,) = themes(texts, min_texts=2)
    assert theme.term == "memory" and theme.count == 5
    assert theme.examples == ["Memory is fragile.", "memory of the camps", "memory quoted"]
    assert len(themes(texts, examples=5)[0].examples[3]) == 200


def test_dashboard_shows_examples_and_leaves_out_flagged_personal_data(
    app, teacher_client, make_student, make_reflection, school_class, assignment
):
    p0 = assignment.prompts[0]
    for name, body in (
        ("Anya", "We met at 12 Baker Street after the film. Nostalgia is strong."),
        ("Boris", "12 Baker Street is where my grandmother lives. Her nostalgia surprised me."),
        ("Chen", "Nostalgia for order, not for fear."),
    ):
        make_reflection(make_student(school_class, name), p0, body, status="approved")
    page = teacher_client.get(f"/dashboard/assignments/{assignment.id}").get_data(as_text=True)
    themes_html = page.split("<h4>Themes</h4>", 1)[1].split("</article>", 1)[0]
    assert "nostalgia</a>" in themes_html and "(3 reflections)" in themes_html
    assert "baker" not in themes_html.lower() and "street" not in themes_html.lower()
    assert "<q>Nostalgia for order, not for fear.</q>" in themes_html
    assert "<q>Her nostalgia surprised me.</q>" in themes_html
    # The theme's list finds all three reflections.
    listed = teacher_client.get(
        f"/dashboard/assignments/{assignment.id}/reflections?prompt={p0.id}&term=nostalgia"
    ).get_data(as_text=True)
    assert all(name in listed for name in ("Anya", "Boris", "Chen"))


# --- What did the students who changed their minds write? (issue 9) ---


def test_changed_minds_grouped_by_before_and_after(app, fixture_class, assignment, teacher_client):
    from classroom.dashboard.stats import changed_minds

    with app.app_context():
        a = db.session.get(Assignment, assignment.id)
        a.anonymise = False
        db.session.commit()
        groups = changed_minds(a)
    options = assignment.stance_options
    # Anya moved 0 -> 1, Chen 2 -> 1; Boris kept his answer; Dasha answered only before.
    assert [(g.before, g.after, [s.label for s in g.students]) for g in groups] == [
        (options[0], options[1], ["Anya"]),
        (options[2], options[1], ["Chen"]),
    ]
    # Handed-in answers that count, in film order: Anya's rejected-free three, Chen's two.
    anya = groups[0].students[0]
    assert [a.status for a in anya.answers] == ["approved", "awaiting", "returned"]
    assert "Memory of the victims matters." in anya.answers[0].body_html
    page = teacher_client.get(f"/dashboard/assignments/{assignment.id}").get_data(as_text=True)
    section = page.split('id="changed-minds"', 1)[1].split("</section>", 1)[0]
    assert f"From “{options[0]}” to “{options[1]}”" in section
    assert "Anya" in section and "Chen" in section and "Boris" not in section and "Dasha" not in section
    assert "Memory of the victims matters." in section and "Rude words here" not in section


def test_changed_minds_are_anonymised_as_the_assignment_says(app, fixture_class, assignment, teacher_client):
    page = teacher_client.get(f"/dashboard/assignments/{assignment.id}").get_data(as_text=True)
    section = page.split('id="changed-minds"', 1)[1].split("</section>", 1)[0]
    assert "Names are hidden" in section
    assert "Anya" not in section and "Chen" not in section
    labels = re.findall(r"<h4>(Classmate \d+)</h4>", section)
    assert len(labels) == 2 and len(set(labels)) == 2
    assert "Memory of the victims matters." in section
    # The printed report carries the same section.
    report = teacher_client.get(f"/dashboard/assignments/{assignment.id}/report").get_data(as_text=True)
    assert 'id="changed-minds"' in report and "Anya" not in report.split('id="changed-minds"', 1)[1]


def test_no_changed_minds_yet(app, teacher_client, assignment):
    page = teacher_client.get(f"/dashboard/assignments/{assignment.id}").get_data(as_text=True)
    assert "Nobody has changed their answer yet" in page


def test_report_has_the_starred_highlights_anonymised_the_stance_chart_and_a_print_button(
    teacher_client, fixture_class, assignment
):
    html = teacher_client.get(f"/dashboard/assignments/{assignment.id}/report").get_data(as_text=True)
    highlights = html.split('id="report-highlights"', 1)[1].split("</section>", 1)[0]
    # Anya's starred, approved reflection, without her name; nothing unstarred.
    assert "Memory of the victims matters." in highlights
    assert "Anya" not in highlights and "A victim's memory" not in highlights
    assert 'moment cited: <span class="time">0:10:10</span>' in highlights
    # The stance chart is drawn in the report.
    assert 'id="stance-chart-title"' in html
    assert "data-print hidden" in html and "js/print-button.js" in html


def test_report_without_highlights_says_how_to_add_them(teacher_client, assignment):
    html = teacher_client.get(f"/dashboard/assignments/{assignment.id}/report").get_data(as_text=True)
    assert "No highlights yet" in html
