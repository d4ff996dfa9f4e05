"""Digital touchpoint figures: ten million events of a million customers.

Run with ``make bench`` (or ``.venv/bin/python benchmarks/events.py [--events N]
[--points N,N,N] [--spark N]``). A seeded synthetic bank log (``tpkit.events.synthetic``,
GA4-style columns, ``;``-separated CSV) is imported and analysed by three contenders,
each in a fresh process, side by side on the same file:

- **tpkit**: ``import_logs`` (every row checked, bad rows by line, mapping, duplicates
  left out, monthly Parquet store) + the Ibis analytics on DuckDB: steps, paths,
  transitions, funnel, attribution (first/last touch and Markov);
- **DuckDB SQL**: the same figures hand-written in SQL — the floor;
- **pandas**: the same figures in plain pandas (no checks).

Each is timed from its first import to its last figure, with its own peak memory
(VmHWM of /proc/self/status). Targets from the issue: tpkit ≤ 1.5× the DuckDB floor,
≤ 1.5 GiB, and cost growing linearly from 1M to 10M events (three points). Spark's
figures at 1M events (the analytics of the stored events, ``--engine spark``) are
reported, not targeted.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from foundation import print_figures  # the same layout as the other figures
from survey import run  # one fresh process each, timed, with its own peak (VmHWM)

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "samples" / "bank.yaml"

TPKIT = """
from pathlib import Path
from tpkit.events import analytics as an
from tpkit.events.engines import keep, open_events
from tpkit.events.store import import_logs
from tpkit.store import read
workbook_path = Path(WORKBOOK)
workbook = read(workbook_path)
if IMPORT:
    result = import_logs([Path(CSV)], workbook, workbook_path)
    assert result.added >= ROWS * 0.99, result.counts()
events = open_events(workbook_path, ENGINE)
steps = keep(an.steps(events))
figures = (
    an.paths(steps), an.transitions(steps), an.funnel(steps, workbook),
    an.attribution(events, steps, "mortgage_application"),
)
assert figures[1] and figures[3].conversions
"""

# The bank sample's mapping, written out by hand as the floor and pandas need it.
_EVENTS = {
    "login": "app-login", "funds_transfer": "funds-transfer",
    "email_click_car_loan": "car-loan-email", "newsletter_open": "newsletter",
    "statement_download": "statement-archive", "mortgage_application": "mortgage-application",
}  # fmt: skip
_PAGES = {
    "/mortgage/calculator": "mortgage-calculator", "/loans/car": "car-loan-rates",
    "/advice/best-price": "best-price-article",
}  # fmt: skip
_STAGES = {
    "app-login": 0, "funds-transfer": 0, "mortgage-calculator": 1, "car-loan-rates": 1,
    "car-loan-email": 2, "best-price-article": 2, "advisor-appointment": 3,
    "mortgage-application": 3, "welcome-call": 4, "newsletter": 4, "statement-archive": 4,
}  # fmt: skip

_CASE = (
    "CASE "
    + " ".join(f"WHEN event = '{e}' THEN '{tp}'" for e, tp in _EVENTS.items())
    + " "
    + " ".join(f"WHEN page LIKE '{p}%' THEN '{tp}'" for p, tp in _PAGES.items())
    + " END"
)
_STAGE_CASE = (
    "CASE " + " ".join(f"WHEN touchpoint = '{t}' THEN {i}" for t, i in _STAGES.items()) + " END"
)

DUCKDB = f"""
import duckdb
con = duckdb.connect(config={{"threads": 2, "memory_limit": "1GB"}})
con.execute("SET TimeZone = 'UTC'")
con.execute(f'''COPY (
    SELECT customer, session, ts, event, page, touchpoint, row_number() OVER () AS line,
           strftime(ts, '%Y-%m') AS month
    FROM (SELECT user_pseudo_id AS customer, ga_session_id AS session, event_timestamp AS ts,
                 event_name AS event,
                 regexp_replace(regexp_replace(page_location, '^[a-z]+://[^/]*', ''),
                                '[?#].*$', '') AS page
          FROM read_csv('{{CSV}}', delim=';', header=true, columns={{{{
              'user_pseudo_id': 'VARCHAR', 'ga_session_id': 'VARCHAR',
              'event_timestamp': 'TIMESTAMPTZ', 'event_name': 'VARCHAR',
              'page_location': 'VARCHAR', 'marketing_consent': 'VARCHAR'}}}}))
    , LATERAL (SELECT {_CASE} AS touchpoint))
    TO '{{STORE}}' (FORMAT parquet, PARTITION_BY (month))''')
