internal import CMbedTLS
import Glibc
import Support

/// What the server's chain looked like during verification, so that a rejection can say why
/// in one line: which issuer is unknown, which names the certificate is for, when it expired.
///
/// mbedTLS hands each certificate of the verified chain to the verify callback, top first;
/// after a failed handshake the chain is gone, so the callback copies what the message needs.
final class CertificateReport {
    struct Entry {
        var depth: Int
        var subject: String
        var issuer: String
        var dnsNames: [String]
        var validFrom: String
        var validTo: String
        var notAfter: Timestamp
        var flags: UInt32
    }

    private(set) var entries: [Entry] = []

    /// The C callback for `mbedtls_ssl_conf_verify`; its context is an unretained `CertificateReport`.
    static let callback:
        @convention(c) (
            UnsafeMutableRawPointer?, UnsafeMutablePointer<mbedtls_x509_crt>?, Int32, UnsafeMutablePointer<UInt32>?
        ) -> Int32 = { context, certificate, depth, flags in
            guard let context, let certificate, let flags else { return 0 }
            let report = Unmanaged<CertificateReport>.fromOpaque(context).takeUnretainedValue()
            report.record(certificate, depth: Int(depth), flags: flags.pointee)
            // Never change the verdict here: mbedTLS's flags stay authoritative.
            return 0
        }

    func reset() { entries.removeAll() }

    private func record(_ certificate: UnsafeMutablePointer<mbedtls_x509_crt>, depth: Int, flags: UInt32) {
        let crt = certificate.pointee
        var names: [String] = []
        var san: UnsafeMutablePointer<mbedtls_x509_sequence>? = certificate.pointer(to: \.subject_alt_names)
        while let entry = san {
            let buf = entry.pointee.buf
            if Int32(buf.tag) == kinglet_san_dns_tag(), let p = buf.p, buf.len > 0 {
                names.append(String(decoding: UnsafeBufferPointer(start: p, count: buf.len), as: UTF8.self))
            }
            san = entry.pointee.next
        }
        entries.append(
            Entry(
                depth: depth, subject: Self.name(certificate.pointer(to: \.subject)!),
                issuer: Self.name(certificate.pointer(to: \.issuer)!), dnsNames: names,
                validFrom: Self.date(crt.valid_from), validTo: Self.date(crt.valid_to),
                notAfter: Self.timestamp(crt.valid_to), flags: flags))
    }

    /// The chain as values, server certificate first.
    var chain: [PeerCertificate] {
        entries.sorted { $0.depth < $1.depth }.map {
            PeerCertificate(subject: $0.subject, issuer: $0.issuer, dnsNames: $0.dnsNames, notAfter: $0.notAfter)
        }
    }

    /// One line that says why verification failed, for `flags` from `mbedtls_ssl_get_verify_result`.
    func explain(flags: UInt32, serverName: String, trustSource: String) -> String {
        let leaf = entries.first { $0.depth == 0 }
        let top = entries.max { $0.depth < $1.depth }
        var reasons: [String] = []
        var handled: UInt32 = 0
        func check(_ flag: Int32, _ text: () -> String) {
            let bit = UInt32(bitPattern: flag)
            guard flags & bit != 0 else { return }
            handled |= bit
            reasons.append(text())
        }
        check(MBEDTLS_X509_BADCERT_MISSING) { "the server sent no certificate" }
        check(MBEDTLS_X509_BADCERT_NOT_TRUSTED) {
            "certificate not trusted: the issuer '\(top?.issuer ?? "?")' is not a known CA"
                + " (trusted CAs: \(trustSource))"
        }
        check(MBEDTLS_X509_BADCERT_CN_MISMATCH) {
            let names = leaf.map { $0.dnsNames.isEmpty ? [$0.subject] : $0.dnsNames } ?? []
            let actual = names.isEmpty ? "" : " (it is for \(names.joined(separator: ", ")))"
            return "host name mismatch: certificate does not match '\(serverName)'\(actual)"
        }
        check(MBEDTLS_X509_BADCERT_EXPIRED) {
            let expired = entries.first { $0.flags & UInt32(MBEDTLS_X509_BADCERT_EXPIRED) != 0 }
            return "certificate expired" + (expired.map { ": '\($0.subject)' was valid until \($0.validTo)" } ?? "")
        }
        check(MBEDTLS_X509_BADCERT_FUTURE) {
            let early = entries.first { $0.flags & UInt32(MBEDTLS_X509_BADCERT_FUTURE) != 0 }
            return "certificate not yet valid"
                + (early.map { ": '\($0.subject)' is valid from \($0.validFrom)" } ?? "")
                + " (system clock: \(Timestamp.now()); is it set?)"
        }
        check(MBEDTLS_X509_BADCERT_REVOKED) { "certificate revoked" }
        check(MBEDTLS_X509_BADCERT_KEY_USAGE | MBEDTLS_X509_BADCERT_EXT_KEY_USAGE | MBEDTLS_X509_BADCERT_NS_CERT_TYPE) {
            "certificate is not valid for a TLS server (key usage)"
        }
        check(MBEDTLS_X509_BADCERT_BAD_MD) { "certificate is signed with a hash that is not accepted (e.g. SHA-1)" }
        check(MBEDTLS_X509_BADCERT_BAD_PK) { "certificate uses a public-key algorithm that is not accepted" }
        check(MBEDTLS_X509_BADCERT_BAD_KEY) { "certificate key is too small" }
        if flags & ~handled != 0 {
            reasons.append(Self.libraryText(flags & ~handled))
        }
        return reasons.joined(separator: "; ")
    }

    /// mbedTLS's own description of the remaining flags, one line.
    private static func libraryText(_ flags: UInt32) -> String {
        var buffer = [CChar](repeating: 0, count: 512)
        _ = mbedtls_x509_crt_verify_info(&buffer, buffer.count, "", flags)
        let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let lines = text.split(separator: "\n")
        guard !lines.isEmpty else { return "certificate verification failed (flags 0x\(String(flags, radix: 16)))" }
        return lines.joined(separator: "; ")
    }

    private static func name(_ dn: UnsafePointer<mbedtls_x509_name>) -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        let n = mbedtls_x509_dn_gets(&buffer, buffer.count, dn)
        guard n > 0 else { return "?" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private static func timestamp(_ t: mbedtls_x509_time) -> Timestamp {
        var parts = tm()
        parts.tm_year = t.year - 1900
        parts.tm_mon = t.mon - 1
        parts.tm_mday = t.day
        parts.tm_hour = t.hour
        parts.tm_min = t.min
        parts.tm_sec = t.sec
        return Timestamp(secondsSinceEpoch: Int64(timegm(&parts)))
    }

    private static func date(_ t: mbedtls_x509_time) -> String {
        func pad(_ v: Int32, _ width: Int) -> String {
            let digits = String(v)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        let day = "\(pad(t.year, 4))-\(pad(t.mon, 2))-\(pad(t.day, 2))"
        return day + " \(pad(t.hour, 2)):\(pad(t.min, 2)):\(pad(t.sec, 2)) UTC"
    }
}
