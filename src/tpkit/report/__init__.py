"""Parameterised reports: papermill runs ``notebooks/report.ipynb``, nbconvert turns it
into HTML without code, WeasyPrint into a PDF. One report, or a batch over many."""
