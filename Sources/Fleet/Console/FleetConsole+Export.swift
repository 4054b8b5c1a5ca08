import Session
import Support
import XEPs
import XMLStream
import XMPPCore

extension FleetConsole {
    /// PEP items from a device (a notification or a fetch): each batch goes to the listener,
    /// which drops what it has seen.
    func published(_ items: [XMLElement], from device: JID) async {
        for item in items {
            guard let batch = ReadingPayload.parse(item: item) else { continue }
            await listener?(.batch(device: device, batch))
        }
    }

    /// Fetches what each device's node still holds (after a reconnect, whatever was published
    /// while the console was away, as far as the node keeps items), a bounded number at once.
    func fetchPublished(from devices: [JID], node: String = SensorDataXML.namespace) async {
        let limit = configuration.fleet.concurrency
        let results = await boundedMap(devices, limit: limit) { [session, timeout = configuration.fleet.timeout] device in
            (device, await session.request(ReadingPayload.fetchItems(node: node, from: device), timeout: timeout))
        }
        for (device, result) in results {
            switch result {
            case .success(let reply): await published(ReadingPayload.items(in: reply), from: device)
            case .failure(let error): log.info("could not fetch the published readings of \(device): \(error)")
            }
        }
    }

    /// Subscribes to each device's node (XEP-0060), a bounded number at once, once per device
    /// and session; returns the devices newly subscribed (fetch what their nodes hold: they
    /// may have published before). `+notify` alone is not enough on an ejabberd cluster: a
    /// device's node sends caps-based notifications only to contacts whose caps it resolved
    /// itself, and it never resolves those of a console connected to another node (each node
    /// keeps its own caps table), so a console on node B heard nothing from devices on node A.
    /// A device whose node does not exist yet is tried again by `subscribeToTheRest`.
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
