# Sourced by both entrypoints: applies the deployment's configuration to /app.
#   $APP_CONFIG_DIR/settings-overrides.json   merged over settings.json (jq '.[0] * .[1]')
#   $APP_CONFIG_DIR/default-parameters.json   replaces the app's file when present
#   $APP_CONFIG_DIR/presets.json              likewise
set -eu
cd /app
config_dir="${APP_CONFIG_DIR:-/config}"
if [ -f "$config_dir/settings-overrides.json" ]; then
  jq -s '.[0] * .[1]' settings.json "$config_dir/settings-overrides.json" > /tmp/settings.json
  cat /tmp/settings.json > settings.json
fi
for name in default-parameters.json presets.json; do
  if [ -f "$config_dir/$name" ]; then
    cat "$config_dir/$name" > "$name"
  fi
done
