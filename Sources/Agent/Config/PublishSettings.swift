package import TOML
package import XEPs
package import XMPPCore

/// The `[publish]` section: where readings go and how the outbox is flushed.
package struct PublishSettings: Sendable {
    package enum Mode: String, Sendable, CaseIterable {
        /// XEP-0163 PEP on the device's own account.
        case pep
        /// An XEP-0060 pubsub service (`service`).
        case pubsub
        /// Readings stay in the outbox (and history); nothing is published.
        case off
    }

    package var mode = Mode.pep
    package var service: JID?
    /// Unset: `PublishConfiguration.defaultNode`.
    package var node: String?
    /// Unset: `presence` for PEP, `whitelist` for a pubsub service (which has no roster to check).
    package var accessModel: NodeConfiguration.AccessModel?
    package var maxItems = 1
    package var persistItems = true
    package var window = 128
    package var readBatches = 32
    /// XEP-0198: ask the server for an ack after this many stanzas.
    package var ackEvery = 25
    package var requestTimeout: Duration = .seconds(30)
    package var retryInitial: Duration = .seconds(5)
    package var retryMax: Duration = .seconds(300)

    static let keys: Set<String> = [
        "mode", "service", "node", "access_model", "max_items", "persist_items", "window", "read_batches", "ack_every",
        "request_timeout", "retry_initial", "retry_max",
    ]

    package init() {}

    package init(_ table: TOMLTable) throws(TOMLError) {
        try table.rejectUnknownKeys(allowed: Self.keys)
        if let name = try table.string("mode") {
            guard let value = Mode(rawValue: name) else { throw table.error("mode must be pep, pubsub or off, not '\(name)'", at: "mode") }
            mode = value
        }
        if let text = try table.string("service") {
            guard let jid = try? JID(text), jid.local == nil, jid.resource == nil else {
                throw table.error("service must be a pubsub service's address such as pubsub.example.org, not '\(text)'", at: "service")
            }
            service = jid
        }
        switch (mode, service) {
        case (.pubsub, nil): throw table.error("mode = \"pubsub\" needs service = \"pubsub.example.org\"", at: "mode")
        case (.pep, .some), (.off, .some): throw table.error("service applies to mode = \"pubsub\" only", at: "service")
        default: break
        }
        if let node = try table.string("node") {
            guard !node.isEmpty else { throw table.error("node must not be empty", at: "node") }
            self.node = node
        }
        if let name = try table.string("access_model") {
            guard let value = NodeConfiguration.AccessModel(rawValue: name) else {
                throw table.error("access_model must be presence, whitelist or open, not '\(name)'", at: "access_model")
            }
            accessModel = value
        }
        persistItems = try table.bool("persist_items") ?? persistItems
        maxItems = try table.count("max_items", in: 1...1_000_000) ?? maxItems
        window = try table.count("window", in: 1...10_000) ?? window
        readBatches = try table.count("read_batches", in: 1...10_000) ?? readBatches
        ackEvery = try table.count("ack_every", in: 1...10_000) ?? ackEvery
        requestTimeout = try table.duration("request_timeout", atLeast: .seconds(1)) ?? requestTimeout
        retryInitial = try table.duration("retry_initial") ?? retryInitial
        retryMax = try table.duration("retry_max") ?? retryMax
        guard retryInitial > .zero, retryInitial <= retryMax else {
            throw table.error("retry_initial must be above 0 and not exceed retry_max", at: "retry_initial")
        }
    }


    /// What the publisher runs with; nil when publishing is off. `operators` (from `[access]`)
    /// make the whitelist.
    package func publishConfiguration(account: JID, operators: [String], nodeID: String) -> PublishConfiguration? {
        let target: PublishConfiguration.Target
        switch mode {
        case .off: return nil
        case .pep: target = .pep
        case .pubsub: target = .service(service!)
        }
        let access = accessModel ?? (mode == .pep ? .presence : .whitelist)
        var configuration = PublishConfiguration(
            target: target, node: node,
            nodeConfiguration: NodeConfiguration(persistItems: persistItems, maxItems: maxItems, accessModel: access),
            whitelist: operators.compactMap { try? JID($0) }, nodeID: nodeID, account: account)
        configuration.window = window
        configuration.readBatches = readBatches
        configuration.requestTimeout = requestTimeout
        configuration.retryInitial = retryInitial
        configuration.retryMax = retryMax
        return configuration
    }
}
