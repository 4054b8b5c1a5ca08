import Testing
import XMPPCore

@testable import XEPs

/// Who gets which role, one row per kind of sender: listed accounts, domain entries, the
/// device's own account, the server, components, and the case and trailing-dot forms that
/// must compare equal.
@Suite struct AccessPolicyTests {
    static let policy = AccessPolicy(
        operators: ["alice@example.org", "Ops.Example.NET", "Carol@Example.Org."],
        viewers: ["viewers.example.org", "bob@example.com", "alice@example.org"],
        account: try! JID("device@example.org/kinglet"))

    @Test(arguments: [
        // Listed accounts, any resource or none.
        ("alice@example.org/laptop", Role.operator),
        ("alice@example.org", .operator),
        ("bob@example.com/phone", .viewer),
        // An account listed twice gets the higher role.
        // Case and a trailing dot are the same JID (RFC 7622), in entries and in senders.
        ("ALICE@EXAMPLE.ORG/Laptop", .operator),
        ("alice@example.org./x", .operator),
        ("carol@example.org/pc", .operator),
        ("Bob@Example.COM./phone", .viewer),
        // A domain entry lets in every account there, not the domain itself or its subdomains.
        ("anyone@ops.example.net/x", .operator),
        ("someone@viewers.example.org", .viewer),
        ("ops.example.net", .stranger),
        ("someone@sub.ops.example.net/x", .stranger),
        // The device's own account, from any resource, may do everything.
        ("device@example.org/admin", .operator),
        ("device@example.org", .operator),
        ("DEVICE@example.org./other", .operator),
        // The server and its components are nobody's accounts: they get no role from entries
        // (the router treats the account's own server specially, not the policy).
        ("example.org", .stranger),
        ("pubsub.example.org", .stranger),
        ("conference.example.org/room", .stranger),
        // Everyone else.
        ("mallory@example.org/x", .stranger),
        ("alice@example.org.evil.com/x", .stranger),
        ("alice@evil.example/x", .stranger),
    ])
    func roleOfASender(sender: String, expected: Role) throws {
        #expect(Self.policy.role(of: try JID(sender)) == expected)
    }

    @Test func noSenderIsAStranger() {
        #expect(Self.policy.role(of: nil) == .stranger)
    }

    @Test func rolesAreOrdered() {
        #expect(Role.stranger < .viewer && Role.viewer < .operator)
    }

    @Test(arguments: [
        ("anyone@ops.example.net/x", Role.operator, "ops.example.net"),
        ("someone@viewers.example.org", .viewer, "viewers.example.org"),
        ("alice@example.org/x", .operator, nil),
        ("device@example.org/admin", .operator, nil),
    ] as [(String, Role, String?)])
    func domainEntryThroughWhichASenderIsLetIn(sender: String, role: Role, entry: String?) throws {
        #expect(Self.policy.domainEntry(of: try JID(sender), role: role) == entry)
    }

    @Test func listedAccountsAreTheAccountEntriesWithoutTheDevice() throws {
        let policy = AccessPolicy(
            operators: ["alice@example.org", "example.net", "device@example.org"], viewers: ["Bob@Example.com"],
            account: try JID("device@example.org/kinglet"))
        #expect(policy.listedAccounts.map(\.description) == ["alice@example.org", "bob@example.com"])
    }
}
