import Support

/// Runs blocking work (a `poll`, an `accept`) on a thread of its own, not on the concurrency
/// pool: the pool has a thread per core, and a test blocked on one would starve the actors
/// (the session under test among them) that must run for the wait to end.
package func onThread<T: Sendable>(_ body: @escaping @Sendable () throws(TestFailure) -> T) async throws(TestFailure) -> T {
    let result = await OffloadThread.run { () -> Result<T, TestFailure> in
        do throws(TestFailure) {
            return .success(try body())
        } catch {
            return .failure(error)
        }
    }
    return try result.get()
}

/// Why a test fixture gave up: what it waited for, or which call failed.
package struct TestFailure: Error, Sendable, CustomStringConvertible {
    package let description: String
    package init(_ description: String) { self.description = description }
}
