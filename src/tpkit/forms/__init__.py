"""Widget forms (ipywidgets 8) for the workbook notebooks and the app.

Forms are thin: they read a :class:`WorkbookSession`, check values with the model's
rules, and save every change at once through the store.
"""

from tpkit.forms.app import App
from tpkit.forms.inventory import InventoryForm
from tpkit.forms.journey import JourneyForm, PersonaForm
from tpkit.forms.rating import RatingForm
from tpkit.forms.session import WorkbookSession, open_session
from tpkit.forms.start import StartForm
from tpkit.forms.team import TeamView

__all__ = [
    "App",
    "InventoryForm",
    "JourneyForm",
    "PersonaForm",
    "RatingForm",
    "StartForm",
    "TeamView",
    "WorkbookSession",
    "open_session",
]
