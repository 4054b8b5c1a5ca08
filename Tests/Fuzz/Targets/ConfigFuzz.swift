import Agent
import Devices
import TOML

/// The TOML parser and the two readers on top of it: the agent's config (every section, with
/// the profile it names) and a device profile. Whatever the text, the answer is a value or a
/// `FILE:LINE` error, quickly.
///
/// Input: the text of a file. It is read as `fuzz/kinglet.toml`, a folder that does not
/// exist, so relative paths in it (profiles, password files) lead nowhere.
enum ConfigFuzz: FuzzTarget {
    static let name = "config"

    static func run(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        do throws(TOMLError) {
            let document = try TOMLDocument.parse(text, file: "fuzz/kinglet.toml", secretKeys: ["password"])
            _ = try? AgentConfiguration(document: document)
        } catch {
            let lines = bytes.reduce(1) { $0 + ($1 == 0x0A ? 1 : 0) }
            precondition(error.file == "fuzz/kinglet.toml" && (1...lines).contains(error.line), "an error out of place: \(error)")
        }
        _ = try? DeviceProfile.parse(text, file: "fuzz/profile.toml")
    }
}
