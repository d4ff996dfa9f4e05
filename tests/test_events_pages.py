"""Pages as the events store keeps them: worked out in Arrow, once per distinct URL, and
exactly as the import's SQL worked them out before (the reference below)."""

from __future__ import annotations

import random

import duckdb
import pyarrow as pa
import pytest

from tpkit.events.pages import page_fields

# What the import's SQL did row by row until the pages moved to Arrow.
REFERENCE = (
    "CREATE MACRO tp_text(x) AS nullif(trim(x), '')",
    """CREATE MACRO tp_path(x) AS CASE
        WHEN x IS NULL THEN NULL
        WHEN NOT (contains(x, '://') OR contains(x, '?') OR contains(x, '#')) THEN x
        ELSE coalesce(nullif(
            regexp_replace(regexp_replace(x, '^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*', ''),
                           '[?#].*$', ''), ''), '/') END""",
)
PIECES = (
    *("https", "http", "HTTP", "a+b.c-d", "9x", "", "://", "/", "?", "#", "www.bank.example"),
    *("é", "loans", "a:b", ":", "//", "=", "&", "utm_source=", "utm_source=News", "?utm_source="),
    *(" ", "\n", "\t", "\u00a0", "\u3000", "\u200b", "ü/", "%20"),
)


def _disagreements(cells: list[str | None]) -> list[tuple]:
    column = pa.array(cells, pa.string())
    paths, sources = page_fields(column)
    con = duckdb.connect()
    for macro in REFERENCE:
        con.execute(macro)
    con.register("pages", pa.table({"cell": column, "path": paths, "source": sources}))
    return con.execute(
        """SELECT cell, path, source FROM (SELECT *, tp_text(cell) AS text FROM pages)
        WHERE path IS DISTINCT FROM tp_path(text)
           OR source IS DISTINCT FROM CASE WHEN contains(text, 'utm_source=') THEN
              tp_text(regexp_extract(text, '[?&]utm_source=([^&#]*)', 1)) END"""
    ).fetchall()


@pytest.mark.parametrize("shapes", [20_000, 300], ids=["nearly-every-cell-differs", "few-pages"])
def test_paths_and_sources_agree_with_the_sql_they_replace(shapes):
    """Both ways through: row by row when most cells differ, once per distinct cell
    otherwise."""
    rng = random.Random(shapes)
    drawn = ["".join(rng.choice(PIECES) for _ in range(rng.randint(4, 12))) for _ in range(shapes)]
    cells = [*(rng.choice(drawn) for _ in range(10_000)), None]
    assert (len(set(cells)) > len(cells) / 2) == (shapes > 10_000)  # the way it goes
    assert _disagreements(cells) == []


def test_cells_are_trimmed_as_duckdb_trims_every_other_field():
    cells = [f"{chr(code)}/p{chr(code)}" for code in range(1, 0x3001)]
    assert _disagreements(cells) == []


def test_a_full_url_becomes_its_path_and_campaign_source():
    paths, sources = page_fields(
        pa.array(["https://www.bank.example/loans/car?utm_source=Newsletter#rates", " /a ", ""])
    )
    assert paths.to_pylist() == ["/loans/car", "/a", None]
    assert sources.to_pylist() == ["Newsletter", None, None]
