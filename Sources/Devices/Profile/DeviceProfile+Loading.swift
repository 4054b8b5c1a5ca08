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
    /// in `searchDirectories`.
    package static func load(
        reference: String, searchDirectories: [String] = searchDirectories
    ) throws(ProfileError) -> DeviceProfile {
        try load(path: try locate(reference, searchDirectories: searchDirectories))
    }

    /// The file a profile reference means; fails naming the directories searched.
    package static func locate(_ reference: String, searchDirectories: [String] = searchDirectories) throws(ProfileError)
        -> String
    {
        if reference.contains("/") || reference.hasSuffix(".toml") { return reference }
        guard !reference.isEmpty else { throw ProfileError(file: "profile", line: 0, message: "empty profile name") }
        for directory in searchDirectories {
            let candidate = directory + "/" + reference + ".toml"
            if FileIO.exists(candidate) { return candidate }
        }
        throw ProfileError(
            file: reference, line: 0,
            message: "no profile named '\(reference)' in \(searchDirectories.joined(separator: ", "))")
    }
}
