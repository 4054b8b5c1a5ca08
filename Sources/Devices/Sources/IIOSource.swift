/// An Industrial I/O channel: `in_<channel>_input` when the driver gives a processed value,
/// otherwise `(in_<channel>_raw + offset) * scale` with the channel's own `_scale`/`_offset`
/// or the ones its type shares (`in_voltage_scale` for `in_voltage0_raw`). Values are IIO units:
/// millidegrees Celsius, milli-percent relative humidity, kilopascals.
struct IIOSource: SensorSource {
    let paths: HostPaths
    let device: String
    let channel: String
    var blocking: Blocking { .mayHang }

    func read(at time: Duration) throws(DeviceError) -> RawValue {
        let dir = try deviceDirectory()
        let prefix = channel.hasPrefix("in_") || channel.hasPrefix("out_") ? channel : "in_" + channel
        let processed = dir + "/" + prefix + "_input"
        if HostFiles.exists(processed) { return .number(try HostFiles.number(processed)) }
        let raw = dir + "/" + prefix + "_raw"
        guard HostFiles.exists(raw) else {
            throw DeviceError("read \(dir)", message: "no \(prefix)_input or \(prefix)_raw")
        }
        let value = try HostFiles.number(raw)
        let shared = String(prefix.reversed().drop { $0.isASCII && $0.isNumber }.reversed())
        let scale = try optionalNumber(dir, [prefix + "_scale", shared + "_scale"]) ?? 1
        let offset = try optionalNumber(dir, [prefix + "_offset", shared + "_offset"]) ?? 0
        return .number((value + offset) * scale)
    }

    private func optionalNumber(_ dir: String, _ names: [String]) throws(DeviceError) -> Double? {
        for name in names where HostFiles.exists(dir + "/" + name) {
            return try HostFiles.number(dir + "/" + name)
        }
        return nil
    }

    private func deviceDirectory() throws(DeviceError) -> String {
        let base = paths.sys + "/bus/iio/devices"
        let devices = try HostFiles.list(base)
        if devices.contains(device) { return base + "/" + device }
        for name in devices where (try? HostFiles.value(base + "/" + name + "/name")) == device {
            return base + "/" + name
        }
        throw DeviceError("find IIO device", message: "no device named '\(device)' in \(base)")
    }
}
