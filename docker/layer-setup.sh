#!/bin/sh
# Run once, as root, while Dockerfile.layer is built over an app's own image.
set -eu
# The app's user: uid and gid 1000, whatever the base image calls them.
grep -q '^[^:]*:[^:]*:1000:' /etc/group || echo 'app:x:1000:' >> /etc/group
grep -q '^[^:]*:[^:]*:1000:' /etc/passwd || echo 'app:x:1000:1000:app:/app:/bin/sh' >> /etc/passwd
# The Python environment the entrypoints will use must exist.
set +u
. /usr/local/bin/app-env.sh
set -u
if [ -z "$app_env" ]; then
  echo "layer-setup: no Python environment with streamlit in this image; set APP_PYTHON_ENV" >&2
  exit 1
fi
# The template's environment lives under /root (mode 0700): let others pass through, nothing more.
case "$app_env" in /root/*) chmod o+x /root ;; esac
# What the app writes at run time: new files in its directories (when the root filesystem is
# left writable). Only directories change owner, so no file is copied into this layer.
find /app -type d -exec chown 1000:1000 {} +
sh /usr/local/bin/config-links.sh
echo "layer-setup: app environment $app_env, user $(grep '^[^:]*:[^:]*:1000:' /etc/passwd | cut -d: -f1)"
