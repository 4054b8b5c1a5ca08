extension Int {
    /// `1 sensor`, `3 sensors`, `0 readings`: a count with its (regular) noun.
    package func counted(_ noun: String) -> String {
        "\(self) \(self == 1 ? noun : noun + "s")"
    }
}
