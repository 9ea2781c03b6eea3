#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Hold a Streamlit session through an ingress as a browser tab does, and test it."""

from __future__ import annotations

DOCUMENTATION = r"""
module: streamlit_session
short_description: Open a Streamlit session through an ingress and test stickiness, uploads and the WebSocket
version_added: 1.0.0
description:
  - Does what a browser tab does, with the standard library only. Takes the cookies of the
    first answer (the ingress's sticky cookie and Streamlit's XSRF cookie), opens the
    WebSocket C(/_stcore/stream), asks for a script run and reads the session id.
  - Then sends O(requests) uploads into that session with the cookies and as many without
    the sticky cookie. Only the replica that holds the session accepts an upload (any other
    answers 400 C(Invalid session_id)), so each accepted upload was served by that replica.
  - Uploads one file into the session as the file uploader does.
  - Keeps the WebSocket open for O(hold_seconds) (answering the server's pings), then asks
    for another script run and waits for its answer on the same socket.
  - Changes nothing in the deployment; the app may make a workspace for the session (name
    it with O(query_string) so it can be removed).
options:
  url:
    description: The app's base URL, as a browser opens it.
    type: str
    required: true
  host_header:
    description: The Host header to send when O(url) names the ingress controller's address.
    type: str
    default: ""
  validate_certs:
    description: Check the server's TLS certificate.
    type: bool
    default: true
  query_string:
    description: The page's query string for the script run, for example C(workspace=name).
    type: str
    default: ""
  requests:
    description: Uploads sent with the cookies, and as many without the sticky cookie.
    type: int
    default: 10
  hold_seconds:
    description: How long the WebSocket is kept open before it is used again.
    type: int
    default: 0
  progress_path:
    description:
      - A file (mode 0600) that gets everything seen before the hold as JSON, so a task can
        act on the session while it is held (run this module with C(async)).
    type: path
  release_path:
    description:
      - The hold also lasts until this file exists (the task that uses the held session is done),
        at most O(hold_seconds) + 300 s.
    type: path
  timeout:
    description: Seconds to wait for one answer.
    type: int
    default: 30
author:
  - OpenMS Streamlit Kubernetes maintainers (@OpenMS)
"""

EXAMPLES = r"""
- name: Hold a session through the ingress for 75 s
  openms.streamlit_k8s.streamlit_session:
    url: http://127.0.0.1:18080
    host_header: app.example.org
    query_string: workspace=validate-1
    hold_seconds: 75
"""

RETURN = r"""
session_id:
  description: The session's id.
  type: str
  returned: success
sticky_cookie:
  description: The cookie the first answer set besides Streamlit's own, or null.
  type: str
  returned: success
sticky_cookie_value:
  description: Its value (an ingress names the pod by it, often as a hash of the pod's address).
  type: str
  returned: success
cookies:
  description: Names of the cookies the first answer set.
  type: list
  returned: success
with_cookie:
  description: Uploads into the session with the cookies (accepted, refused, reasons).
  type: dict
  returned: success
without_cookie:
  description: Uploads into the session without the sticky cookie (accepted, refused, reasons).
  type: dict
  returned: success
upload:
  description: The file upload (status, reason, bytes).
  type: dict
  returned: success
websocket:
  description: >-
    status (101), held_seconds, pongs, open_after_hold, answered_after_hold, closed (why it
    closed early, or null).
  type: dict
  returned: success
"""

import json
import os
import time

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.openms.streamlit_k8s.plugins.module_utils.streamlit_session import (
    XSRF_COOKIE,
    Endpoint,
    SessionError,
    WebSocket,
    start_session,
    upload,
)

# A few spectra of an mzML file: what the file uploader receives is bytes, not checked.
UPLOAD = b'<?xml version="1.0" encoding="utf-8"?>\n<mzML xmlns="http://psi.hupo.org/ms/mzml" version="1.1.0"/>\n'


