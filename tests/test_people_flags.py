"""Flags about people: a classmate named with an insult, other people's full names, and display names."""

import pytest

from classroom.moderation.flags import find_matches, flag_details, offensive_name_words

from .test_flags_linear import BOUND, timed

CLASS = ("Sasha K.", "Ivan", "Olga Smirnova")


def kinds(text, classmates=CLASS, extra=""):
    return {flag["kind"]: flag["matches"] for flag in flag_details(text, extra, classmates)}


@pytest.mark.parametrize(
    "text,marked",
    [
        ("Sasha is such an idiot.", ["Sasha", "idiot"]),
        ("Sasha K. is dumb, everyone knows", ["Sasha K.", "dumb"]),
        ("Stupid Ivan!", ["Stupid", "Ivan"]),
        ("Olga Smirnova is a loser", ["Olga Smirnova", "loser"]),
        ("Иван тупой, как всегда", None),  # the name is written in another script: not this classmate
        ("ivan is a fucking clown", ["ivan", "fucking", "clown"]),
    ],
)
def test_a_classmate_named_with_an_insult_is_flagged(text, marked):
    found = kinds(text).get("classmate")
    assert found == marked


@pytest.mark.parametrize(
    "text",
    [
        "Sasha and I thought the parade was moving.",
        "The propaganda was stupid. Sasha agreed with me.",  # the insult is in another sentence
        "I think the idiot here is the one who believes the posters.",  # nobody in the class is named
    ],
)
def test_names_and_insults_apart_are_not_flagged(text):
    assert "classmate" not in kinds(text)


def test_the_teachers_own_words_count_as_insults_next_to_a_name():
    assert "classmate" not in kinds("Ivan is a nerd")
    assert kinds("Ivan is a nerd", extra="nerd")["classmate"] == ["Ivan", "nerd"]


@pytest.mark.parametrize(
    "text,names",
    [
        ("My neighbour Anna Sergeevna told me about the camps.", ["Anna Sergeevna"]),
        ("Yesterday Ivan Petrov said his grandfather was arrested.", ["Ivan Petrov"]),
        ("Her name was Ivan Petrovich Sidorov.", ["Ivan Petrovich Sidorov"]),
        ("Моя соседка Анна Петрова плакала.", ["Анна Петрова"]),
        ("Anna-Maria Smith-Jones lives next door.", ["Anna-Maria Smith-Jones"]),
    ],
)
def test_full_names_of_other_people_are_flagged(text, names):
    assert kinds(text, classmates=())["full_name"] == names


@pytest.mark.parametrize(
    "text",
    [
        "Joseph Stalin is still loved by some.",
        "Jessica Gorter made The Red Soul in 2017.",
        "When Stalin died, people cried in Moscow.",
        "Victory Day is on the ninth of May.",
        "The Great Terror and the Soviet Union.",
        "Я видела Сталина на плакате. Иосиф Сталин.",
        "In Crimea the Red Army parades.",
        "IDFA and Docs Against Gravity showed it.",
    ],
)
def test_the_films_vocabulary_is_not_taken_for_a_name(text):
    assert "full_name" not in kinds(text, classmates=())


def test_a_classmates_full_name_with_an_insult_is_one_classmate_flag_not_two():
    found = kinds("Olga Smirnova is a loser")
    assert "full_name" not in found


def test_people_flags_stay_linear_on_adversarial_text():
    bodies = [
        "Ab Cd " * 830,
        "Ab-" * 1660,
        "A" * 5000,
        "Sasha idiot " * 415,
        "Sasha " * 830 + "idiot" * 10,
        "Олег " * 1000,
    ]
    for body in bodies:
        # The best of up to three runs, as in test_flags_linear: a busy machine (CI runs two suites side by
        # side) once stalled a single run past the bound; a backtracking pattern stalls every run.
        assert timed(find_matches, body[:5000], "nerd\nclown", ("Sasha", "Ivan") * 20) < BOUND, body[:20]


@pytest.mark.parametrize(
    "name,offensive",
    [
        ("Sasha", False),
        ("Cassandra", False),
        ("Dickens", False),
        ("Idiot King", True),
        ("F.u.c.k", True),
        ("fuck_you", True),
        ("B i t c h", True),
        ("сука", True),
    ],
)
def test_offensive_display_names(name, offensive):
    assert bool(offensive_name_words(name)) is offensive


def test_a_display_name_with_the_teachers_word():
    assert offensive_name_words("Big Nerd") == []
    assert offensive_name_words("Big Nerd", "nerd") == ["Nerd"]


def test_a_saved_reflection_naming_a_classmate_with_an_insult_reaches_the_queue_flagged(
    app, teacher_client, make_student, school_class, assignment, write_reflection
):
    writer = make_student(school_class, "Dmitri")
    make_student(school_class, "Sasha")
    saved = write_reflection(writer, assignment.prompts[0], "Sasha is a loser and cried at the film.")
    assert saved.flagged
    html = teacher_client.get(f"/moderation/classes/{school_class.id}").get_data(as_text=True)
    assert "Names a classmate together with an insult" in html
    assert "<mark>Sasha</mark> is a <mark>loser</mark>" in html
    # The writer's own name is not a classmate's.
    own = write_reflection(writer, assignment.prompts[1], "Dmitri is a loser, I think of myself sometimes.")
    assert not own.flagged
