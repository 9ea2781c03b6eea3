#!/bin/sh
# The web process: Streamlit on port 8501 (settings from .streamlit/config.toml and the
# STREAMLIT_* environment, e.g. STREAMLIT_SERVER_COOKIE_SECRET shared by all replicas).
. /usr/local/bin/prepare-app.sh
# The readiness helper beside it (web_ready.py): answers the kubelet's probes over HTTP
python /opt/openms-k8s/web_ready.py &
exec streamlit run app.py "$@"
