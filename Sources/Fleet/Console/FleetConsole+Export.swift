import Session
import Support
import XEPs
import XMLStream
import XMPPCore

extension FleetConsole {
    /// PEP items from a device (a notification or a fetch): each batch goes to the listener,
    /// which drops what it has seen. Returns the first sequence number of the oldest batch.
    @discardableResult
    func published(_ items: [XMLElement], from device: JID) async -> UInt64? {
        var oldest: UInt64?
        for item in items {
            guard let batch = ReadingPayload.parse(item: item) else { continue }
            oldest = min(oldest ?? batch.first, batch.first)
            await listener?(.batch(device: device, batch))
        }
        return oldest
    }

    /// Whose node a PubSub notification comes from: an account whose presence we receive or
    /// whose node we subscribed to (a PEP node's notifications come from its owner's bare JID);
    /// nil for anything else. ejabberd sends a returning subscriber the last item of each node
    /// from its pubsub service's JID, which does not say whose node it was: that item comes
    /// with the fetch after the login instead, and nobody else's readings enter the export.
    static func nodeOwner(of stanza: XMLElement, known: (JID) -> Bool) -> JID? {
        guard stanza.child("event", namespace: PubSubXML.event) != nil, let from = stanza.from, from.local != nil,
            from.resource == nil, known(from)
        else { return nil }
        return from
    }

    /// Fetches what each device's node still holds (after a reconnect, whatever was published
    /// while the console was away, as far as the node keeps items), a bounded number at once.
    /// Returns, for each device whose node answered, the first sequence number of the oldest
    /// batch it holds (nil: none): numbers missing before that can no longer be fetched.
    @discardableResult
    func fetchPublished(from devices: [JID], node: String = SensorDataXML.namespace) async -> [JID: UInt64?] {
        let limit = configuration.fleet.concurrency
        let results = await boundedMap(devices, limit: limit) { [session, timeout = configuration.fleet.timeout] device in
            (device, await session.request(ReadingPayload.fetchItems(node: node, from: device), timeout: timeout))
        }
        var oldest: [JID: UInt64?] = [:]
        for (device, result) in results {
            switch result {
            case .success(let reply):
                let items = ReadingPayload.items(in: reply)
                log.debug("\(device)'s node holds \(items.count) items")
                let first = await published(items, from: device)
                oldest.updateValue(first, forKey: device)  // nil (an empty node) kept as a value
            case .failure(let error): log.info("could not fetch the published readings of \(device): \(error)")
            }
        }
        return oldest
    }

    /// Subscribes to each device's node (XEP-0060), a bounded number at once, once per device
    /// and session; returns the devices newly subscribed (fetch what their nodes hold: they
    /// may have published before). `+notify` alone is not enough on an ejabberd cluster: a
    /// device's node sends caps-based notifications only to contacts whose caps it resolved
    /// itself, and it never resolves those of a console connected to another node (each node
    /// keeps its own caps table), so a console on node B heard nothing from devices on node A.
    /// A device whose node does not exist yet is tried again (`export` retries every 10 s).
    func subscribe(to devices: [JID], node: String = SensorDataXML.namespace) async -> [JID] {
        guard let me = await session.boundJID else { return [] }
        let new = devices.filter { subscribed.insert($0).inserted }
        let timeout = configuration.fleet.timeout
        let results = await boundedMap(new, limit: configuration.fleet.concurrency) { [session] device in
            (device, await session.request(ReadingPayload.subscribe(node: node, at: device, as: me), timeout: timeout))
        }
        var done: [JID] = []
        for (device, result) in results {
            guard case .failure(let error) = result else {
                log.debug("subscribed to the published readings of \(device)")
                done.append(device)
                continue
            }
            subscribed.remove(device)
            log.debug("could not subscribe to the published readings of \(device) (yet): \(error)")
        }
        return done
    }

    /// The online devices this session has no subscription to yet.
    var unsubscribedDevices: [JID] {
        Array(Set(directory.devices.filter(\.online).map(\.jid.bare)).subtracting(subscribed))
    }
}
