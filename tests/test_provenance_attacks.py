"""The attack table: each row is one way a forger (or the world) goes after a rendered,
signed production, and the verdict ``verify_asset`` must give.

The production is the tiny fight rendered for real at 1280x720 by the previz backend
and sealed by the engine (watermarked, signed, logged); each row works on a fresh
copy of it and of the user's configuration.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import av
import cv2
import numpy as np
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID

from aktion.provenance import certs as C
from aktion.provenance.checkpoint import checkpoint_path, write_checkpoint
from aktion.provenance.credentials import sign_asset
from aktion.provenance.identity import Identity, create_identity, install_identity
from aktion.provenance.ledger import Entry, Ledger
from aktion.provenance.step_signing import ledger_append, sign_outputs
from aktion.provenance.trust import TrustStore
from aktion.provenance.verify import Verdict, verify_asset
from conftest import TOML, write_production
from local_tsa import local_tsa
from test_canvas import render
from test_provenance_support import write_png

WIDE = TOML.replace("width = 160", "width = 1280").replace("height = 96", "height = 720")


@dataclass
class World:
    root: Path  # the production
    tmp: Path
    mp: pytest.MonkeyPatch
    expired: dict[str, Path | str] = field(default_factory=dict)  # for the rows needing it

    @property
    def cut(self) -> Path:
        return self.root / "out" / "roof.mp4"

    @property
    def ledger(self) -> Ledger:
        return Ledger.for_production(self.root)

    def stranger(self) -> Identity:
        """An identity made on someone else's machine (their own configuration)."""
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("AKTION_HOME", str(self.tmp / "stranger-home"))
            return create_identity("stranger", force=True)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("rendered")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("AKTION_HOME", str(base / "home"))
        mp.delenv("AKTION_IDENTITY", raising=False)
        root = write_production(base / "tiny", toml=WIDE)
        install_identity(root, create_identity("studio"))
        _, summary = render(root)
        assert summary.ok, [o.error for o in summary.outcomes if o.error]
    return root, base / "home"


def _short_lived_chain(seconds: int) -> tuple[str, str, ec.EllipticCurvePrivateKey]:
    """A root and a signing certificate that expires ``seconds`` from now."""
    now = dt.datetime.now(dt.UTC)
    root_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    root_name = C._name("brief root", "local signing root")
    root = C._issue(root_name, root_key, root_name, root_key, 30, 0, ca=True)
    leaf = (x509.CertificateBuilder().subject_name(C._name("brief", "signing"))
            .issuer_name(root_name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(seconds=seconds))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(C._usage(sign_certs=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                root_key.public_key()), False)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), False)
            .sign(root_key, hashes.SHA256()))
    return C.certs_pem([leaf]), C.certs_pem([root]), key


