"""Reading outside addresses: a loopback server stands in for the world, and
every address inside the network is refused unless a setting trusts it."""

from __future__ import annotations

import socket
import ssl
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pytest
from django.test import override_settings

from dateline.core.fetch import (
    AddressNotAllowedError,
    FetchError,
    check_url,
    fetch_url,
    read_location,
)
from tests.loopback import resolve_as, serve

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from tests.loopback import Site

PAGES = {"/small": b"x" * 100, "/large": b"y" * 5000}
NOT_ALLOWED = "the address is not allowed (it points inside the network)."
# An address outside that the tests' DNS may give a name (it is never
# connected to: every such test is refused before connecting).
OUTSIDE = "93.184.215.14"


@pytest.fixture(scope="module")
def server() -> Iterator[Site]:
    with serve(PAGES) as site:
        yield site


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- reading ------------------------------------------------------------------


@pytest.mark.usefixtures("fetch_from_loopback")
def test_a_body_within_the_cap_is_returned_whole(server: Site) -> None:
    assert fetch_url(server.url("/small"), max_bytes=100) == b"x" * 100


@pytest.mark.usefixtures("fetch_from_loopback")
def test_a_body_over_the_cap_is_refused_not_cut(server: Site) -> None:
    with pytest.raises(FetchError, match="larger than 1,000 bytes"):
        fetch_url(server.url("/large"), max_bytes=1000)


@pytest.mark.usefixtures("fetch_from_loopback")
def test_an_error_status_is_named(server: Site) -> None:
    with pytest.raises(FetchError, match="answered 404"):
        fetch_url(server.url("/missing"), max_bytes=1000)


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://example.org/x", "gopher://x"]
)
def test_only_http_addresses_are_fetched(url: str) -> None:
    with pytest.raises(FetchError, match="only http and https"):
        fetch_url(url, max_bytes=1000)


@pytest.mark.usefixtures("fetch_from_loopback")
def test_nothing_listening_is_a_plain_error_without_the_systems_reason() -> None:
    url = f"http://127.0.0.1:{free_port()}/"
    with pytest.raises(FetchError) as error:
        fetch_url(url, max_bytes=1000, timeout=2)
    assert str(error.value) == f"{url}: could not be fetched."


@pytest.mark.usefixtures("fetch_from_loopback")
def test_a_location_is_a_file_or_an_address(tmp_path, server: Site) -> None:
    path = tmp_path / "sheet.xml"
    path.write_bytes(b"<x/>")
    assert read_location(str(path), max_bytes=10) == b"<x/>"
    assert read_location(server.url("/small"), max_bytes=100) == b"x" * 100
    with pytest.raises(FetchError, match="no such file"):
        read_location(str(tmp_path / "absent.xml"), max_bytes=10)
    with pytest.raises(FetchError, match="larger than 3 bytes"):
        read_location(str(path), max_bytes=3)


# --- addresses inside the network ---------------------------------------------


@pytest.mark.parametrize(
    "host",
    [
        # loopback, and the forms a resolver reads as loopback
        "127.0.0.1", "127.8.9.10", "2130706433", "0x7f.1", "127.1", "[::1]",
        # private (RFC 1918), unique-local, carrier-grade NAT
        "10.0.0.1", "172.16.5.4", "192.168.1.1", "[fc00::1]", "[fd12:3456::1]",
        "100.64.0.1",
        # link-local, the cloud metadata address among them
        "169.254.169.254", "169.254.0.1", "[fe80::1]",
        # unspecified, multicast, reserved, documentation and benchmark ranges
        "0.0.0.0", "[::]", "224.0.0.1", "[ff02::1]", "240.0.0.1",
        "255.255.255.255", "192.0.2.1", "198.18.0.1", "[fec0::1]",
        # IPv6 forms of IPv4 addresses inside: mapped, compatible, 6to4, NAT64
        "[::ffff:127.0.0.1]", "[::ffff:169.254.169.254]", "[::ffff:10.0.0.1]",
        "[::127.0.0.1]", "[2002:7f00:1::]", "[2002:a00:1::]", "[64:ff9b::a00:1]",
    ],
)  # fmt: skip
def test_every_kind_of_inside_address_is_refused(host: str) -> None:
    url = f"http://{host}/latest/meta-data/"
    with pytest.raises(AddressNotAllowedError) as error:
        fetch_url(url, max_bytes=1000, timeout=2)
    assert str(error.value) == f"{url}: {NOT_ALLOWED}"


@pytest.mark.parametrize(
    "host",
    [
        "localhost", "LOCALHOST.", "api.localhost", "metadata.google.internal",
        "printer.local", "router.home.arpa", "box.localdomain",
    ],
)  # fmt: skip
def test_names_that_only_mean_something_inside_are_refused(host: str) -> None:
    with pytest.raises(AddressNotAllowedError, match="points inside the network"):
        fetch_url(f"http://{host}:8080/", max_bytes=1000, timeout=2)


