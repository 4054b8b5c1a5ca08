import Support

/// Which sources and outputs are failing and why: for the presence status line and `status`.
package struct DeviceHealth: Sendable, Hashable {
    package struct Problem: Sendable, Hashable {
        /// The sensor or control name.
        package var name: String
        package var reason: String
    }

    /// Sensors that measure something; identity fields (serial number, model, version) apart.
    package var sensorCount: Int
    package var controlCount: Int
    /// Failing sensors, then failing controls, in profile order.
    package var problems: [Problem]
    /// Samples skipped because the previous read of the same slow source was still running.
    package var overruns: Int
    /// Identity fields: constants and host facts, which are no measurements.
    package var identityCount = 0

    package var isHealthy: Bool { problems.isEmpty }

    /// One line: `9 sensors, 4 controls OK`, or `2 failing: cpu_temperature (read …: No such
    /// file or directory); relay (…)`, cut to about 200 characters.
    package var summary: String {
        guard !problems.isEmpty else { return "\(sensorCount.counted("sensor")), \(controlCount.counted("control")) OK" }
        var text = "\(problems.count) failing: "
        for (i, problem) in problems.enumerated() {
            let part = (i > 0 ? "; " : "") + problem.name + " (" + problem.reason + ")"
            if text.count + part.count > 200 {
                text += i > 0 ? "; …" : String(part.prefix(200 - text.count)) + "…"
                break
            }
            text += part
        }
        return text
    }
}
