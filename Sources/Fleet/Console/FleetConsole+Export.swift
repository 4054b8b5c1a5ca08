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
}
