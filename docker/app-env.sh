# shellcheck shell=sh
# Sourced: puts the app's Python environment first on PATH, as activating it would.
#   APP_PYTHON_ENV when set; else the first of this collection's venv and the usual conda or
#   mamba environments that has streamlit (the template's image: /root/miniforge3/envs/streamlit-env).
app_env="${APP_PYTHON_ENV:-}"
if [ -z "$app_env" ]; then
  for candidate in /opt/venv /root/miniforge3/envs/* /opt/conda/envs/* /root/miniconda3/envs/* \
                   /opt/miniforge3/envs/* /root/miniforge3 /opt/conda; do
    if [ -x "$candidate/bin/streamlit" ]; then
      app_env="$candidate"
      break
    fi
  done
fi
if [ -n "$app_env" ]; then
  PATH="$app_env/bin:$PATH"
  CONDA_PREFIX="$app_env"
  export PATH CONDA_PREFIX
  # The environment's own activation scripts (data paths of its packages), written for any shell
  for script in "$app_env"/etc/conda/activate.d/*.sh; do
    if [ -r "$script" ]; then
      # shellcheck disable=SC1090
      . "$script" || true
    fi
  done
fi
