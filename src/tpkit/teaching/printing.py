"""What the teaching kit's printouts share: one HTML document, and its PDF on disk."""

from __future__ import annotations

import html
from pathlib import Path

from tpkit.store import write_atomic


def html_document(language: str, title: str, css: str, body: str) -> str:
    """A complete HTML page for WeasyPrint; ``title`` is plain text, ``body`` HTML."""
    return (
        f'<!DOCTYPE html><html lang="{html.escape(language)}"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{css}</style></head>"
        f"<body>{body}</body></html>"
    )


def write_pdf(document: str, path: Path) -> Path:
    """The document as a PDF at ``path``, written atomically (WeasyPrint, as the reports)."""
    from tpkit.report.pipeline import to_pdf

    path = Path(path)
    pdf = to_pdf(document, path.parent)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, pdf)
    return path
