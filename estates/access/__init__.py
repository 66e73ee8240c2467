"""Access beside the engine: travel-time providers, floating catchment accessibility (2SFCA and
E2SFCA), older and rural people's access, and travel-time rasters.

``estates.access.two_step_fca`` is a fixed contract (DESIGN.md) and is re-exported here.
"""

from estates.access.fca import two_step_fca

__all__ = ["two_step_fca"]
