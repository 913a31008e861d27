"""Slow clients against the served site: open CLIENTS connections that send their
request headers a few bytes at a time (as a slowloris attack does), then time an
ordinary request from a well-behaved client. A server whose workers a slow client
can hold stops answering; one that cannot keeps answering in milliseconds.

    python bench/slow_clients.py HOST:PORT [CLIENTS] [SECONDS]

Prints the ordinary request's status and time, and exits non-zero when it was not
answered within five seconds.
"""

import socket
import sys
import threading
import time
import urllib.request


def slow_client(host, port, stop):
    try:
        sock = socket.create_connection((host, port), timeout=5)
        sock.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\n")
        while not stop.is_set():
            sock.sendall(b"X-a: b\r\n")  # never the blank line that ends the headers
            stop.wait(1)
        sock.close()
    except OSError:
        pass  # the server closed it: fine, that is one way of not being held


def main():
    address = sys.argv[1]
    clients = int(sys.argv[2]) if len(sys.argv) > 2 else 50
    seconds = float(sys.argv[3]) if len(sys.argv) > 3 else 3
    host, port = address.rsplit(":", 1)
    stop = threading.Event()
    threads = [
        threading.Thread(target=slow_client, args=(host, int(port), stop), daemon=True)
        for _ in range(clients)
    ]
    for thread in threads:
        thread.start()
    time.sleep(seconds)  # let them take hold
    started = time.monotonic()
    try:
        with urllib.request.urlopen(f"http://{address}/", timeout=5) as response:
            status = response.status
    except OSError as error:
        status = f"no answer ({error})"
    elapsed = time.monotonic() - started
    stop.set()
    print(f"{clients} slow clients: an ordinary request got {status} in {elapsed * 1000:.0f} ms")
    sys.exit(0 if status == 200 else 1)


if __name__ == "__main__":
    main()
