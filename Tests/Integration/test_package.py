"""Issue 12, the Debian package: Config/debian/build-deb.sh (what `make deb` runs) packages the
binary, installed with `dpkg --root` into a fresh root tree, its maintainer scripts run
chrootless (DPKG_ROOT) as Debian's bootstrap tools do. The tree then holds the shared libraries
the binary needs, so `kinglet` runs there under chroot as the user the package made.

The test packages the debug build `make test` has already made (a release build would add five
minutes to CI); `KINGLET_DEB=path` tests a package `make deb` built instead. A debootstrap'd
Debian 12 took 2.5 minutes to make here, most of it downloading, so the tree is built by hand."""
import os
import re
import shutil
import stat
import subprocess

import pytest

from harness.agent import BINARY, REPO


def run(*args, **kwargs):
    result = subprocess.run(args, capture_output=True, text=True, timeout=120, **kwargs)
    assert result.returncode == 0, f"{args}: {result.stdout}{result.stderr}"
    return result


def dpkg(root, *args):
    # --force-depends: the tree's dpkg database knows none of the libraries (they are copied in).
    return run("dpkg", f"--root={root}", "--force-script-chrootless", "--force-depends", *args)


def make_root(root):
    """A tree with what the maintainer scripts and dpkg need: the account files and dpkg's database."""
    for folder in ["etc", "var/lib/dpkg/info", "var/lib/dpkg/updates", "var/lib/dpkg/triggers", "tmp"]:
        os.makedirs(os.path.join(root, folder), exist_ok=True)
    files = {
        "etc/passwd": "root:x:0:0:root:/root:/bin/sh\n",
        "etc/group": "root:x:0:\ndialout:x:20:\n",
        "etc/shadow": "root:*:19000:0:99999:7:::\n",
        "etc/gshadow": "root:*::\ndialout:*::\n",
        "var/lib/dpkg/status": "",
        "var/lib/dpkg/available": "",
    }
    for path, text in files.items():
        with open(os.path.join(root, path), "w") as f:
            f.write(text)
    shutil.copy("/etc/login.defs", os.path.join(root, "etc/login.defs"))


def copy_libraries(root, binary):
    """The binary's shared libraries (ldd), at their own paths inside the tree."""
    for line in run("ldd", binary).stdout.splitlines():
        match = re.search(r"(/\S+) \(0x", line)
        if match:
            target = os.path.join(root, match.group(1).lstrip("/"))
            os.makedirs(os.path.dirname(target), exist_ok=True)
            shutil.copy2(match.group(1), target)


def as_agent(root, uid, gid, *args):
    """`kinglet ARGS` inside the tree as the agent's user, with /proc mounted (Swift reads the
    command line from it) in a mount namespace of its own, gone when the command ends."""
    os.makedirs(os.path.join(root, "proc"), exist_ok=True)
    command = " ".join(["/usr/bin/kinglet", *args])
    return subprocess.run(["unshare", "--mount", "--fork", "sh", "-c",
                           f"mount -t proc proc {root}/proc && exec chroot --userspec={uid}:{gid} {root} {command}"],
                          capture_output=True, text=True, timeout=120)


def account(root, name, kind="passwd"):
    with open(os.path.join(root, "etc", kind)) as f:
        for line in f:
            fields = line.rstrip("\n").split(":")
            if fields[0] == name:
                return fields
    return None


def mode_owner(path):
    st = os.stat(path)
    return stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid


@pytest.fixture(scope="module")
def package(tmp_path_factory):
    prebuilt = os.environ.get("KINGLET_DEB")
    if prebuilt:
        return prebuilt
    out = str(tmp_path_factory.mktemp("deb"))
    return run(os.path.join(REPO, "Config", "debian", "build-deb.sh"), BINARY, out,
               env=dict(os.environ, DEB_COMPRESSION="none")).stdout.strip()


