"""Waiting on conditions with a deadline: the only way the tests wait."""
import socket
import time


class Timeout(AssertionError):
    pass


def wait_until(condition, timeout=10.0, interval=0.02, what="condition"):
    """Polls `condition()` until it returns a truthy value, which is returned; fails after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise Timeout(f"timed out after {timeout}s waiting for {what() if callable(what) else what}")
        time.sleep(interval)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(port, host="127.0.0.1"):
    try:
        with socket.create_connection((host, port), timeout=0.2):
            return True
    except OSError:
        return False