con.execute(f'''CREATE TEMP TABLE steps AS
    SELECT customer, ts, line, touchpoint, previous, epoch(ts) - epoch(previous_ts) AS gap
    FROM (SELECT *, lag(touchpoint) OVER w AS previous, lag(ts) OVER w AS previous_ts
          FROM read_parquet('{{STORE}}/*/*.parquet') WHERE touchpoint IS NOT NULL
          WINDOW w AS (PARTITION BY customer ORDER BY ts, line))
    WHERE previous IS NULL OR previous <> touchpoint''')
transitions = con.execute('''SELECT previous, touchpoint, count(DISTINCT customer), count(*),
    median(gap) FROM steps WHERE previous IS NOT NULL GROUP BY ALL''').fetchall()
paths = con.execute('''SELECT s0, s1, s2, s3, s4, count(*) AS n FROM (
    SELECT customer, {{cols}} FROM (SELECT customer, touchpoint,
        row_number() OVER (PARTITION BY customer ORDER BY ts, line) - 1 AS step FROM steps)
    WHERE step < 5 GROUP BY customer) GROUP BY ALL ORDER BY n DESC LIMIT 20'''.format(
    cols=", ".join(f"max(CASE WHEN step = {{i}} THEN touchpoint END) AS s{{i}}" for i in range(5))
)).fetchall()
con.execute('''CREATE TEMP TABLE firsts AS SELECT customer, {_STAGE_CASE} AS position,
    min(ts) AS first FROM steps GROUP BY ALL HAVING position IS NOT NULL''')
funnel = (
    con.execute("SELECT position, count(*) FROM firsts GROUP BY ALL").fetchall(),
    con.execute('''SELECT furthest, count(*) FROM (SELECT customer, max(position) AS furthest
        FROM firsts GROUP BY customer) GROUP BY ALL''').fetchall(),
    con.execute('''SELECT a.position, median(epoch(b.first) - epoch(a.first)) FROM firsts a
        JOIN firsts b ON a.customer = b.customer AND b.position = a.position + 1
        WHERE b.first >= a.first GROUP BY ALL''').fetchall(),
)
con.execute(f'''CREATE TEMP TABLE conv AS SELECT customer, min(ts) AS converted_at
    FROM read_parquet('{{STORE}}/*/*.parquet')
    WHERE event = 'mortgage_application' OR touchpoint = 'mortgage-application'
    GROUP BY customer''')
con.execute('''CREATE TEMP TABLE before AS SELECT *,
        row_number() OVER w - 1 AS step, lead(touchpoint) OVER w AS following
    FROM (SELECT s.customer, s.ts, s.line, s.touchpoint, c.converted_at FROM steps s
          LEFT JOIN conv c USING (customer)
          WHERE s.touchpoint <> 'mortgage-application'
            AND (c.converted_at IS NULL OR s.ts < c.converted_at))
    WINDOW w AS (PARTITION BY customer ORDER BY ts, line)''')
edges = con.execute('''SELECT source, target, count(*) FROM (
      SELECT '(start)' AS source, touchpoint AS target FROM before WHERE step = 0
      UNION ALL SELECT touchpoint, following FROM before WHERE following IS NOT NULL
      UNION ALL SELECT touchpoint, CASE WHEN converted_at IS NULL THEN '(null)'
          ELSE '(conversion)' END FROM before WHERE following IS NULL
      UNION ALL SELECT '(start)', '(conversion)' FROM conv ANTI JOIN before USING (customer))
    GROUP BY ALL''').fetchall()
