"""The bench's figures as PNG files (matplotlib, no display)."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def _deploy(results, directory):
    deploy = results["deploy"]
    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    labels = ["whole deploy", "no-op rerun"]
    collection = [deploy["collection_full_seconds"], deploy["collection_noop_seconds"]]
    kubectl = [deploy["kubectl_full_seconds"], deploy["kubectl_noop_seconds"]]
    positions = range(len(labels))
    left.bar([p - 0.2 for p in positions], collection, width=0.4, label="site.yml (collection)")
    left.bar([p + 0.2 for p in positions], kubectl, width=0.4, label="kubectl apply --server-side")
    left.set_xticks(list(positions), labels)
    left.set_ylabel("seconds")
    left.set_title(f"same {deploy['objects']} objects; ratio {deploy['deploy_ratio']} / {deploy['noop_ratio']}")
    left.legend()
    phases = deploy["collection_noop_phases"]
    right.barh(list(phases), list(phases.values()))
    right.invert_yaxis()
    right.set_xlabel("seconds")
    right.set_title(f"no-op rerun by phase ({deploy['collection_noop_seconds']} s)")
    figure.tight_layout()
    figure.savefig(directory / "deploy.png", dpi=100)
    plt.close(figure)


def _queue(results, directory):
    rows = results["queue"]
    workers = [row["workers"] for row in rows]
    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    left.plot(workers, [row["makespan_seconds"] for row in rows], "o-", label="measured")
    left.plot(workers, [row["ideal_makespan_seconds"] for row in rows], "--", label="K x S / M")
    left.set_xticks(workers)
    left.set_xlabel("workers (M)")
    left.set_ylabel("makespan, seconds")
    left.set_title(f"{rows[0]['jobs']} jobs of {rows[0]['job_seconds']} s waiting")
    left.legend()
    for key, label in (("idle_latency_p50_ms", "idle p50"), ("idle_latency_p95_ms", "idle p95")):
        right.plot(workers, [row[key] for row in rows], "o-", label=label)
    right.set_xticks(workers)
    right.set_xlabel("workers (M)")
    right.set_ylabel("submit -> start, ms")
    right.set_title("queue latency of a job on idle workers")
    right.legend()
    figure.tight_layout()
    figure.savefig(directory / "queue.png", dpi=100)
    plt.close(figure)


def draw(results, directory):
    if "deploy" in results:
        _deploy(results, directory)
    if "queue" in results:
        _queue(results, directory)
