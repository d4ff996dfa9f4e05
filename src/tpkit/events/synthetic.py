"""A seeded synthetic interaction log of a bank's app and website (the bank sample, and
the benchmark's ten million events).

Each customer walks a Markov chain over what a bank's customers do online: log in,
check the balance, transfer funds, open the mortgage calculator or the car-loan rates,
read an e-mail or an article, apply. Transfers lead to the mortgage calculator more
often than anything else does (the seeds' example), and the calculator leads to
applications. Customers move in step, one numpy draw per step for all of them, so a
million customers take seconds. Times fall in sessions: a few minutes apart, with a
new session hours or days later.

``python -m tpkit.events.synthetic`` rebuilds the bank sample: the app log
(``data/samples/events/bank-app.csv``, GA4-style columns, ``;``-separated), the web
log (``bank-web.jsonl``, Segment-style calls) and the
store beside ``data/samples/bank.yaml``. Three deliberately broken rows in the app log
show how the import reports them.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

# (event name, page path, where it is logged); the last two end a journey
STATES: tuple[tuple[str, str, str], ...] = (
    ("login", "/app/home", "app"),
    ("view_balance", "/app/accounts", "app"),
    ("funds_transfer", "/app/transfers/new", "app"),
    ("page_view", "/mortgage/calculator", "web"),
    ("page_view", "/loans/car-rates", "web"),
    ("email_click_car_loan", "/advice/best-price", "web"),
    ("page_view", "/advice/best-price", "web"),
    ("newsletter_open", "", "app"),
    ("statement_download", "/app/statements", "app"),
    ("mortgage_application", "/mortgage/apply", "web"),
    ("logout", "/app/logout", "app"),
)
# Transition probabilities between STATES (rows sum to 1); application and logout end.
_P = np.array(
    [
        # login bal   trans mort  car   mail  art   news  stmt  apply out
        [0.00, 0.45, 0.30, 0.04, 0.03, 0.00, 0.02, 0.04, 0.07, 0.00, 0.05],  # login
        [0.05, 0.00, 0.40, 0.05, 0.05, 0.00, 0.02, 0.03, 0.15, 0.00, 0.25],  # balance
        [0.05, 0.15, 0.10, 0.28, 0.10, 0.00, 0.02, 0.02, 0.03, 0.00, 0.25],  # transfer
        [0.02, 0.03, 0.02, 0.10, 0.18, 0.05, 0.15, 0.00, 0.00, 0.12, 0.33],  # calculator
        [0.02, 0.03, 0.02, 0.15, 0.05, 0.10, 0.20, 0.00, 0.00, 0.03, 0.40],  # car rates
        [0.00, 0.00, 0.00, 0.25, 0.10, 0.00, 0.35, 0.00, 0.00, 0.10, 0.20],  # e-mail click
        [0.02, 0.00, 0.00, 0.30, 0.10, 0.00, 0.00, 0.00, 0.00, 0.15, 0.43],  # article
        [0.30, 0.10, 0.05, 0.05, 0.05, 0.00, 0.10, 0.00, 0.00, 0.00, 0.35],  # newsletter
        [0.05, 0.20, 0.20, 0.02, 0.02, 0.00, 0.01, 0.00, 0.10, 0.00, 0.40],  # statement
        [0, 0, 0, 0, 0, 0, 0, 0, 0, 1.0, 0],  # application (absorbing)
        [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1.0],  # logout (absorbing)
    ]
)
_START = np.array([0.80, 0.0, 0.0, 0.06, 0.04, 0.02, 0.03, 0.05, 0.0, 0.0, 0.0])
_ENDS = (9, 10)
_SESSION_GAP_S = 180.0  # mean seconds between two events of a session
_NEW_SESSION = 0.25  # a logout is followed by a new session this often


def generate(
    customers: int,
    events_per_customer: float = 10.0,
    *,
    seed: int = 14,
    start: datetime = datetime(2026, 10, 1, tzinfo=UTC),
    days: int = 31,
    returning: float = _NEW_SESSION,
) -> pa.Table:
    """A log of about ``customers × events_per_customer`` events, the same for a seed.

    Columns: customer, session, time (UTC), event, page, consent ("yes"/"no" on a
    customer's first event where the customer made a choice, else null), app (True for
    the app log, False for the web log). ``returning`` is how often a customer who
    logged out comes back for another session (the benchmark raises it so that
    customers use up their share of events).
    """
    rng = np.random.default_rng(seed)
    budget = np.maximum(1, rng.poisson(events_per_customer - 1, customers) + 1)
    cumulative = np.cumsum(_P, axis=1)
    state = _draw(rng, np.broadcast_to(np.cumsum(_START), (customers, len(_START))))
    clock = rng.uniform(0, days * 86400 * 0.9, customers)
    session = np.zeros(customers, np.int64)
    made = np.zeros(customers, np.int64)
    columns: dict[str, list[np.ndarray]] = {"who": [], "state": [], "time": [], "session": []}
    alive = np.arange(customers)
    while alive.size:
        columns["who"].append(alive)
        columns["state"].append(state[alive])
        columns["time"].append(clock[alive])
        columns["session"].append(session[alive])
        made[alive] += 1
        current = state[alive]
        ended = np.isin(current, _ENDS)
        again = ended & (current == 10) & (rng.random(alive.size) < returning)
        following = _draw(rng, cumulative[current])
        following[again] = 0  # a new session starts at the login
        gap = rng.exponential(_SESSION_GAP_S, alive.size)
        gap[again] = rng.uniform(3600, 5 * 86400, int(again.sum()))
        state[alive] = following
        clock[alive] += gap
        session[alive] += again
        keep = (~ended | again) & (made[alive] < budget[alive]) & (clock[alive] < days * 86400)
        alive = alive[keep]
    who = np.concatenate(columns["who"])
    states = np.concatenate(columns["state"])
    seconds = np.concatenate(columns["time"])
    order = np.lexsort((seconds, who))
    who, states, seconds = who[order], states[order], seconds[order]
    sessions = np.concatenate(columns["session"])[order]
    return _table(rng, who, states, seconds, sessions, start)


def _draw(rng: np.random.Generator, cumulative: np.ndarray) -> np.ndarray:
    """One draw per row from rows of cumulative probabilities."""
    picks = (rng.random(len(cumulative))[:, None] > cumulative).sum(axis=1)
    return np.minimum(picks, cumulative.shape[1] - 1)


def _table(
    rng: np.random.Generator,
    who: np.ndarray,
    states: np.ndarray,
    seconds: np.ndarray,
    sessions: np.ndarray,
    start: datetime,
) -> pa.Table:
    customer = pc.binary_join_element_wise("C", pa.array(who + 100_000).cast(pa.string()), "")
    session = pc.binary_join_element_wise(customer, pa.array(sessions + 1).cast(pa.string()), "-")
    micros = int(start.timestamp() * 1e6) + (seconds * 1e6).astype(np.int64)
    names = pa.array([s[0] for s in STATES])
    pages = pa.array([s[1] or None for s in STATES])
    indices = pa.array(states.astype(np.int32))
    first = np.ones(len(who), bool)
    first[1:] = who[1:] != who[:-1]
    choice = rng.choice(np.array(["yes", "no", None], object), len(who), p=[0.6, 0.25, 0.15])
    return pa.table(
        {
            "customer": customer,
            "session": session,
            "time": pa.array(micros, pa.timestamp("us", "UTC")),
            "event": pa.DictionaryArray.from_arrays(indices, names).cast(pa.string()),
            "page": pa.DictionaryArray.from_arrays(indices, pages).cast(pa.string()),
            "consent": pa.array(np.where(first, choice, None), pa.string()),
            "app": pa.array(np.array([s[2] == "app" for s in STATES])[states]),
        }
    )


def write_csv(table: pa.Table, target: Path) -> None:
    """A flat web-analytics export: GA4-style headers, one row an event."""
    flat = pa.table(
        {
            "user_pseudo_id": table["customer"],
            "ga_session_id": table["session"],
            "event_timestamp": table["time"],
            "event_name": table["event"],
            "page_location": pc.binary_join_element_wise(
                "https://www.lakeside.example", table["page"], ""
            ),
            "marketing_consent": table["consent"],
        }
    )
    pacsv.write_csv(flat, target, pacsv.WriteOptions(delimiter=";"))


def write_jsonl(table: pa.Table, target: Path) -> None:
    """Segment-style calls: ``track`` with an event, ``page`` with a path."""
    with target.open("w", encoding="utf-8") as stream:
        for row in table.to_pylist():
            call: dict[str, object] = {
                "type": "page" if row["event"] == "page_view" else "track",
                "anonymousId": f"anon-{row['customer'][1:]}",
                "userId": row["customer"],
                "timestamp": row["time"].isoformat().replace("+00:00", "Z"),
                "context": {"page": {"path": row["page"]}, "device": {"type": "desktop"}},
            }
            if call["type"] == "track":
                call["event"] = row["event"]
            if row["event"] == "email_click_car_loan":
                call["context"]["campaign"] = {"source": "car-loan-mail"}  # type: ignore[index]
            stream.write(json.dumps(call) + "\n")


# Rows an export may hold that the import must refuse, one reason each.
_BROKEN_ROWS = (
    ";C1-9;2026-10-12 09:00:00Z;login;https://www.lakeside.example/app/home;\n",
    "C100007;C100007-9;12/10/2026 25:61;login;https://www.lakeside.example/app/home;\n",
    "C100008;C100008-9;2026-10-12 09:00:00Z;login\n",
)


def build_bank_sample(samples: Path) -> None:
    """The bank sample's two logs, and its events imported beside ``bank.yaml``."""
    import shutil

    from tpkit.events.store import events_folder, import_logs
    from tpkit.store import read

    table = generate(1_500, 9.0, seed=14)
    logs = samples / "events"
    logs.mkdir(exist_ok=True)
    app, web = logs / "bank-app.csv", logs / "bank-web.jsonl"
    write_csv(table.filter(table["app"]), app)
    with app.open("a", encoding="utf-8") as stream:
        stream.writelines(_BROKEN_ROWS)
    write_jsonl(table.filter(pc.invert(table["app"])), web)
    workbook_path = samples / "bank.yaml"
    shutil.rmtree(events_folder(workbook_path), ignore_errors=True)
    result = import_logs([app, web], read(workbook_path), workbook_path)
    print(result.counts())


if __name__ == "__main__":
    build_bank_sample(Path(sys.argv[1] if len(sys.argv) > 1 else "data/samples"))
