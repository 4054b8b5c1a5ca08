import CGPIO

/// Builds the `gpio_v2_line_request` for one line: kept apart from the ioctl so that what goes
/// to the kernel (offset, flags, initial value, debounce, consumer label) is unit-tested
/// without a chip.
enum GPIOLineRequest {
    /// The request for `target`'s line at `offset` as an output driven to `initial` (the logical
    /// value: the kernel applies active-low itself).
    static func make(_ target: GPIOTarget, offset: UInt32, initial: Bool) -> gpio_v2_line_request {
        var request = base(offset: offset, consumer: target.consumer)
        request.config.flags = flags(target)
        request.config.num_attrs = 1
        request.config.attrs.0.attr.id = GPIO_V2_LINE_ATTR_ID_OUTPUT_VALUES.rawValue
        request.config.attrs.0.attr.values = initial ? 1 : 0
        // Bit 0 of the mask is the request's first (only) line.
        request.config.attrs.0.mask = 1
        return request
    }

    /// The request for `input`'s line at `offset` as an input, with edge detection and the
    /// debounce period when asked for. Event timestamps stay on the kernel's default clock
    /// (CLOCK_MONOTONIC): the realtime flag needs Linux 5.11, and a wall-clock time is worked
    /// out from the event's age instead.
    static func input(_ input: GPIOInput, offset: UInt32) -> gpio_v2_line_request {
        var request = base(offset: offset, consumer: input.consumer)
        request.config.flags = flags(input)
        let micros = input.debounce.components.seconds * 1_000_000 + input.debounce.components.attoseconds / 1_000_000_000_000
        if micros > 0 {
            request.config.num_attrs = 1
            request.config.attrs.0.attr.id = GPIO_V2_LINE_ATTR_ID_DEBOUNCE.rawValue
            request.config.attrs.0.attr.debounce_period_us = UInt32(clamping: micros)
            request.config.attrs.0.mask = 1
        }
        return request
    }

    private static func base(offset: UInt32, consumer: String) -> gpio_v2_line_request {
        var request = gpio_v2_line_request()
        withUnsafeMutableBytes(of: &request.offsets) { $0.bindMemory(to: UInt32.self)[0] = offset }
        withUnsafeMutableBytes(of: &request.consumer) { buffer in
            // NUL-terminated and cut to the 31 bytes the kernel keeps.
            let label = Array(consumer.utf8.prefix(buffer.count - 1))
            for (i, byte) in label.enumerated() { buffer[i] = byte }
        }
        request.num_lines = 1
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
        return flags | biasFlags(target.bias)
    }

    static func flags(_ input: GPIOInput) -> UInt64 {
        var flags = UInt64(GPIO_V2_LINE_FLAG_INPUT.rawValue)
        if input.activeLow { flags |= UInt64(GPIO_V2_LINE_FLAG_ACTIVE_LOW.rawValue) }
        switch input.edges {
        case .none: break
        case .rising: flags |= UInt64(GPIO_V2_LINE_FLAG_EDGE_RISING.rawValue)
        case .falling: flags |= UInt64(GPIO_V2_LINE_FLAG_EDGE_FALLING.rawValue)
        case .both: flags |= UInt64(GPIO_V2_LINE_FLAG_EDGE_RISING.rawValue | GPIO_V2_LINE_FLAG_EDGE_FALLING.rawValue)
        }
        return flags | biasFlags(input.bias)
    }

    private static func biasFlags(_ bias: GPIOBias) -> UInt64 {
        switch bias {
        case .asIs: 0
        case .pullUp: UInt64(GPIO_V2_LINE_FLAG_BIAS_PULL_UP.rawValue)
        case .pullDown: UInt64(GPIO_V2_LINE_FLAG_BIAS_PULL_DOWN.rawValue)
        case .disabled: UInt64(GPIO_V2_LINE_FLAG_BIAS_DISABLED.rawValue)
        }
    }

    /// `gpio_v2_line_values` that set (or read) the request's only line.
    static func values(_ value: Bool) -> gpio_v2_line_values {
        gpio_v2_line_values(bits: value ? 1 : 0, mask: 1)
    }
}
