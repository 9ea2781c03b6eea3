"""streamlit_session module_utils: the protobuf fields read and written, client WebSocket frames,
and a session against a small server that speaks the same wire formats (handshake, pings,
fragmented messages, close; uploads with the XSRF header)."""

import base64
import hashlib
import http.server
import socket
import struct
import threading

import pytest
from ansible_collections.openms.streamlit_k8s.plugins.module_utils.streamlit_session import (
    Endpoint,
    SessionError,
    WebSocket,
    field,
    frame,
    length_delimited,
    rerun_message,
    session_id_of,
    start_session,
    upload,
    varint,
)

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def new_session(session_id, command_line="streamlit run app.py"):
    initialize = length_delimited(5, command_line.encode()) + length_delimited(6, session_id.encode())
    body = length_delimited(1, initialize) + length_delimited(2, b"run")
    return length_delimited(1, b"hash") + length_delimited(4, body)


def test_varints_of_several_bytes():
    assert varint(1) == b"\x01"
    assert varint(300) == b"\xac\x02"


def test_the_session_id_is_read_from_new_session_only():
    assert session_id_of(new_session("8aa409a5", "x" * 300)) == "8aa409a5"
    assert session_id_of(length_delimited(1, b"hash") + length_delimited(5, b"delta")) is None
    assert field(new_session("s"), 4, 2) == b"run"


def test_a_rerun_carries_the_query_string():
    assert rerun_message("workspace=w") == b"\x5a\x0d\x0a\x0bworkspace=w"
    assert rerun_message("") == b"\x5a\x00"


def test_client_frames_are_masked_with_the_right_length_form():
    assert frame(2, b"abc", mask=b"\x01\x02\x03\x04") == b"\x82\x83\x01\x02\x03\x04" + bytes([0x60, 0x60, 0x60])
    long = frame(2, b"x" * 70000, mask=b"\0\0\0\0")
    assert long[:2] == b"\x82\xff" and struct.unpack("!Q", long[2:10])[0] == 70000


def server_frame(opcode, payload, fin=True):
    return bytes([(0x80 if fin else 0) | opcode, len(payload)]) + payload


def read_client_frame(conn):
    first, second = conn.recv(2, socket.MSG_WAITALL)
    length = second & 0x7F
    mask = conn.recv(4, socket.MSG_WAITALL)
    payload = conn.recv(length, socket.MSG_WAITALL) if length else b""
    return first & 0x0F, bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


@pytest.fixture
def ws_server():
    """A one-connection server: 101 (or the status given), then the script given."""
    listener = socket.create_server(("127.0.0.1", 0))
    seen = {}

    def serve(status, script):
        conn, _address = listener.accept()
        request = b""
        while b"\r\n\r\n" not in request:
            request += conn.recv(4096)
        seen["request"] = request.decode()
        headers = dict(line.split(": ", 1) for line in seen["request"].split("\r\n")[1:] if ": " in line)
        key = headers["Sec-WebSocket-Key"]
        accept = base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()
        conn.sendall(f"HTTP/1.1 {status}\r\nUpgrade: websocket\r\nSec-WebSocket-Accept: {accept}\r\n\r\n".encode())
        script(conn, seen)
        conn.close()

    def start(script, status="101 Switching Protocols"):
        thread = threading.Thread(target=serve, args=(status, script), daemon=True)
        thread.start()
        return Endpoint(f"http://127.0.0.1:{listener.getsockname()[1]}", host_header="app.test", timeout=5), seen

    yield start
    listener.close()


def test_a_session_answers_pings_joins_fragments_and_sees_the_close(ws_server):
    def script(conn, seen):
        seen["rerun"] = read_client_frame(conn)
        conn.sendall(server_frame(0x9, b"p1"))
        seen["pong"] = read_client_frame(conn)
        message = new_session("abc-123")
        conn.sendall(server_frame(0x2, message[:5], fin=False) + server_frame(0x0, message[5:]))
        conn.sendall(server_frame(0x8, struct.pack("!H", 1001)))

    endpoint, seen = ws_server(script)
    websocket = WebSocket(endpoint, "/_stcore/stream", {"stroute": "a1", "_streamlit_xsrf": "2|x"})
    assert start_session(websocket, "workspace=w", timeout=5) == "abc-123"
    with pytest.raises(ConnectionError, match="code 1001"):
        websocket.receive(5)
    assert websocket.pongs == 1
    assert seen["rerun"] == (0x2, rerun_message("workspace=w"))
    assert seen["pong"] == (0xA, b"p1")
    assert "Host: app.test" in seen["request"] and "Cookie: stroute=a1; _streamlit_xsrf=2|x" in seen["request"]


def test_a_refused_upgrade_is_named(ws_server):
    endpoint, _seen = ws_server(lambda conn, seen: None, status="403 Forbidden")
    with pytest.raises(SessionError, match="not upgraded: 'HTTP/1.1 403 Forbidden'"):
        WebSocket(endpoint, "/_stcore/stream", {})


def test_no_new_session_in_time_is_an_error(ws_server):
    endpoint, _seen = ws_server(lambda conn, seen: read_client_frame(conn) and conn.recv(1))
    websocket = WebSocket(endpoint, "/_stcore/stream", {})
    with pytest.raises(SessionError, match="no NewSession message within 1 s"):
        start_session(websocket, "", timeout=1)


class UploadHandler(http.server.BaseHTTPRequestHandler):
    """Accepts an upload into session 'held' with a matching XSRF header, as Tornado does."""

    def do_PUT(self):  # noqa: N802 (http.server's naming)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        cookie = dict(part.split("=", 1) for part in self.headers.get("Cookie", "").split("; ") if part)
        if self.headers.get("X-Xsrftoken") != cookie.get("_streamlit_xsrf"):
            self.send_response(403)
            self.end_headers()
        elif self.path.split("/")[3] != "held" or b'filename="a.mzML"' not in body:
            page = b"<html><title>400: Invalid session_id</title></html>"
            self.send_response(400)
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)
        else:
            self.send_response(204)
            self.end_headers()

    def log_message(self, *args):
        pass


def test_uploads_send_the_xsrf_header_and_name_the_refusal():
    server = http.server.HTTPServer(("127.0.0.1", 0), UploadHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        endpoint = Endpoint(f"http://127.0.0.1:{server.server_port}")
        cookies = {"_streamlit_xsrf": "2|ab|cd|1", "stroute": "x"}
        assert upload(endpoint, "held", "f1", cookies, filename="a.mzML") == (204, "No Content")
        assert upload(endpoint, "other", "f2", cookies, filename="a.mzML") == (400, "Invalid session_id")
    finally:
        server.shutdown()


def test_only_http_urls():
    with pytest.raises(SessionError, match="not an http"):
        Endpoint("ftp://example.org")
