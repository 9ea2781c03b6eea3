#!/bin/sh
# Run once, as root, while an app image is built: lets the pods run with a read-only root
# filesystem. The configuration the entrypoints write (prepare_app.py) moves aside to
# /opt/openms-k8s/app-config; /app keeps symlinks into /run/openms-app, an emptyDir in the
# pods (a plain directory of the image elsewhere), where the live copies are written.
set -eu
mkdir -p /opt/openms-k8s/app-config /run/openms-app
chown 1000:1000 /run/openms-app
for name in settings.json default-parameters.json presets.json; do
  if [ -f "/app/$name" ] && [ ! -L "/app/$name" ]; then mv "/app/$name" /opt/openms-k8s/app-config/; fi
  ln -sfn "/run/openms-app/$name" "/app/$name"
done
