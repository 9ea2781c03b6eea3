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

import base64
import http.client
import json
import os
import re
import socket
import ssl
import struct
import time
import urllib.parse

from ansible.module_utils.basic import AnsibleModule

# A Streamlit browser session without a browser, from the standard library only.
#
# What a browser tab does that matters behind an ingress: it gets the cookies of the first
# answer (the ingress's sticky cookie, Streamlit's XSRF cookie), opens the WebSocket
# /_stcore/stream, asks for a script run and learns its session id from the first NewSession
# message, then uploads files with PUT /_stcore/upload_file/<session>/<file>, which only the
# replica holding that session accepts (any other answers 400 "Invalid session_id").
#
# The protobuf fields read and written (streamlit/proto, unchanged since Streamlit 1.10):
# BackMsg.rerun_script = 11 (ClientState; ClientState.query_string = 1);
# ForwardMsg.new_session = 4, NewSession.initialize = 1, Initialize.session_id = 6.
#
# This lives in the module, not in module_utils: under Mitogen's strategy (scripts/bootstrap.sh)
# the process of a background (async) task can import only ansible's own module_utils.

XSRF_COOKIE = "_streamlit_xsrf"
OPCODES = {"continuation": 0x0, "text": 0x1, "binary": 0x2, "close": 0x8, "ping": 0x9, "pong": 0xA}


class SessionError(Exception):
    """The app or the ingress did not behave as a browser needs."""


# -- protobuf: just the wire format ------------------------------------------------------


def varint(value):
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def read_varint(data, pos):
    shift = result = 0
    while True:
        if pos >= len(data):
            raise SessionError("truncated protobuf varint")
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7


def fields(data):
    """Yield (field number, wire type, value) of one message; LEN values as bytes."""
    pos = 0
    while pos < len(data):
        key, pos = read_varint(data, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = read_varint(data, pos)
        elif wire == 1:
            value, pos = data[pos : pos + 8], pos + 8
        elif wire == 2:
            length, pos = read_varint(data, pos)
            value, pos = data[pos : pos + length], pos + length
        elif wire == 5:
            value, pos = data[pos : pos + 4], pos + 4
        else:
            raise SessionError(f"unknown protobuf wire type {wire}")
        if pos > len(data):
            raise SessionError("truncated protobuf field")
        yield number, wire, value


def field(data, *path):
    """The LEN value at a path of field numbers, or None."""
    for number in path:
        data = next((value for num, wire, value in fields(data) if num == number and wire == 2), None)
        if data is None:
            return None
    return data


def length_delimited(number, payload):
    return varint(number << 3 | 2) + varint(len(payload)) + payload


def rerun_message(query_string):
    """BackMsg{rerun_script: ClientState{query_string}}: what a tab sends to run the app."""
    return length_delimited(11, length_delimited(1, query_string.encode()) if query_string else b"")


def session_id_of(forward_msg):
    """The session id in a ForwardMsg that carries NewSession, else None."""
    value = field(forward_msg, 4, 1, 6)
    return value.decode() if value is not None else None


# -- HTTP ---------------------------------------------------------------------------------


class Endpoint:
    """The app's base URL, with the Host header to send (an ingress host in front of an address)."""

    def __init__(self, url, host_header="", validate_certs=True, timeout=30):
        parsed = urllib.parse.urlsplit(url)
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise SessionError(f"not an http(s) URL: {url!r}")
        self.https = parsed.scheme == "https"
        self.address = parsed.hostname
        self.port = parsed.port or (443 if self.https else 80)
        self.path = parsed.path.rstrip("/")
        self.host = host_header or parsed.netloc
        self.timeout = timeout
        self.context = None
        if self.https:
            self.context = ssl.create_default_context()
            if not validate_certs:
                self.context.check_hostname = False
                self.context.verify_mode = ssl.CERT_NONE

    def connect(self):
        raw = socket.create_connection((self.address, self.port), timeout=self.timeout)
        if self.https:
            return self.context.wrap_socket(raw, server_hostname=self.host.split(":")[0])
        return raw

    def request(self, method, path, cookies=None, headers=None, body=None):
        """(status, reason, {cookie: value} set by the answer, body)."""
        connection_class = http.client.HTTPSConnection if self.https else http.client.HTTPConnection
        extra = {"context": self.context} if self.https else {}
        connection = connection_class(self.address, self.port, timeout=self.timeout, **extra)
        sent = {"Host": self.host, **(headers or {})}
        if cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in cookies.items())
        try:
            connection.request(method, self.path + path, body=body, headers=sent)
            response = connection.getresponse()
            content = response.read()
            return response.status, response.reason, set_cookies(response.headers.get_all("Set-Cookie") or []), content
        finally:
            connection.close()


def set_cookies(headers):
    cookies = {}
    for header in headers:
        name, _sep, value = header.split(";", 1)[0].partition("=")
        cookies[name.strip()] = value.strip().strip('"')
    return cookies


