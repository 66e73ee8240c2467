"""The estates dashboard: page set-up and navigation; each screen lives in app_pages/.

Run with ``make run`` (``streamlit run app.py``).
"""

from __future__ import annotations

import streamlit as st

if __name__ != "__main__":
    # `streamlit run app.py` imports this file, finds this App and serves it; its lifespan
    # warms the core and the default region while the first browser loads the page.
    # Every visitor's run executes the file as __main__ (the dashboard below).
    from app_pages.warm import lifespan

    app = st.App(__file__, lifespan=lifespan)
else:
    from app_pages.common import app_icon, core_errors, init_state, region, serve_leaflet, sidebar

    # The icon is drawn here: Material and emoji page icons are fetched from Google and CDN hosts,
    # and the dashboard must make no request beyond its own host.
    st.set_page_config(page_title="estates: GP estates capacity", page_icon=app_icon(), layout="wide")
    init_state()
    serve_leaflet()

    pages = [
        st.Page("app_pages/overview.py", title="Overview", icon=":material/dashboard:", default=True),
        st.Page("app_pages/map.py", title="Map", icon=":material/map:"),
        st.Page("app_pages/housing.py", title="Housing sites", icon=":material/home_work:"),
        st.Page("app_pages/practices.py", title="Practices", icon=":material/local_hospital:"),
        st.Page("app_pages/options.py", title="Options", icon=":material/alt_route:"),
        st.Page("app_pages/centralise.py", title="Centralisation", icon=":material/hub:"),
        st.Page("app_pages/report.py", title="Report", icon=":material/description:"),
        st.Page("app_pages/assumptions.py", title="Assumptions", icon=":material/tune:"),
    ]
    page = st.navigation(pages)
    sidebar()
    with core_errors():
        r = region()
    st.sidebar.caption(f"Region: **{r.name}**" + (" (synthetic)" if r.synthetic else ""))
    page.run()
