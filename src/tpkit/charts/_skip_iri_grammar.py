"""Imported before altair: keeps 4-5 s off every kernel's start.

jsonschema, which altair validates with, builds a large IRI grammar (lark) at import
when the optional ``rfc3987_syntax`` is installed, for a string format no Vega-Lite
schema uses. Marking the module absent makes jsonschema skip that one check.
"""

import sys

sys.modules.setdefault("rfc3987_syntax", None)