def multipart(filename, content, boundary=None):
    boundary = boundary or base64.b16encode(os.urandom(12)).decode()
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="uploadedFile"; filename="{filename}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return f"multipart/form-data; boundary={boundary}", body


def upload(endpoint, session_id, file_id, cookies, filename="validate.mzML", content=b"<mzML/>\n"):
    """PUT a file into a session as the file uploader does: (status, reason)."""
    content_type, body = multipart(filename, content)
    headers = {"Content-Type": content_type}
    if XSRF_COOKIE in cookies:
        headers["X-Xsrftoken"] = cookies[XSRF_COOKIE]
    status, reason, _cookies, answer = endpoint.request(
        "PUT", f"/_stcore/upload_file/{session_id}/{file_id}", cookies=cookies, headers=headers, body=body
    )
    # Tornado's error page names the reason ("400: Invalid session_id"); a proxy may not.
    title = re.search(rb"<title>\d+: ([^<]*)</title>", answer)
    return status, title.group(1).decode(errors="replace") if title else reason


# -- WebSocket (RFC 6455, client side) ----------------------------------------------------


def frame(opcode, payload, mask=None):
    """A client frame: always masked, never fragmented."""
    mask = mask if mask is not None else os.urandom(4)
    length = len(payload)
    if length < 126:
        header = struct.pack("!BB", 0x80 | opcode, 0x80 | length)
    elif length < 1 << 16:
        header = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, length)
    else:
        header = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, length)
    return header + mask + bytes(byte ^ mask[i % 4] for i, byte in enumerate(payload))


class WebSocket:
    def __init__(self, endpoint, path, cookies):
        self.sock = endpoint.connect()
        self.timeout = endpoint.timeout
        key = base64.b64encode(os.urandom(16)).decode()
        request = [
            f"GET {endpoint.path}{path} HTTP/1.1",
            f"Host: {endpoint.host}",
            "Upgrade: websocket",
            "Connection: Upgrade",
            f"Sec-WebSocket-Key: {key}",
            "Sec-WebSocket-Version: 13",
            "Sec-WebSocket-Protocol: streamlit",
        ]
        if cookies:
            request.append("Cookie: " + "; ".join(f"{name}={value}" for name, value in cookies.items()))
        self.sock.sendall(("\r\n".join(request) + "\r\n\r\n").encode())
        self.buffer = b""
        head = self._read_until(b"\r\n\r\n")
        status_line = head.split(b"\r\n", 1)[0].decode(errors="replace")
        parts = status_line.split(" ", 2)
        self.status = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
        if self.status != 101:
            self.sock.close()
            raise SessionError(f"the WebSocket {path} was not upgraded: {status_line!r}")
        self.pongs = 0
        self.closed = None

    def _read_until(self, marker):
        while marker not in self.buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise SessionError("the connection closed during the WebSocket handshake")
            self.buffer += chunk
        head, self.buffer = self.buffer.split(marker, 1)
        return head

    def _read_exact(self, count):
        while len(self.buffer) < count:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed by the other end")
            self.buffer += chunk
        data, self.buffer = self.buffer[:count], self.buffer[count:]
        return data

    def send(self, payload, opcode=OPCODES["binary"]):
        self.sock.sendall(frame(opcode, payload))

    def receive(self, timeout):
        """The next data message, or None when none came in time. Pings are answered."""
        deadline = time.monotonic() + timeout
        message = b""
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            self.sock.settimeout(remaining)
            try:
                first, second = self._read_exact(2)
            except TimeoutError:
                return None
            self.sock.settimeout(self.timeout)  # the rest of a frame that has begun
            length = second & 0x7F
            if length == 126:
                (length,) = struct.unpack("!H", self._read_exact(2))
            elif length == 127:
                (length,) = struct.unpack("!Q", self._read_exact(8))
            mask = self._read_exact(4) if second & 0x80 else None
            payload = self._read_exact(length)
            if mask:
                payload = bytes(byte ^ mask[i % 4] for i, byte in enumerate(payload))
            opcode = first & 0x0F
            if opcode == OPCODES["ping"]:
                self.send(payload, OPCODES["pong"])
                self.pongs += 1
            elif opcode == OPCODES["close"]:
                code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None
                self.closed = f"closed by the server (code {code})"
                raise ConnectionError(self.closed)
            elif opcode in (OPCODES["binary"], OPCODES["text"], OPCODES["continuation"]):
                message += payload
                if first & 0x80:
                    return message

    def close(self):
        try:
            self.send(struct.pack("!H", 1000), OPCODES["close"])
        except OSError:
            pass
        self.sock.close()


def start_session(websocket, query_string, timeout):
    """Ask for a script run; the session id from the first NewSession message."""
    websocket.send(rerun_message(query_string))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        message = websocket.receive(deadline - time.monotonic())
        if message is None:
            break
        session_id = session_id_of(message)
        if session_id:
            return session_id
    raise SessionError(f"no NewSession message within {timeout} s of asking for a script run")


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
