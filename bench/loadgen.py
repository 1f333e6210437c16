"""A small HTTP/1.1 load generator: closed loop (N connections) or open loop (a fixed rate).

Written for this benchmark with the standard library only (asyncio protocols over raw sockets).

- Closed loop: N connections, each sends its next request as soon as the previous answer is in;
  this finds the highest throughput. Latency is measured from the moment a request is sent.
- Open loop: requests are *scheduled* at a fixed rate (request i at start + i / rate) whatever
  the server does, and handed to a pool of keep-alive connections (a new connection is opened
  when all are busy, up to a cap; beyond it requests wait in a queue). Latency is measured from
  the scheduled time, so a server that falls behind shows it in the percentiles instead of
  slowing the generator down (no coordinated omission).

A response counts as good only with status 200 and, when ``expect`` is given, that byte string
in its body; anything else (other status, wrong body, connection error, time-out) is an error.
Connections are reused when the server keeps them alive (gthread/gevent workers) and opened
again when it closes them (gunicorn's sync workers close after every response).

Run ``python bench/loadgen.py --selftest`` to measure the generator against a trivial server.
"""

import argparse
import asyncio
import json
import os
import resource
import socket
import subprocess
import sys
import time

REQUEST_TIMEOUT = 10.0


class Response:
    __slots__ = ("status", "body_ok", "close", "body")

    def __init__(self, status, body_ok, close, body=None):
        self.status, self.body_ok, self.close, self.body = status, body_ok, close, body


class HTTPConnection(asyncio.Protocol):
    """One client connection; ``request()`` sends and returns a future of a Response."""

    def __init__(self, expect, keep_body=False):
        self.expect = expect
        self.keep_body = keep_body  # hand the body to the caller (bench/supports_bench.py)
        self.transport = None
        self.buffer = bytearray()
        self.waiter = None
        self.closed = False
        self._reset()

    def _reset(self):
        self.header_end = -1
        self.status = 0
        self.length = None
        self.chunked = False
        self.close_after = False

    def connection_made(self, transport):
        self.transport = transport
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def connection_lost(self, exc):
        self.closed = True
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            # A response delimited by the end of the connection (no Content-Length).
            if self.header_end >= 0 and self.length is None and not self.chunked:
                body = bytes(self.buffer[self.header_end :])
                waiter.set_result(Response(self.status, self._check(body), True, self._kept(body)))
            else:
                waiter.set_exception(ConnectionError("connection closed before the response"))
        self.waiter = None

    def request(self, raw):
        self.buffer.clear()
        self._reset()
        self.waiter = asyncio.get_running_loop().create_future()
        self.transport.write(raw)
        return self.waiter

    def _kept(self, body):
        return body if self.keep_body else None

    def _check(self, body):
        expect = self.expect if isinstance(self.expect, tuple) else (self.expect,)
        return self.status == 200 and all(not e or e in body for e in expect)

    def data_received(self, data):
        buf = self.buffer
        buf += data
        if self.header_end < 0:
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                return
            self.header_end = end + 4
            head = bytes(buf[:end]).split(b"\r\n")
            try:
                self.status = int(head[0].split(b" ", 2)[1])
            except (IndexError, ValueError):
                self.status = -1
            for line in head[1:]:
                name, _, value = line.partition(b":")
                name = name.strip().lower()
                if name == b"content-length":
                    self.length = int(value.strip())
                elif name == b"connection" and value.strip().lower() == b"close":
                    self.close_after = True
                elif name == b"transfer-encoding" and b"chunked" in value.lower():
                    self.chunked = True
        if self.length is not None:
            if len(buf) - self.header_end < self.length:
                return
            body = bytes(buf[self.header_end : self.header_end + self.length])
        elif self.chunked:
            if not buf.endswith(b"0\r\n\r\n"):
                return
            body = bytes(buf[self.header_end :])  # the marker check works on the raw chunks
        else:
            return  # ends with the connection
        waiter, self.waiter = self.waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result(
                Response(self.status, self._check(body), self.close_after, self._kept(body))
            )


class Recorder:
    def __init__(self):
        self.latencies = []  # seconds, good responses only
        self.errors = 0
        self.statuses = {}
        self.bad_bodies = 0
        self.timeouts = 0
        self.connects = 0
        self.first_error = None

    def error(self, what):
        self.errors += 1
        if self.first_error is None:
            self.first_error = what


def _raw_requests(host, port, paths, headers):
    """One request per path; with a list of header sets (e.g. one session cookie per signed-in
    reader), one request per reader, the paths taken in turn."""
    if isinstance(headers, list):
        pairs = [(paths[i % len(paths)], h) for i, h in enumerate(headers)]
    else:
        pairs = [(path, headers) for path in paths]
    return [
        (
            f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUser-Agent: ruamkid-bench\r\n"
            f"Accept: text/html\r\nAccept-Language: th\r\n"
            + "".join(f"{k}: {v}\r\n" for k, v in (extra or {}).items())
            + "\r\n"
        ).encode()
        for path, extra in pairs
    ]


