"""A logged page as the store keeps it: its path, and the campaign source its URL names.

``https://www.bank.example/loans/car?utm_source=newsletter#rates`` is stored as the
path ``/loans/car`` with the source ``newsletter``. A log names a few hundred pages
millions of times, so each batch's distinct URLs are worked out once and the answers
spread back over its rows (Arrow's dictionary encoding): doing it row by row in the
import's SQL was a fifth of an import's time.
"""

from __future__ import annotations

from collections.abc import Iterator

import pyarrow as pa
import pyarrow.compute as pc

# The space separators (Unicode category Zs) that DuckDB's trim() removes, so that a
# page is trimmed as every other field of a log is (tests check the two agree).
SPACES = "\u0020\u00a0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u202f\u205f\u3000"
_SCHEME_AND_HOST = r"^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*"
_QUERY_AND_FRAGMENT = r"[?#].*$"
_UTM_SOURCE = r"[?&]utm_source=(?P<source>[^&#]*)"


def page_fields(column: pa.Array) -> tuple[pa.Array, pa.Array]:
    """Each cell's path (null for an empty cell) and its URL's ``utm_source`` (null if
    it has none), worked out once per distinct cell unless nearly every cell differs."""
    encoded = pc.dictionary_encode(column)
    if 2 * len(encoded.dictionary) > len(column):
        return _fields(column)
    paths, sources = _fields(encoded.dictionary)
    return pc.take(paths, encoded.indices), pc.take(sources, encoded.indices)


def _fields(cells: pa.Array) -> tuple[pa.Array, pa.Array]:
    text = _text(cells)
    bare = pc.invert(
        pc.or_(
            pc.match_substring(text, "://"),
            pc.or_(pc.match_substring(text, "?"), pc.match_substring(text, "#")),
        )
    )
    path = pc.replace_substring_regex(text, _SCHEME_AND_HOST, "", max_replacements=1)
    path = pc.replace_substring_regex(path, _QUERY_AND_FRAGMENT, "", max_replacements=1)
    path = pc.if_else(pc.equal(path, ""), pa.scalar("/"), path)
    source = pc.struct_field(pc.extract_regex(text, _UTM_SOURCE), [0])
    return pc.if_else(bare, text, path), _text(source)


def _text(cells: pa.Array) -> pa.Array:
    """Trimmed, with an empty cell as null (as ``tp_text`` in the import's SQL)."""
    trimmed = pc.utf8_trim(cells, SPACES)
    return pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed)


def with_page_fields(
    batches: Iterator[pa.RecordBatch], columns: list[int]
) -> Iterator[pa.RecordBatch]:
    """The reader's batches with, beside each page column ``c{i}``, its paths ``p{i}`` and
    its URLs' campaign sources ``u{i}``."""
    for batch in batches:
        for index in columns:
            path, source = page_fields(batch.column(f"c{index}"))
            batch = batch.append_column(f"p{index}", path).append_column(f"u{index}", source)
        yield batch
