#!/bin/sh
# The worker process: one RQ worker on the queue openms-workflows (KubernetesWorker, see
# rq_k8s_worker.py). The name is unique per container start, so a restarted container never
# waits for its old name to expire (/tmp/rq-worker-name says it). The worker answers its
# probes itself (rq_k8s_worker.py).
. /usr/local/bin/prepare-app.sh
: "${REDIS_URL:?REDIS_URL is not set}"
name="${WORKER_NAME_PREFIX:-$(hostname)}-$(date +%s)"
echo "$name" > /tmp/rq-worker-name
# The URL holds the Redis password: through the environment, not the command line `ps` shows.
export RQ_REDIS_URL="$REDIS_URL"
exec rq worker openms-workflows --name "$name" \
  --worker-class rq_k8s_worker.KubernetesWorker \
  --worker-ttl "${RQ_WORKER_TTL:-35}" \
  --job-monitoring-interval "${RQ_JOB_MONITORING_INTERVAL:-10}" \
  --maintenance-interval "${RQ_MAINTENANCE_INTERVAL:-15}" "$@"
