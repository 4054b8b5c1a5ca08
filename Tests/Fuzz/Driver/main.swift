import FuzzTargets
import Glibc
import Support

#if FUZZING
import CFuzzer
#endif

// kinglet-fuzz --target=NAME [libFuzzer flags] [CORPUS...]
//
// Built by `make fuzz` (-sanitize=fuzzer,address -DFUZZING): libFuzzer runs the target.
// Built normally: every file given (folders: every file in them) runs once through the target,
// without sanitizers: how a crash found by the fuzzer is replayed under a debugger.
// `--list` prints the targets' names.

/// The target named by `--target=`, found once; libFuzzer ignores flags that start with `--`.
let selected: (any FuzzTarget.Type)? = {
    guard let name = CommandLine.arguments.first(where: { $0.hasPrefix("--target=") })?.dropFirst(9) else { return nil }
    return FuzzTargets.named(String(name))
}()

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    selected?.run(size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}

/// The files named, with a folder standing for the files in it.
func inputs(_ paths: [String]) -> [String] {
    paths.flatMap { path -> [String] in
        guard let folder = opendir(path) else { return [path] }
        defer { closedir(folder) }
        var names: [String] = []
        while let entry = readdir(folder) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if entry.pointee.d_type == DT_REG { names.append(path + "/" + name) }
        }
        return names.sorted()
    }
}

// The features under test log what they refuse; a million inputs would bury libFuzzer's report.
Logger.silence()

if CommandLine.arguments.contains("--list") {
    for target in FuzzTargets.all { print(target.name) }
    exit(0)
}
guard selected != nil else {
    printError("usage: kinglet-fuzz --target=NAME [libFuzzer flags] [CORPUS...]; --list names the targets")
    exit(64)
}
#if FUZZING
var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzzOne(data, size) })
#else
let files = inputs(CommandLine.arguments.dropFirst().filter { !$0.hasPrefix("-") })
for file in files {
    guard let data = try? FileIO.read(file) else { continue }
    _ = data.withUnsafeBufferPointer { fuzzOne($0.baseAddress, $0.count) }
}
print("\(selected!.name): \(files.count) inputs ran")
#endif