def test_the_package_installs_into_a_root_tree(package, workdir):
    assert re.fullmatch(r"kinglet_\d+\.\d+\.\d+_[a-z0-9]+\.deb", os.path.basename(package)), package
    fields = run("dpkg-deb", "--field", package, "Package", "Depends").stdout
    # A debug build links the C libraries as shared libraries, the release build statically: the
    # dependencies follow the binary.
    linked = run("ldd", BINARY).stdout
    for soname, library in [("libc.so", "libc6"), ("libxml2.so", "libxml2"), ("libmbedtls.so", "libmbedtls14"),
                            ("libsqlite3.so", "libsqlite3-0")]:
        assert (library in fields) == (soname in linked), (library, fields)
    root = os.path.join(workdir, "root")
    make_root(root)
    installed = dpkg(root, "-i", package)
    assert "then 'systemctl enable --now kinglet'" in installed.stdout

    # Layout
    for path, mode in [("usr/bin/kinglet", 0o755), ("lib/systemd/system/kinglet.service", 0o644),
                       ("usr/share/kinglet/devices/raspberry-pi.toml", 0o644),
                       ("usr/share/kinglet/devices/simulated.toml", 0o644), ("usr/share/doc/kinglet/README.md", 0o644),
                       ("usr/share/doc/kinglet/copyright.d/libmbedtls14", 0o644)]:
        assert mode_owner(os.path.join(root, path))[0] == mode, path
    assert sorted(os.listdir(os.path.join(root, "usr/share/kinglet/devices"))) == \
        sorted(f for f in os.listdir(os.path.join(REPO, "Devices")) if f.endswith(".toml"))

    # The system user, its group and the modes the scripts set
    user = account(root, "kinglet")
    group = account(root, "kinglet", "group")
    assert user and group, open(os.path.join(root, "etc/passwd")).read()
    uid, gid = int(user[2]), int(group[2])
    assert uid < 1000 and user[5] == "/var/lib/kinglet" and user[6] == "/usr/sbin/nologin", user
    assert "kinglet" in account(root, "dialout", "group")[3].split(","), "the agent may use serial lines"
    assert mode_owner(os.path.join(root, "var/lib/kinglet")) == (0o700, uid, gid)
    assert mode_owner(os.path.join(root, "etc/kinglet")) == (0o750, 0, gid)
    assert mode_owner(os.path.join(root, "etc/kinglet/kinglet.toml")) == (0o640, 0, gid)
    assert "/etc/kinglet/kinglet.toml" in dpkg(root, "-s", "kinglet").stdout  # a conffile

    # `kinglet check` and the doctor's file modes, there, as the agent's user
    copy_libraries(root, os.path.join(root, "usr/bin/kinglet"))
    secret = os.path.join(root, "etc/kinglet/password")
    with open(secret, "w") as f:
        f.write("sensor-secret\n")
    os.chown(secret, uid, gid)  # as README says: the agent's own, mode 600
    os.chmod(secret, 0o600)
    check = as_agent(root, uid, gid, "check", "--config", "/etc/kinglet/kinglet.toml")
    assert check.returncode == 0, check
    assert check.stdout.startswith("OK: /etc/kinglet/kinglet.toml: sensor-7@example.org, profile 'raspberry-pi' ("), check
    assert check.stdout.rstrip().endswith("outbox /var/lib/kinglet/kinglet.db"), check
    assert check.stderr == "", check.stderr
    doctor = as_agent(root, uid, gid, "doctor", "--config", "/etc/kinglet/kinglet.toml")
    assert "✔ file modes: /etc/kinglet/kinglet.toml, /etc/kinglet/password: nobody else" in doctor.stdout, doctor.stdout
    assert "✔ outbox: /var/lib/kinglet/kinglet.db does not exist yet" in doctor.stdout, doctor.stdout
    os.chmod(secret, 0o640)
    check = as_agent(root, uid, gid, "check", "--config", "/etc/kinglet/kinglet.toml")
    assert check.returncode == 0 and "password_file /etc/kinglet/password is readable by the group 'kinglet' (mode 640)" \
        in check.stderr, check

    # systemd reads the unit as installed, and it stays hardened
    verify = subprocess.run(["systemd-analyze", "verify", f"--root={root}", "--recursive-errors=no", "kinglet.service"],
                            capture_output=True, text=True, timeout=60)
    assert verify.returncode == 0 and verify.stderr == "", verify.stderr
    security = subprocess.run(["systemd-analyze", "security", "--offline=true", "--threshold=20",
                               os.path.join(root, "lib/systemd/system/kinglet.service")],
                              capture_output=True, text=True, timeout=60)
    assert security.returncode == 0, security.stdout[-400:]
    exposure = float(re.search(r"Overall exposure level for kinglet.service: ([\d.]+)", security.stdout).group(1))
    assert exposure <= 2.0

    # An edited config survives a reinstall, and the modes an operator set stay
    with open(os.path.join(root, "etc/kinglet/kinglet.toml"), "a") as f:
        f.write("# edited by the operator\n")
    os.chmod(os.path.join(root, "etc/kinglet/kinglet.toml"), 0o600)
    dpkg(root, "-i", package)
    assert open(os.path.join(root, "etc/kinglet/kinglet.toml")).read().endswith("# edited by the operator\n")
    assert mode_owner(os.path.join(root, "etc/kinglet/kinglet.toml"))[0] == 0o600
    assert account(root, "kinglet")[2] == str(uid)  # the same user, not a second one

    # Purge: the outbox folder and the config go, the user stays (Debian leaves system users)
    dpkg(root, "--purge", "kinglet")
    assert not os.path.exists(os.path.join(root, "var/lib/kinglet"))
    assert not os.path.exists(os.path.join(root, "usr/bin/kinglet"))
    assert not os.path.exists(os.path.join(root, "etc/kinglet/kinglet.toml"))
    assert account(root, "kinglet")


def test_an_upgrade_with_a_changed_config_keeps_the_edited_one(package, workdir):
    root = os.path.join(workdir, "root")
    make_root(root)
    dpkg(root, "-i", package)
    config = os.path.join(root, "etc/kinglet/kinglet.toml")
    with open(config, "a") as f:
        f.write("# edited by the operator\n")
    # A newer package whose shipped config changed too.
    unpacked = os.path.join(workdir, "newer")
    run("dpkg-deb", "-R", package, unpacked)
    with open(os.path.join(unpacked, "etc/kinglet/kinglet.toml"), "a") as f:
        f.write("# a new default\n")
    control = os.path.join(unpacked, "DEBIAN/control")
    text = open(control).read()
    version = re.search(r"^Version: (\S+)$", text, re.M).group(1)
    with open(control, "w") as f:
        f.write(text.replace(f"Version: {version}", f"Version: {version}+1"))
    newer = os.path.join(workdir, "kinglet-newer.deb")
    run("dpkg-deb", "--root-owner-group", "-Znone", "--build", unpacked, newer)
    dpkg(root, "--force-confold", "-i", newer)
    assert open(config).read().endswith("# edited by the operator\n")
    assert open(config + ".dpkg-dist").read().endswith("# a new default\n")  # the new one, beside it
    assert f"Version: {version}+1" in dpkg(root, "-s", "kinglet").stdout
