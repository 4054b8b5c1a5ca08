package import Devices
package import Readings

/// One value to set on one control, as a request names it (not yet validated).
package struct ControlChange: Sendable, Hashable {
    package var name: String
    package var value: ControlValue

    package init(_ name: String, _ value: ControlValue) {
        self.name = name
        self.value = value
    }
}

/// Validate-then-apply for a list of control values: what XEP-0325 `set`, ad-hoc "Set a
/// control" and chat `set` share. Nothing touches hardware until every change has passed.
package struct ControlApplier: Sendable {
    private let device: Device

    package init(device: Device) {
        self.device = device
    }

    /// The device's controls, in the order forms list them.
    package var controls: [ControlDefinition] { device.controls }

    /// The control named `name`, or `unknownParameter`.
    package func control(_ name: String) throws(ControlError) -> ControlDefinition {
        try device.control(named: name)
    }

    /// Parses text a person typed for a control (`on`, `42`, `auto`) into a change.
    package func change(_ name: String, text: String) throws(ControlError) -> ControlChange {
        ControlChange(name, try control(name).parse(text))
    }

    /// Checks every change against its control (`Device.validate`), in order. The first unknown
    /// name (`unknownParameter`) or bad value (`invalidValue`) is thrown, naming the parameter;
    /// nothing is applied.
    package func validate(_ changes: [ControlChange]) throws(ControlError) -> [ValidatedControlValue] {
        var valid: [ValidatedControlValue] = []
        valid.reserveCapacity(changes.count)
        for change in changes { valid.append(try device.validate(change.name, change.value)) }
        return valid
    }

    /// Validates every change, then applies them one by one in order and returns the values
    /// now applied (as read back where the target allows). When a target fails mid-way the
    /// error names that parameter; the changes before it stay applied, since hardware cannot
    /// be rolled back. `setter` (the requester's bare JID) is kept with each value.
    package func apply(_ changes: [ControlChange], by setter: String) async throws(ControlError) -> [ControlChange] {
        let valid = try validate(changes)
        var applied: [ControlChange] = []
        applied.reserveCapacity(valid.count)
        for change in valid {
            applied.append(ControlChange(change.name, try await device.apply(change, by: setter)))
        }
        return applied
    }
}
