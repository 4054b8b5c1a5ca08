package import TOML

/// A problem in a device profile, at a line: what `kinglet check` prints as `FILE:LINE: message`.
/// The same type as a TOML error, since a profile is a TOML file and every check reports the
/// same way (line 0: the file as a whole, e.g. missing).
package typealias ProfileError = TOMLError
