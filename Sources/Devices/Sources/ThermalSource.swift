/// `/sys/class/thermal/thermal_zoneN/temp`, in millidegrees Celsius (the profile's scale turns it
/// into degrees). The zone is picked by directory name, by its `type` file, or the first one.
struct ThermalSource: SensorSource {
    let paths: HostPaths
    let zone: String?
    let type: String?
    var blocking: Blocking { .mayHang }

    func read(at time: Duration) throws(DeviceError) -> RawValue {
        .number(try HostFiles.number(try zoneDirectory() + "/temp"))
    }

    private func zoneDirectory() throws(DeviceError) -> String {
        let base = paths.sys + "/class/thermal"
        if let zone { return base + "/" + zone }
        let zones = try HostFiles.list(base).filter { $0.hasPrefix("thermal_zone") }
        guard let type else {
            guard let first = zones.first else { throw DeviceError("find thermal zone", message: "no thermal zones in \(base)") }
            return base + "/" + first
        }
        for name in zones where (try? HostFiles.value(base + "/" + name + "/type")) == type {
            return base + "/" + name
        }
        throw DeviceError("find thermal zone", message: "no zone of type '\(type)' in \(base)")
    }
}
