"""A file whose read never returns, as a wedged I²C or 1-wire attribute behaves: a tiny FUSE
file system spoken over /dev/fuse directly (no library), mounted by the test (root), with one
regular file (`value`, or the name given: `temp1_input` for a hwmon chip) whose every read is
left unanswered. Unmounting ends the reads with an error.

Only what the kernel asks for a lookup, stat, open and read is answered; anything else gets
ENOSYS, which the kernel takes as "not supported"."""
import ctypes
import errno
import os
import struct
import subprocess
import threading

from .wait import wait_until

IN_HEADER = struct.Struct("<IIQQIIII")  # len, opcode, unique, nodeid, uid, gid, pid, padding
OUT_HEADER = struct.Struct("<IiQ")  # len, error, unique
ATTR = struct.Struct("<QQQQQQIIIIIIIIII")  # ino size blocks atime mtime ctime (3 nsec) mode nlink uid gid rdev blksize flags
LOOKUP, GETATTR, OPEN, READ, RELEASE, FLUSH, INIT, OPENDIR, RELEASEDIR = 1, 3, 14, 15, 18, 25, 26, 27, 29
ROOT, FILE = 1, 2


def available():
    """Why a FUSE mount cannot be made here, or None."""
    if os.geteuid() != 0:
        return "mounting FUSE needs root"
    if not os.path.exists("/dev/fuse"):
        return "no /dev/fuse"
    return None


class HungFile:
    """Mounts at `mountpoint`; `path` is the file whose reads hang, named `name`. Use as a context
    manager."""

    @property
    def reads(self):
        """Reads waiting for an answer."""
        return len(self.pending)

    def __init__(self, mountpoint, name="value"):
        self.mountpoint = mountpoint
        self.name = name.encode()
        self.path = os.path.join(mountpoint, name)
        self.pending = []  # the requests of the reads left unanswered
        self.closing = False  # past the block: every read is answered with EIO
        self._lock = threading.Lock()
        self.fd = None
        self._thread = None

    def __enter__(self):
        os.makedirs(self.mountpoint, exist_ok=True)
        self.fd = os.open("/dev/fuse", os.O_RDWR)
        libc = ctypes.CDLL(None, use_errno=True)
        options = f"fd={self.fd},rootmode=40000,user_id=0,group_id=0,allow_other".encode()
        if libc.mount(b"kinglet-hung", self.mountpoint.encode(), b"fuse", 0, options) != 0:
            os.close(self.fd)
            raise OSError(ctypes.get_errno(), "mount fuse")
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()
        wait_until(lambda: os.path.exists(self.path), timeout=10, what="the FUSE file to appear")
        return self

    def __exit__(self, *exc):
        # The reads left waiting end with EIO, and so does every later one: a process whose read
        # a FUSE server has taken cannot die (not even by SIGKILL) until the server answers it.
        with self._lock:
            self.closing = True
            pending, self.pending = self.pending, []
        for unique in pending:
            self._reply(unique, error=errno.EIO)
        # A mount namespace made since holds a copy of the mount that this does not reach: the
        # serving thread goes on answering through it, and closes the device when the last
        # copy is gone.
        subprocess.run(["umount", "-l", self.mountpoint], capture_output=True)

    def _reply(self, unique, body=b"", error=0):
        try:
            os.write(self.fd, OUT_HEADER.pack(OUT_HEADER.size + len(body), -error, unique) + body)
        except OSError:
            pass  # unmounted meanwhile

    @staticmethod
    def _attr(node):
        mode = 0o40755 if node == ROOT else 0o100644
        return ATTR.pack(node, 0 if node == ROOT else 4096, 0, 0, 0, 0, 0, 0, 0, mode, 1, 0, 0, 0, 4096, 0)

    def _serve(self):
        while True:
            try:
                request = os.read(self.fd, 1 << 17)
            except OSError:
                os.close(self.fd)
                return  # unmounted everywhere
            _, opcode, unique, node, *_ = IN_HEADER.unpack_from(request)
            payload = request[IN_HEADER.size:]
            if opcode == INIT:
                major, minor, readahead = struct.unpack_from("<III", payload)
                self._reply(unique, struct.pack("<IIIIHHIIHHI7I", 7, min(minor, 31), readahead, 0, 0, 0, 4096, 0, 0, 0, 0, *[0] * 7))
            elif opcode == LOOKUP:
                name = payload.split(b"\0", 1)[0]
                if node == ROOT and name == self.name:
                    self._reply(unique, struct.pack("<QQQQII", FILE, 0, 0, 0, 0, 0) + self._attr(FILE))
                else:
                    self._reply(unique, error=errno.ENOENT)
            elif opcode == GETATTR:
                self._reply(unique, struct.pack("<QII", 0, 0, 0) + self._attr(node))
            elif opcode in (OPEN, OPENDIR):
                self._reply(unique, struct.pack("<QII", 0, 0, 0))
            elif opcode == READ:
                with self._lock:
                    if not self.closing:
                        self.pending.append(unique)  # not answered: the reader waits until the end
                        continue
                self._reply(unique, error=errno.EIO)
            elif opcode in (RELEASE, RELEASEDIR, FLUSH):
                self._reply(unique)
            else:
                self._reply(unique, error=errno.ENOSYS)
