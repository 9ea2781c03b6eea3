# Sourced by bin/streamlit-k8s: puts a virtualenv with the pinned controller packages
# (requirements.txt) first on PATH, creating it when missing. The venv lives outside the
# repository and is keyed by the hash of requirements.txt, so a changed pin gets a new one.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE_HOME="${OPENMS_K8S_CACHE_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/openms-streamlit-k8s}"
PYTHON="${PYTHON:-python3}"

if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "bootstrap: $PYTHON must be Python 3.11 or newer (set PYTHON=...)" >&2
  exit 1
fi

REQ_HASH="$(sha256sum "$ROOT/requirements.txt" | cut -c1-12)"
VENV="$CACHE_HOME/venv-$REQ_HASH"
if [ ! -x "$VENV/bin/ansible-playbook" ] || [ ! -f "$VENV/.complete" ]; then
  echo "bootstrap: creating $VENV"
  rm -rf "$VENV"
  mkdir -p "$CACHE_HOME"
  "$PYTHON" -m venv "$VENV"
  # Some networks intercept HTTPS with a CA that only the system bundle trusts.
  if [ -z "${PIP_CERT:-}" ] && [ -f /etc/ssl/certs/ca-certificates.crt ]; then
    export PIP_CERT=/etc/ssl/certs/ca-certificates.crt
  fi
  if ! "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$ROOT/requirements.txt"; then
    echo "bootstrap: installing requirements.txt into $VENV failed" >&2
    return 1 2>/dev/null || exit 1
  fi
  touch "$VENV/.complete"
fi
export PATH="$VENV/bin:$PATH"
export ANSIBLE_CONFIG="$ROOT/ansible.cfg"
cd "$ROOT"

