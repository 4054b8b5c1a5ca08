package import XMPPCore
import Support

/// The one way access decisions are logged, so each decision makes exactly one line that
/// says who, what, which role and what was needed:
///
///     INFO  access: refused get disco#info query from mallory@example.org/x (stranger; viewer needed)
///     DEBUG access: allowed set control from alice@example.org/pc (operator)
///
/// Refusals are `info` (an operator wants to see them); grants are `debug`, since a readout
/// service may ask many times a second. The router logs IQs and messages from strangers;
/// handlers that decide more finely (a viewer's chat `set`) log through here too.
package enum AccessLog {
    private static let log = Logger("access")

    package static func allowed(_ what: @autoclosure () -> String, from: JID, role: Role) {
        log.debug("allowed \(what()) from \(from) (\(role))")
    }

    package static func refused(_ what: @autoclosure () -> String, from: JID, role: Role, needed: Role) {
        log.info("refused \(what()) from \(from) (\(role); \(needed) needed)")
    }
}
