"""``tpkit events …`` on the bank sample: the JSON contracts and the sample's story."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import pytest

from tpkit.cli import main
from tpkit.samples import sample_path


@pytest.fixture(scope="module")
def bank(tmp_path_factory) -> Path:
    """A workbook made from the bank sample, as a user makes one."""
    path = tmp_path_factory.mktemp("bank") / "bank.yaml"
    assert main(["new", str(path), "--sample", "bank"]) == 0
    return path


def run_json(capsys, *arguments: str) -> dict:
    assert main(["events", *arguments, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_paths_json_contract(bank, capsys):
    document = run_json(capsys, "paths", str(bank))
    assert set(document) == {"transitions", "paths"}
    for move in document["transitions"]:
        assert set(move) == {"from", "to", "customers", "events"}
        assert move["from"] != move["to"] and move["events"] >= move["customers"] > 0
    for path in document["paths"]:
        assert set(path) == {"touchpoints", "customers"}
    moves = {(m["from"], m["to"]): m["customers"] for m in document["transitions"]}
    # the seeds' pattern: a transfer is followed by the mortgage calculator more than by
    # anything else the customer might look at
    after_transfer = {to: n for (source, to), n in moves.items() if source == "funds-transfer"}
    assert max(after_transfer, key=after_transfer.get) == "mortgage-calculator"


def test_funnel_attribution_and_next_json(bank, capsys):
    stages = run_json(capsys, "funnel", str(bank))["stages"]
    assert [s["stage"] for s in stages] == ["everyday", "explore", "advice", "apply", "settle"]
    assert all(
        set(s) == {"stage", "reached", "at_least", "dropped", "median_seconds"} for s in stages
    )
    assert [s["at_least"] for s in stages] == sorted((s["at_least"] for s in stages), reverse=True)
    credit = run_json(capsys, "attribution", str(bank))
    assert credit["conversion"] == "mortgage_application" and credit["conversions"] > 0
    top = credit["touchpoints"][0]
    assert set(top) == {"touchpoint", "first_touch", "last_touch", "markov", "removal_effect"}
    assert top["touchpoint"] == "mortgage-calculator"
    assert sum(c["markov"] for c in credit["touchpoints"]) == pytest.approx(credit["conversions"])
    nxt = run_json(capsys, "next", str(bank))
    assert set(nxt) == {"as_of", "recent_days", "contact_limit", "segments"}
    calculator = [
        s for s in nxt["segments"] if s["path"] == ["funds-transfer", "mortgage-calculator"]
    ]
    assert calculator and calculator[0]["offer"] == "car-loan-email"
    for segment in nxt["segments"]:
        assert segment["eligible"] + segment["over_limit"] == segment["consenting"]
        assert segment["consenting"] <= segment["customers"]


def test_next_writes_the_customers_to_contact(bank, tmp_path, capsys):
    target = tmp_path / "contact.csv"
    assert main(["events", "next", str(bank), "--customers", str(target)]) == 0
    capsys.readouterr()
    rows = list(csv.DictReader(target.open(encoding="utf-8")))
    segments = run_json(capsys, "next", str(bank))["segments"]
    assert len(rows) == sum(s["eligible"] for s in segments)
    assert {r["offer"] for r in rows} <= {s["offer"] for s in segments}


def test_text_output_names_touchpoints(bank, capsys):
    assert main(["events", "paths", str(bank)]) == 0
    out = capsys.readouterr().out
    assert "Funds transfer → Mortgage calculator" in out
    assert main(["--lang", "de", "events", "funnel", str(bank)]) == 0
    assert "Everyday banking: von" in capsys.readouterr().out


def test_the_sample_store_is_the_one_its_logs_make():
    """data/samples/bank.events holds exactly what importing the two shipped logs gives."""
    manifest = json.loads(
        (sample_path("bank").with_name("bank.events") / "imports.json").read_text(encoding="utf-8")
    )
    logs = sample_path("bank").parent / "events"
    assert [(e["file"], e["digest"]) for e in manifest] == [
        (name, hashlib.sha256((logs / name).read_bytes()).hexdigest())
        for name in ("bank-app.csv", "bank-web.jsonl")
    ]
