"""TLS between the routers: CloudTwo's frontends serve https with a cert of a test CA."""

import datetime
import ipaddress
import ssl

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

pytestmark = pytest.mark.haproxy

WIRE = (
    '{"compute":"CloudOne","identity":"CloudOne","image":"CloudTwo",'
    '"network":"CloudOne","placement":"CloudOne"}'
)


def _name(text):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, text)])


def make_ca(directory, name):
    """A CA and a cert for 127.0.0.2 signed by it: (ca.pem, server.pem with its key)."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(_name(name))
        .issuer_name(_name(name))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("127.0.0.2"))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.2")), x509.DNSName("127.0.0.2")]
            ),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    directory.mkdir(parents=True, exist_ok=True)
    ca_path, server_path = directory / "ca.pem", directory / "server.pem"
    ca_path.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    server_path.write_bytes(
        cert.public_bytes(serialization.Encoding.PEM)
        + key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return ca_path, server_path


def test_cloudone_reaches_cloudtwo_over_verified_tls(make_clouds, tmp_path):
    ca, server = make_ca(tmp_path / "pki", "osc-scope test CA")
    clouds = make_clouds(https={"CloudTwo"})
    clouds.start("CloudTwo", tls_cert=server)
    clouds.start("CloudOne", ca_file=ca)
    clouds.wait_ready()
    config = (tmp_path / "set0" / "CloudOne" / "haproxy.cfg").read_text()
    assert "ssl verify required ca-file" in config and "sni str(127.0.0.2)" in config

    status, body = clouds.request("CloudOne", "/image/v2", {"X-Auth-Token": f"tok!SCOPE!{WIRE}"})
    assert (status, body["cloud"], body["service"]) == (200, "CloudTwo", "image")

    context = ssl.create_default_context(cafile=str(ca))
    status, body = clouds.request("CloudTwo", "/image/v2", context=context)
    assert (status, body["cloud"]) == (200, "CloudTwo")


def test_a_cert_from_another_ca_is_refused(make_clouds, tmp_path):
    _, server = make_ca(tmp_path / "pki", "osc-scope test CA")
    other_ca, _ = make_ca(tmp_path / "other", "another CA")
    clouds = make_clouds(https={"CloudTwo"})
    clouds.start("CloudTwo", tls_cert=server)
    clouds.start("CloudOne", ca_file=other_ca)
    status, body = clouds.request("CloudOne", "/image/v2", {"X-Auth-Token": f"tok!SCOPE!{WIRE}"})
    assert status == 503
    assert body["error"]["code"] == 503 and "CloudTwo" in body["error"]["message"]
