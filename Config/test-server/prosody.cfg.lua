-- Prosody config for Kinglet's integration tests and `make demo`.
-- Tests/Integration/harness/prosody.py fills in the @@NAME@@ placeholders: a private data
-- directory, free loopback ports and a certificate made at test time.
run_as_root = true              -- tests and CI run as root
pidfile = "@@DATA@@/prosody.pid"
data_path = "@@DATA@@"
log = { { levels = { min = "@@LOG_LEVEL@@" }, to = "file", filename = "@@DATA@@/prosody.log" } }

interfaces = { "127.0.0.1" }
local_interfaces = { "127.0.0.1" }
c2s_ports = { @@C2S_PORT@@ }
c2s_direct_tls_ports = { @@DIRECT_TLS_PORT@@ }
s2s_ports = { }
component_ports = { }
http_ports = { }
https_ports = { }
admin_socket = "@@DATA@@/prosody.sock"
certificates = "@@DATA@@"  -- certificates are configured explicitly below

modules_enabled = {
    "roster"; "saslauth"; "tls"; "disco"; "posix"; "ping"; "pep"; "private";
    "version"; "uptime"; "time"; "lastactivity"; "smacks"; "carbons"; "admin_adhoc";
}
modules_disabled = { "s2s"; }
-- offline is on: messages to an offline contact (the chat benchmark sends to one) are stored, not bounced.

c2s_require_encryption = true
s2s_require_encryption = true
authentication = "internal_hashed"
password_hash = "@@PASSWORD_HASH@@"   -- "SHA-1" or "SHA-256": which SCRAM variant is offered
disable_sasl_mechanisms = { @@DISABLED_SASL@@ }
storage = "internal"

-- Stream management: long enough for the outage tests, small enough to expire on purpose.
smacks_hibernation_time = @@SMACKS_HIBERNATION@@
smacks_max_queue_size = 2000
-- Keep throughput limits out of the way of the benchmarks.
limits = { c2s = { rate = "10mb/s"; burst = "4s" } }

ssl = {
    certificate = "@@CERT@@";
    key = "@@KEY@@";
}

VirtualHost "@@DOMAIN@@"
    ssl = { certificate = "@@CERT@@"; key = "@@KEY@@"; }

Component "pubsub.@@DOMAIN@@" "pubsub"
    pubsub_max_items = 10000

-- The fleet room tests: rooms show real JIDs to occupants unless configured otherwise, and a
-- room a device creates by joining is usable at once.
Component "conference.@@DOMAIN@@" "muc"
    muc_room_locking = false
    muc_room_default_public_jids = true