class Client:
    def __init__(self, host, port, expect, recorder, keep_body=False):
        self.host, self.port, self.expect, self.rec = host, port, expect, recorder
        self.keep_body = keep_body
        self.conn = None

    async def send(self, raw):
        """Send one request; returns the Response (reconnecting when the server closed)."""
        loop = asyncio.get_running_loop()
        if self.conn is None or self.conn.closed:
            _transport, self.conn = await loop.create_connection(
                lambda: HTTPConnection(self.expect, self.keep_body), self.host, self.port
            )
            self.rec.connects += 1
        try:
            response = await asyncio.wait_for(self.conn.request(raw), REQUEST_TIMEOUT)
        except BaseException:
            self.close()
            raise
        if response.close:
            self.close()
        return response

    def close(self):
        if self.conn is not None and self.conn.transport is not None:
            self.conn.transport.close()
        self.conn = None


def _record(rec, response, latency):
    rec.statuses[response.status] = rec.statuses.get(response.status, 0) + 1
    if response.body_ok:
        rec.latencies.append(latency)
    elif response.status == 200:
        rec.bad_bodies += 1
        rec.error("200 without the expected text in the body")
    else:
        rec.error(f"status {response.status}")


async def _one(client, rec, raw, start):
    try:
        response = await client.send(raw)
    except TimeoutError:
        rec.timeouts += 1
        rec.error("time-out")
        return
    except (OSError, ConnectionError) as error:
        rec.error(f"{type(error).__name__}: {error}")
        return
    _record(rec, response, time.perf_counter() - start)


async def closed_loop(host, port, paths, connections, duration, expect=None, headers=None):
    rec = Recorder()
    raws = _raw_requests(host, port, paths, headers)
    counter = [0]
    deadline = time.perf_counter() + duration

    async def worker(offset):
        client = Client(host, port, expect, rec)
        i = offset
        while time.perf_counter() < deadline:
            raw = raws[i % len(raws)]
            i += connections
            counter[0] += 1
            await _one(client, rec, raw, time.perf_counter())
        client.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker(k) for k in range(connections)))
    elapsed = time.perf_counter() - started
    return rec, elapsed, counter[0]


async def open_loop(host, port, paths, rate, duration, expect=None, headers=None, max_conns=64):
    rec = Recorder()
    raws = _raw_requests(host, port, paths, headers)
    total = int(rate * duration)
    idle = []
    n_open = [0]
    waiting = asyncio.Queue()  # scheduled requests that found every connection busy
    done = asyncio.Event()
    finished = [0]
    lateness = []  # how late the generator itself sent each request (seconds)

    def finish():
        finished[0] += 1
        if finished[0] == total:
            done.set()

    async def run_on(client, raw, scheduled):
        # The generator's own delay, for requests that did not wait for a free connection.
        lateness.append(time.perf_counter() - scheduled)
        while True:
            await _one(client, rec, raw, scheduled)
            finish()
            if waiting.empty():
                idle.append(client)
                return
            raw, scheduled = waiting.get_nowait()

    loop = asyncio.get_running_loop()
    tasks = set()
    started = time.perf_counter()
    for i in range(total):
        scheduled = started + i / rate
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        raw = raws[i % len(raws)]
        if idle:
            client = idle.pop()
        elif n_open[0] < max_conns:
            n_open[0] += 1
            client = Client(host, port, expect, rec)
        else:
            waiting.put_nowait((raw, scheduled))
            continue
        task = loop.create_task(run_on(client, raw, scheduled))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    send_window = time.perf_counter() - started
    try:
        await asyncio.wait_for(done.wait(), REQUEST_TIMEOUT * 2)
    except TimeoutError:
        unfinished = total - finished[0]
        rec.timeouts += unfinished
        rec.errors += unfinished
        rec.first_error = rec.first_error or "requests unfinished at the end"
    elapsed = time.perf_counter() - started
    for task in list(tasks):
        task.cancel()
    for client in idle:
        client.close()
    lateness.sort()
    return rec, elapsed, total, send_window, lateness


def percentile(sorted_values, p):
    if not sorted_values:
        return None
    k = (len(sorted_values) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(sorted_values) - 1)
    if sorted_values[hi] == float("inf"):
        return float("inf")
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (k - lo)


