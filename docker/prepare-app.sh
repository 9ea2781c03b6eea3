# shellcheck shell=sh
# Sourced by both entrypoints: activates the app's Python environment (app-env.sh) and
# applies the deployment's configuration to /app (prepare_app.py).
set -eu
cd /app
set +u
. /usr/local/bin/app-env.sh
set -u
python /opt/openms-k8s/prepare_app.py
