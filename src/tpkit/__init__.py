"""Touchpoint Kit: a Jupyter workbook and teaching kit for customer touchpoint management.

Importing the package is cheap on purpose; the modules load pandas, altair or
openpyxl only when a feature needs them.
"""

__version__ = "0.1.0"
