"""Fetching over TLS from a real HTTPS server on 127.0.0.1 with a certificate made here.

The fetcher reads its trusted certificates only when the first TLS connection is made; these
tests check that verification still happens and that ``SSL_CERT_FILE`` is still honoured.
"""

from __future__ import annotations

import http.server
import shutil
import ssl
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tui_reader.core.errors import FetchError
from tui_reader.core.fetch import FetchConfig, Fetcher, TrustOnFirstUse

pytestmark = pytest.mark.skipif(
    shutil.which("openssl") is None, reason="needs the openssl command to make a certificate"
)


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        body = b"<rss version='2.0'><channel><title>Over TLS</title></channel></rss>"
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture
def https_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """An HTTPS server with a self-signed certificate for 127.0.0.1: (its URL, the cert)."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],  # fmt: skip
        check=True,
        capture_output=True,
    )
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}/feed.xml", cert
    finally:
        server.shutdown()
        server.server_close()


def test_trust_is_read_at_the_first_connection() -> None:
    context = TrustOnFirstUse()
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    assert context.cert_store_stats()["x509_ca"] == 0
    context.wrap_bio(ssl.MemoryBIO(), ssl.MemoryBIO(), server_hostname="example.org")
    assert context.cert_store_stats()["x509_ca"] > 0


async def test_a_certificate_the_user_trusts_is_accepted(
    https_server: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, cert = https_server
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    async with Fetcher(FetchConfig(retries=0)) as fetcher:
        result = await fetcher.fetch(url)
    assert b"Over TLS" in result.content


async def test_an_untrusted_certificate_is_refused(
    https_server: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, _ = https_server
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    async with Fetcher(FetchConfig(retries=0)) as fetcher:
        with pytest.raises(FetchError) as caught:
            await fetcher.fetch(url)
    assert "\n" not in str(caught.value)
    assert "certificate" in str(caught.value).lower() or "ssl" in str(caught.value).lower()
