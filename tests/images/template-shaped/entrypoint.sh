#!/usr/bin/env bash
# The app's own entrypoint, as root, shaped like the template's: cron, a Redis of its own and
# RQ_WORKER_COUNT workers on its queue in the background, Streamlit in front.
# shellcheck disable=SC1091
source /root/miniforge3/envs/streamlit-env/bin/activate
export REDIS_URL="${REDIS_URL:-redis://localhost:6379/0}"
cron
redis-server --daemonize yes --dir /tmp
for i in $(seq 1 "${RQ_WORKER_COUNT:-1}"); do
  rq worker openms-workflows --url "$REDIS_URL" --name "worker-$i" &
done
exec streamlit run app.py
