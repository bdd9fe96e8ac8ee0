"""A real RFC 3161 time-stamp authority on loopback, for tests: ``openssl ts -reply``
behind a small HTTP handler, with its own root and a timeStamping certificate.

Nothing here is a stand-in: the C2PA SDK posts a real time-stamp query and gets
back what OpenSSL's TSA signs. No tests here.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CONFIG = """\
[ tsa ]
default_tsa = local
[ local ]
dir = {dir}
serial = $dir/serial
crypto_device = builtin
signer_cert = $dir/tsa.pem
certs = $dir/tsa.pem
signer_key = $dir/tsa.key
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = yes
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
"""


@dataclass
class LocalTSA:
    url: str
    root_pem: str  # the TSA's root: trust it to honour its time-stamps
    queries: list[int]  # the size of each time-stamp query received


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Local TSA")])


def _certs(folder: Path) -> str:
    now = dt.datetime.now(dt.UTC)
    root_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())

    def base(subject: str, public: ec.EllipticCurvePublicKey) -> x509.CertificateBuilder:
        return (x509.CertificateBuilder().subject_name(_name(subject))
                .issuer_name(_name("local tsa root")).public_key(public)
                .serial_number(x509.random_serial_number())
                .not_valid_before(now - dt.timedelta(days=1))
                .not_valid_after(now + dt.timedelta(days=365))
                .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), False))

    root = (base("local tsa root", root_key.public_key())
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False,
                                         False), critical=True)
            .sign(root_key, hashes.SHA256()))
    leaf = (base("local tsa", key.public_key())
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(True, False, False, False, False, False, False, False,
                                         False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]),
                           critical=True)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                root_key.public_key()), False)
            .sign(root_key, hashes.SHA256()))
    (folder / "tsa.pem").write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    (folder / "tsa.key").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    (folder / "serial").write_text("01\n")
    (folder / "ts.cnf").write_text(CONFIG.format(dir=folder))
    return root.public_bytes(serialization.Encoding.PEM).decode()


@contextmanager
def local_tsa(folder: Path) -> Iterator[LocalTSA]:
    """Serve a TSA on 127.0.0.1 until the block ends."""
    openssl = shutil.which("openssl")
    if openssl is None:
        raise RuntimeError("openssl is not installed (scripts/system-deps.sh installs it)")
    folder.mkdir(parents=True, exist_ok=True)
    root_pem = _certs(folder)
    lock = threading.Lock()
    queries: list[int] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            with lock:  # one openssl at a time: it bumps the serial file
                queries.append(len(body))
                (folder / "query.tsq").write_bytes(body)
                done = subprocess.run(
                    [openssl, "ts", "-reply", "-config", str(folder / "ts.cnf"),
                     "-queryfile", str(folder / "query.tsq"), "-out",
                     str(folder / "reply.tsr")], capture_output=True, timeout=30, check=False)
                reply = (folder / "reply.tsr").read_bytes() if done.returncode == 0 else b""
            self.send_response(200 if reply else 500)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LocalTSA(f"http://127.0.0.1:{server.server_address[1]}/", root_pem, queries)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