def summarise(rec, elapsed, sent, mode, extra=None, failures_count_as_infinite=False):
    """Percentiles of good responses; in open loop every failed or unfinished request counts
    as an infinitely slow one, so a server that drops requests cannot look fast."""
    lat = sorted(rec.latencies)
    good = len(lat)
    if failures_count_as_infinite:
        lat = lat + [float("inf")] * max(0, sent - good)
    # An infinite percentile (too many failures) is reported as None.
    ms = lambda v: None if v is None or v == float("inf") else round(v * 1000, 2)  # noqa: E731
    finite = [v for v in lat if v != float("inf")]
    result = {
        "mode": mode,
        "requests": sent,
        "ok": good,
        "errors": rec.errors,
        "timeouts": rec.timeouts,
        "bad_bodies": rec.bad_bodies,
        "statuses": {str(k): v for k, v in sorted(rec.statuses.items())},
        "first_error": rec.first_error,
        "connects": rec.connects,
        "elapsed_s": round(elapsed, 3),
        "throughput_rps": round(good / elapsed, 1) if elapsed else 0,
        "p50_ms": ms(percentile(lat, 50)),
        "p90_ms": ms(percentile(lat, 90)),
        "p95_ms": ms(percentile(lat, 95)),
        "p99_ms": ms(percentile(lat, 99)),
        "max_ms": ms(lat[-1] if lat else None),
        "mean_ms": ms(sum(finite) / len(finite) if finite else None),
    }
    result.update(extra or {})
    return result


def _cpu_self():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run_closed(host, port, paths, connections, duration, expect=None, headers=None):
    cpu0 = _cpu_self()
    rec, elapsed, sent = asyncio.run(
        closed_loop(host, port, paths, connections, duration, expect, headers)
    )
    cpu = _cpu_self() - cpu0
    return summarise(
        rec, elapsed, sent, f"closed c={connections}",
        {"connections": connections, "generator_cpu_s": round(cpu, 3),
         "generator_cpu_pct": round(100 * cpu / elapsed, 1)},
    )  # fmt: skip


def run_open(host, port, paths, rate, duration, expect=None, headers=None, max_conns=64):
    cpu0 = _cpu_self()
    rec, elapsed, total, window, lateness = asyncio.run(
        open_loop(host, port, paths, rate, duration, expect, headers, max_conns)
    )
    cpu = _cpu_self() - cpu0
    return summarise(
        rec,
        elapsed,
        total,
        f"open {rate}/s",
        {
            "offered_rps": rate,
            "achieved_send_rps": round(total / window, 1) if window else None,
            "generator_cpu_s": round(cpu, 3),
            "generator_cpu_pct": round(100 * cpu / elapsed, 1),
            # how late the generator sent requests (its own delay, part of the latency)
            "send_lateness_p99_ms": round(percentile(lateness, 99) * 1000, 2) if lateness else None,
        },
        failures_count_as_infinite=True,
    )


# --- self-test: a trivial server in another process --------------------------------------

TRIVIAL_BODY = b"<html><body>" + b"x" * 20_000 + b" trivial-ok</body></html>"


class _TrivialServer(asyncio.Protocol):
    def connection_made(self, transport):
        self.transport = transport
        self.buffer = b""

    def data_received(self, data):
        self.buffer += data
        while b"\r\n\r\n" in self.buffer:
            _, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
            self.transport.write(
                b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: "
                + str(len(TRIVIAL_BODY)).encode() + b"\r\n\r\n" + TRIVIAL_BODY
            )  # fmt: skip


def trivial_server(port):
    async def main():
        server = await asyncio.get_running_loop().create_server(
            _TrivialServer, "127.0.0.1", port, backlog=1024
        )
        async with server:
            await server.serve_forever()

    asyncio.run(main())


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def selftest(duration=5):
    """Measure the generator against a trivial server: its ceiling and its own timing error."""
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, __file__, "--serve-trivial", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), 0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        results = {"closed_c16": run_closed("127.0.0.1", port, ["/"], 16, duration, b"trivial-ok")}
        for rate in (200, 1000, 2000):
            results[f"open_{rate}"] = run_open(
                "127.0.0.1", port, ["/"], rate, duration, b"trivial-ok"
            )
        return results
    finally:
        server.terminate()
        server.wait(5)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--selftest", action="store_true")
    parser.add_argument("--serve-trivial", type=int, metavar="PORT")
    parser.add_argument("--url", help="http://127.0.0.1:PORT/path")
    parser.add_argument("--rate", type=float, help="open loop at this rate (requests/s)")
    parser.add_argument("-c", "--connections", type=int, default=16)
    parser.add_argument("-d", "--duration", type=float, default=10)
    parser.add_argument("--expect", default=None)
    args = parser.parse_args()
    if args.serve_trivial:
        trivial_server(args.serve_trivial)
        return
    if args.selftest:
        print(json.dumps(selftest(args.duration), indent=2))
        return
    from urllib.parse import urlsplit

    url = urlsplit(args.url)
    host, port = url.hostname, url.port or 80
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("Load goes to this machine only (127.0.0.1).")
    path = url.path + (f"?{url.query}" if url.query else "")
    expect = args.expect.encode() if args.expect else None
    if args.rate:
        result = run_open(host, port, [path], args.rate, args.duration, expect)
    else:
        result = run_closed(host, port, [path], args.connections, args.duration, expect)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
