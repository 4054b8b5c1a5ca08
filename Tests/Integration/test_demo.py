"""`make demo` runs end to end: the watcher reads the simulated device and flips the relay."""
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def test_demo_reads_the_device_and_flips_the_relay(workdir):
    env = dict(os.environ, DEMO_SECONDS="15", DEMO_DIR=os.path.join(workdir, "demo"))
    result = subprocess.run([sys.executable, os.path.join(HERE, "demo.py")], env=env, capture_output=True,
                            text=True, timeout=120)
    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    assert "agent online as sensor@kinglet.test/kinglet" in out
    assert re.search(r"^temperature +\d+\.\d\d +°C +momentary", out, re.M), out
    assert re.search(r"^serial_number +KINGLET-SIM-0001 +identity", out, re.M), out
    assert "» presence: online" in out
    flip = re.search(r"» flipped the relay → (on|off) \(XEP-0325 set answered in [\d.]+ ms\)", out)
    assert flip, out
    assert f"» readout shows relay = {flip.group(1)} ✓" in out
    assert re.search(rf"^relay +{flip.group(1)} +status", out[flip.end():], re.M), out
    assert "stopped: agent exited with status 0" in out
    assert "Traceback" not in result.stderr, result.stderr