def uploads(endpoint, session_id, cookies, count, tag):
    seen = {"accepted": 0, "refused": 0, "reasons": []}
    for index in range(count):
        status, reason = upload(endpoint, session_id, f"validate-{tag}-{index}", cookies)
        if status == 204:
            seen["accepted"] += 1
        else:
            seen["refused"] += 1
            if f"{status} {reason}" not in seen["reasons"]:
                seen["reasons"].append(f"{status} {reason}")
    return seen


def hold(websocket, seconds, opened, release_path=None, longest=None):
    """Keep the socket at least `seconds` after `opened` and, with release_path, until that file
    exists (at most `longest` s); None, or why it closed."""

    def done():
        elapsed = time.monotonic() - opened
        released = not release_path or os.path.exists(release_path)
        return (elapsed >= seconds and released) or (longest is not None and elapsed >= longest)

    try:
        while not done():
            websocket.receive(1)
    except (ConnectionError, OSError) as exc:
        return f"{exc} after {time.monotonic() - opened:.0f} s"
    return None


def run(params):
    endpoint = Endpoint(params["url"], params["host_header"], params["validate_certs"], params["timeout"])
    status, reason, cookies, _body = endpoint.request("GET", "/_stcore/health")
    if status != 200:
        raise SessionError(f"/_stcore/health answered {status} {reason}")
    sticky = next((name for name in cookies if name != XSRF_COOKIE), None)
    websocket = WebSocket(endpoint, "/_stcore/stream", cookies)
    opened = time.monotonic()
    try:
        session_id = start_session(websocket, params["query_string"], params["timeout"])
        seen = {
            "session_id": session_id,
            "sticky_cookie": sticky,
            "sticky_cookie_value": cookies.get(sticky),
            "cookies": sorted(cookies),
            "with_cookie": uploads(endpoint, session_id, cookies, params["requests"], "with"),
            "without_cookie": uploads(
                endpoint, session_id, {k: v for k, v in cookies.items() if k != sticky}, params["requests"], "without"
            ),
        }
        status, reason = upload(endpoint, session_id, "validate-file", cookies, content=UPLOAD)
        seen["upload"] = {"status": status, "reason": reason, "bytes": len(UPLOAD)}
        if params["progress_path"]:
            descriptor = os.open(params["progress_path"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(descriptor, "w") as handle:
                json.dump(seen, handle)
        closed = hold(websocket, params["hold_seconds"], opened, params["release_path"], params["hold_seconds"] + 300)
        answered = False
        if closed is None:
            try:
                answered = start_session(websocket, params["query_string"], params["timeout"]) == session_id
            except (SessionError, ConnectionError, OSError) as exc:
                closed = f"no answer after the hold: {exc}"
        seen["websocket"] = {
            "status": websocket.status,
            "held_seconds": round(time.monotonic() - opened, 1),
            "pongs": websocket.pongs,
            "open_after_hold": closed is None,
            "answered_after_hold": answered,
            "closed": closed,
        }
        return seen
    finally:
        websocket.close()


def main():
    module = AnsibleModule(
        argument_spec={
            "url": {"type": "str", "required": True},
            "host_header": {"type": "str", "default": ""},
            "validate_certs": {"type": "bool", "default": True},
            "query_string": {"type": "str", "default": ""},
            "requests": {"type": "int", "default": 10},
            "hold_seconds": {"type": "int", "default": 0},
            "progress_path": {"type": "path"},
            "release_path": {"type": "path"},
            "timeout": {"type": "int", "default": 30},
        },
        supports_check_mode=False,
    )
    if module.params["requests"] < 1 or module.params["hold_seconds"] < 0 or module.params["timeout"] < 1:
        module.fail_json(msg="requests and timeout must be at least 1, hold_seconds at least 0")
    try:
        seen = run(module.params)
    except (SessionError, OSError) as exc:
        module.fail_json(msg=f"Streamlit session through {module.params['url']}: {exc}")
    module.exit_json(changed=False, **seen)


if __name__ == "__main__":
    main()
