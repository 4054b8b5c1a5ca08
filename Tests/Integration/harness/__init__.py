"""Test harness for Kinglet's integration tests: a private Prosody on loopback with a
certificate made at test time, the real kinglet binary, and real XMPP client libraries."""
