import Glibc

/// A failed system call: the operation, the raw errno and its text. Carries no data that was
/// being read or written, so it is always safe to log.
package struct SystemError: Error, Sendable, Equatable, CustomStringConvertible {
    package let operation: String
    package let code: Int32

    package init(_ operation: String, code: Int32 = errno) {
        self.operation = operation
        self.code = code
    }

    package var description: String {
        "\(operation): \(String(cString: strerror(code))) (errno \(code))"
    }
}

/// The result of a non-blocking call: EAGAIN/EWOULDBLOCK is a value, not an error.
package enum IOResult<Value: Sendable>: Sendable {
    case done(Value)
    case wouldBlock
}

/// Runs a system call that reports failure with -1 and errno: retries EINTR and throws
/// every other failure as a `SystemError` naming the operation.
@discardableResult
package func systemCall<T: FixedWidthInteger>(_ operation: String, _ body: () -> T) throws(SystemError) -> T {
    while true {
        let result = body()
        if result != -1 { return result }
        if errno == EINTR { continue }
        throw SystemError(operation)
    }
}

/// Like `systemCall`, but EAGAIN/EWOULDBLOCK come back as `.wouldBlock`.
package func nonBlockingCall<T: FixedWidthInteger & Sendable>(
    _ operation: String, _ body: () -> T
) throws(SystemError) -> IOResult<T> {
    while true {
        let result = body()
        if result != -1 { return .done(result) }
        switch errno {
        case EINTR: continue
        case EAGAIN, EWOULDBLOCK: return .wouldBlock
        default: throw SystemError(operation)
        }
    }
}
