#!/bin/sh
# The web process: Streamlit on port 8501 (settings from .streamlit/config.toml and the
# STREAMLIT_* environment, e.g. STREAMLIT_SERVER_COOKIE_SECRET shared by all replicas).
. /usr/local/bin/prepare-app.sh
exec streamlit run app.py "$@"
