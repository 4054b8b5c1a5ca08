import TOML

/// TOML parsing: a typical agent config (start-up cost of `kinglet run`/`check`) and a large
/// device profile (throughput).
func tomlBench() async throws -> [Figure] {
    let config = """
        # /etc/kinglet/agent.toml
        [xmpp]
        jid = "sensor-7@example.org"
        password_file = "/etc/kinglet/secret"
        host = "127.0.0.1"
        port = 5222
        ca_file = "/etc/kinglet/ca.pem"

        [device]
        profile = "simulated"
        interval = "30s"
        max_age = "15m"

        [store]
        path = "/var/lib/kinglet/outbox.sqlite"
        max_size = "64MiB"

        [access]
        operators = ["alice@example.org"]
        viewers = ["example.org", "bob@example.org"]
        """
    var profile = "name = \"bench\"\ndescription = '''\nA synthetic profile with many sensors.\n'''\n"
    for i in 0..<2000 {
        profile += """

            [[sensors]]
            name = "sensor-\(i)"
            kind = "temperature"
            path = "/sys/class/thermal/thermal_zone\(i % 8)/temp"
            scale = 0.001
            unit = "°C"
            interval = "\(i % 60 + 1)s"
            deadband = { absolute = 0.5, relative = 1e-2 }
            tags = ["cpu", "soc", 'zone-\(i % 8)']

            """
    }

    let configRuns = 20_000
    var keys = 0
    var start = Stopwatch.now()
    for _ in 0..<configRuns {
        keys += try TOMLDocument.parse(config, file: "agent.toml").root.keys.count
    }
    let configMicros = (Stopwatch.now() - start) / Double(configRuns) * 1e6

    let profileRuns = 20
    var sensors = 0
    start = Stopwatch.now()
    for _ in 0..<profileRuns {
        sensors += try TOMLDocument.parse(profile, file: "profile.toml").root.tableArray("sensors")?.count ?? 0
    }
    let profileSeconds = (Stopwatch.now() - start) / Double(profileRuns)
    guard keys == configRuns * 4, sensors == profileRuns * 2000 else { throw TOMLBenchError.wrongResult }
    return [
        Figure(name: "toml.parse.agent_config", value: configMicros, unit: "µs per parse (\(config.utf8.count) bytes)"),
        Figure(name: "toml.parse.throughput", value: Double(profile.utf8.count) / profileSeconds / 1e6, unit: "MB/s"),
        Figure(name: "toml.parse.profile_2000_sensors", value: profileSeconds * 1e3,
            unit: "ms per parse (\(profile.utf8.count / 1024) KiB)"),
    ]
}

private enum TOMLBenchError: Error {
    case wrongResult
}
