"""The proposal: the measure vocabulary of each language, scales read from the answers,
confidence and doubt — on headers and answers as plain data."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tpkit.i18n import t
from tpkit.model import LANGUAGES, Meta, Touchpoint, Workbook
from tpkit.survey.export import Column
from tpkit.survey.mapping import ROW_TOUCHPOINT, WHOLE_FIRM, Target
from tpkit.survey.measures import MEASURES
from tpkit.survey.proposal import propose_column
from tpkit.survey.scales import ACCEPTED, FIT, SCALES, Answers, best_scale, fit
from tpkit.survey.vocabulary import vocabulary

WORKBOOK = Workbook(
    meta=Meta(team="Firm"),
    touchpoints=[
        Touchpoint(id="invoice", name="Invoice", phase="after", aliases=["Rechnung", "Fattura"]),
        Touchpoint(id="hotline", name="Hotline", phase="after"),
        Touchpoint(id="delivery", name="Delivery", phase="during", aliases=["Lieferung"]),
        Touchpoint(id="shop", name="Showroom", phase="during", aliases=["negozio", "magasin"]),
    ],
)
ONE_TO_FIVE = Answers({"1": 3, "2": 5, "3": 9, "4": 20, "5": 14})
ZERO_TO_TEN = Answers({str(v): 4 + v for v in range(11)})
YES_NO = Answers({"Yes": 30, "No": 6})
TEXT = Answers({f"remark {i}": 1 for i in range(25)})


def proposal(header: str, answers: Answers, link: bool = False):
    return propose_column(3, Column(header), answers, WORKBOOK, link)


# --- the vocabulary, language by language ------------------------------------------------

HEADERS = {
    "en": [
        ("How likely are you to recommend us to a friend?", ZERO_TO_TEN, "nps", WHOLE_FIRM),
        ("How would you rate the invoice?", ONE_TO_FIVE, "csat", "invoice"),
        ("How was the hotline?", ONE_TO_FIVE, "csat", "hotline"),
        ("Invoice", ONE_TO_FIVE, "csat", "invoice"),  # the touchpoint's name alone
        ("How friendly was the staff at the showroom?", ONE_TO_FIVE, "contact", "shop"),
        ("How satisfied were you with how quickly we solved it?", ONE_TO_FIVE, "process", None),
        ("It was easy to reach the hotline", Answers({"1": 2, "4": 9, "7": 30}), "ces", "hotline"),
        ("Why?", TEXT, "comment", None),
    ],
    "it": [
        ("Quanto è probabile che ci consiglierebbe a un amico?", ZERO_TO_TEN, "nps", None),
        ("Quanto consiglieresti il nostro negozio?", ZERO_TO_TEN, "nps", "shop"),
        ("Come valuta la fattura?", ONE_TO_FIVE, "csat", "invoice"),
        ("Com'è stato il servizio della hotline?", ONE_TO_FIVE, "csat", "hotline"),
        ("Come valuti la cortesia del personale?", ONE_TO_FIVE, "contact", None),
        (
            "Quanto è soddisfatto della rapidità della consegna? (Delivery)",
            ONE_TO_FIVE,
            "process",
            "delivery",
        ),
        ("Perché?", TEXT, "comment", None),
    ],
    "de": [
        ("Wie wahrscheinlich ist es, dass Sie uns weiterempfehlen?", ZERO_TO_TEN, "nps", None),
        ("Würdest du uns weiterempfehlen?", ZERO_TO_TEN, "nps", None),
        ("Wie bewerten Sie die Rechnung?", ONE_TO_FIVE, "csat", "invoice"),
        ("Wie war die Lieferung?", ONE_TO_FIVE, "csat", "delivery"),
        ("Wie freundlich waren unsere Mitarbeiter?", ONE_TO_FIVE, "contact", None),
        ("Wie zufrieden sind Sie mit der Wartezeit?", ONE_TO_FIVE, "process", None),
        ("Warum?", TEXT, "comment", None),
    ],
    "fr": [
        ("Recommanderiez-vous notre magasin à un proche ?", ZERO_TO_TEN, "nps", "shop"),
        ("Recommanderais-tu notre service ?", ZERO_TO_TEN, "nps", None),
        ("Comment évaluez-vous la facture ? (Invoice)", ONE_TO_FIVE, "csat", "invoice"),
        ("Comment était la hotline ?", ONE_TO_FIVE, "csat", "hotline"),
        ("Le personnel a-t-il été aimable ?", ONE_TO_FIVE, "contact", None),
        (
            "Êtes-vous satisfait des délais de livraison ? (Delivery)",
            ONE_TO_FIVE,
            "process",
            "delivery",
        ),
        ("Pourquoi ?", TEXT, "comment", None),
    ],
}


@pytest.mark.parametrize(
    ("language", "header", "answers", "measure", "touchpoint"),
    [(language, *case) for language, cases in HEADERS.items() for case in cases],
    ids=[f"{language}: {case[0]}" for language, cases in HEADERS.items() for case in cases],
)
def test_each_languages_wordings_name_their_measure(language, header, answers, measure, touchpoint):
    found = proposal(header, answers)
    assert found.target is not None, found.evidence
    assert found.target.measure == measure, [e.text() for e in found.evidence]
    assert found.target.touchpoint == (touchpoint or WHOLE_FIRM)
    assert not found.doubtful, [e.text() for e in found.evidence]


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_language_file_names_every_measure_and_every_scale(language):
    words = vocabulary(language)
    assert set(words["measures"]) == set(MEASURES)
    assert all(words["measures"][m].get("strong") for m in MEASURES)
    assert {"satisfaction", "quality", "agreement5", "agreement7", "likelihood", "yes_no"} <= set(
        words["scales"]
    )
    assert words["rating"] and words["not_answered"] and words["summary_rows"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_kit_questionnaire_maps_back_to_its_measures_with_confidence(language):
    """A form built from our own questionnaire imports without a mapping file."""
    sample = {
        "contact": ONE_TO_FIVE,
        "process": ONE_TO_FIVE,
        "csat": ONE_TO_FIVE,
        "nps": ZERO_TO_TEN,
        "ces": Answers({str(v): 3 for v in range(1, 8)}),
        "consent": Answers({"1": 20, "0": 9}),
    }
    for measure in MEASURES:
        question = t(f"questionnaire.question.{measure}", language, touchpoint="Invoice")
        found = proposal(question, sample.get(measure, TEXT))
        assert found.target == Target(measure, "invoice", found.target.scale), question
        assert not found.doubtful, question


# --- the answers decide ------------------------------------------------------------------


def test_a_yes_no_recommend_is_no_nps_and_is_doubtful():
    found = proposal("Would you recommend us to a friend?", YES_NO)
    assert found.target is None and found.doubtful
    assert found.suggested == Target("nps", WHOLE_FIRM, "0-10")
    assert "yes/no" in "; ".join(e.text() for e in found.evidence)


def test_a_five_point_agreement_item_is_read_on_five_points():
    labels = {"Strongly disagree": 2, "Disagree": 4, "Neither agree nor disagree": 6}
    labels |= {"Agree": 20, "Strongly agree": 18}
    found = proposal("It was easy to get what I needed", Answers(labels))
    assert found.target == Target("ces", WHOLE_FIRM, "agreement-5") and not found.doubtful
    seven = Answers({**labels, "Somewhat agree": 5})  # a level only seven points have
    assert proposal("It was easy to get what I needed", seven).target.scale == "agreement-7"


@pytest.mark.parametrize(
    ("header", "answers"),
    [
        ("What speed is your internet connection?", Answers({"100 Mbit": 3, "fibre": 4})),
        ("How many people live in your household?", ONE_TO_FIVE),
        ("Which of our products do you like better?", Answers({"Lamps": 5, "Cables": 3})),
        ("Thank you for visiting our people in the showroom!", TEXT),
    ],
)
def test_unrelated_questions_are_never_confidently_scored(header, answers):
    found = proposal(header, answers)
    assert found.target is None or found.doubtful or not found.scored


def test_an_nps_whose_answers_stop_at_five_is_doubtful():
    found = proposal("How likely are you to recommend us?", ONE_TO_FIVE)
    assert found.target == Target("nps", WHOLE_FIRM, "0-10") and found.doubtful
    assert "never go above 5" in "; ".join(e.text() for e in found.evidence)


def test_a_rating_of_something_that_is_no_touchpoint_is_doubtful():
    found = proposal("How would you rate the following? — Packaging", ONE_TO_FIVE, link=True)
    assert found.target == Target("csat", ROW_TOUCHPOINT, "1-5") and found.doubtful


def test_a_header_naming_two_touchpoints_is_doubtful():
    found = proposal("How satisfied were you with the invoice and the hotline?", ONE_TO_FIVE)
    assert found.target.touchpoint == "invoice" and found.doubtful


def test_a_column_of_numbers_with_no_words_is_doubtful_and_free_text_is_not():
    numbers = propose_column(3, Column("Q7", code="Q7"), ONE_TO_FIVE, WORKBOOK, False)
    assert numbers.target is None and numbers.doubtful
    text = propose_column(3, Column("Favourite colour"), TEXT, WORKBOOK, False)
    assert text.target is None and not text.doubtful


def test_not_applicable_answers_are_blanks_not_a_misfit():
    answers = Answers({"4": 10, "5": 12, "n/a": 40, "Non applicabile": 5, "keine Angabe": 3})
    assert answers.answered == 22
    found = proposal("How satisfied were you with the invoice?", answers)
    assert found.target == Target("csat", "invoice", "1-5") and not found.doubtful


# --- a scale is never proposed on answers that do not fit it -------------------------------

ANSWER_TEXTS = st.sampled_from(
    [
        *(str(v) for v in range(0, 12)),
        *("4,5", "10 - Extremely likely", "n/a", "Yes", "No", "Good", "Excellent", "Poor"),
        *("Very satisfied", "Dissatisfied", "Agree", "Somewhat agree", "Strongly agree"),
        *("sehr zufrieden", "Molto soddisfatto", "Très satisfait", "anything", "-"),
    ]
)


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(ANSWER_TEXTS, st.integers(1, 50), min_size=1, max_size=8),
    st.sampled_from(sorted(MEASURES)),
)
def test_a_column_whose_answers_do_not_fit_a_scale_is_never_mapped_to_it(counts, measure):
    answers = Answers(counts)
    header = t(f"questionnaire.question.{measure}", "en", touchpoint="Invoice")
    found = proposal(header, answers)
    if found.target is not None and found.answered:
        assert found.target.scale in ACCEPTED[found.target.measure]
        assert fit(SCALES[found.target.scale], answers) >= FIT, (counts, found.target)
    chosen = best_scale(measure, answers)
    if chosen is not None:
        assert fit(chosen.scale, answers) >= FIT
