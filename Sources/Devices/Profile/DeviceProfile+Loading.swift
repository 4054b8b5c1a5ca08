import Support
import TOML

extension DeviceProfile {
    /// Where bare profile names are looked up, in order: `Devices/` in the working directory
    /// (a checkout), then the installed profiles.
    package static let searchDirectories = ["Devices", "/usr/share/kinglet/devices"]

    /// Loads and checks the profile at `path`. The first problem fails with `FILE:LINE: message`.
    package static func load(path: String) throws(ProfileError) -> DeviceProfile {
        let document = try TOMLDocument.load(path: path)
        return try ProfileReader(root: document.root, file: path).read()
    }

    /// Parses and checks profile text; `file` names it in errors.
    package static func parse(_ text: String, file: String) throws(ProfileError) -> DeviceProfile {
        let document = try TOMLDocument.parse(text, file: file)
        return try ProfileReader(root: document.root, file: file).read()
    }

    /// Loads a profile named as a config or the command line names it: a path (anything with a
    /// `/` or ending in `.toml`) or a bare name such as `simulated`, looked up as `NAME.toml`
    /// in `searchDirectories` and then among the profiles built into the binary, so that a
    /// file of that name wins over the built-in one.
    package static func load(
        reference: String, searchDirectories: [String] = searchDirectories
    ) throws(ProfileError) -> DeviceProfile {
        switch try locate(reference, searchDirectories: searchDirectories) {
        case .file(let path): try load(path: path)
        case .builtIn(let text): try parse(text, file: builtInFile(reference))
        }
    }

    /// Where a profile reference leads.
    package enum Location: Sendable, Hashable {
        case file(String)
        /// A shipped profile compiled into the binary: its text.
        case builtIn(String)
    }

    /// What a profile reference means; fails naming the directories searched.
    package static func locate(_ reference: String, searchDirectories: [String] = searchDirectories) throws(ProfileError)
        -> Location
    {
        if reference.contains("/") || reference.hasSuffix(".toml") { return .file(reference) }
        guard !reference.isEmpty else { throw ProfileError(file: "profile", line: 0, message: "empty profile name") }
        for directory in searchDirectories {
            let candidate = directory + "/" + reference + ".toml"
            if FileIO.exists(candidate) { return .file(candidate) }
        }
        if let text = BuiltInProfiles.text(named: reference) { return .builtIn(text) }
        throw ProfileError(
            file: reference, line: 0,
            message: "no profile named '\(reference)' in \(searchDirectories.joined(separator: ", ")) "
                + "and none built in (\(BuiltInProfiles.names.joined(separator: ", ")))")
    }

    /// How a built-in profile is named where a file name would stand (`kinglet check`, errors).
    package static func builtInFile(_ name: String) -> String { "(built in) \(name).toml" }
}
