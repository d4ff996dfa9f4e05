"""Touchpoint Kit: a Jupyter workbook and teaching kit for customer touchpoint management.

Importing the package is cheap on purpose; the modules load pandas, altair or
openpyxl only when a feature needs them. One thing happens first, for every module of
the kit and every process that runs one (kernels, batch workers, the PDF printer):
jsonschema is kept from building a grammar no schema of ours needs
(:mod:`tpkit._skip_iri_grammar`).
"""

from tpkit import _skip_iri_grammar  # noqa: F401

__version__ = "0.1.0"
