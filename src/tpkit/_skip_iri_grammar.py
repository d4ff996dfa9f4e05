"""Imported before altair, nbformat or nbconvert: keeps seconds off every start.

jsonschema, which altair and nbformat validate with, builds a large IRI grammar (lark)
at import when the optional ``rfc3987_syntax`` is installed (python-jsonschema/jsonschema#1428),
for a string format no Vega-Lite or notebook schema uses. Marking the module absent
makes jsonschema skip that one check, as on a machine without it.
"""

import sys

sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
