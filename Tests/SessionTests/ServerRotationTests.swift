import Testing
import Transport
@testable import Session

@Suite struct ServerRotationTests {
    let a = Endpoint(host: "a.example.org", port: 5222, directTLS: false)
    let b = Endpoint(host: "b.example.org", port: 5222, directTLS: false)
    let c = Endpoint(host: "c.example.org", port: 5222, directTLS: false)

    @Test func startsInTheConfiguredOrder() {
        #expect(ServerRotation([a, b, c]).order == [a, b, c])
    }

    @Test func aServerThatGotUsOnlineIsTriedFirstAgain() {
        var rotation = ServerRotation([a, b, c])
        rotation.connected(to: b)  // a refused the connect inside the attempt
        rotation.connectionEnded(wentOnline: true)
        #expect(rotation.order == [b, c, a])
        // Node a comes back: the device stays with b, whose node holds its session.
        rotation.connected(to: b)
        rotation.connectionEnded(wentOnline: true)
        #expect(rotation.order == [b, c, a])
    }

    @Test func aServerThatTookTheConnectionButNotTheLoginIsMovedPast() {
        var rotation = ServerRotation([a, b, c])
        rotation.connected(to: a)
        rotation.connectionEnded(wentOnline: false)
        #expect(rotation.order == [b, c, a])
        rotation.connected(to: c)
        rotation.connectionEnded(wentOnline: false)
        #expect(rotation.order == [a, b, c])
    }

    @Test func anAttemptThatReachedNoServerChangesNothing() {
        var rotation = ServerRotation([a, b])
        rotation.connected(to: b)
        rotation.connectionEnded(wentOnline: true)
        rotation.connectionEnded(wentOnline: false)  // every connect refused
        #expect(rotation.order == [b, a])
    }

    @Test func aRedirectTargetIsNotOneOfTheServers() {
        var rotation = ServerRotation([a, b])
        rotation.connected(to: Endpoint(host: "elsewhere.example.org", port: 5222, directTLS: false))
        rotation.connectionEnded(wentOnline: false)
        #expect(rotation.order == [a, b])
    }

    @Test func noServersConfigured() {
        var rotation = ServerRotation([])
        rotation.connected(to: a)
        rotation.connectionEnded(wentOnline: false)
        #expect(rotation.order.isEmpty)
    }
}
