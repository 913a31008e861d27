"""A small load generator for machines without wrk.

N keep-alive connections (one thread each) request the given paths in turn (by
default the browsing mix in bench/paths.txt) for S seconds, then it prints the same
RESULT line as bench/wrk.lua. Python's threads share one core's worth of time, so on
small pages it measures its own limit before the server's: prefer wrk where it exists.

Usage: python bench/pyload.py [-c 64] [-d 30] [-H "Header: value"] URL [PATH ...]
"""

import argparse
import http.client
import statistics
import threading
import time
import urllib.parse
from pathlib import Path


def percentile(values, fraction):
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("paths", nargs="*")
    parser.add_argument("-c", "--connections", type=int, default=64)
    parser.add_argument("-d", "--seconds", type=float, default=30)
    parser.add_argument("-H", "--header", action="append", default=[])
    options = parser.parse_args()
    target = urllib.parse.urlsplit(options.url)
    paths = options.paths or [
        line for line in (Path(__file__).parent / "paths.txt").read_text().splitlines() if line
    ]
    headers = dict(h.split(": ", 1) for h in options.header)
    latencies, errors = [], {"connect": 0, "read": 0, "timeout": 0, "status": 0}
    lock = threading.Lock()
    deadline = time.monotonic() + options.seconds

    def worker(offset):
        connection, count, mine, failures = None, offset, [], dict.fromkeys(errors, 0)
        while time.monotonic() < deadline:
            # "{n}": a number no other request uses, so no URL-keyed cache answers.
            path = paths[count % len(paths)].replace("{n}", f"{offset}-{count}")
            count += 1
            try:
                if connection is None:
                    connection = http.client.HTTPConnection(
                        target.hostname, target.port or 80, timeout=10
                    )
                started = time.perf_counter()
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
                mine.append((time.perf_counter() - started) * 1000)
                if response.status >= 400:
                    failures["status"] += 1
            except TimeoutError:
                failures["timeout"] += 1
                connection = None
            except ConnectionRefusedError:
                failures["connect"] += 1
                connection = None
            except (OSError, http.client.HTTPException):
                failures["read"] += 1
                connection = None
        with lock:
            latencies.extend(mine)
            for key, value in failures.items():
                errors[key] += value

    started = time.monotonic()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(options.connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    median = statistics.median(latencies or [0])
    print(f"{len(latencies)} requests in {elapsed:.2f}s, median {median:.2f} ms")
    rps = len(latencies) / elapsed
    print(
        f"RESULT requests={len(latencies)} seconds={elapsed:.2f} rps={rps:.1f} "
        f"p50_ms={percentile(latencies, 0.5):.2f} p90_ms={percentile(latencies, 0.9):.2f} "
        f"p99_ms={percentile(latencies, 0.99):.2f} connect_errors={errors['connect']} "
        f"read_errors={errors['read']} write_errors=0 timeouts={errors['timeout']} "
        f"non_2xx_3xx={errors['status']}"
    )


if __name__ == "__main__":
    main()
