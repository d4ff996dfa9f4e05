"""Every message exists in every language, with the same placeholders; nothing is missing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tpkit import i18n
from tpkit.i18n import catalogue, default_language, t
from tpkit.model import (
    ACTION_STATUSES,
    BETTER,
    CHANNELS,
    FREQUENCIES,
    INDUSTRIES,
    KINDS,
    LANGUAGES,
    PHASES,
    RULE_IDS,
    Action,
    Diagnostics,
    FindingRef,
    Kpi,
    Meta,
    Persona,
    Rating,
    Stage,
    Thresholds,
    Touchpoint,
    Workbook,
)

SOURCE = Path(i18n.__file__).parent
PLACEHOLDER = re.compile(r"\{[^}]*\}")


def test_the_four_languages_are_there():
    assert LANGUAGES == ("en", "it", "de", "fr")


@pytest.mark.parametrize("language", LANGUAGES[1:])
def test_every_key_exists_in_every_language(language):
    missing = set(catalogue("en")) - set(catalogue(language))
    extra = set(catalogue(language)) - set(catalogue("en"))
    assert not missing, f"{language} lacks {sorted(missing)}"
    assert not extra, f"{language} has keys English lacks: {sorted(extra)}"


@pytest.mark.parametrize("language", LANGUAGES[1:])
def test_placeholders_match_english(language):
    english = catalogue("en")
    for key, text in catalogue(language).items():
        assert sorted(PLACEHOLDER.findall(text)) == sorted(PLACEHOLDER.findall(english[key])), key


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_message_is_empty_or_left_in_english_by_mistake(language):
    for key, text in catalogue(language).items():
        assert text.strip(), key
    if language != "en":
        same = [
            k
            for k, v in catalogue(language).items()
            if v == catalogue("en")[k] and len(v) > 25 and "{" not in v
        ]
        assert not same, f"{language}: untranslated? {same[:5]}"


FIXED_VALUES = {
    "phase": PHASES,
    "kind": KINDS,
    "channel": CHANNELS,
    "frequency": FREQUENCIES,
    "industry": INDUSTRIES,
    "status": ACTION_STATUSES,
    "language": LANGUAGES,
    "better": BETTER,
    "rule": RULE_IDS,
}


@pytest.mark.parametrize("group", sorted(FIXED_VALUES))
def test_every_fixed_value_of_the_model_has_a_label(group):
    for language in LANGUAGES:
        for value in FIXED_VALUES[group]:
            assert t(f"{group}.{value}", language)


def test_every_field_of_the_model_has_a_label():
    fields = {"kpi_value", "kpi_target", "kpi_better", "finding_subject"}
    fields |= {f"weight_{rule}" for rule in RULE_IDS}
    records = (Workbook, Meta, Persona, Touchpoint, Rating, Stage, Action, Kpi, FindingRef)
    for record in (*records, Diagnostics, Thresholds):
        fields |= set(record.model_fields)
    for name in sorted(fields - {"meta", "persona", "ratings", "actions"}):
        assert t(f"field.{name}"), name


@pytest.mark.parametrize("group", ["field", "section", *sorted(FIXED_VALUES)])
def test_labels_lead_back_to_one_key_in_any_language(group):
    """The spreadsheet reader maps a label in any language to its key: no label may be
    shared by two keys of the same group."""
    owner: dict[str, str] = {}
    for language in LANGUAGES:
        for name, text in catalogue(language).items():
            prefix, _, key = name.partition(".")
            if prefix != group or "." in key:
                continue
            normal = " ".join(text.split()).casefold()
            assert owner.setdefault(normal, key) == key, (group, language, text)


KEY_IN_CODE = re.compile(
    r"[\"']((?:error|problem|cli|summary|catalogue|file|field|section|phase|kind|channel|"
    r"frequency|industry|status|language|suggestion)\.[a-z_.]+[a-z_])[\"']"
)


def test_every_key_used_in_the_code_exists():
    used = {
        key
        for path in SOURCE.rglob("*.py")
        for key in KEY_IN_CODE.findall(path.read_text(encoding="utf-8"))
        if not key.endswith(".yaml")  # file names, not message keys
    }
    assert len(used) > 40
    assert not sorted(used - set(catalogue("en")))


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        ({"TPKIT_LANG": "de"}, "de"),
        ({"LANG": "it_CH.UTF-8"}, "it"),
        ({"LANG": "fr_FR.UTF-8", "TPKIT_LANG": "en"}, "en"),
        ({"LANG": "ja_JP.UTF-8"}, "en"),
        ({}, "en"),
    ],
)
def test_the_default_language_follows_the_environment(monkeypatch, environment, expected):
    for variable in ("TPKIT_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(variable, raising=False)
    for variable, value in environment.items():
        monkeypatch.setenv(variable, value)
    assert default_language() == expected


@pytest.mark.parametrize("language", LANGUAGES)
def test_keys_are_plain_names(language):
    """YAML reads keys such as yes/no/on/off as booleans: every key must stay a name."""
    bad = [
        key for key in catalogue(language) if not re.fullmatch(r"[a-z0-9_]+(\.[a-z0-9_]+)*", key)
    ]
    assert not bad


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("hint", ["diagnostics.plan.unmeasured", "navigator.empty"])
def test_hints_name_the_apps_feedback_tab_as_it_is_titled(language, hint):
    """These hints are read in the app too, where there are no notebooks to point to."""
    tab = t("app.tab.feedback", language).split(" · ", 1)[1]
    assert tab in t(hint, language)


@pytest.mark.parametrize(
    ("language", "zero", "one", "two"),
    [
        ("en", "0 ratings are", "1 rating is", "2 ratings are"),
        ("it", "0 valutazioni sono", "1 valutazione è", "2 valutazioni sono"),
        ("de", "0 Bewertungen sind", "1 Bewertung ist", "2 Bewertungen sind"),
        ("fr", "0 évaluations sont", "1 évaluation est", "2 évaluations sont"),
    ],
)
def test_a_count_takes_the_languages_singular_or_plural(language, zero, one, two):
    from tpkit.i18n import plural

    for count, start in ((0, zero), (1, one), (2, two)):
        assert plural("forms.incomplete", count, language).startswith(start)


def test_an_imports_account_says_1_row_and_1_question_not_1_rows_and_1_questions():
    from tpkit.survey.importer import ImportResult

    result = ImportResult(Path("x.csv"), "csv", None, rows=1, added=1, answers=1, blank=1)
    assert t("survey.cli.import.result", "en", file="f.parquet", **result.counted("en")) == (
        "1 row read; stored in f.parquet: 1 response with 1 answer; "
        "0 were already there, unchanged; 1 question left blank"
    )
    several = ImportResult(Path("x.csv"), "csv", None, rows=5, added=4, answers=9, already=1)
    assert t("navigator.form.result", "de", **several.counted("de")) == (
        "5 Zeilen gelesen; gespeichert: 4 neue Antworten mit 9 Einzelantworten; "
        "1 schon aus einem früheren Import vorhanden; 0 Fragen leer gelassen."
    )
