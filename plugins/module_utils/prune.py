# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a phase may prune, and what it prunes: the decisions behind the k8s_apply module's prune."""

from __future__ import annotations

MANAGER_LABEL = "app.kubernetes.io/managed-by"
MANAGER = "openms.streamlit_k8s"
SCOPE_LABELS = ("app.kubernetes.io/instance", "app.kubernetes.io/component")
# Their data outlives a rename: never pruned
NEVER_PRUNED = ("PersistentVolume", "PersistentVolumeClaim")


def scope_errors(selector, kinds):
    """Why a selector and kinds could reach objects the collection did not make, or data ([] if not)."""
    errors = []
    if selector.get(MANAGER_LABEL) != MANAGER:
        errors.append(f"selector must carry {MANAGER_LABEL}={MANAGER}")
    errors += [f"selector must carry {label}" for label in SCOPE_LABELS if not selector.get(label)]
    refused = [kind["kind"] for kind in kinds if kind["kind"] in NEVER_PRUNED]
    if refused:
        errors.append(f"kinds must not list {', '.join(refused)} (volumes and claims are never pruned)")
    return errors


def label_selector(selector):
    """The selector as the API takes it: key=value pairs joined by commas, in a stable order."""
    return ",".join(f"{key}={value}" for key, value in sorted(selector.items()))


def to_delete(found, keep):
    """The objects found (kind -> names) that are not kept (Kind/name), in the kinds' order."""
    kept = set(keep)
    return [f"{kind}/{name}" for kind, names in found.items() for name in sorted(names) if f"{kind}/{name}" not in kept]
