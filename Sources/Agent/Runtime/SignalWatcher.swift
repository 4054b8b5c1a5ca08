import Dispatch
import Glibc

/// Turns SIGTERM and SIGINT into an async sequence. The signals are ignored at the process
/// level and observed through Dispatch sources, so no code runs in signal context.
package final class SignalWatcher {
    package let signals: AsyncStream<Int32>
    private let sources: [any DispatchSourceSignal]

    package init(_ numbers: [Int32] = [SIGTERM, SIGINT]) {
        let (stream, continuation) = AsyncStream.makeStream(of: Int32.self)
        signals = stream
        sources = numbers.map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { continuation.yield(number) }
            source.resume()
            return source
        }
    }

    deinit {
        for source in sources { source.cancel() }
    }
}
