"""transport.py's connections: keep-alive reuse, a connection the server closed, proxies from the
environment (plain HTTP and a CONNECT tunnel for HTTPS), the retry policy's rules, and that the
transport needs nothing outside the standard library (every module process imports it)."""

import base64
import json
import select
import socket
import ssl
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from ansible_collections.hwcloud.cce.plugins.module_utils import transport
from ansible_collections.hwcloud.cce.plugins.module_utils.transport import (
    CceApiError,
    CceClient,
    ConnectionConfig,
    backoff_seconds,
    is_retried_failure,
    is_retried_status,
)

SECRET = "SK-very-secret-0123456789"
PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "ALL_PROXY", "http_proxy", "https_proxy",
                   "no_proxy", "all_proxy", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")


class Recorder:
    """A local HTTP(S) server: every request recorded with the client's port; ``close_after``
    replies then closes the connection without saying so (an idle keep-alive timeout), and sets
    ``closed`` once the socket is closed."""

    def __init__(self, tls_context=None):
        self.requests = []
        self.close_after = False
        self.closed = threading.Event()
        recorder = self

        class Server(ThreadingHTTPServer):
            def shutdown_request(self, request):
                super(Server, self).shutdown_request(request)
                recorder.closed.set()

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                recorder.requests.append({"method": self.command, "target": self.path, "port": self.client_address[1],
                                          "headers": dict(self.headers), "body": body})
                payload = json.dumps({"n": len(recorder.requests)}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
                if recorder.close_after:
                    self.close_connection = True

            do_GET = do_POST = _handle

        self.server = Server(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        if tls_context is not None:
            self.server.socket = tls_context.wrap_socket(self.server.socket, server_side=True)
        scheme = "https" if tls_context is not None else "http"
        self.url = "%s://127.0.0.1:%d" % (scheme, self.server.server_address[1])
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class ConnectProxy:
    """A CONNECT-only proxy: records each CONNECT request's line and headers, then pipes bytes."""

    def __init__(self):
        self.connects = []
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(8)
        self.url = "http://127.0.0.1:%d" % self.listener.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                client, _address = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._tunnel, args=(client,), daemon=True).start()

    def _tunnel(self, client):
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = client.recv(4096)
            if not chunk:
                client.close()
                return
            head += chunk
        lines = head.split(b"\r\n\r\n")[0].decode().split("\r\n")
        self.connects.append({"line": lines[0], "headers": dict(line.split(": ", 1) for line in lines[1:] if ": " in line)})
        host, port = lines[0].split()[1].rsplit(":", 1)
        upstream = socket.create_connection((host, int(port)))
        client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        pair = {client: upstream, upstream: client}
        while True:
            readable, _w, _x = select.select(list(pair), [], [], 5)
            if not readable:
                break
            for sock in readable:
                data = sock.recv(65536)
                if not data:
                    client.close()
                    upstream.close()
                    return
                pair[sock].sendall(data)

    def close(self):
        self.listener.close()


@pytest.fixture
def clean_env(monkeypatch):
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@pytest.fixture
def recorder():
    server = Recorder()
    yield server
    server.close()


CLIENTS = []


@pytest.fixture(autouse=True)
def close_clients():
    yield
    while CLIENTS:
        CLIENTS.pop().connections.close()


def client_for(url, **overrides):
    params = dict(cce_endpoint=url, project_id="proj", access_key="AK", secret_key=SECRET, api_retries=2, api_timeout=5)
    params.update(overrides)
    client = CceClient(ConnectionConfig(**params))
    CLIENTS.append(client)
    return client


def test_requests_of_one_client_share_one_keep_alive_connection(clean_env, recorder, sleeps):
    client = client_for(recorder.url)
    assert client.request("GET", "/a") == {"n": 1}
    assert client.request("POST", "/b", body={"x": 1}) == {"n": 2}
    assert client.request("GET", "/c") == {"n": 3}
    assert len({r["port"] for r in recorder.requests}) == 1
    assert [r["target"] for r in recorder.requests] == ["/a", "/b", "/c"]
    assert recorder.requests[1]["body"] == b'{"x": 1}'
    assert sleeps == []


def test_a_connection_the_server_closed_is_opened_again_and_a_write_is_sent_once(clean_env, recorder, sleeps):
    client = client_for(recorder.url)
    recorder.close_after = True
    assert client.request("GET", "/a") == {"n": 1}
    # The server closed the idle connection before the next request (not while it is being sent: that
    # race is a lost reply, and a write is never resent).
    assert recorder.closed.wait(10)
    assert client.request("POST", "/b", body={}) == {"n": 2}
    assert [r["method"] for r in recorder.requests] == ["GET", "POST"]  # no resend, no retry sleep
    assert recorder.requests[0]["port"] != recorder.requests[1]["port"]
    assert sleeps == []


def test_a_plain_http_proxy_gets_the_absolute_url_and_the_proxy_credentials(clean_env, recorder, sleeps):
    clean_env.setenv("HTTP_PROXY", recorder.url.replace("http://", "http://user:pa%40ss@"))
    client = client_for("http://cce.example.invalid:8443")
    assert client.request("GET", "/api/v3/projects/proj/clusters", query={"a": "1"}) == {"n": 1}
    sent = recorder.requests[0]
    assert sent["target"] == "http://cce.example.invalid:8443/api/v3/projects/proj/clusters?a=1"
    assert sent["headers"]["Host"] == "cce.example.invalid:8443"  # the signed host, not the proxy
    assert sent["headers"]["Proxy-Authorization"] == "Basic " + base64.b64encode(b"user:pa@ss").decode()


def test_no_proxy_sends_straight_to_the_endpoint(clean_env, recorder, sleeps):
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    dead_proxy = "http://127.0.0.1:%d" % closed.getsockname()[1]
    closed.close()
    clean_env.setenv("HTTP_PROXY", dead_proxy)
    clean_env.setenv("NO_PROXY", "127.0.0.1,localhost")
    assert client_for(recorder.url).request("GET", "/direct") == {"n": 1}
    assert recorder.requests[0]["target"] == "/direct"

    clean_env.delenv("NO_PROXY")
    with pytest.raises(CceApiError) as info:
        client_for(recorder.url).request("GET", "/via-the-dead-proxy")
    assert info.value.kind == "connection" and "could not connect" in info.value.message
    assert len(sleeps) == 2  # a refused connect is retried: api_retries=2


def test_https_goes_through_a_connect_tunnel_and_checks_the_endpoints_certificate(clean_env, tmp_path, sleeps):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256", "-days", "2",
                    "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-addext", "basicConstraints=critical,CA:TRUE"],
                   check=True, capture_output=True, timeout=60)
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(str(cert), str(key))
    endpoint = Recorder(server_context)
    proxy = ConnectProxy()
    try:
        clean_env.setenv("HTTPS_PROXY", proxy.url.replace("http://", "http://tunnel:secret@"))
        client = client_for(endpoint.url, ca_path=str(cert))
        assert client.request("GET", "/x") == {"n": 1}
        assert client.request("GET", "/y") == {"n": 2}
        port = endpoint.url.rsplit(":", 1)[1]
        assert [c["line"].rsplit(" ", 1)[0] for c in proxy.connects] == ["CONNECT 127.0.0.1:%s" % port]  # one tunnel, kept
        assert proxy.connects[0]["headers"]["Proxy-Authorization"] == "Basic " + base64.b64encode(b"tunnel:secret").decode()
        assert [r["target"] for r in endpoint.requests] == ["/x", "/y"]

        # The system's CAs do not sign this certificate: refused as a TLS error, never retried.
        with pytest.raises(CceApiError) as info:
            client_for(endpoint.url).request("GET", "/z")
        assert info.value.kind == "tls"
        assert len(sleeps) == 0
    finally:
        proxy.close()
        endpoint.close()


