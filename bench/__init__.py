"""The benchmark of issue 14: the collection against `kubectl apply` of the same manifests, its
no-op rerun, RQ's queue with 1, 2 and 4 workers, failure detection and an app-only roll-out, all
on the local kind cluster (`bin/streamlit-k8s bench`)."""
