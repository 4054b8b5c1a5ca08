import CGPIO

/// Builds the `gpio_v2_line_request` for one output line: kept apart from the ioctl so that what
/// goes to the kernel (offset, flags, initial value, consumer label) is unit-tested without a chip.
enum GPIOLineRequest {
    /// The request for `target` as an output driven to `initial` (the logical value: the kernel
    /// applies active-low itself).
    static func make(_ target: GPIOTarget, initial: Bool) -> gpio_v2_line_request {
        var request = gpio_v2_line_request()
        withUnsafeMutableBytes(of: &request.offsets) { $0.bindMemory(to: UInt32.self)[0] = target.line }
        withUnsafeMutableBytes(of: &request.consumer) { buffer in
            // NUL-terminated and cut to the 31 bytes the kernel keeps.
            let label = Array(target.consumer.utf8.prefix(buffer.count - 1))
            for (i, byte) in label.enumerated() { buffer[i] = byte }
        }
        request.num_lines = 1
        request.config.flags = flags(target)
        request.config.num_attrs = 1
        request.config.attrs.0.attr.id = GPIO_V2_LINE_ATTR_ID_OUTPUT_VALUES.rawValue
        request.config.attrs.0.attr.values = initial ? 1 : 0
        // Bit 0 of the mask is the request's first (only) line.
        request.config.attrs.0.mask = 1
        return request
    }

    static func flags(_ target: GPIOTarget) -> UInt64 {
        var flags = UInt64(GPIO_V2_LINE_FLAG_OUTPUT.rawValue)
        if target.activeLow { flags |= UInt64(GPIO_V2_LINE_FLAG_ACTIVE_LOW.rawValue) }
        switch target.drive {
        case .pushPull: break
        case .openDrain: flags |= UInt64(GPIO_V2_LINE_FLAG_OPEN_DRAIN.rawValue)
        case .openSource: flags |= UInt64(GPIO_V2_LINE_FLAG_OPEN_SOURCE.rawValue)
        }
        switch target.bias {
        case .asIs: break
        case .pullUp: flags |= UInt64(GPIO_V2_LINE_FLAG_BIAS_PULL_UP.rawValue)
        case .pullDown: flags |= UInt64(GPIO_V2_LINE_FLAG_BIAS_PULL_DOWN.rawValue)
        case .disabled: flags |= UInt64(GPIO_V2_LINE_FLAG_BIAS_DISABLED.rawValue)
        }
        return flags
    }

    /// `gpio_v2_line_values` that set (or read) the request's only line.
    static func values(_ value: Bool) -> gpio_v2_line_values {
        gpio_v2_line_values(bits: value ? 1 : 0, mask: 1)
    }
}
