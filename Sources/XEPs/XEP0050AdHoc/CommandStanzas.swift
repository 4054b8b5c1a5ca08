import XMLStream
package import XMPPCore

/// XEP-0050 names.
package enum AdHoc {
    package static let namespace = "http://jabber.org/protocol/commands"

    /// The `action` attribute of a request, and the actions a response allows.
    package enum Action: String, Sendable, Hashable, CaseIterable {
        case execute, cancel, prev, next, complete
    }

    /// The XEP-0050 §4.6 application conditions that go with a stanza error.
    package enum Condition: String, Sendable, Hashable {
        case malformedAction = "malformed-action", badAction = "bad-action", badLocale = "bad-locale"
        case badPayload = "bad-payload", badSessionID = "bad-sessionid", sessionExpired = "session-expired"

        /// The stanza error XEP-0050 pairs with the condition: `session-expired` is
        /// `cancel`/`not-allowed`, the others `modify`/`bad-request`.
        package func error(_ text: String? = nil) -> StanzaError {
            let application = XMLElement(rawValue, namespace: AdHoc.namespace)
            return self == .sessionExpired
                ? StanzaError(.notAllowed, kind: .cancel, text: text, application: application)
                : StanzaError(.badRequest, kind: .modify, text: text, application: application)
        }
    }
}

/// An incoming `<command/>`: which command, which session, what to do, and the submitted form.
struct CommandRequest: Sendable, Hashable {
    var node: String
    var sessionID: String?
    /// nil when the attribute is absent: the same as `execute`.
    var action: AdHoc.Action?
    var form: DataForm?

    init(node: String, sessionID: String? = nil, action: AdHoc.Action? = nil, form: DataForm? = nil) {
        self.node = node
        self.sessionID = sessionID
        self.action = action
        self.form = form
    }

    /// Reads the `<command/>` payload; an unknown action is `malformed-action`, a missing node
    /// `bad-request`.
    init(parsing element: XMLElement) throws(StanzaError) {
        guard element.name == "command", element.namespace == AdHoc.namespace else {
            throw StanzaError(.badRequest, text: "expected a command element")
        }
        guard let node = element.attribute("node"), !node.isEmpty else {
            throw StanzaError(.badRequest, text: "the command has no node")
        }
        var action: AdHoc.Action?
        if let text = element.attribute("action") {
            guard let known = AdHoc.Action(rawValue: text) else {
                throw AdHoc.Condition.malformedAction.error("unknown action '\(text.prefix(32))'")
            }
            action = known
        }
        let sessionID = element.attribute("sessionid").flatMap { $0.isEmpty ? nil : $0 }
        let form = element.child("x", namespace: DataForm.namespace).flatMap(DataForm.init)
        self.init(node: node, sessionID: sessionID, action: action, form: form)
    }
}

/// An outgoing `<command/>`: where the session stands, what may come next, notes and a form.
struct CommandResponse: Sendable, Hashable {
    enum Status: String, Sendable, Hashable {
        case executing, completed, canceled
    }

    struct Note: Sendable, Hashable {
        enum Kind: String, Sendable, Hashable { case info, warn, error }
        var kind: Kind
        var text: String

        static func info(_ text: String) -> Note { Note(kind: .info, text: text) }
        static func error(_ text: String) -> Note { Note(kind: .error, text: text) }
    }

    var node: String
    var sessionID: String
    var status: Status
    var actions: CommandActions?
    var notes: [Note] = []
    var form: DataForm?

    var element: XMLElement {
        XMLElement(
            "command", namespace: AdHoc.namespace,
            attributes: ["node": node, "sessionid": sessionID, "status": status.rawValue]
        ) {
            if let actions { actions.element }
            notes.map { XMLElement("note", attributes: ["type": $0.kind.rawValue], text: $0.text) }
            form?.element
        }
    }
}

/// The `<actions/>` of an executing response: what the requester may do next, and what
/// `execute` (or no action) means at this stage.
struct CommandActions: Sendable, Hashable {
    /// Among `prev`, `next`, `complete`; always in that order on the wire.
    var allowed: Set<AdHoc.Action>
    var execute: AdHoc.Action

    var element: XMLElement {
        XMLElement("actions", attributes: ["execute": execute.rawValue]) {
            [AdHoc.Action.prev, .next, .complete].filter(allowed.contains).map { XMLElement($0.rawValue) }
        }
    }
}