def test_retry_rules():
    assert is_retried_status("POST", 429) and is_retried_status("GET", 429)
    assert is_retried_status("GET", 503) and not is_retried_status("POST", 503)
    assert not is_retried_status("GET", 501) and not is_retried_status("GET", 400)
    assert is_retried_failure("POST", "connect") and is_retried_failure("GET", "connect")
    assert is_retried_failure("GET", "reply") and not is_retried_failure("POST", "reply")
    assert not is_retried_failure("GET", "tls")


def test_backoff_doubles_within_its_jitter_and_is_capped(monkeypatch):
    monkeypatch.setattr(transport, "BACKOFF_BASE", 1.0)
    monkeypatch.setattr(transport, "BACKOFF_MAX", 5.0)
    for number, (low, high) in {1: (0.5, 1.0), 2: (1.0, 2.0), 3: (2.0, 4.0), 4: (2.5, 5.0), 9: (2.5, 5.0)}.items():
        seconds = [backoff_seconds(number) for _unused in range(50)]
        assert low <= min(seconds) and max(seconds) <= high, number


def test_the_transport_needs_nothing_outside_the_standard_library():
    """Every module process imports the transport: a third-party HTTP stack (requests pulled in
    urllib3, charset_normalizer, idna and certifi, about a quarter of a module run's CPU) must
    not come back."""
    collections = Path(transport.__file__).parents[5]  # the directory holding ansible_collections/hwcloud/cce
    probe = ("import sys; sys.path.insert(0, %r); "
             "import ansible_collections.hwcloud.cce.plugins.module_utils.module; "
             "print(sorted({m.split('.')[0] for m in sys.modules} & "
             "{'requests', 'urllib3', 'charset_normalizer', 'chardet', 'idna', 'certifi'}))" % str(collections))
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60).stdout
    assert out.strip() == "[]"