@pytest.fixture(scope="module")
def expired(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path | str]]:
    """Two images signed by a certificate that has since expired: one time-stamped by a
    TSA on loopback, one not. Signed once, then the certificate is left to expire."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed (scripts/system-deps.sh installs it)")
    base = tmp_path_factory.mktemp("expired")
    chain, root, key = _short_lived_chain(seconds=2)
    keyfile = base / "key.pem"
    keyfile.write_bytes(C.key_pem(key))
    keyfile.chmod(0o600)
    with local_tsa(base / "tsa") as tsa:
        out: dict[str, Path | str] = {"root": root, "tsa_root": tsa.root_pem}
        for name, url in (("stamped", tsa.url), ("unstamped", None)):
            ident = Identity("brief", chain, root, "es256", key_path=keyfile, tsa_url=url)
            dst = base / f"{name}.png"
            sign_asset(write_png(base / f"raw-{name}.png", 16), dst, asset_kind="layout",
                       digital_source_type="algorithmicMedia", identity=ident)
            out[name] = dst
        assert len(tsa.queries) == 1  # the SDK asked the TSA once: for the stamped file
    not_after = C.load_certs(chain)[0].not_valid_after_utc
    while dt.datetime.now(dt.UTC) <= not_after + dt.timedelta(seconds=1):
        time.sleep(0.2)  # a wait for a fixed instant, not a timing assertion
    yield out


@pytest.fixture
def world(rendered: tuple[Path, Path], tmp_path: Path,
          monkeypatch: pytest.MonkeyPatch) -> World:
    root, home = rendered
    shutil.copytree(root, tmp_path / "tiny", symlinks=True)
    shutil.copytree(home, tmp_path / "home")
    monkeypatch.setenv("AKTION_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("AKTION_IDENTITY", raising=False)
    return World(tmp_path / "tiny", tmp_path, monkeypatch)


# --- the attacks ---------------------------------------------------------------------

def untouched(w: World) -> Path:
    return w.cut


def flipped_byte(w: World) -> Path:
    data = bytearray(w.cut.read_bytes())
    at = data.find(b"mdat") + 4096
    data[at] ^= 0x01
    w.cut.write_bytes(bytes(data))
    return w.cut


def _resign(entry: Entry, by: Identity, **changes: object) -> Entry:
    e = Entry(**{**asdict(entry), **changes, "hash": "", "sig": "", "alg": by.alg})
    e = Entry(**{**asdict(e), "hash": e.computed_hash()})
    import base64

    return Entry(**{**asdict(e), "sig": base64.b64encode(by.sign(e.signed_bytes())).decode()})


def _keep_chain(w: World, who: Identity) -> None:
    (w.ledger.signers_dir / f"{who.fingerprint}.pem").write_text(who.chain_pem)


def forged_ledger_tail(w: World) -> Path:
    """Rewrite the cut's entry (new signer, new time), recompute the chain after it, sign
    it all with the forger's key and write a fresh checkpoint."""
    forger = w.stranger()
    _keep_chain(w, forger)
    entries = w.ledger.entries()
    at = next(e.index for e in entries if e.step_kind == "cut")
    out, prev = [], None
    for e in entries:
        if e.index >= at:
            e = _resign(e, forger, signer=forger.fingerprint, prev=prev.hash if prev else e.prev,
                        time="2031-01-01T00:00:00.000+00:00" if e.index == at else e.time)
        out.append(e)
        prev = e
    w.ledger.path.write_bytes(b"".join(e.line() for e in out))
    write_checkpoint(w.ledger, out[-1], forger)
    return w.cut


def appended_entry(w: World) -> Path:
    """Append an entry claiming another output, signed by the forger (checkpoint too)."""
    forger = w.stranger()
    w.ledger.append("forged-key", step_kind="render", inputs={}, outputs={"video": "ab" * 32},
                    signer=forger)
    return w.cut


def truncated_ledger(w: World) -> Path:
    lines = w.ledger.path.read_bytes().splitlines(keepends=True)
    w.ledger.path.write_bytes(b"".join(lines[:-2]))  # the cut's entry and the sheet's
    return w.cut


def emptied_ledger(w: World) -> Path:
    w.ledger.path.write_bytes(b"")
    return w.cut


def deleted_ledger(w: World) -> Path:
    w.ledger.path.unlink()
    return w.cut


def deleted_ledger_and_checkpoint(w: World) -> Path:
    w.ledger.path.unlink()
    checkpoint_path(w.ledger).unlink()
    return w.cut


def strangers_anchor_beside_the_file(w: World) -> Path:
    """A stranger re-signs a copy of a shot and ships it in a production of their own,
    with their root as its suggested anchor and a ledger of their own."""
    forger = w.stranger()
    theirs = write_production(w.tmp / "theirs", toml=WIDE)
    install_identity(theirs, forger)
    raw = theirs / ".aktion" / "tmp" / "clip.mp4"
    raw.parent.mkdir(parents=True)
    with av.open(str(w.cut)) as inp, av.open(str(raw), "w") as out:  # the pixels, no manifest
        s = inp.streams.video[0]
        o = out.add_stream_from_template(s)
        for p in inp.demux(s):
            if p.dts is not None:
                p.stream = o
                out.mux(p)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("AKTION_HOME", str(w.tmp / "stranger-home"))
        signed = sign_outputs(theirs, "render", "k", {"video": raw}, {}, {
            "step_kind": "render", "step_key": "k", "backend": "previz"}, forger)
        ledger_append(theirs, "render", "k", {}, signed, forger)
    return raw


