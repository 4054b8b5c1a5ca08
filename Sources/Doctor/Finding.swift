/// One line of `kinglet doctor`: what was checked, what was found and, when something is wrong,
/// how to fix it.
struct Finding: Sendable, Hashable {
    enum Mark: Sendable, Hashable {
        case ok
        /// Worth a look, but the agent works: does not fail the doctor.
        case warning
        case failed

        var symbol: String {
            switch self {
            case .ok: "✔"
            case .warning: "⚠"
            case .failed: "✘"
            }
        }
    }

    var mark: Mark
    /// `config`, `DNS`, `TLS`, `sensor temperature`, ...
    var check: String
    var text: String
    var fix: String?

    static func ok(_ check: String, _ text: String) -> Finding { Finding(mark: .ok, check: check, text: text) }
    static func warning(_ check: String, _ text: String, fix: String) -> Finding {
        Finding(mark: .warning, check: check, text: text, fix: fix)
    }
    static func failed(_ check: String, _ text: String, fix: String) -> Finding {
        Finding(mark: .failed, check: check, text: text, fix: fix)
    }

    /// `✘ TLS: certificate not trusted: … → set [xmpp] ca_file to …`.
    var line: String {
        "\(mark.symbol) \(check): \(text)" + (fix.map { " → \($0)" } ?? "")
    }
}
