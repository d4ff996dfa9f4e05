"""The guidance notebooks show between the forms, from the translation catalogue."""

from __future__ import annotations

from IPython.display import Markdown

from tpkit.i18n import t


def guide(topic: str, language: str | None = None) -> Markdown:
    """``guide("inventory.intro", "it")`` — displays as formatted text in a notebook."""
    return Markdown(t(f"guide.{topic}", language))
