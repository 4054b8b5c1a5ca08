import Readings
import XMPPCore

/// "Read sensors": one form to pick sensors and field types (both empty: everything), then the
/// readings as a result form with one labelled field per reading. Labelled fields rather than a
/// `<reported/>` table: Profanity's form parser reads only `<field/>` elements, and every client
/// shows single fields.
struct ReadSensorsCommand: AdHocCommand {
    let services: DeviceServices

    var node: String { "read-sensors" }
    var name: String { "Read sensors" }
    var requiredRole: Role { .viewer }
    var stageCount: Int { 1 }

    func form(stage: Int, submitted: [DataForm?]) async -> DataForm {
        let readings = await services.device.currentReadings()
        let types = FieldType.allCases.filter { type in readings.contains { $0.fieldType == type } }
        let earlier = submitted.first ?? nil
        return DataForm(
            .form, title: name,
            instructions: "Pick sensors, field types or both; leave both empty to read everything.",
            fields: [
                DataFormField(
                    "sensors", type: .listMulti, label: "Sensors", values: earlier?.field("sensors")?.values ?? [],
                    options: readings.map { DataFormField.Option($0.name, label: label(of: $0)) }),
                DataFormField(
                    "types", type: .listMulti, label: "Field types", values: earlier?.field("types")?.values ?? [],
                    options: types.map { DataFormField.Option($0.rawValue, label: $0.rawValue) }),
            ])
    }

    func complete(submitted: [DataForm], requester: JID) async -> CommandOutcome {
        let form = submitted.first
        let names = Set(form?.field("sensors")?.values.filter { !$0.isEmpty } ?? [])
        var types: Set<FieldType> = []
        for text in form?.field("types")?.values ?? [] where !text.isEmpty {
            guard let type = FieldType(rawValue: text) else { return .retry("'\(text.prefix(32))' is not a field type") }
            types.insert(type)
        }
        let known = Set(await services.device.currentReadings().map(\.name))
        if let unknown = names.sorted().first(where: { !known.contains($0) }) {
            return .retry("no sensor or control named '\(unknown.prefix(64))'")
        }
        let readings = await services.device.currentReadings(
            names: names.isEmpty ? nil : names, types: types.isEmpty ? nil : types)
        guard !readings.isEmpty else { return .completed([.info("No reading matches.")], nil) }
        return .completed([.info(readings.count.counted("reading"))], Self.result(readings))
    }

    /// The result form: a line with the time of the newest reading, then one field per reading.
    static func result(_ readings: [Reading]) -> DataForm {
        let newest = readings.map(\.timestamp).max()
        var fields = newest.map { [DataFormField(nil, type: .fixed, values: ["Read at \($0.xsDateTime)"])] } ?? []
        fields += readings.map { reading in
            DataFormField(reading.name, type: .textSingle, label: reading.name, values: [HumanText.value(of: reading)])
        }
        return DataForm(.result, title: "Readings", fields: fields)
    }

    private func label(of reading: Reading) -> String {
        reading.unit.isEmpty ? reading.name : "\(reading.name) (\(reading.unit))"
    }
}
