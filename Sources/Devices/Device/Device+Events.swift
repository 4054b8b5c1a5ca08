import Readings
import Support

/// The edge events of sources that report changes as they happen: their threads hand each one
/// to a bounded stream, and one task records them in the device, so a change is published at
/// once rather than at the next tick. The stream keeps the newest 256: a line chattering faster
/// than the device can take in loses its oldest edges, never memory.
struct EventFeed {
    let continuation: AsyncStream<(Int, SourceEvent)>.Continuation
    let task: Task<Void, Never>
}

extension Device {
    func startEvents() {
        guard events == nil else { return }
        let watched = sensors.indices.filter { sensors[$0].source is any EventSource }
        guard !watched.isEmpty else { return }
        let (stream, continuation) = AsyncStream.makeStream(of: (Int, SourceEvent).self, bufferingPolicy: .bufferingNewest(256))
        for index in watched {
            (sensors[index].source as? any EventSource)?.startEvents { event in continuation.yield((index, event)) }
        }
        let task = Task { [weak self] in
            for await (index, event) in stream { await self?.record(index, event) }
        }
        events = EventFeed(continuation: continuation, task: task)
    }

    func stopEvents() {
        for slot in sensors { (slot.source as? any EventSource)?.stopEvents() }
        events?.continuation.finish()
        events?.task.cancel()
        events = nil
    }

    /// Records an event as the sensor's reading, stamped with the event's own time, and
    /// publishes it when the change filter keeps it. An event older than the sensor's latest
    /// reading is dropped: that read already saw its effect.
    func record(_ index: Int, _ event: SourceEvent) {
        guard !stopped, !sensors[index].absent else { return }
        if let latest = sensors[index].latest, event.time < latest.timestamp { return }
        if let reading = record(index, .success(event.value), at: clock.now(), stamp: event.time) { emit([reading]) }
    }
}
