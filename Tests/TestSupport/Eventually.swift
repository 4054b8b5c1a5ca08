/// Waits until `condition` holds, checking it every few milliseconds; returns whether it held
/// before `timeout`. For work that finishes on another task or thread (a batch, an answer, a
/// timer the test has just moved a `ManualClock` past), never to time anything: the limit is
/// generous because only a hang should reach it, and a loaded machine can stall a process for
/// many seconds.
package func eventually(
    timeout: Duration = .seconds(60), isolation: isolated (any Actor)? = #isolation,
    _ condition: () async throws -> Bool
) async rethrows -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while clock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(2))
    }
    return try await condition()
}
