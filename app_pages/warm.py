"""Warm the dashboard's server process at start-up, before the first visitor's page runs.

``streamlit run app.py`` finds the ``st.App`` in app.py and serves it; its lifespan hook runs
once when the server starts. The hook starts a thread that imports the heavy modules
(pandas, geopandas, scipy, the engine: about 0.8 s) and reads and evaluates the default region
into the same ``st.cache_resource`` caches the screens use (about 0.4 s), while the first
browser is still downloading Streamlit's page (about 1.5 s). The server answers at once: the
thread only fills caches that a page would otherwise fill itself.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import AsyncIterator
from typing import Any

_LOG = logging.getLogger(__name__)


def warm() -> None:
    """Import the core and evaluate the default region into the caches (errors are logged:
    the first page then does the work itself and shows any error properly)."""
    # Outside a page run Streamlit warns once per cached call that there is no page to draw
    # a spinner in; that is expected here, so those warnings are silenced during the warm-up.
    quiet = logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context")
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    try:
        from app_pages import common

        folder, upload, edits_json, overrides_json = common.DEFAULT_INPUTS
        common.load_region(folder)
        common._evaluate(folder, upload, edits_json, overrides_json)
        import pyarrow  # noqa: F401  (st.dataframe converts through it on the first page)
    except Exception:  # noqa: BLE001  (a warm-up must never stop the server)
        _LOG.warning("warming the dashboard failed; the first page will do the work",
                     exc_info=True)
    finally:
        quiet.setLevel(level)


@contextlib.asynccontextmanager
async def lifespan(_app: Any) -> AsyncIterator[None]:
    """Start ``warm`` in the background as the server starts; nothing to do at shutdown."""
    threading.Thread(target=warm, name="estates-warm", daemon=True).start()
    yield
