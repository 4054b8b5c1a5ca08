"""Issue 12, running it in the field: the binary alone knows the shipped profiles, systemd's
notify protocol and watchdog, journal priorities, and `kinglet doctor`."""
import os
import shutil
import subprocess

from harness.agent import BINARY


def test_a_bare_binary_in_an_empty_folder_resolves_a_shipped_profile(workdir):
    folder = os.path.join(workdir, "empty")
    os.mkdir(folder)
    binary = shutil.copy(BINARY, os.path.join(folder, "kinglet"))
    with open(os.path.join(folder, "kinglet.toml"), "w") as f:
        f.write('[xmpp]\njid = "pi@example.org"\npassword = "x"\n[device]\nprofile = "raspberry-pi"\n'
                f'[store]\npath = "{folder}/kinglet.db"\n')
    installed = "/usr/share/kinglet/devices/raspberry-pi.toml"
    expected = installed if os.path.exists(installed) else "(built in) raspberry-pi.toml"
    result = subprocess.run(["./kinglet", "check", "--config", "kinglet.toml"], cwd=folder, capture_output=True,
                            text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert "profile 'raspberry-pi'" in result.stdout, result.stdout
    check = subprocess.run([binary, "check", "--profile", "raspberry-pi"], cwd=folder, capture_output=True,
                           text=True, timeout=30)
    assert check.returncode == 0 and check.stdout.startswith(f"OK: {expected}: profile 'raspberry-pi'"), check
    assert sorted(os.listdir(folder)) == ["kinglet", "kinglet.toml"]  # nothing written beside it
