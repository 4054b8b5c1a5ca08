import CLinux
import Glibc

/// SRV lookups through glibc's stub resolver (`res_query`), which reads /etc/resolv.conf.
/// It blocks, so it runs on the connection's I/O thread, never on the concurrency pool.
package struct SystemSRVLookup: SRVLookup {
    package init() {}

    package func lookup(_ name: String) -> SRVAnswer {
        var answer = [UInt8](repeating: 0, count: 4096)
        // C_IN = 1, T_SRV = 33. res_query uses per-thread resolver state in glibc.
        let length = answer.withUnsafeMutableBufferPointer { buffer in
            res_query(name, 1, Int32(DNSMessage.typeSRV), buffer.baseAddress, Int32(buffer.count))
        }
        guard length > 0 else {
            // h_errno: HOST_NOT_FOUND (1) and NO_DATA (4) mean "no records"; others are failures.
            let code = __h_errno_location().pointee
            return code == 1 || code == 4 ? .none : .failed("resolver error \(code)")
        }
        guard let records = DNSMessage.srvRecords(in: Array(answer[0..<min(Int(length), answer.count)])) else {
            return .failed("malformed DNS answer")
        }
        return records.isEmpty ? .none : .records(records)
    }
}
