#!/usr/bin/env bash
# The app's own entrypoint, as root: activate the environment, run Streamlit.
# shellcheck disable=SC1091
source /root/miniforge3/envs/streamlit-env/bin/activate
exec streamlit run app.py