touches = con.execute('''SELECT touchpoint, sum((step = 0)::INT), sum((following IS NULL)::INT)
    FROM before WHERE converted_at IS NOT NULL AND (step = 0 OR following IS NULL)
    GROUP BY ALL''').fetchall()
from tpkit.events.analytics import removal_effects
effects = removal_effects({{(s, t): n for s, t, n in edges}})
assert transitions and effects
"""

PANDAS = f"""
import numpy as np
import pandas as pd
from tpkit.events.analytics import removal_effects
EVENTS, PAGES, STAGES = {_EVENTS!r}, {_PAGES!r}, {_STAGES!r}
frame = pd.read_csv(CSV, sep=";", usecols=["user_pseudo_id", "event_timestamp",
                    "event_name", "page_location"], dtype=str)
frame.columns = ["customer", "ts", "event", "page"]
frame["ts"] = pd.to_datetime(frame["ts"], utc=True, format="ISO8601")
frame["page"] = frame["page"].str.replace(r"^[a-z]+://[^/]*", "", regex=True)
tp = frame["event"].map(EVENTS)
for prefix, name in PAGES.items():
    tp = tp.where(tp.notna() | ~frame["page"].str.startswith(prefix, na=False), name)
frame["touchpoint"] = tp
frame["line"] = np.arange(len(frame))
frame.to_parquet(STORE + ".parquet")
ev = pd.read_parquet(STORE + ".parquet")
mapped = ev[ev["touchpoint"].notna()].sort_values(["customer", "ts", "line"])
same = mapped["customer"].eq(mapped["customer"].shift())
mapped["previous"] = mapped["touchpoint"].shift().where(same)
mapped["gap"] = (mapped["ts"] - mapped["ts"].shift()).dt.total_seconds().where(same)
steps = mapped[mapped["previous"].isna() | (mapped["previous"] != mapped["touchpoint"])].copy()
moved = steps[steps["previous"].notna()]
transitions = moved.groupby(["previous", "touchpoint"]).agg(
    customers=("customer", "nunique"), events=("customer", "size"), median=("gap", "median"))
steps["step"] = steps.groupby("customer").cumcount()
first5 = steps[steps["step"] < 5]
paths = first5.pivot(index="customer", columns="step", values="touchpoint").fillna("")
paths = paths.value_counts().head(20)
steps["position"] = steps["touchpoint"].map(STAGES)
firsts = steps.dropna(subset=["position"]).groupby(["customer", "position"])["ts"].min()
firsts = firsts.reset_index()
reached = firsts.groupby("position").size()
furthest = firsts.groupby("customer")["position"].max().value_counts()
later = firsts.assign(position=firsts["position"] - 1)
pairs = firsts.merge(later, on=["customer", "position"], suffixes=("", "_next"))
pairs = pairs[pairs["ts_next"] >= pairs["ts"]]
times = (pairs["ts_next"] - pairs["ts"]).dt.total_seconds().groupby(pairs["position"]).median()
hit = ev[(ev["event"] == "mortgage_application") | (ev["touchpoint"] == "mortgage-application")]
conv = hit.groupby("customer")["ts"].min().rename("converted_at")
before = steps[steps["touchpoint"] != "mortgage-application"].join(conv, on="customer")
before = before[before["converted_at"].isna() | (before["ts"] < before["converted_at"])].copy()
before["step"] = before.groupby("customer").cumcount()
nxt = before.groupby("customer")["touchpoint"].shift(-1)
won = before["converted_at"].notna()
edges = pd.concat([
    pd.DataFrame({{"s": "(start)", "t": before.loc[before["step"] == 0, "touchpoint"]}}),
    pd.DataFrame({{"s": before.loc[nxt.notna(), "touchpoint"], "t": nxt[nxt.notna()]}}),
    pd.DataFrame({{"s": before.loc[nxt.isna(), "touchpoint"],
                  "t": np.where(won[nxt.isna()], "(conversion)", "(null)")}}),
    pd.DataFrame({{"s": "(start)",
                  "t": ["(conversion)"] * int((~conv.index.isin(before["customer"])).sum())}}),
])
counts = edges.groupby(["s", "t"]).size()
effects = removal_effects({{k: int(v) for k, v in counts.items()}})
assert len(transitions) and effects
"""


def write_log(path: Path, events: int) -> int:
    """The seeded bank log with about ``events`` events of ``events / 10`` customers."""
    from tpkit.events.synthetic import generate, write_csv

    table = generate(events // 10, 11.9, seed=2026, returning=0.9)  # about 10 each
    write_csv(table, path)
    return table.num_rows


def fresh_workbook(folder: Path) -> Path:
    """A copy of the bank sample's workbook with an empty events store."""
    import shutil

    target = folder / "bank.yaml"
    shutil.copy(SAMPLE, target)
    shutil.rmtree(folder / "bank.events", ignore_errors=True)
    return target


