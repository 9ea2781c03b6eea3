# shellcheck shell=sh
# Sourced by both entrypoints: applies the deployment's configuration to /app.
#   $APP_CONFIG_DIR/settings-overrides.json   merged over settings.json (jq '.[0] * .[1]')
#   $APP_CONFIG_DIR/default-parameters.json   replaces the app's file when present
#   $APP_CONFIG_DIR/presets.json              likewise
#   $SHARED_DEMOS_DIR (when set)              put first in demo_workspaces.source_dirs, before
#                                             the app's own: demos are listed from both, and
#                                             "Save as Demo" writes to the shared volume
set -eu
cd /app
config_dir="${APP_CONFIG_DIR:-/config}"
if [ -f "$config_dir/settings-overrides.json" ]; then
  jq -s '.[0] * .[1]' settings.json "$config_dir/settings-overrides.json" > /tmp/settings.json
  cat /tmp/settings.json > settings.json
fi
if [ -n "${SHARED_DEMOS_DIR:-}" ]; then
  jq --arg shared "$SHARED_DEMOS_DIR" '
    (.demo_workspaces // {}) as $demos
    | ($demos.source_dirs // $demos.source_dir // ["example-data/workspaces"]) as $own
    | .demo_workspaces = ($demos | del(.source_dir)
        | .source_dirs = ([$shared] + ([$own] | flatten | map(select(. != $shared)))))
  ' settings.json > /tmp/settings.json
  cat /tmp/settings.json > settings.json
fi
for name in default-parameters.json presets.json; do
  if [ -f "$config_dir/$name" ]; then
    cat "$config_dir/$name" > "$name"
  fi
done
