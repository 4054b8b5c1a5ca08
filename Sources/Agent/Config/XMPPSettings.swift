package import Support
import Crypto
package import TOML
package import Transport
package import XMPPCore

/// The `[xmpp]` section: who the agent is and how it reaches its server.
package struct XMPPSettings: Sendable {
    package var jid: JID
    package var password: Secret?
    /// Where the password came from: the `password_file`, or nil (inline, or none).
    package var passwordFile: String?
    /// The config file these settings were read from.
    package var configFile: String

    /// Every file the agent trusts, with what it is to the agent: what `FileModes` checks.
    package var trustedFiles: [(path: String, role: FileModes.Role)] {
        var files: [(String, FileModes.Role)] = [(configFile, passwordFile == nil && password != nil ? .configWithPassword : .trusted(key: "config"))]
        if let passwordFile { files.append((passwordFile, .secret(key: "password_file"))) }
        if let keyFile { files.append((keyFile, .secret(key: "key_file"))) }
        if let certFile { files.append((certFile, .trusted(key: "cert_file"))) }
        if let caFile { files.append((caFile, .trusted(key: "ca_file"))) }
        return files
    }
    package var host: String?
    package var port: UInt16?
    /// `servers`: endpoints tried in order instead of `host`/`port` or SRV.
    package var servers: [Endpoint] = []
    package var directTLS = false
    package var resource = "kinglet"
    package var caFile: String?
    /// SHA-256 digests of acceptable server public keys (SubjectPublicKeyInfo).
    package var pinnedKeys: [[UInt8]] = []
    package var certFile: String?
    package var keyFile: String?
    package var connectTimeout: Duration = .seconds(15)
    package var reconnectInitial: Duration = .seconds(1)
    package var reconnectMax: Duration = .seconds(60)
    /// Idle time after which the agent pings the server to prove the stream is alive.
    package var pingInterval: Duration = .seconds(60)
    package var pingTimeout: Duration = .seconds(20)
    package var maxStanzaBytes = 256 * 1024

    static let keys: Set<String> = [
        "jid", "password", "password_file", "host", "port", "servers", "direct_tls", "resource", "ca_file", "pin_sha256",
        "cert_file", "key_file", "connect_timeout", "reconnect_initial", "reconnect_max", "ping_interval",
        "ping_timeout", "max_stanza_size",
    ]

    /// Keys whose values a TOML syntax error must not quote.
    static let secretKeys: Set<String> = ["password"]

    /// Reads and checks the section. Warnings (a password others can read, a file anyone can
    /// change: `FileModes`) go to `warn`.
    package init(_ table: TOMLTable, warn: (String) -> Void) throws(TOMLError) {
        try table.rejectUnknownKeys(allowed: Self.keys)
        let text = try table.requireString("jid")
        do {
            jid = try JID(text)
        } catch {
            throw table.error("\(error) ('\(text)')", at: "jid")
        }
        guard jid.local != nil else { throw table.error("jid must be an account (user@domain), not '\(text)'", at: "jid") }
        if let resource = jid.resource { self.resource = resource }
        password = try Self.password(table)
        passwordFile = try table.string("password_file")
        configFile = table.file
        host = try table.string("host")
        if let port = try table.integer("port") {
            guard (1...65535).contains(port) else { throw table.error("port must be between 1 and 65535", at: "port") }
            self.port = UInt16(port)
        }
        directTLS = try table.bool("direct_tls") ?? false
        servers = try Self.servers(table, directTLS: directTLS)
        if !servers.isEmpty, host != nil || port != nil {
            throw table.error("set host and port, or servers, not both", at: "servers")
        }
        if let resource = try table.string("resource") {
            guard (try? jid.bare.with(resource: resource)) != nil else {
                throw table.error("resource '\(resource)' is not a valid resource part", at: "resource")
            }
            self.resource = resource
        }
        caFile = try Self.readableFile(table, "ca_file")
        certFile = try Self.readableFile(table, "cert_file")
        keyFile = try Self.readableFile(table, "key_file")
        if (certFile == nil) != (keyFile == nil) {
            throw table.error("cert_file and key_file go together: set both or neither", at: certFile == nil ? "key_file" : "cert_file")
        }
        guard password != nil || certFile != nil else {
            throw table.error("set password, password_file, or cert_file and key_file (for SASL EXTERNAL)", at: nil)
        }
        pinnedKeys = try Self.pins(table)
        // Zero would mean a connect that cannot succeed, a reconnect or ping loop without pause.
        connectTimeout = try table.duration("connect_timeout", atLeast: .milliseconds(100)) ?? connectTimeout
        reconnectInitial = try table.duration("reconnect_initial", atLeast: .milliseconds(100)) ?? reconnectInitial
        reconnectMax = try table.duration("reconnect_max", atLeast: .milliseconds(100)) ?? reconnectMax
        pingInterval = try table.duration("ping_interval", atLeast: .seconds(1)) ?? pingInterval
        pingTimeout = try table.duration("ping_timeout", atLeast: .milliseconds(100)) ?? pingTimeout
        if let size = try table.byteSize("max_stanza_size") {
            guard size >= 4096 && size <= 64 << 20 else {
                throw table.error("max_stanza_size must be between 4kB and 64MiB", at: "max_stanza_size")
            }
            maxStanzaBytes = Int(size)
        }
        guard reconnectInitial <= reconnectMax else {
            throw table.error("reconnect_initial must not exceed reconnect_max", at: "reconnect_initial")
        }
        for file in trustedFiles {
            for problem in FileModes.problems(file.path, role: file.role) { warn(problem.description) }
        }
    }

    private static func password(_ table: TOMLTable) throws(TOMLError) -> Secret? {
        let inline = try table.string("password")
        let file = try table.string("password_file")
        switch (inline, file) {
        case (.some, .some):
            throw table.error("set password or password_file, not both", at: "password_file")
        case (.some(let value), nil):
            guard !value.isEmpty else { throw table.error("password is empty", at: "password") }
            return Secret(value)
        case (nil, .some(let path)):
            let text: String
            do {
                text = try FileIO.readText(path, limit: 64 * 1024)
            } catch {
                throw table.error("cannot read password_file \(path): \(error)", at: "password_file")
            }
            // One trailing newline is what editors and `echo` leave; it is not part of the password.
            var value = Substring(text)
            if value.hasSuffix("\n") { value = value.dropLast() }
            if value.hasSuffix("\r") { value = value.dropLast() }
            guard !value.isEmpty else { throw table.error("password_file \(path) is empty", at: "password_file") }
            return Secret(String(value))
        case (nil, nil):
            return nil
        }
    }

    /// `servers = ["a.example.org:5222", "[2001:db8::1]:5223", "b.example.org"]`: the port
    /// defaults as for `host`. The TLS name stays the JID's domain whichever server answers.
    private static func servers(_ table: TOMLTable, directTLS: Bool) throws(TOMLError) -> [Endpoint] {
        guard let entries = try table.stringArray("servers") else { return [] }
        guard !entries.isEmpty else { throw table.error("servers is empty: list at least one host:port", at: "servers") }
        var servers: [Endpoint] = []
        for entry in entries {
            guard let (host, port) = Endpoint.splitHostPort(entry) else {
                throw table.error("servers entry '\(entry)' is not host, host:port or [IPv6]:port (port 1-65535)", at: "servers")
            }
            let endpoint = Endpoint(host: host, port: port ?? (directTLS ? 5223 : 5222), directTLS: directTLS)
            guard !servers.contains(endpoint) else { throw table.error("servers lists \(endpoint) twice", at: "servers") }
            servers.append(endpoint)
        }
        return servers
    }

    private static func readableFile(_ table: TOMLTable, _ key: String) throws(TOMLError) -> String? {
        guard let path = try table.string(key) else { return nil }
        do {
            _ = try FileIO.read(path, limit: 1)
        } catch {
            throw table.error("cannot read \(key) \(path): \(error)", at: key)
        }
        return path
    }

    /// `pin_sha256` as one string or an array, in the forms `TLSConfiguration.parsePin` reads.
    private static func pins(_ table: TOMLTable) throws(TOMLError) -> [[UInt8]] {
        let values: [String]
        if case .string(let one)? = table["pin_sha256"] {
            values = [one]
        } else {
            values = try table.stringArray("pin_sha256") ?? []
        }
        var pins: [[UInt8]] = []
        for value in values {
            guard let pin = TLSConfiguration.parsePin(value) else {
                throw table.error("pin_sha256 '\(value)' is not a SHA-256 digest in base64 (sha256/...) or hex", at: "pin_sha256")
            }
            pins.append(pin)
        }
        return pins
    }
}