def measure(folder: Path, rows: int, contenders: tuple[str, ...]) -> dict[str, tuple[float, float]]:
    csv = folder / f"log-{rows}.csv"
    made = write_log(csv, rows)
    found = {}
    codes = {"tpkit": TPKIT, "duckdb": DUCKDB, "pandas": PANDAS}
    for name in contenders:
        workbook = fresh_workbook(folder)
        store = folder / f"floor-{name}"
        subprocess.run(["rm", "-rf", str(store), f"{store}.parquet"], check=True)
        values = {
            "CSV": str(csv),
            "WORKBOOK": str(workbook),
            "ROWS": made,
            "STORE": str(store),
            "ENGINE": "duckdb",
            "IMPORT": True,
        }
        found[name] = run(codes[name], values)
    found["rows"] = (made, 0.0)
    csv.unlink()
    return found


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__)
    options.add_argument("--events", type=int, default=10_000_000)
    options.add_argument("--points", default="1000000,3000000", help="smaller sizes, for linearity")
    options.add_argument("--spark", type=int, default=1_000_000, help="events for Spark (0: none)")
    arguments = options.parse_args()
    figures: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        big = measure(folder, arguments.events, ("tpkit", "duckdb", "pandas"))
        floor = big["duckdb"][0]
        labels = {
            "tpkit": "tpkit: import (checked, mapped, stored) + Ibis analytics on DuckDB",
            "duckdb": "DuckDB: the same figures in hand-written SQL (the floor)",
            "pandas": "pandas: the same figures (baseline)",
        }
        for key, label in labels.items():
            seconds, peak = big[key]
            figures[f"{label}, {big['rows'][0]:,} events"] = (
                f"{seconds:.1f} s = {seconds / floor:.2f}× DuckDB, peak {peak:.0f} MiB"
            )
        for rows in [int(p) for p in arguments.points.split(",") if p]:
            point = measure(folder, rows, ("tpkit", "duckdb"))
            for key in ("tpkit", "duckdb"):
                seconds, peak = point[key]
                per = seconds / point["rows"][0] * 1e6
                figures[f"{key} at {point['rows'][0]:,} events"] = (
                    f"{seconds:.1f} s ({per:.2f} s per million events), peak {peak:.0f} MiB"
                )
        per_big = big["tpkit"][0] / big["rows"][0] * 1e6
        figures[f"tpkit at {big['rows'][0]:,} events"] = (
            f"{big['tpkit'][0]:.1f} s ({per_big:.2f} s per million events)"
        )
        if arguments.spark:
            csv = folder / "spark.csv"
            made = write_log(csv, arguments.spark)
            workbook = fresh_workbook(folder)
            values = {
                "CSV": str(csv),
                "WORKBOOK": str(workbook),
                "ROWS": made,
                "STORE": "",
                "ENGINE": "duckdb",
                "IMPORT": True,
            }
            run(TPKIT, values)  # the store, imported once
            values.update(ENGINE="spark", IMPORT=False)
            seconds, peak = run(TPKIT, values)
            figures[f"Spark (local[2]): analytics of {made:,} stored events"] = (
                f"{seconds:.1f} s with JVM start, peak {peak:.0f} MiB (Python side only)"
            )
    print_figures("Digital touchpoints (bank log, CSV):", figures)


if __name__ == "__main__":
    main()
