"""estates: primary-care estates capacity analysis for England.

Overlays GP surgery floor space, registered lists and housing growth on practice catchments,
shows where capacity sits in the wrong place, and tests options. Importable without streamlit.
"""

from estates.assumptions import Assumptions
from estates.errors import EstatesError, InputError
from estates.model import Growth, Region

__all__ = ["Assumptions", "EstatesError", "Growth", "InputError", "Region"]
__version__ = "0.1.0"
