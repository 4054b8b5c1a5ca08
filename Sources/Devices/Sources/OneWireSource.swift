/// A 1-wire temperature sensor (DS18B20 family) through the w1_therm driver's `w1_slave` file:
/// a CRC line ending in `YES` or `NO`, then a line ending in `t=<millidegrees>`. Reading it makes
/// the sensor convert, which takes up to 750 ms, so it runs off the sampling path.
struct OneWireSource: SensorSource {
    let paths: HostPaths
    let device: String?
    var blocking: Blocking { .slow }

    /// Family codes of 1-wire thermometers: DS18S20, DS1822, DS18B20, DS1825, DS28EA00.
    static let thermometerFamilies = ["10-", "22-", "28-", "3b-", "42-"]

    func read(at time: Duration) throws(DeviceError) -> RawValue {
        let base = paths.sys + "/bus/w1/devices"
        let id: String
        if let device {
            id = device
        } else {
            let found = try HostFiles.list(base).first { name in Self.thermometerFamilies.contains { name.hasPrefix($0) } }
            guard let found else { throw DeviceError("find 1-wire sensor", message: "no thermometer in \(base)") }
            id = found
        }
        let path = base + "/" + id + "/w1_slave"
        return .number(try Self.parse(try HostFiles.text(path), path: path))
    }

    /// Millidegrees from a `w1_slave` text.
    static func parse(_ text: String, path: String) throws(DeviceError) -> Double {
        let lines = text.split(separator: "\n")
        guard lines.count >= 2 else { throw DeviceError("read \(path)", message: "truncated w1_slave output") }
        guard lines[0].hasSuffix("YES") else { throw DeviceError("read \(path)", message: "CRC check failed") }
        guard let marker = lines[1].locate("t="), let milli = Double(lines[1][marker.upperBound...].trimmingSpaces)
        else {
            throw DeviceError("read \(path)", message: "no t= value")
        }
        // 85 °C is what a DS18B20 reports when no conversion ran (power-on reset); a real 85 °C
        // reading is far less likely than a brown-out on the bus.
        if milli == 85_000 { throw DeviceError("read \(path)", message: "power-on reset value 85 °C (conversion did not run)") }
        return milli
    }
}