@pytest.mark.parametrize(
    "addresses",
    [["10.1.2.3"], ["fd00::7"], [OUTSIDE, "192.168.0.10"], ["::ffff:172.17.0.1"]],
)
def test_a_name_that_resolves_inside_is_refused_if_any_address_is(
    monkeypatch: pytest.MonkeyPatch, addresses: list[str]
) -> None:
    resolve_as(monkeypatch, {"feeds.partner.example": addresses})
    url = "https://feeds.partner.example/news.xml"
    with pytest.raises(AddressNotAllowedError) as error:
        fetch_url(url, max_bytes=1000, timeout=2)
    assert str(error.value) == f"{url}: {NOT_ALLOWED}"
    for address in addresses:
        assert address not in str(error.value)


def test_an_open_and_a_closed_internal_port_give_the_same_answer(
    server: Site,
) -> None:
    port = server.base.rsplit(":", 1)[1]
    asked = len(server.requests)
    answers = []
    for address in (f"127.0.0.1:{port}", f"127.0.0.1:{free_port()}"):
        with pytest.raises(FetchError) as error:
            fetch_url(f"http://{address}/small", max_bytes=1000, timeout=2)
        answers.append(str(error.value).replace(address, "HOST"))
    assert answers[0] == answers[1] == f"http://HOST/small: {NOT_ALLOWED}"
    assert len(server.requests) == asked  # refused before connecting


