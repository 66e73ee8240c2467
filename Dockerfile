# The estates dashboard on the bundled demonstration region.
# GDAL and PROJ come inside the pyogrio, pyproj and rasterio wheels: no system GIS packages.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY requirements.txt ./
RUN pip install -r requirements.txt

COPY app.py pyproject.toml README.md ./
COPY .streamlit ./.streamlit
COPY app_pages ./app_pages
COPY estates ./estates
COPY data ./data
COPY static ./static
# The package itself (the `estates` command), and Leaflet copied into static/ now, so the map's
# script is served from the first request rather than after the first page has run.
RUN pip install --no-deps . \
    && python -c "from pathlib import Path; from estates.report.assets import install_leaflet; install_leaflet(Path('static'))"

RUN useradd --create-home --uid 10001 estates && chown -R estates:estates /app
USER estates

EXPOSE 8501
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4).status == 200 else 1)"

CMD ["python", "-m", "streamlit", "run", "app.py", "--server.port=8501", "--server.address=0.0.0.0", "--server.headless=true"]
