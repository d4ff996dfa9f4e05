"""What a report is made of, checked before any kernel starts."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from tpkit.errors import TpkitError
from tpkit.model import LANGUAGES
from tpkit.safety import is_css_colour

SECTION_NAMES = (
    "summary",
    "inventory",
    "ratings",
    "feedback",
    "digital",
    "diagnostics",
    "journey",
)
FORMATS = ("pdf", "html", "ipynb")
_TRUE, _FALSE = {"true", "yes", "1", "on"}, {"false", "no", "0", "off"}


@dataclass(frozen=True)
class ReportParameters:
    """The report notebook's parameters (the same names as its parameters cell)."""

    workbook: str
    language: str = ""  # "" = the workbook's language
    sections: tuple[str, ...] = field(default=SECTION_NAMES)
    period: str = ""
    title: str = ""
    logo: str = ""
    accent: str = "#1f6f8b"
    mask_personal_data: bool = True

    def for_papermill(self) -> dict[str, Any]:
        values = asdict(self)
        values["sections"] = ",".join(self.sections)
        return values


def with_overrides(base: ReportParameters, pairs: list[tuple[str, str]]) -> ReportParameters:
    """Apply ``-p KEY VALUE`` pairs from the command line, with their types."""
    names = set(ReportParameters.__dataclass_fields__) - {"workbook"}
    changes: dict[str, Any] = {}
    for key, value in pairs:
        if key not in names:
            raise TpkitError(
                "error.report_unknown_parameter", value=key, allowed=", ".join(sorted(names))
            )
        if key == "sections":
            changes[key] = tuple(part.strip() for part in value.split(",") if part.strip())
        elif key == "mask_personal_data":
            word = value.strip().lower()
            if word not in _TRUE | _FALSE:
                raise TpkitError("error.report_not_bool", name=key, value=value)
            changes[key] = word in _TRUE
        else:
            changes[key] = value
    return replace(base, **changes)


def check(parameters: ReportParameters) -> ReportParameters:
    """Refuse what would fail later, naming the parameter; fill in the language."""
    from tpkit.store import read

    workbook = read(parameters.workbook)  # a missing or broken workbook says so here
    check_shared(parameters)
    return replace(
        parameters,
        workbook=str(Path(parameters.workbook).resolve()),
        logo=str(Path(parameters.logo).resolve()) if parameters.logo else "",
        language=parameters.language or workbook.meta.language,
    )


def check_shared(parameters: ReportParameters) -> None:
    """The parameters every report of a batch shares, before any work (a broken
    workbook among them is that one report's failure, not the batch's)."""
    if parameters.language and parameters.language not in LANGUAGES:
        raise TpkitError(
            "error.unknown_language", value=parameters.language, allowed=", ".join(LANGUAGES)
        )
    unknown = [name for name in parameters.sections if name not in SECTION_NAMES]
    if unknown or not parameters.sections:
        raise TpkitError(
            "error.report_unknown_section",
            value=", ".join(unknown) or "–",
            allowed=", ".join(SECTION_NAMES),
        )
    if parameters.logo and not Path(parameters.logo).is_file():
        raise TpkitError("error.no_such_file", file=parameters.logo)
    if parameters.logo and not is_image(Path(parameters.logo)):
        raise TpkitError("error.logo_not_image", file=parameters.logo)
    if not is_css_colour(parameters.accent):
        raise TpkitError("error.report_bad_colour", value=parameters.accent)


# The first bytes of the image formats a browser (and WeasyPrint) shows as a logo.
_IMAGE_STARTS = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a")


def is_image(path: Path) -> bool:
    """Whether a file is a PNG, JPEG, GIF, WebP or SVG image, by its content (a name
    ending in .png proves nothing): a logo that is not one would print as a broken box."""
    try:
        with path.open("rb") as file:
            start = file.read(4096)
    except OSError:
        return False
    if start.startswith(_IMAGE_STARTS) or (start[:4] == b"RIFF" and start[8:12] == b"WEBP"):
        return True
    text = start.lstrip(b"\xef\xbb\xbf").lstrip().lower()
    return text.startswith((b"<svg", b"<?xml", b"<!doctype svg")) and b"<svg" in text