def expired_but_stamped(w: World) -> Path:
    TrustStore().add(C.load_certs(str(w.expired["root"])), label="brief", source="test")
    TrustStore().add(C.load_certs(str(w.expired["tsa_root"])), label="tsa", source="test")
    return Path(w.expired["stamped"])


def expired_without_stamp(w: World) -> Path:
    expired_but_stamped(w)
    return Path(w.expired["unstamped"])


def _remux(src: Path, dst: Path) -> Path:
    with av.open(str(src)) as inp, av.open(str(dst), "w") as out:
        s = inp.streams.video[0]
        o = out.add_stream_from_template(s)
        for p in inp.demux(s):
            if p.dts is not None:
                p.stream = o
                out.mux(p)
    return dst


def stripped_manifest(w: World) -> Path:
    """What a stream copy through a tool that drops unknown boxes does."""
    return _remux(w.cut, w.tmp / "stripped.mp4")


def _reencode(src: Path, dst: Path, crf: int, scale: float = 1.0,
              crop: float = 0.0) -> Path:
    with av.open(str(src)) as inp:
        frames = [f.to_ndarray(format="rgb24") for f in inp.decode(video=0)]
    h, w = frames[0].shape[:2]
    if crop:
        dy, dx = int(h * crop / 2) // 2 * 2, int(w * crop / 2) // 2 * 2
        frames = [f[dy:h - dy, dx:w - dx] for f in frames]
    if scale != 1.0:
        size = (int(w * scale) // 2 * 2, int(h * scale) // 2 * 2)
        frames = [cv2.resize(f, size, interpolation=cv2.INTER_AREA) for f in frames]
    with av.open(str(dst), "w") as out:
        s = out.add_stream("libx264", rate=24)
        s.height, s.width = frames[0].shape[:2]
        s.pix_fmt, s.options = "yuv420p", {"crf": str(crf), "preset": "veryfast"}
        for f in frames:
            out.mux(s.encode(av.VideoFrame.from_ndarray(np.ascontiguousarray(f), "rgb24")))
        out.mux(s.encode(None))
    return dst


def reencoded_crf28(w: World) -> Path:
    """A re-encode at CRF 28 (x264 defaults to 23)."""
    return _reencode(w.cut, w.tmp / "crf28.mp4", 28)


def scaled_to_half(w: World) -> Path:
    return _reencode(w.cut, w.tmp / "half.mp4", 18, scale=0.5)


def cropped_10_percent(w: World) -> Path:
    return _reencode(w.cut, w.tmp / "crop.mp4", 18, crop=0.10)


def _recovered_to_a_trusted_shot(v: Verdict) -> bool:
    r = v.recovered or {}
    return bool(r.get("found") and r.get("original_status") == "trusted"
                and r.get("original_ok") and r.get("step_kind") == "render"
                and any(u["step_kind"] == "cut" for u in r.get("used_in", []))
                and r.get("manifest") == r.get("original_manifest"))


@dataclass(frozen=True)
class Attack:
    do: Callable[[World], Path]
    status: str  # the verdict's status: the C2PA SDK's class of the file
    says: str  # words one of the verdict's problems must contain ("" when none expected)
    ok: bool = False
    holds: Callable[[Verdict], bool] = lambda v: True  # anything else that must hold
    outside: bool = False  # verified on its own, with no production around it


ATTACKS = [
    Attack(untouched, "trusted", "", ok=True,
           holds=lambda v: (v.anchor or {}).get("label") == "identity studio"
           and v.hard_binding == "match"),
    Attack(flipped_byte, "invalid", "assertion.bmffHash.mismatch",
           holds=lambda v: v.hard_binding == "mismatch"),
    Attack(forged_ledger_tail, "trusted", "which you do not trust",
           holds=lambda v: any("by someone else" in p for p in v.problems)),
    Attack(appended_entry, "trusted", "which you do not trust"),
    Attack(truncated_ledger, "trusted", "it was truncated",
           holds=lambda v: any("in no ledger entry" in p for p in v.problems)),
    Attack(emptied_ledger, "trusted", "the ledger is empty"),
    Attack(deleted_ledger, "trusted", "the ledger is missing"),
    Attack(deleted_ledger_and_checkpoint, "trusted", "but the production has signed assets"),
    Attack(strangers_anchor_beside_the_file, "untrusted", "suggests the anchor",
           holds=lambda v: v.anchor is None),
    Attack(expired_but_stamped, "trusted", "", ok=True, outside=True,
           holds=lambda v: v.timestamp is not None and (v.anchor or {}).get("label") == "brief"),
    Attack(expired_without_stamp, "invalid", "signingCredential.expired", outside=True),
    Attack(stripped_manifest, "unsigned", "no C2PA manifest",
           holds=_recovered_to_a_trusted_shot),
    Attack(reencoded_crf28, "unsigned", "no C2PA manifest", holds=_recovered_to_a_trusted_shot),
    Attack(scaled_to_half, "unsigned", "no C2PA manifest", holds=_recovered_to_a_trusted_shot),
    Attack(cropped_10_percent, "unsigned", "no C2PA manifest",
           holds=_recovered_to_a_trusted_shot),
]


@pytest.mark.parametrize("attack", ATTACKS, ids=[a.do.__name__ for a in ATTACKS])
def test_attack_table(attack: Attack, world: World, request: pytest.FixtureRequest) -> None:
    if attack.do in (expired_but_stamped, expired_without_stamp):
        world.expired = request.getfixturevalue("expired")
    target = attack.do(world)
    production = None if attack.outside else (
        world.tmp / "theirs" if target.is_relative_to(world.tmp / "theirs") else world.root)
    v = verify_asset(target, production=production)
    report = json.dumps(v.to_json(), indent=1)[:3000]
    assert v.status == attack.status, report
    assert v.ok == attack.ok, report
    if attack.says:
        assert any(attack.says in p for p in v.problems + v.failures), report
    assert attack.holds(v), report


def test_a_production_may_only_suggest_its_anchor(world: World) -> None:
    """Trusting the suggestion is the user's act; afterwards the verdict names it."""
    target = strangers_anchor_beside_the_file(world)
    theirs = world.tmp / "theirs"
    assert verify_asset(target, production=theirs).status == "untrusted"
    from aktion.provenance.identity import production_anchors

    TrustStore().add(production_anchors(theirs), label="their studio", source="checked by phone")
    v = verify_asset(target, production=theirs)
    assert v.status == "trusted" and v.ok, v.problems
    assert v.anchor is not None and v.anchor["label"] == "their studio"


def test_the_frames_of_a_previz_render_hold_a_mark_of_their_own(world: World) -> None:
    """Every picture output carries its own mark, declared in its manifest."""
    from aktion.provenance.marking import sample_frames
    from aktion.provenance.watermark import read_frames

    entries = world.ledger.entries()
    marked = {e.step_kind: e.marks for e in entries if e.marks}
    assert set(marked) == {"layout", "render", "sheet"}
    from aktion.engine.store import Store

    store = Store.for_production(world.root)
    try:  # the clips were marked as the previz backend wrote them, not encoded twice
        rows = store.db.execute("SELECT step_id, record FROM actions").fetchall()
    finally:
        store.close()
    written = {sid: json.loads(rec).get("watermarks") for sid, rec in rows}
    renders = {sid: w for sid, w in written.items() if sid.startswith("render:")}
    assert len(renders) == 2 and all(w and set(w) == {"video"} for w in renders.values())
    assert sorted(w["video"] for w in renders.values()) == sorted(
        e.marks["video"] for e in entries if e.step_kind == "render")
    assert not any(w for sid, w in written.items() if sid.startswith(("control", "motion_")))
    marks = [m for e in entries for m in e.marks.values()]
    assert len(set(marks)) == len(marks)  # one mark per output
    sheet = world.root / "out" / "roof-contact-sheet.png"
    reading = read_frames(sample_frames(sheet), marks)
    assert reading is not None and reading.mark == marked["sheet"]["sheet"]
    unmarked = cv2.cvtColor(cv2.imread(str(sheet)), cv2.COLOR_BGR2RGB)
    noise = np.random.default_rng(5).integers(0, 255, unmarked.shape, dtype=np.uint8)
    assert read_frames([cv2.GaussianBlur(noise, (7, 7), 2)], marks) is None
