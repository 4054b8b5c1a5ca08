import Glibc
import Support

/// Host facts for identity fields. Device-tree strings end with a NUL, which is trimmed.
struct SystemSource: SensorSource {
    let paths: HostPaths
    let item: SystemItem
    /// The device tree, DMI and /etc are files; the version is in memory.
    var blocking: Blocking { item == .agentVersion ? .never : .mayHang }

    func read(at time: Duration) throws(DeviceError) -> RawValue {
        let deviceTree = paths.sys + "/firmware/devicetree/base/"
        switch item {
        case .serialNumber:
            return .text(try first([deviceTree + "serial-number", paths.etc + "/machine-id"]))
        case .machineID:
            return .text(try HostFiles.value(paths.etc + "/machine-id"))
        case .model:
            if let model = try? first([deviceTree + "model", paths.sys + "/class/dmi/id/product_name"]) {
                return .text(model)
            }
            return .text(Self.unameMachine())
        case .hostname:
            return .text(try HostFiles.value(paths.proc + "/sys/kernel/hostname"))
        case .kernel:
            return .text(try HostFiles.value(paths.proc + "/sys/kernel/osrelease"))
        case .agentVersion:
            return .text(KingletVersion.string)
        }
    }

    /// The first of `candidates` that exists and is not empty.
    private func first(_ candidates: [String]) throws(DeviceError) -> String {
        var lastError = DeviceError("read \(item.rawValue)", message: "no source")
        for path in candidates {
            do {
                return try HostFiles.value(path)
            } catch {
                lastError = error
            }
        }
        throw lastError
    }

    private static func unameMachine() -> String {
        var names = utsname()
        uname(&names)
        return withUnsafePointer(to: names.machine) {
            $0.withMemoryRebound(to: CChar.self, capacity: 65) { String(cString: $0) }
        }
    }
}
