"""Photos: the CPU a phone photo costs, and whether uploads slow down everyone else's pages.

    .venv/bin/python bench/photo_bench.py                      # SQLite, full size
    .venv/bin/python bench/photo_bench.py --database postgres  # a throw-away PostgreSQL
    .venv/bin/python bench/photo_bench.py --quick              # a smoke check (~1 min)

1. Processing: a 12-megapixel phone JPEG of about 4 MB (4032 × 3024, textured so that it
   compresses like a photo, with an orientation tag and GPS) goes through
   ``participation.photos.images.clean_photo`` (decode by content, limits, upright, every size
   re-encoded without metadata) several times in this process; measured: CPU seconds of the
   process (``time.process_time``, every thread) and wall time per photo. The same photo as an
   iPhone HEIC is measured too (no target: it cannot be decoded at a reduced scale as a JPEG
   can). Target: < 1 s of CPU per JPEG photo.
2. Uploads and pages: the production server (gunicorn with the page benchmark's configuration,
   bench/run.py) serves a process in its Reframe phase. Anonymous readers ask for the issue
   list at a steady rate (open loop, bench/loadgen.py) first alone, then while signed-in
   residents post issues, each with that 4 MB photo, at 5 per second (open loop too: upload
   *i* is sent at *start + i/5* whatever the server does). Measured: the list's p50/p95/p99
   both times, the uploads' latency and errors, the server's CPU and the machine's load.
   Target: the list's p95 during the uploads under 100 ms, no errors (uploads must not block
   other requests).

Writes bench/photo_results.json (bench/all.py passes its own --output).
"""

import argparse
import http.cookiejar
import io
import os
import random
import re
import shutil
import statistics
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

import load_data  # noqa: E402
import loadgen  # noqa: E402
import run as pages_bench  # noqa: E402
import sqlalchemy as sa  # noqa: E402
import supports_bench  # noqa: E402

WORKDIR = Path(os.environ.get("RUAMKID_BENCH_DIR", "/tmp/ruamkid-bench")) / "photos"  # noqa: S108
SLUG = supports_bench.SLUG
PASSWORD = supports_bench.PASSWORD
WIDTH, HEIGHT = 4032, 3024  # 12 megapixels, as a phone's main camera
JPEG_QUALITY = 85  # about 4 MB for the textured picture below
CPU_TARGET_S = 1.0
UPLOAD_RATE = 5  # photos per second
LIST_RATE = 20  # list pages per second
LIST_TARGET_P95_MS = 100
SIZES = {
    "full": {"runs": 7, "heic_runs": 3, "residents": 20, "issues": 40, "duration": 30},
    "quick": {"runs": 2, "heic_runs": 1, "residents": 5, "issues": 10, "duration": 6},
}
CSRF = re.compile(rb'name="csrf_token" type="hidden" value="([^"]+)"')
STARTED = re.compile(rb'name="form_started" value="([^"]+)"')  # shown 2 s before: a person


def log(message):
    print(f"[photo-bench] {message}", file=sys.stderr, flush=True)


# --- the photo -----------------------------------------------------------------------------


