"""Waiting on conditions with a deadline: the only way the tests wait."""
import socket
import ssl
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


def stream_answers(port, domain, ca_file=None, host="127.0.0.1", timeout=0.5):
    """Whether an XMPP server on `port` answers a client stream header with its features (over
    direct TLS, verified against `ca_file`, when given). Stronger than `port_open`: a server may
    listen (the kernel completes connections) before it accepts and serves them."""
    header = (f"<?xml version='1.0'?><stream:stream to='{domain}' version='1.0' xmlns='jabber:client' "
              "xmlns:stream='http://etherx.jabber.org/streams'>").encode()
    try:
        with socket.create_connection((host, port), timeout=timeout) as raw:
            conn = raw
            if ca_file:
                conn = ssl.create_default_context(cafile=ca_file).wrap_socket(raw, server_hostname=domain)
            conn.sendall(header)
            received = b""
            while b"features" not in received:
                chunk = conn.recv(4096)
                if not chunk:
                    return False
                received += chunk
            return True
    except OSError:  # refused, reset, timed out, TLS not ready (ssl.SSLError is an OSError)
        return False
