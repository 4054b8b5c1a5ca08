"""Certificates made at test time: a CA, a server certificate for the test domain, an unrelated
("rogue") CA, and a client certificate. Nothing is committed; everything lives in a temp dir."""
import base64
import datetime
import hashlib
import os
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


@dataclass
class PKI:
    ca_file: str
    ca_key_file: str
    cert_file: str
    key_file: str
    rogue_ca_file: str
    client_cert_file: str
    client_key_file: str
    server_pin: str  # base64 SHA-256 of the server's SubjectPublicKeyInfo
    wrong_name_cert_file: str  # signed by the test CA, but for another domain
    wrong_name_key_file: str


def _key():
    return ec.generate_private_key(ec.SECP256R1())


def _write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def _pem_key(key):
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                             serialization.NoEncryption())


def _ca(name):
    key = _key()
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                         content_commitment=False, key_encipherment=False, data_encipherment=False,
                                         key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
            .sign(key, hashes.SHA256()))
    return key, cert


def _leaf(ca_key, ca_cert, common_name, dns_names, client=False):
    key = _key()
    now = datetime.datetime.now(datetime.timezone.utc)
    usage = x509.oid.ExtendedKeyUsageOID.CLIENT_AUTH if client else x509.oid.ExtendedKeyUsageOID.SERVER_AUTH
    builder = (x509.CertificateBuilder()
               .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)]))
               .issuer_name(ca_cert.subject).public_key(key.public_key())
               .serial_number(x509.random_serial_number())
               .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=30))
               .add_extension(x509.ExtendedKeyUsage([usage]), critical=False))
    if dns_names:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in dns_names]),
                                        critical=False)
    return key, builder.sign(ca_key, hashes.SHA256())


def make_pki(directory, domain, client_jid):
    """Writes all certificates for `domain` into `directory` and returns their paths."""
    os.makedirs(directory, exist_ok=True)
    ca_key, ca_cert = _ca("Kinglet Test CA")
    server_key, server_cert = _leaf(ca_key, ca_cert, domain, [domain, "*." + domain])
    _, rogue_cert = _ca("Rogue CA")
    client_key, client_cert = _leaf(ca_key, ca_cert, client_jid, [], client=True)
    wrong_key, wrong_cert = _leaf(ca_key, ca_cert, "elsewhere.test", ["elsewhere.test"])
    p = lambda name: os.path.join(directory, name)
    _write(p("ca.pem"), ca_cert.public_bytes(serialization.Encoding.PEM))
    _write(p("ca.key"), _pem_key(ca_key))
    # Prosody serves the chain it is given; the leaf alone is enough with the CA configured.
    _write(p("server.pem"), server_cert.public_bytes(serialization.Encoding.PEM))
    _write(p("server.key"), _pem_key(server_key))
    _write(p("rogue-ca.pem"), rogue_cert.public_bytes(serialization.Encoding.PEM))
    _write(p("client.pem"), client_cert.public_bytes(serialization.Encoding.PEM))
    _write(p("client.key"), _pem_key(client_key))
    _write(p("wrong-name.pem"), wrong_cert.public_bytes(serialization.Encoding.PEM))
    _write(p("wrong-name.key"), _pem_key(wrong_key))
    os.chmod(p("server.key"), 0o600)
    os.chmod(p("client.key"), 0o600)
    spki = server_cert.public_key().public_bytes(serialization.Encoding.DER,
                                                 serialization.PublicFormat.SubjectPublicKeyInfo)
    pin = base64.b64encode(hashlib.sha256(spki).digest()).decode()
    return PKI(p("ca.pem"), p("ca.key"), p("server.pem"), p("server.key"), p("rogue-ca.pem"),
               p("client.pem"), p("client.key"), pin, p("wrong-name.pem"), p("wrong-name.key"))
