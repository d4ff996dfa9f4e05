"""Every survey tool's export end to end: read → map → import → figures.

For each fixture the expected CSAT % and NPS are worked out by hand from the answers
visible in the file, so a slip anywhere on the way (reader, proposal, import, store,
metrics) shows up as a wrong figure. A fixture the kit cannot map with confidence stores
nothing on the first try and is imported after one look: with the mapping file a user
writes from the proposal. Then a malformed file written byte by byte has every problem
reported on its physical line, and nothing dropped silently.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.survey_exports import csv_record_starts
from tpkit.model import Meta, Touchpoint, Workbook
from tpkit.store import create
from tpkit.survey import responses
from tpkit.survey.formats import read_export
from tpkit.survey.importer import ROW_REASONS, ImportResult, import_export
from tpkit.survey.metrics import figures_for

FIXTURES = Path(__file__).parent / "fixtures" / "surveys"


def tp(id_: str, name: str, *aliases: str) -> Touchpoint:
    return Touchpoint(id=id_, name=name, phase="during", aliases=list(aliases))


def workbook_with(touchpoints: tuple[Touchpoint, ...]) -> Workbook:
    return Workbook(meta=Meta(team="Survey team"), touchpoints=list(touchpoints))


@dataclass(frozen=True)
class Case:
    """One fixture and what importing it must give."""

    file: str
    touchpoints: tuple[Touchpoint, ...]
    tool: str
    rows: int  # data records read, skipped ones included
    added: int
    skipped: list[tuple[int, str]]  # (physical line, reason)
    # (touchpoint, measure) → (n, CSAT % / NPS / mean), computed by hand below
    figures: dict[tuple[str, str], tuple[int, float]]
    mapping: str = ""  # a mapping file's text; empty: the proposal is confident
    personal: list[str] = field(default_factory=list)  # headers left out of the store


CASES = [
    Case(
        "google_forms_en.csv",
        # "checkout flow" is not in the header "… with the checkout?": the link decides
        (tp("checkout_flow", "Checkout flow"), tp("advisor_chat", "Advisor chat")),
        tool="google_forms",
        rows=3,  # lines 2, 3–4 (a quoted newline) and 5
        added=3,
        skipped=[],
        figures={
            # checkout_flow: "Very satisfied" (5), "Neutral" (3) → one of two satisfied
            ("checkout_flow", "csat"): (2, 100 * 1 / 2),
            # checkout_flow: 9 promoter, 6 detractor
            ("checkout_flow", "nps"): (2, 100 * (1 - 1) / 2),
            # advisor_chat: "Satisfied" (4)
            ("advisor_chat", "csat"): (1, 100 * 1 / 1),
            # advisor_chat: 10 promoter
            ("advisor_chat", "nps"): (1, 100 * (1 - 0) / 1),
        },
        personal=["Email Address"],
    ),
    Case(
        "google_forms_it.csv",
        # the header "… del servizio clienti?" names the touchpoint itself
        (tp("customer_service", "Servizio clienti"),),
        tool="google_forms",
        rows=2,
        added=2,
        skipped=[],
        figures={
            # "Molto soddisfatto" (5), "Insoddisfatto" (2)
            ("customer_service", "csat"): (2, 100 * 1 / 2),
        },
        personal=["Indirizzo email"],
    ),
    Case(
        "google_forms_de.csv",
        # no link column: "… mit der Lieferung?" names the touchpoint
        (tp("delivery", "Lieferung"),),
        tool="google_forms",
        rows=2,
        added=2,
        skipped=[],
        figures={
            # "sehr zufrieden" (5), "eher unzufrieden" (2)
            ("delivery", "csat"): (2, 100 * 1 / 2),
        },
        personal=["E-Mail-Adresse"],
    ),
    Case(
        "google_forms_fr.csv",
        (tp("newsletter", "Newsletter"),),
        tool="google_forms",
        rows=2,
        added=2,
        skipped=[],
        figures={
            # "Très satisfait" (5), "Plutôt insatisfait" (2)
            ("newsletter", "csat"): (2, 100 * 1 / 2),
        },
        personal=["Adresse e-mail"],
    ),
    Case(
        "limesurvey.csv",
        (tp("onboarding_app", "Onboarding app"), tp("help_centre", "Help centre")),
        tool="limesurvey",
        rows=3,
        added=2,
        skipped=[(3, "incomplete")],  # response 2: empty submitdate
        figures={
            # response 1 (onboarding_app): Q1 "Molto soddisfatto" (5), Q2 "Buono" / "Ottimo"
            ("onboarding_app", "csat"): (1, 100 * 1 / 1),
            ("onboarding_app", "contact"): (1, 4.0),
            ("onboarding_app", "process"): (1, 5.0),
            # response 3 (help_centre): Q1 "sehr zufrieden" (5), Q2 "gut" / "mittel"
            ("help_centre", "csat"): (1, 100 * 1 / 1),
            ("help_centre", "contact"): (1, 4.0),
            ("help_centre", "process"): (1, 3.0),
        },
        # the headers are question codes: nothing to propose from, so a mapping file
        mapping=(
            "columns:\n"
            "  Q1: {measure: csat, touchpoint: '*'}\n"
            "  'Q2[SQ001]': {measure: contact, touchpoint: '*'}\n"
            "  'Q2[SQ002]': {measure: process, touchpoint: '*'}\n"
            "  Q3: {measure: comment, touchpoint: '*'}\n"
        ),
    ),
    *(
        Case(
            name,
            # the CES header "… set up your skin profile?" names the alias
            (tp("onboarding_app", "Onboarding app", "skin profile"),),
            tool="ms_forms",
            rows=3,  # xlsx: sheet rows 2, 3, 5 (4 is empty); txt: lines 2–3, 4, 5
            added=3,
            skipped=[],
            figures={
                # "Very satisfied" (5), "Dissatisfied" (2), "Neutral" (3)
                ("onboarding_app", "csat"): (3, 100 * 1 / 3),
                # CES on 1–7: 6, 2, 4
                ("onboarding_app", "ces"): (3, (6 + 2 + 4) / 3),
            },
            personal=["Email", "Name"],
        )
        for name in ("ms_forms.xlsx", "ms_forms_unicode.txt")
    ),
    Case(
        "plain_de_cp1252.csv",
        (tp("customer_service", "Kundenservice"), tp("invoice", "Rechnung")),
        tool="csv",
        rows=4,  # lines 2, 3–4 (a quoted CR LF), 6, 7; line 5 is empty
        added=3,
        skipped=[
            (6, "ragged"),  # 1003: the last two fields are missing
            (7, "not_a_number"),  # 1004: "gut" is no satisfaction label
        ],
        figures={
            # 1001 "sehr zufrieden" (5), 1002 "unzufrieden" (2)
            ("customer_service", "csat"): (2, 100 * 1 / 2),
            # Bewertung with decimal commas: 4,5 and 2,0
            ("customer_service", "process"): (2, (4.5 + 2.0) / 2),
            # 1004: Bewertung 4; its CSAT "gut" was skipped, so no invoice CSAT
            ("invoice", "process"): (1, 4.0),
        },
        # "Zufriedenheit" holds 'gut', no satisfaction label; "Bewertung" rates what?
        mapping=(
            "columns:\n"
            "  Zufriedenheit: {measure: csat, touchpoint: '*'}\n"
            "  Bewertung: {measure: process, touchpoint: '*'}\n"
            "  Kommentar: {measure: comment, touchpoint: '*'}\n"
        ),
        personal=["E-Mail", "Telefon"],
    ),
    Case(
        "plain_en_cr.tsv",
        (tp("newsletter", "Newsletter"),),
        tool="csv",
        rows=2,
        added=2,
        skipped=[],
        figures={
            # "Satisfied" (4), "Very dissatisfied" (1)
            ("newsletter", "csat"): (2, 100 * 1 / 2),
        },
        personal=["Name", "Phone", "IP"],
    ),
    Case(
        "plain_fr.xlsx",
        (tp("renewal_reminder", "Rappel de renouvellement"),),
        tool="xlsx",
        rows=2,
        added=2,
        skipped=[],
        figures={
            # "Très satisfait" (5), "Plutôt insatisfait" (2)
            ("renewal_reminder", "csat"): (2, 100 * 1 / 2),
        },
        personal=["Courriel", "Téléphone"],
    ),
    Case(
        "qualtrics.csv",
        (tp("customer_service", "Customer service"), tp("billing_email", "Billing e-mail")),
        tool="qualtrics",
        rows=4,  # lines 5–8: the three header rows take lines 1–4
        added=2,
        skipped=[(6, "preview"), (7, "incomplete")],
        figures={
            # Q1, Q3_1, Q3_2 name "customer service", so both kept responses count there
            # (R_9z8Y… too, although its link is billing_email).
            # Q1: "Extremely satisfied" (5), "Somewhat satisfied" (4)
            ("customer_service", "csat"): (2, 100 * 2 / 2),
            # Q3_1 (the people who helped): "Good" (4), "Fair" (3)
            ("customer_service", "contact"): (2, (4 + 3) / 2),
            # Q3_2 (how quickly it was solved): "Very good" (5), "Poor" (2)
            ("customer_service", "process"): (2, (5 + 2) / 2),
            # Q2 follows the link: 9 promoter on customer_service …
            ("customer_service", "nps"): (1, 100 * (1 - 0) / 1),
            # … 7 passive on billing_email
            ("billing_email", "nps"): (1, 100 * (0 - 0) / 1),
        },
        personal=[
            "IP Address",
            "Recipient Last Name",
            "Recipient First Name",
            "Recipient Email",
        ],
        # "Good", "Fair", "Very good", "Poor" sit on Very poor…Very good and on
        # Poor…Excellent alike, at different levels: the user says which
        mapping=(
            "columns:\n"
            "  Q1: {measure: csat, touchpoint: customer_service}\n"
            "  Q2: {measure: nps, touchpoint: '*'}\n"
            "  Q3_1: {measure: contact, touchpoint: customer_service, scale: quality}\n"
            "  Q3_2: {measure: process, touchpoint: customer_service, scale: quality}\n"
            "  Q4: {measure: comment, touchpoint: '*'}\n"
        ),
    ),
    Case(
        "surveymonkey.csv",
        (tp("confirmation_email", "Order confirmation e-mail"), tp("delivery", "Delivery")),
        tool="surveymonkey",
        rows=2,  # lines 3 and 4: two header rows
        added=2,
        skipped=[],
        figures={
            # "Very satisfied" (5), "Dissatisfied" (2)
            ("confirmation_email", "csat"): (2, 100 * 1 / 2),
            # "… — Delivery speed": "Good" (4), "Poor" (2); "Packaging" is left out
            ("delivery", "process"): (2, (4 + 2) / 2),
        },
        personal=["IP Address", "Email Address", "First Name", "Last Name"],
        # a rating of the delivery on labels two scales read differently, and of a
        # "Packaging" that is no touchpoint: the user decides both
        mapping=(
            "columns:\n"
            "  How satisfied were you with your order confirmation e-mail?:"
            " {measure: csat, touchpoint: confirmation_email}\n"
            "  How would you rate the following? — Delivery speed:"
            " {measure: process, touchpoint: delivery, scale: quality}\n"
            "  How would you rate the following? — Packaging: ignore\n"
            "  Anything else you would like to tell us?: {measure: comment, touchpoint: '*'}\n"
        ),
    ),
    Case(
        "typeform.csv",
        (tp("advisor_chat", "Advisor chat"), tp("onboarding_app", "Onboarding app")),
        tool="typeform",
        rows=3,
        added=2,
        skipped=[(3, "incomplete")],  # Response Type "partial"
        figures={
            # advisor_chat: CSAT 5, NPS 9 promoter
            ("advisor_chat", "csat"): (1, 100 * 1 / 1),
            ("advisor_chat", "nps"): (1, 100 * (1 - 0) / 1),
            # onboarding_app: CSAT 4, NPS 8 passive
            ("onboarding_app", "csat"): (1, 100 * 1 / 1),
            ("onboarding_app", "nps"): (1, 100 * (0 - 0) / 1),
        },
        personal=["Network ID"],
    ),
]


# Layouts seen in public client libraries and example data, and the wordings of all
# four languages; each fixture imitates one.
CASES += [
    Case(
        "qualtrics_legacy.csv",
        # before 2017: V1… codes for Qualtrics' own columns, then a row of names
        (tp("showroom", "Showroom"),),
        tool="qualtrics",
        rows=4,  # lines 3–6
        added=2,
        skipped=[(4, "preview"), (5, "incomplete")],  # Status 1; Finished 0
        figures={
            # CSAT 4 and 5: both satisfied
            ("showroom", "csat"): (2, 100 * 2 / 2),
            # NPS 9 and 10 (by the link): two promoters
            ("showroom", "nps"): (2, 100 * (2 - 0) / 2),
        },
        personal=["EmailAddress", "IPAddress"],
    ),
    Case(
        "qualtrics_single_quotes.csv",
        # ImportId cells written with single quotes; a spam and a test response
        (tp("installation", "Installation"), tp("installer", "Installer")),
        tool="qualtrics",
        rows=5,  # lines 4–8
        added=3,
        skipped=[(5, "spam"), (6, "preview")],
        figures={
            # CES 6, 3, 7
            ("installation", "ces"): (3, (6 + 3 + 7) / 3),
            # Poor…Excellent: Excellent (5), Poor (1), Very good (4): two satisfied
            ("installer", "csat"): (3, 100 * 2 / 3),
        },
        personal=["IP Address"],
    ),
    Case(
        "surveymonkey_no_collector.csv",
        # no Collector ID: the "Response" sub-header row is still a header
        (tp("hotline", "Hotline"),),
        tool="surveymonkey",
        rows=3,
        added=3,
        skipped=[],
        figures={
            # Very satisfied (5), Neither (3), Dissatisfied (2)
            ("hotline", "csat"): (3, 100 * 1 / 3),
        },
    ),
    Case(
        "surveymonkey_legacy.csv",
        # the old column names: RespondentID, CollectorID, LastName
        (tp("installer", "Installer"), tp("invoice", "Invoice")),
        tool="surveymonkey",
        rows=3,
        added=3,
        skipped=[],
        figures={
            # NPS 10, 6, 8: one promoter, one detractor
            ("installer", "nps"): (3, 100 * (1 - 1) / 3),
            # Very satisfied, Satisfied, Very dissatisfied
            ("invoice", "csat"): (3, 100 * 2 / 3),
        },
        personal=["IP Address", "Email Address", "First Name", "LastName"],
    ),
    Case(
        "google_forms_named_zones.csv",
        # "… AM AST", "… PM EST"; a rating asked as "How would you rate …"
        (tp("website", "Website"),),
        tool="google_forms",
        rows=3,
        added=3,
        skipped=[],
        figures={
            # 4, 2, "5 - Excellent" on 1–5
            ("website", "csat"): (3, 100 * 2 / 3),
            # "10 - Extremely likely", 7, "0 - Not at all likely"
            ("", "nps"): (3, 100 * (1 - 1) / 3),
        },
    ),
    Case(
        "google_forms_it_formal.csv",
        # the formal address: "Come valuta", "consiglierebbe", "Per nulla soddisfatto"
        (tp("shop", "Negozio"), tp("delivery", "Consegna")),
        tool="google_forms",
        rows=3,
        added=3,
        skipped=[],
        figures={
            # Ottimo (5), Buono (4), Scarso (2)
            ("shop", "contact"): (3, (5 + 4 + 2) / 3),
            # 9, 10, 6
            ("", "nps"): (3, 100 * (2 - 1) / 3),
            # Per nulla soddisfatto (1), Molto soddisfatto (5), Soddisfatto (4)
            ("delivery", "csat"): (3, 100 * 2 / 3),
        },
    ),
    Case(
        "ms_forms_de.xlsx",
        # German headers: "Abschlusszeit"; "unseres Monteurs" names the fitter
        (tp("fitter", "Monteur"),),
        tool="ms_forms",
        rows=3,
        added=3,
        skipped=[],
        figures={
            # Sehr gut (5), Gut (4), Schlecht (2)
            ("fitter", "contact"): (3, (5 + 4 + 2) / 3),
            # CES 7, 5, 2
            ("", "ces"): (3, (7 + 5 + 2) / 3),
        },
        personal=["E-Mail", "Name"],
    ),
    Case(
        "ms_forms_it.xlsx",
        (tp("quote", "Preventivo"),),
        tool="ms_forms",
        rows=2,
        added=2,
        skipped=[],
        figures={
            # Molto soddisfatto (5), Insoddisfatto (2)
            ("quote", "csat"): (2, 100 * 1 / 2),
        },
        personal=["Posta elettronica", "Nome"],
    ),
    Case(
        "ms_forms_fr.xlsx",
        (tp("after_sales", "Service après-vente"),),
        tool="ms_forms",
        rows=3,
        added=3,
        skipped=[],
        figures={
            # 9, 4, 10: two promoters, one detractor
            ("after_sales", "nps"): (3, 100 * (2 - 1) / 3),
        },
        personal=["Adresse de messagerie", "Nom"],
    ),
    Case(
        "plain_summary.xlsx",
        # a response left empty, an empty row, then the sheet's own average and total
        (tp("invoice", "Invoice"),),
        tool="xlsx",
        rows=6,  # sheet rows 2–5, 7, 8
        added=3,
        skipped=[(4, "empty"), (7, "summary"), (8, "summary")],
        figures={
            # 5, 4, 2
            ("invoice", "csat"): (3, 100 * 2 / 3),
            # 9, 7, 3
            ("", "nps"): (3, 100 * (1 - 1) / 3),
        },
    ),
    Case(
        "plain_fr_macroman.csv",
        # saved as Mac Roman by an old Mac spreadsheet, with CR line ends
        (tp("delivery", "Livraison"),),
        tool="csv",
        rows=3,
        added=3,
        skipped=[],
        figures={
            # Très satisfait (5), Plutôt insatisfait (2), Satisfait (4)
            ("delivery", "csat"): (3, 100 * 2 / 3),
        },
    ),
]


def test_every_fixture_has_a_case():
    assert sorted(case.file for case in CASES) == sorted(p.name for p in FIXTURES.iterdir())


def import_once(case: Case, workbook: Workbook, path: Path, tmp_path: Path) -> ImportResult:
    export = read_export(FIXTURES / case.file)
    if not case.mapping:
        return import_export(export, workbook, path)
    mapping_file = tmp_path / "mapping.yaml"
    mapping_file.write_text(case.mapping, encoding="utf-8")
    return import_export(export, workbook, path, mapping_file=mapping_file)


def figures(workbook: Workbook, path: Path) -> tuple[dict, dict]:
    found = figures_for(workbook, path, by="touchpoint")
    counts = {(f.group, f.measure): f.n for f in found}
    scores = {(f.group, f.measure): f.score for f in found}
    assert len(counts) == len(found)  # one figure per touchpoint and measure
    return counts, scores


@pytest.mark.parametrize("case", [pytest.param(case, id=case.file) for case in CASES])
def test_each_format_end_to_end_with_figures_worked_out_by_hand(case, tmp_path):
    workbook = workbook_with(case.touchpoints)
    path = create(tmp_path / "team.yaml", workbook)
    if case.mapping:  # the first try stores nothing and says which columns are unsure
        unsure = import_export(read_export(FIXTURES / case.file), workbook, path)
        assert unsure.status == "needs_mapping"
        assert unsure.proposal.doubtful or not unsure.proposal.scored
        assert not responses.responses_path(path).exists()

    first = import_once(case, workbook, path, tmp_path)
    assert first.status == "stored"
    assert first.tool == case.tool
    assert (first.rows, first.added, first.already) == (case.rows, case.added, 0)
    assert [(s.line, s.reason) for s in first.skipped] == case.skipped
    assert first.personal_left_out == case.personal
    stored = responses.load(path)
    assert stored.num_rows == case.added
    assert not set(stored.column_names) & {"email@", "name@", "phone@", "ip@"}

    counts, scores = figures(workbook, path)
    assert counts == {key: n for key, (n, _) in case.figures.items()}
    assert scores == pytest.approx({key: score for key, (_, score) in case.figures.items()})

    again = import_once(case, workbook, path, tmp_path)
    assert (again.rows, again.added, again.already, again.replaced) == (
        case.rows,
        0,
        first.added,
        0,
    )
    # the rows skipped the first time are skipped again; cell problems of responses
    # already stored are not news
    assert [(s.line, s.reason) for s in again.skipped] == [
        (line, reason) for line, reason in case.skipped if reason in ROW_REASONS
    ]
    assert responses.load(path).num_rows == case.added
    assert figures(workbook, path) == (counts, scores)


# --- a malformed file ----------------------------------------------------------------

NPS = "How likely are you to recommend us?"
CSAT = "How satisfied were you?"
HEADER = f"Response ID,Submitted,tp,{NPS},{CSAT}".encode()
MALFORMED = b"".join(
    [
        HEADER + b"\r\n",  # 1
        b"r1,2026-03-01 10:00,website,10,5\r\n",  # 2 stored
        b"r2,2026-03-01 11:00,website,9,4,extra\n",  # 3 ragged: one field too many
        b"\n",  # 4 empty
        b"r3,2026-03-02 10:00,website,n/a,4\r",  # 5 stored; NPS "n/a" a blank; a lone CR
        b"r4,2026-03-02 11:00,website,11,3\r\n",  # 6 stored; NPS 11 out of range
        b"\r\n",  # 7 empty
        b"r1,2026-03-03 10:00,website,0,1\n",  # 8 duplicate of line 2
        b",2026-03-03 11:00,website,7,4\r",  # 9 missing id
        b"r5,2026-03-04 10:00,newsletter,6,2\n",  # 10 stored
        b"r6,2026-03-04 11:00,website\r\n",  # 11 ragged: two fields too few
        b"\r",  # 12 empty, a lone CR
        b"r7,2026-13-05 10:00,newsletter,9,5\n",  # 13 bad date: month 13
        b"r8,2026-03-05 09:00,shop,10,five\r\n",  # 14 stored; unknown touchpoint, bad CSAT
        b"r9,2026-03-05 10:00,newsletter,8,5",  # 15 stored; no line break at the end
    ]
)
ROW_SKIPS = [
    (3, "ragged", "", ""),
    (8, "duplicate", "", ""),
    (9, "missing_id", "", ""),
    (11, "ragged", "", ""),
    (13, "bad_date", "", ""),
]
CELL_SKIPS = [
    (6, "out_of_range", NPS, "11"),
    (14, "unknown_touchpoint", "tp", "shop"),
    (14, "not_a_number", CSAT, "five"),
]


def two_touchpoints() -> Workbook:
    return workbook_with((tp("website", "Website"), tp("newsletter", "Newsletter")))


def import_bytes(data: bytes, tmp_path: Path, batch_rows: int = 65_536):
    workbook = two_touchpoints()
    path = tmp_path / "team.yaml"
    if not path.exists():
        create(path, workbook)
    source = tmp_path / "export.csv"
    source.write_bytes(data)
    mapping = tmp_path / "mapping.yaml"  # the columns as a user confirmed them
    mapping.write_text(
        f"columns:\n  '{NPS}': {{measure: nps, touchpoint: '*'}}\n"
        f"  '{CSAT}': {{measure: csat, touchpoint: '*'}}\n",
        encoding="utf-8",
    )
    export = read_export(source, batch_rows=batch_rows)
    return import_export(export, workbook, path, mapping_file=mapping), path


def found(result: ImportResult) -> list[tuple[int, str, str, str]]:
    return sorted((s.line, s.reason, s.column, s.value) for s in result.skipped)


@pytest.mark.parametrize("batch_rows", [2, 65_536])
def test_a_malformed_file_reports_every_problem_on_its_physical_line(tmp_path, batch_rows):
    result, path = import_bytes(MALFORMED, tmp_path, batch_rows)
    assert result.tool == "csv"
    assert found(result) == sorted(ROW_SKIPS + CELL_SKIPS)

    stored = responses.load(path).to_pydict()
    assert stored["response"] == ["r1", "r3", "r4", "r5", "r8", "r9"]
    assert stored["line"] == [2, 5, 6, 10, 14, 15]
    assert stored["touchpoint"] == [
        "website",
        "website",
        "website",
        "newsletter",
        None,
        "newsletter",
    ]
    # r8's NPS has no touchpoint to be about (its link is unknown): not stored
    assert stored["nps@*"] == [10.0, None, None, 6.0, None, 8.0]
    assert stored["csat@*"] == [5.0, 4.0, 3.0, 2.0, None, 5.0]

    # nothing dropped silently: every non-empty line is stored or skipped as a row
    assert result.rows == 11  # lines 2, 3, 5, 6, 8, 9, 10, 11, 13, 14, 15
    assert (result.added, result.already) == (6, 0)
    assert result.rows == result.added + len(ROW_SKIPS)
    lines = sorted(stored["line"] + [line for line, *_ in ROW_SKIPS])
    assert lines == [2, 3, 5, 6, 8, 9, 10, 11, 13, 14, 15]
    assert result.answers == 3 + 5  # NPS 10, 6, 8; CSAT 5, 4, 3, 2, 5

    counts, scores = figures(two_touchpoints(), path)
    assert counts == {
        ("website", "nps"): 1,  # r1 10; r3 n/a and r4 11 are not answers
        ("website", "csat"): 3,  # r1 5, r3 4, r4 3
        ("newsletter", "nps"): 2,  # r5 6, r9 8
        ("newsletter", "csat"): 2,  # r5 2, r9 5
    }
    assert scores == pytest.approx(
        {
            ("website", "nps"): 100 * (1 - 0) / 1,  # 10 promoter
            ("website", "csat"): 100 * 2 / 3,  # 5 and 4 satisfied, 3 not
            ("newsletter", "nps"): 100 * (0 - 1) / 2,  # 6 detractor, 8 passive
            ("newsletter", "csat"): 100 * 1 / 2,  # 5 satisfied, 2 not
        }
    )

    again, _ = import_bytes(MALFORMED, tmp_path, batch_rows)
    assert (again.rows, again.added, again.already) == (11, 0, 6)
    assert found(again) == ROW_SKIPS  # the stored rows' cell problems are not news
    assert responses.load(path).num_rows == 6


def test_a_stray_quote_inside_an_answer_keeps_every_line_number(tmp_path):
    """An inch mark (9") is a literal in an unquoted field, as Arrow reads it."""
    data = b"".join(
        [
            HEADER + b"\r\n",  # 1
            b"r1,2026-03-01 10:00,website,10,5\r\n",  # 2
            b'r2,2026-03-01 11:00,website,9",4\r\n',  # 3 an inch mark: not a number
            b"r3,2026-03-02 10:00,website,11,4\r\n",  # 4 out of range
        ]
    )
    result, path = import_bytes(data, tmp_path)
    assert found(result) == [(3, "not_a_number", NPS, '9"'), (4, "out_of_range", NPS, "11")]
    assert responses.load(path).column("line").to_pylist() == [2, 3, 4]


def test_a_ragged_row_is_not_counted_as_questions_left_blank(tmp_path):
    """Blanks are counted in the responses imported, not in rows skipped."""
    data = HEADER + b"\nr1,2026-03-01 10:00,website,10,5\nr2,2026-03-01 11:00,website,9,4,x\n"
    result, _ = import_bytes(data, tmp_path)
    assert [(s.line, s.reason) for s in result.skipped] == [(3, "ragged")]
    assert result.blank == 0


def test_an_impossible_calendar_date_is_a_bad_date(tmp_path):
    """Arrow's strptime would roll 31 February over into March."""
    data = b"".join(
        [
            HEADER + b"\n",  # 1
            b"r1,14/02/2026 10:00,website,10,5\n",  # 2
            b"r2,31/02/2026 10:00,website,9,4\n",  # 3 there is no 31 February
        ]
    )
    result, path = import_bytes(data, tmp_path)
    assert [(s.line, s.reason) for s in result.skipped] == [(3, "bad_date")]
    assert responses.load(path).column("response").to_pylist() == ["r1"]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(
                [
                    "fine",
                    '9"',
                    'say "hi"',
                    '"quoted, with comma"',
                    '"two\nlines"',
                    '"a ""quote"""',
                    "",
                    'x"y"z',
                ]
            ),
            st.sampled_from(["\n", "\r\n", "\r"]),
            st.booleans(),  # an empty line after the record
        ),
        min_size=1,
        max_size=12,
    ),
    st.integers(1, 4),
)
def test_line_numbers_agree_with_pythons_csv_reader(tmp_path, rows, batch_rows):
    """Quoted newlines, doubled quotes, literal quotes in unquoted fields, every line
    ending and empty lines: each record starts where Python's csv module says."""
    text = "id,comment\n"
    for number, (comment, ending, blank) in enumerate(rows):
        text += f"r{number},{comment}{ending}" + (ending if blank else "")
    path = tmp_path / f"lines-{batch_rows}.csv"
    path.write_bytes(text.encode())
    expected = csv_record_starts(text)
    export = read_export(path, batch_rows=batch_rows)
    seen = [
        (line, key)
        for batch in export.batches
        for line, key in zip(
            batch.column("__line").to_pylist(), batch.column("c0").to_pylist(), strict=True
        )
    ]
    assert sorted(seen) == expected
