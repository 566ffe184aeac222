"""Backend sockets work where the stdlib expects a socket: ssl, asyncio, selectors,
socketserver, http.client and http.server."""

from __future__ import annotations

import asyncio
import http.client
import http.server
import os
import selectors
import shutil
import socket
import socketserver
import ssl
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .flavours import Flavour, SocketFactory
from .matrix import UNSUPPORTED_HERE

pytestmark = pytest.mark.requires("family:AF_INET", "type:SOCK_STREAM")


# Where the openssl command is missing (Windows), a runner may hand over a certificate for
# 127.0.0.1 and its key, made elsewhere: tools/wine.py does.
TLS_ENV = ("MULTISOCK_TEST_TLS_CERT", "MULTISOCK_TEST_TLS_KEY")


@pytest.fixture(scope="session")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A throwaway self-signed certificate for 127.0.0.1, made with the openssl tool."""
    given = [os.environ.get(name) for name in TLS_ENV]
    if given[0] and given[1]:
        return Path(given[0]), Path(given[1])
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip(
            f"{UNSUPPORTED_HERE}no openssl command to make a test certificate "
            f"(or set {' and '.join(TLS_ENV)})"
        )
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-addext",
            "subjectAltName=IP:127.0.0.1,DNS:localhost",
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def serve_in_thread(target: Any, *args: Any) -> threading.Thread:
    thread = threading.Thread(target=target, args=args, daemon=True)
    thread.start()
    return thread


@pytest.mark.requires("interop:ssl")
def test_ssl_wrap_socket(sockets: SocketFactory, tls_files: tuple[Path, Path]) -> None:
    cert, key = tls_files
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(cert, key)
    client_ctx = ssl.create_default_context(cafile=str(cert))
    listener = sockets.listener()

    def serve() -> None:
        raw, _ = listener.accept()
        with server_ctx.wrap_socket(raw, server_side=True) as tls:
            tls.sendall(tls.recv(100).upper())

    thread = serve_in_thread(serve)
    client = sockets.new()
    client.settimeout(10)
    client.connect(listener.getsockname())
    with client_ctx.wrap_socket(client, server_hostname="127.0.0.1") as tls:
        assert client.fileno() == -1  # wrap_socket took over the descriptor
        tls.sendall(b"over tls")
        assert tls.recv(100) == b"OVER TLS"
        assert tls.version() is not None
    thread.join(10)


@pytest.mark.requires("interop:asyncio")
def test_asyncio_sock_methods_and_create_connection(sockets: SocketFactory) -> None:
    listener = sockets.listener()
    listener.setblocking(False)

    async def main() -> bytes:
        loop = asyncio.get_running_loop()
        client = sockets.new()
        client.setblocking(False)
        await loop.sock_connect(client, listener.getsockname())
        accepted, _ = await loop.sock_accept(listener)
        sockets.track(accepted)
        accepted.setblocking(False)
        await loop.sock_sendall(client, b"ping")
        assert await loop.sock_recv(accepted, 10) == b"ping"
        buffer = bytearray(4)
        await loop.sock_sendall(accepted, b"pong")
        assert await loop.sock_recv_into(client, buffer) == 4
        assert buffer == b"pong"

        other = sockets.new()
        other.connect(listener.getsockname())
        received: asyncio.Future[bytes] = loop.create_future()

        class Echo(asyncio.Protocol):
            def data_received(self, data: bytes) -> None:
                received.set_result(data)

        transport, _ = await loop.create_connection(Echo, sock=other)
        peer, _ = await loop.sock_accept(listener)
        sockets.track(peer)
        await loop.sock_sendall(peer, b"via transport")
        data = await asyncio.wait_for(received, 10)
        transport.close()
        await asyncio.sleep(0)
        return data

    assert asyncio.run(main()) == b"via transport"


@pytest.mark.requires("interop:selectors")
def test_selectors(sockets: SocketFactory) -> None:
    a, b = sockets.tcp_pair()
    with selectors.DefaultSelector() as selector:
        selector.register(b, selectors.EVENT_READ, data="b")
        assert selector.select(timeout=0) == []
        a.sendall(b"wake")
        events = selector.select(timeout=5)
        assert [(key.fileobj, key.data, mask) for key, mask in events] == [
            (b, "b", selectors.EVENT_READ)
        ]


@pytest.fixture
def served(flavour: Flavour) -> Iterator[Any]:
    """Install a backend socket into a socketserver server, serve it in a thread."""
    servers: list[tuple[socketserver.TCPServer, threading.Thread]] = []

    def serve(server_class: type[socketserver.TCPServer], handler: Any) -> socketserver.TCPServer:
        server = server_class(("127.0.0.1", 0), handler, bind_and_activate=False)
        server.socket.close()
        server.socket = flavour.socket(socket.AF_INET, socket.SOCK_STREAM)
        server.server_bind()
        server.server_activate()
        thread = serve_in_thread(server.serve_forever, 0.05)
        servers.append((server, thread))
        return server

    yield serve
    for server, thread in servers:
        server.shutdown()
        server.server_close()
        thread.join(10)


@pytest.mark.requires("interop:socketserver")
def test_socketserver(served: Any, sockets: SocketFactory) -> None:
    class Upper(socketserver.StreamRequestHandler):
        def handle(self) -> None:
            assert type(self.request).__module__ != "socket"  # the backend's own class
            self.wfile.write(self.rfile.readline().upper())

    server = served(socketserver.TCPServer, Upper)
    client = sockets.new()
    client.settimeout(10)
    client.connect(server.server_address)
    client.sendall(b"shout\n")
    with client.makefile("rb") as reply:
        assert reply.readline() == b"SHOUT\n"


@pytest.mark.requires("interop:http")
def test_http_client_and_server(served: Any, sockets: SocketFactory) -> None:
    class Hello(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = b"hello " + self.path.encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = served(http.server.HTTPServer, Hello)
    host, port = server.server_address[:2]
    connection = http.client.HTTPConnection(host, port, timeout=10)
    sock = sockets.new()
    sock.settimeout(10)
    sock.connect(server.server_address)
    connection.sock = sock  # http.client talks over the backend's socket
    connection.request("GET", "/multisock")
    response = connection.getresponse()
    assert (response.status, response.read()) == (200, b"hello /multisock")
    connection.close()
