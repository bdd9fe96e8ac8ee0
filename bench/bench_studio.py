"""Studio read latency under a burst: 200 concurrent GETs of /api/production, and a cheap
probe (GET /api/jobs) sent while they are in flight.

The studio runs in its own process (uvicorn, as `aktion studio` runs it) over a copy of
the example production; the client is a plain asyncio HTTP/1.1 client with one
keep-alive connection per request, all opened before the burst. Printed: the uncached
load (the first GET after a source file changed) as the peer, then p50/p95/max of the
burst and the probe's latency, and the ratio of the uncached load to the burst's p50.

    python bench/bench_studio.py [PRODUCTION] [--requests 200]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TOKEN = "bench-token-0123456789"
SERVER = """
import sys, uvicorn
from aktion.studio.app import create_app
uvicorn.run(create_app(sys.argv[1], sys.argv[2]), host="127.0.0.1", port=int(sys.argv[3]),
            log_level="warning")
"""


class Connection:
    """One keep-alive HTTP/1.1 connection that sends GETs and reads whole responses."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, port: int):
        self.reader, self.writer, self.port = reader, writer, port

    @classmethod
    async def open(cls, port: int) -> Connection:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        return cls(reader, writer, port)

    async def get(self, path: str) -> tuple[int, bytes]:
        self.writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n"
                          f"Authorization: Bearer {TOKEN}\r\n\r\n".encode())
        await self.writer.drain()
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        body = await self.reader.readexactly(length)
        return status, body

    def close(self) -> None:
        self.writer.close()


async def timed(conn: Connection, path: str) -> float:
    t0 = time.perf_counter()
    status, body = await conn.get(path)
    if status != 200:
        raise SystemExit(f"GET {path}: {status} {body[:200]!r}")
    return time.perf_counter() - t0


async def burst(port: int, n: int) -> tuple[list[float], float]:
    conns = [await Connection.open(port) for _ in range(n + 1)]
    probe_conn = conns.pop()
    try:
        tasks = [asyncio.create_task(timed(c, "/api/production")) for c in conns]
        await asyncio.sleep(0)  # the burst is on the wire; now the probe
        probe = await timed(probe_conn, "/api/jobs")
        times = await asyncio.gather(*tasks)
    finally:
        for c in [*conns, probe_conn]:
            c.close()
    return list(times), probe


async def one(port: int, path: str) -> float:
    conn = await Connection.open(port)
    try:
        return await timed(conn, path)
    finally:
        conn.close()


def wait_for(port: int, proc: subprocess.Popen) -> None:
    end = time.time() + 60
    while time.time() < end:
        if proc.poll() is not None:
            raise SystemExit("the studio server did not start")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit("the studio server did not start in 60 s")


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("production", nargs="?",
                        default=str(Path(__file__).resolve().parent.parent / "examples/rooftop"))
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="aktion-bench-studio-"))
    root = work / "production"
    shutil.copytree(args.production, root, ignore=shutil.ignore_patterns(".aktion", "out"))
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    proc = subprocess.Popen([sys.executable, "-c", SERVER, str(root), TOKEN, str(port)],
                            env=env)
    try:
        wait_for(port, proc)
        first = asyncio.run(one(port, "/api/production"))
        boards = root / "boards.yaml"
        boards.write_text(boards.read_text() + "# touched\n")
        uncached = asyncio.run(one(port, "/api/production"))
        time.sleep(2.5)  # past the cache's "racily clean" window: stats are trusted again
        asyncio.run(one(port, "/api/production"))
        times, probe = asyncio.run(burst(port, args.requests))
    finally:
        proc.terminate()
        proc.wait(10)
        shutil.rmtree(work, ignore_errors=True)
    ms = [t * 1000 for t in times]
    p50 = statistics.median(ms)
    print(f"studio over {Path(args.production).name}, {os.cpu_count()} cores")
    print(f"  first load (cold process):           {first * 1000:8.1f} ms")
    print(f"  uncached load after an edit (peer):  {uncached * 1000:8.1f} ms")
    print(f"  {len(ms)} concurrent GET /api/production: p50 {p50:.1f} ms, "
          f"p95 {pct(ms, 0.95):.1f} ms, max {max(ms):.1f} ms")
    print(f"  probe GET /api/jobs during the burst: {probe * 1000:.1f} ms")
    print(f"  uncached load / burst p50: {uncached * 1000 / p50:.1f}x")


if __name__ == "__main__":
    main()
