# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A Streamlit browser session without a browser, from the standard library only.

What a browser tab does that matters behind an ingress: it gets the cookies of the first
answer (the ingress's sticky cookie, Streamlit's XSRF cookie), opens the WebSocket
/_stcore/stream, asks for a script run and learns its session id from the first NewSession
message, then uploads files with PUT /_stcore/upload_file/<session>/<file>, which only the
replica holding that session accepts (any other answers 400 "Invalid session_id").

The protobuf fields read and written (streamlit/proto, unchanged since Streamlit 1.10):
BackMsg.rerun_script = 11 (ClientState; ClientState.query_string = 1);
ForwardMsg.new_session = 4, NewSession.initialize = 1, Initialize.session_id = 6.
"""

from __future__ import annotations

import base64
import http.client
import os
import re
import socket
import ssl
import struct
import time
import urllib.parse

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