def phone_photo():
    """(JPEG bytes, HEIC bytes) of one 12-megapixel picture with an orientation tag, GPS and
    a camera name, textured (smooth shading, blotches and grain) to compress like a photo."""
    import numpy as np
    import pillow_heif
    from PIL import Image

    rng = np.random.default_rng(2569)
    y, x = np.mgrid[0:HEIGHT, 0:WIDTH].astype(np.float32)
    shade = np.stack([128 + 60 * np.sin(x / 300 + c) + 40 * np.cos(y / 211 + 2 * c)
                      for c in range(3)], -1)  # fmt: skip
    coarse = rng.normal(0, 1, (HEIGHT // 4, WIDTH // 4, 3)).astype(np.float32)
    blotches = Image.fromarray(np.uint8(np.clip(128 + coarse * 40, 0, 255)))
    blotches = np.asarray(blotches.resize((WIDTH, HEIGHT), Image.BICUBIC), np.float32) - 128
    grain = rng.normal(0, 6, (HEIGHT, WIDTH, 3)).astype(np.float32)
    image = Image.fromarray(np.uint8(np.clip(shade + blotches + grain, 0, 255)))
    exif = Image.Exif()
    exif[0x0112] = 6  # held upright: stored sideways, as phones do
    exif[0x010F] = "BenchPhone"
    exif[0x8825] = {1: "N", 2: (18.0, 46.0, 52.0), 3: "E", 4: (98.0, 55.0, 7.0)}
    jpeg = io.BytesIO()
    image.save(jpeg, "JPEG", quality=JPEG_QUALITY, exif=exif.tobytes())
    pillow_heif.register_heif_opener()
    heic = io.BytesIO()
    image.save(heic, format="HEIF", quality=50, exif=exif.tobytes())
    return jpeg.getvalue(), heic.getvalue()


def bench_processing(data, runs):
    """CPU and wall seconds of ``clean_photo`` on ``data``, ``runs`` times (after one warm-up)."""
    from participation.photos.images import clean_photo

    limit_bytes, limit_pixels = 12 * 1024 * 1024, 50_000_000
    clean_photo(io.BytesIO(data), limit_bytes, limit_pixels)  # imports, codecs' first use
    cpu, wall, sizes = [], [], {}
    for _ in range(runs):
        c0, w0 = time.process_time(), time.perf_counter()
        photo = clean_photo(io.BytesIO(data), limit_bytes, limit_pixels)
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - w0)
        sizes = {name: len(content) for name, content in photo.files.items()}
    return {
        "runs": runs, "bytes": len(data), "megapixels": round(WIDTH * HEIGHT / 1e6, 1),
        "cpu_s": [round(v, 3) for v in cpu], "wall_s": [round(v, 3) for v in wall],
        "cpu_median_s": round(statistics.median(cpu), 3), "cpu_max_s": round(max(cpu), 3),
        "wall_median_s": round(statistics.median(wall), 3), "stored_bytes": sizes,
        "upright": [photo.width, photo.height], "location_read": photo.location,
    }  # fmt: skip


# --- the server ----------------------------------------------------------------------------


def generate(residents, issues, now):
    """supports_bench's residents and process, in its Reframe phase, with open issues."""
    rows = supports_bench.generate(residents, 0, now)
    day = timedelta(days=1)
    rows["processes"][0].update(
        phase="reframe", reframe_end=(now + 30 * day).date(),
        reimagine_start=(now + 31 * day).date(), reimagine_end=(now + 60 * day).date(),
        remake_start=(now + 61 * day).date(), remake_end=(now + 90 * day).date(),
    )  # fmt: skip
    rows["contributions"] = []
    search_text, markdown, _verify = load_data.text_helpers()
    for i in range(1, issues + 1):
        title = f"ไฟถนนดับซอย {i} หน้าตลาด"
        body = "ไฟส่องสว่างดับหลายคืน กลางคืนมืดมาก เดินกลับบ้านลำบาก"
        created = now - (issues - i) * day / 10
        rows["contributions"].append(dict(
            id=i, process_id=1, kind="issue", author_id=1 + i % residents, title=title,
            body=body, body_html=markdown(body), category_id=1, area_id=1, status="open",
            support_count=0, affected_count=0, comment_count=0, version=1, edited_dt=None,
            withdrawn_dt=None, search_text=search_text(title, body), created_dt=created,
            modified_dt=created,
        ))  # fmt: skip
    return rows


def build(database_url, instance, size):
    if database_url.startswith("sqlite"):
        path = Path(database_url.split("///", 1)[1])
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
    shutil.rmtree(instance / "photos", ignore_errors=True)  # an earlier run's uploads
    instance.mkdir(parents=True, exist_ok=True)
    load_data.migrate(database_url, instance)
    rows = generate(size["residents"], size["issues"], datetime.now(UTC).replace(microsecond=0))
    load_data.ORDER = [name for name in load_data.ORDER if rows[name]]
    engine = sa.create_engine(database_url)
    writer = load_data.write_sqlite if engine.dialect.name == "sqlite" else load_data.write_postgres
    writer(engine, rows)
    engine.dispose()


def sign_in(port, user_id):
    """Sign in through the login form; return (Cookie header, the issue form's CSRF token,
    its signed "shown at" time)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    headers = {"Accept-Language": "th", "User-Agent": "ruamkid-bench"}

    def fetch(path, data=None):
        request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data, headers)
        with opener.open(request, timeout=60) as response:  # noqa: S310 - http, loopback
            return response.read()

    form = urllib.parse.urlencode({
        "csrf_token": CSRF.search(fetch("/login")).group(1).decode(), "next": "",
        "email": f"resident{user_id}@bench.ruamkid.test", "password": PASSWORD,
    }).encode()  # fmt: skip
    if b'action="/logout"' not in fetch("/login", form):
        raise SystemExit(f"resident {user_id} could not sign in")
    page = fetch(f"/processes/{SLUG}/issues/new")
    token, started = CSRF.search(page).group(1).decode(), STARTED.search(page).group(1).decode()
    return "; ".join(f"{c.name}={c.value}" for c in jar), token, started


def _multipart(fields, photo):
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                     f"{value}\r\n".encode())  # fmt: skip
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="photos"; '
                 f'filename="IMG_0001.JPG"\r\nContent-Type: image/jpeg\r\n\r\n'.encode()
                 + photo + b"\r\n")  # fmt: skip
    parts.append(f"--{boundary}--\r\n".encode())
    return f"multipart/form-data; boundary={boundary}", b"".join(parts)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def upload(port, resident, photo, number):
    """Post one issue with the photo; (seconds, status) — 302 is success."""
    cookie, token, started = resident
    content_type, body = _multipart({
        "csrf_token": token, "form_started": started, "title": f"ทางเท้าแตก จุดที่ {number}",
        "body": "ทางเท้าแตกเป็นหลุม คนเดินสะดุดล้ม ถ่ายรูปมาให้ดู", "photo_alt": "ทางเท้าแตก",
    }, photo)  # fmt: skip
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/processes/{SLUG}/issues/new", body,
        {"Content-Type": content_type, "Cookie": cookie, "Accept-Language": "th",
         "User-Agent": "ruamkid-bench"},
    )  # fmt: skip
    opener = urllib.request.build_opener(NoRedirect)
    started = time.perf_counter()
    try:
        with opener.open(request, timeout=60) as response:  # noqa: S310 - http, loopback
            response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    except OSError:
        status = None
    return time.perf_counter() - started, status


def uploads_at_rate(port, residents, photo, duration, results):
    """Send ``UPLOAD_RATE`` uploads a second for ``duration`` s, on time whatever the answers."""
    total = int(UPLOAD_RATE * duration)
    with ThreadPoolExecutor(64) as pool:
        started = time.perf_counter()
        futures = []
        for i in range(total):
            delay = started + i / UPLOAD_RATE - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            futures.append(pool.submit(upload, port, residents[i % len(residents)], photo, i))
        results.extend(future.result() for future in futures)


def list_load(port, duration):
    return loadgen.run_open("127.0.0.1", port, [f"/processes/{SLUG}/issues"], LIST_RATE,
                            duration, expect=b"card--contribution")  # fmt: skip


def run_server(kind, size, photo):
    with pages_bench.database_server(kind, WORKDIR) as url:
        instance = WORKDIR / kind
        build(url, instance, size)
        env = pages_bench.server_env(url, instance)
        logs = WORKDIR / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        server_log = logs / f"{kind}-app.log"
        server_log.unlink(missing_ok=True)
        with pages_bench.serve("wsgi:app", pages_bench.DEFAULT_SERVER, env, "/healthz",
                               log_path=server_log) as (port, pid):  # fmt: skip
            residents = [sign_in(port, user_id) for user_id in range(1, size["residents"] + 1)]
            list_load(port, 3)  # warm-up: caches, connections
            other_before = pages_bench.wait_until_quiet()
            log(f"{kind}: the list alone, {LIST_RATE}/s for {size['duration']} s")
            alone = list_load(port, size["duration"])
            pages_bench.settle(pid)
            log(f"{kind}: the list while {UPLOAD_RATE} photos/s are uploaded")
            uploaded = []
            sender = threading.Thread(
                target=uploads_at_rate, args=(port, residents, photo, size["duration"], uploaded),
                daemon=True,
            )  # fmt: skip
            server0, own0 = pages_bench.tree_cpu(pid), pages_bench.own_cpu()
            (total0, idle0), wall0 = pages_bench.system_cpu(), time.perf_counter()
            load0 = os.getloadavg()[0]
            sender.start()
            during = list_load(port, size["duration"])
            sender.join()
            server1, own1 = pages_bench.tree_cpu(pid), pages_bench.own_cpu()
            (total1, idle1), wall = pages_bench.system_cpu(), time.perf_counter() - wall0
            load1 = os.getloadavg()[0]
            pages_bench.settle(pid)
        tracebacks = server_log.read_bytes().count(b"Traceback") if server_log.exists() else 0
        photos = sum(1 for _path in (instance / "photos").rglob("*-display.jpg"))
    times = sorted(seconds for seconds, status in uploaded if status == 302)
    busy = (total1 - total0) - (idle1 - idle0)
    # own_cpu() counts this process and its children, the server among them.
    server, own = server1 - server0, own1 - own0
    return {
        "database": kind, "list_alone": alone, "list_during_uploads": during,
        "uploads": {
            "sent": len(uploaded), "stored": sum(1 for _s, status in uploaded if status == 302),
            "statuses": {str(s): sum(1 for _t, x in uploaded if x == s)
                         for s in {x for _t, x in uploaded}},
            "p50_ms": _ms(loadgen.percentile(times, 50)),
            "p95_ms": _ms(loadgen.percentile(times, 95)),
            "max_ms": _ms(times[-1] if times else None),
            "files_on_disk": photos,
        },
        # In cores (CPU seconds per second) over the loaded window.
        "window_s": round(wall, 1),
        "server_cores": round(server / wall, 2),
        "generators_cores": round(max(0.0, own - server) / wall, 2),
        "others_cores": round(max(0.0, busy - own) / wall, 2),
        "others_before_pct_of_a_core": other_before,
        "load_average_1m": [round(load0, 2), round(load1, 2)],
        "server_tracebacks": tracebacks,
    }  # fmt: skip


def _ms(value):
    return None if value is None else round(value * 1000, 1)


# --- verdicts and the table ----------------------------------------------------------------


def result_rows(document):
    """This benchmark's results as rows of the table of bench/all.py."""
    from rows import row

    out = []
    jpeg, heic = document["processing"]["jpeg"], document["processing"]["heic"]
    scenario = f"12 MP phone photo ({jpeg['bytes'] / 1e6:.1f} MB JPEG)" if jpeg else ""
    out += [] if jpeg is None else [
        row("photos", "—", scenario, "clean_photo CPU per photo: median / max",
            f"{jpeg['cpu_median_s']} / {jpeg['cpu_max_s']}", "s", f"< {CPU_TARGET_S} s",
            "PASS" if jpeg["cpu_max_s"] < CPU_TARGET_S else "FAIL"),
        row("photos", "—", scenario, "wall per photo (median)", jpeg["wall_median_s"], "s"),
        row("photos", "—", f"the same as HEIC ({heic['bytes'] / 1e6:.1f} MB)",
            "clean_photo CPU per photo: median / max",
            f"{heic['cpu_median_s']} / {heic['cpu_max_s']}", "s"),
    ]  # fmt: skip
    for result in document["results"]:
        db = result["database"]
        alone, during, up = result["list_alone"], result["list_during_uploads"], result["uploads"]
        scenario = f"issue list at {LIST_RATE}/s, {UPLOAD_RATE} uploads/s"
        ok = pages_bench.steady_pass(during, LIST_TARGET_P95_MS) and up["stored"] == up["sent"]
        out += [
            row("photos", db, scenario, "list alone: p50 / p95 / p99",
                supports_bench._pair(alone, "p50_ms", "p95_ms", "p99_ms"), "ms"),
            row("photos", db, scenario, "list during uploads: p50 / p95 / p99",
                supports_bench._pair(during, "p50_ms", "p95_ms", "p99_ms"), "ms",
                f"p95 < {LIST_TARGET_P95_MS} ms, 0 errors, every upload stored",
                "PASS" if ok else "FAIL"),
            row("photos", db, scenario, "list errors; uploads stored of sent",
                f"{during['errors']}; {up['stored']} of {up['sent']}"),
            row("photos", db, scenario, "upload p50 / p95 / max",
                f"{up['p50_ms']} / {up['p95_ms']} / {up['max_ms']}", "ms"),
            row("photos", db, scenario, "cores used: server; load generators; others",
                f"{result['server_cores']}; {result['generators_cores']}; "
                f"{result['others_cores']}"),
            row("photos", db, scenario, "load average (1 min) before – after",
                f"{result['load_average_1m'][0]} – {result['load_average_1m'][1]}"),
        ]  # fmt: skip
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=("sqlite", "postgres", "both"), default="sqlite")
    parser.add_argument("--quick", action="store_true", help="fewer runs, short loads")
    parser.add_argument("--only", choices=("processing", "server"), default=None)
    parser.add_argument("--output", default=str(BENCH / "photo_results.json"))
    args = parser.parse_args()
    if args.quick:
        pages_bench.QUIET_WAIT["s"] = 20
    size = SIZES["quick" if args.quick else "full"]
    started = time.monotonic()
    log("making a 12-megapixel phone photo")
    jpeg, heic = phone_photo()
    processing = {"jpeg": None, "heic": None}
    if args.only != "server":
        log(f"processing the JPEG ({len(jpeg) / 1e6:.1f} MB) {size['runs']} times")
        processing["jpeg"] = bench_processing(jpeg, size["runs"])
        log(f"processing the HEIC ({len(heic) / 1e6:.1f} MB) {size['heic_runs']} times")
        processing["heic"] = bench_processing(heic, size["heic_runs"])
    kinds = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    results = [] if args.only == "processing" else [run_server(k, size, jpeg) for k in kinds]
    document = {
        "benchmark": "photos", "machine": pages_bench.machine_info(), "quick": args.quick,
        "server": " ".join(pages_bench.gunicorn_command("wsgi:app", 0, pages_bench.DEFAULT_SERVER)),
        "targets": {"cpu_s": CPU_TARGET_S, "list_p95_ms": LIST_TARGET_P95_MS,
                    "upload_rate": UPLOAD_RATE, "list_rate": LIST_RATE},
        "processing": processing, "results": results,
        "duration_s": round(time.monotonic() - started, 1),
    }  # fmt: skip
    from rows import write_report

    write_report(args.output, document, result_rows(document))


if __name__ == "__main__":
    random.seed(2569)
    main()