def test_a_name_in_another_script_is_looked_up_in_its_ascii_form(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    looked_up = resolve_as(monkeypatch, {"xn--e1afmkfd.example": ["10.0.0.3"]})
    with pytest.raises(AddressNotAllowedError):
        fetch_url("https://пример.example/feed.xml", max_bytes=10)
    assert looked_up == ["xn--e1afmkfd.example"]
    with pytest.raises(FetchError, match="not a web address"):
        fetch_url(f"https://{'a' * 70}.example/", max_bytes=10)


def test_the_form_check_refuses_inside_and_lets_an_unknown_name_pass(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    resolve_as(monkeypatch, {"wire.example": [OUTSIDE], "intra.example": ["10.9.8.7"]})
    check_url("https://wire.example/feed.xml")
    check_url("https://not-yet.example/feed.xml")  # may resolve later
    with pytest.raises(AddressNotAllowedError):
        check_url("https://intra.example/feed.xml")
    with pytest.raises(AddressNotAllowedError):
        check_url("http://[::1]:8000/")


# --- what a setting allows ------------------------------------------------------


def test_allowing_private_addresses_lets_loopback_through(server: Site) -> None:
    with override_settings(DATELINE_FETCH_ALLOW_PRIVATE=True):
        assert fetch_url(server.url("/small"), max_bytes=100) == b"x" * 100
        port = server.base.rsplit(":", 1)[1]
        assert fetch_url(f"http://localhost:{port}/small", max_bytes=100)


def test_an_allowed_network_trusts_only_its_own_addresses(server: Site) -> None:
    port = server.base.rsplit(":", 1)[1]
    with override_settings(DATELINE_FETCH_ALLOWED_NETWORKS=["127.0.0.1/32"]):
        assert fetch_url(server.url("/small"), max_bytes=100) == b"x" * 100
        with pytest.raises(AddressNotAllowedError):
            fetch_url(f"http://127.0.0.2:{port}/small", max_bytes=100, timeout=2)
        with pytest.raises(AddressNotAllowedError):
            fetch_url("http://10.0.0.1/", max_bytes=100, timeout=2)


@pytest.mark.usefixtures("fetch_from_loopback")
def test_the_checked_address_is_the_one_connected_to_under_the_names_host(
    server: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One lookup per hop: a resolver that answers differently the second
    time (DNS rebinding) is never asked again before connecting."""
    real = socket.getaddrinfo
    lookups: list[str] = []

    def rebinding(host: str, port: int, *args: object, **kwargs: object) -> object:
        if host != "feeds.partner.example":
            return real(host, port, *args, **kwargs)  # type: ignore[arg-type]
        lookups.append(host)
        address = "127.0.0.1" if len(lookups) == 1 else "10.0.0.1"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    port = server.base.rsplit(":", 1)[1]
    body = fetch_url(f"http://feeds.partner.example:{port}/small", max_bytes=100)
    assert body == b"x" * 100
    assert server.hosts[-1] == f"feeds.partner.example:{port}"
    assert lookups == ["feeds.partner.example"]


# --- redirects ----------------------------------------------------------------


@pytest.fixture
def redirects(server: Site) -> Iterator[Site]:
    port = server.base.rsplit(":", 1)[1]
    pages = {
        "/to-metadata": (302, b"", {"Location": "http://169.254.169.254/latest/"}),
        "/to-private": (301, b"", {"Location": "http://10.0.0.1:8080/admin"}),
        "/to-other-loopback": (
            307,
            b"",
            {"Location": f"http://127.0.0.2:{port}/small"},
        ),
        "/to-localhost": (302, b"", {"Location": f"http://localhost:{port}/small"}),
        "/to-file": (302, b"", {"Location": "file:///etc/passwd"}),
        "/to-small": (302, b"", {"Location": "/small"}),
        "/loop": (302, b"", {"Location": "/loop"}),
    }
    server.pages.update(pages)
    yield server
    for path in pages:
        del server.pages[path]


@pytest.mark.parametrize(
    "path", ["/to-metadata", "/to-private", "/to-other-loopback", "/to-localhost"]
)
def test_a_redirect_to_an_inside_address_is_refused_from_a_trusted_server(
    redirects: Site, path: str
) -> None:
    with (
        override_settings(DATELINE_FETCH_ALLOWED_NETWORKS=["127.0.0.1/32"]),
        pytest.raises(AddressNotAllowedError) as error,
    ):
        fetch_url(redirects.url(path), max_bytes=1000, timeout=2)
    assert str(error.value) == f"{redirects.url(path)}: {NOT_ALLOWED}"
    assert redirects.requests[-1] == path  # never reached /small


@pytest.mark.usefixtures("fetch_from_loopback")
def test_redirects_are_followed_within_a_limit_and_to_web_addresses_only(
    redirects: Site,
) -> None:
    assert fetch_url(redirects.url("/to-small"), max_bytes=100) == b"x" * 100
    with pytest.raises(FetchError, match="too many redirects"):
        fetch_url(redirects.url("/loop"), max_bytes=100)
    with pytest.raises(FetchError, match="only http and https") as error:
        fetch_url(redirects.url("/to-file"), max_bytes=100)
    assert "/etc/passwd" not in str(error.value)


# --- TLS: the name is checked, the checked address connected to ----------------


def certificate_authority(tmp_path: Path, name: str) -> tuple[Path, ssl.SSLContext]:
    """A CA of the test's own (its file) and a server context for ``name``."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    # OpenSSL checks validity against the real clock: a wide, fixed window.
    valid = (datetime(2000, 1, 1, tzinfo=UTC), datetime(2099, 12, 31, tzinfo=UTC))

    def certificate(
        subject: str,
        key: ec.EllipticCurvePrivateKey,
        issuer: x509.Name | None,
        signer: ec.EllipticCurvePrivateKey,
        *,
        ca: bool,
    ) -> x509.Certificate:
        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
            .issuer_name(
                issuer or x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)])
            )
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(valid[0])
            .not_valid_after(valid[1])
            .add_extension(
                x509.BasicConstraints(ca=ca, path_length=None), critical=True
            )
        )
        if not ca:
            builder = builder.add_extension(
                x509.SubjectAlternativeName([x509.DNSName(subject)]), critical=False
            )
        return builder.sign(signer, hashes.SHA256())

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_cert = certificate("Dateline test CA", ca_key, None, ca_key, ca=True)
    server_key = ec.generate_private_key(ec.SECP256R1())
    server_cert = certificate(name, server_key, ca_cert.subject, ca_key, ca=False)
    ca_file = tmp_path / "ca.pem"
    ca_file.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    chain = tmp_path / "server.pem"
    chain.write_bytes(
        server_cert.public_bytes(serialization.Encoding.PEM)
        + server_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(chain)
    return ca_file, context


@pytest.mark.usefixtures("fetch_from_loopback")
def test_over_tls_the_certificate_is_checked_against_the_name_not_the_address(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ca_file, context = certificate_authority(tmp_path, "feeds.partner.example")
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))  # OpenSSL's default store
    resolve_as(
        monkeypatch,
        {"feeds.partner.example": ["127.0.0.1"], "other.example": ["127.0.0.1"]},
    )
    with serve(PAGES, tls=context) as site:
        port = site.base.rsplit(":", 1)[1]
        body = fetch_url(f"https://feeds.partner.example:{port}/small", max_bytes=100)
        assert body == b"x" * 100
        assert site.hosts == [f"feeds.partner.example:{port}"]
        # The same address under a name the certificate does not hold.
        url = f"https://other.example:{port}/small"
        with pytest.raises(FetchError) as error:
            fetch_url(url, max_bytes=100, timeout=5)
        assert str(error.value) == f"{url}: could not be fetched."
        assert len(site.hosts) == 1
