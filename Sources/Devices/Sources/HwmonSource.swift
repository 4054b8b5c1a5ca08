/// A hwmon attribute (`temp1_input`, `fan1_input`, `in0_input`) of the chip whose `name` file
/// says `chip`, or whose directory is named `chip`. Values are the kernel's units (millidegrees,
/// millivolts, RPM); the profile scales them.
struct HwmonSource: SensorSource {
    let paths: HostPaths
    let chip: String
    let attribute: String
    var blocking: Blocking { .mayHang }

    func read(at time: Duration) throws(DeviceError) -> RawValue {
        let dir = try chipDirectory()
        // Old drivers keep attributes in the `device` subdirectory.
        let direct = dir + "/" + attribute
        let path = HostFiles.exists(direct) ? direct : dir + "/device/" + attribute
        return .number(try HostFiles.number(HostFiles.exists(path) ? path : direct))
    }

    private func chipDirectory() throws(DeviceError) -> String {
        let base = paths.sys + "/class/hwmon"
        let chips = try HostFiles.list(base)
        if chips.contains(chip) { return base + "/" + chip }
        for name in chips where (try? HostFiles.value(base + "/" + name + "/name")) == chip {
            return base + "/" + name
        }
        throw DeviceError("find hwmon chip", message: "no chip named '\(chip)' in \(base)")
    }
}
