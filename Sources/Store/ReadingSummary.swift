/// The numbers one sensor gave over a span of time: how many, the smallest, the largest and
/// their mean. For chat's `read temperature 1h`.
package struct ReadingSummary: Sendable, Hashable {
    package private(set) var count = 0
    package private(set) var minimum = Double.infinity
    package private(set) var maximum = -Double.infinity
    private var sum = 0.0

    package init() {}

    init(count: Int, minimum: Double, maximum: Double, sum: Double) {
        self.count = count
        self.minimum = count > 0 ? minimum : .infinity
        self.maximum = count > 0 ? maximum : -.infinity
        self.sum = sum
    }

    /// nil when there was nothing to average.
    package var mean: Double? { count > 0 ? sum / Double(count) : nil }

    package mutating func add(_ value: Double) {
        guard !value.isNaN else { return }
        count += 1
        sum += value
        minimum = Swift.min(minimum, value)
        maximum = Swift.max(maximum, value)
    }

    package mutating func add(_ other: ReadingSummary) {
        guard other.count > 0 else { return }
        count += other.count
        sum += other.sum
        minimum = Swift.min(minimum, other.minimum)
        maximum = Swift.max(maximum, other.maximum)
    }
}
