import Glibc
package import Support

/// A source or output that failed: what was attempted, the raw errno (0 when the failure is not
/// a system call's, such as garbage in a file) and what went wrong. Descriptions name paths and
/// commands, never values written to hardware, so they are safe for logs and the status line.
package struct DeviceError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What was attempted, e.g. `read /sys/class/thermal/thermal_zone0/temp`.
    package let operation: String
    /// The errno of the failed system call, or 0.
    package let code: Int32
    package let message: String

    package init(_ operation: String, code: Int32 = 0, message: String) {
        self.operation = operation
        self.code = code
        self.message = message
    }

    /// Wraps a failed system call, keeping its errno and text.
    package init(_ error: SystemError) {
        self.init(error.operation, code: error.code, message: String(cString: strerror(error.code)))
    }

    package var description: String { "\(operation): \(message)" }
}
