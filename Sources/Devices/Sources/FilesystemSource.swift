import Glibc
import Support

/// statvfs of the filesystem that holds `path`. Percentages follow df: used over what users can
/// have (used + available), so the root reserve does not hide a full disk.
struct FilesystemSource: SensorSource {
    let path: String
    let metric: FilesystemMetric
    /// A hung network mount never answers statvfs.
    var blocking: Blocking { .mayHang }

    func read(at time: Duration) throws(DeviceError) -> RawValue {
        OperationTrace.note("statvfs", path)
        var info = statvfs()
        guard statvfs(path, &info) == 0 else { throw DeviceError(SystemError("statvfs \(path)")) }
        let unit = Double(info.f_frsize != 0 ? info.f_frsize : info.f_bsize)
        let total = Double(info.f_blocks) * unit
        let available = Double(info.f_bavail) * unit
        let used = Double(info.f_blocks - min(info.f_blocks, info.f_bfree)) * unit
        switch metric {
        case .totalBytes: return .number(total)
        case .availableBytes: return .number(available)
        case .usedBytes: return .number(used)
        case .usedPercent:
            return .number(used + available > 0 ? used / (used + available) * 100 : 0)
        case .inodesUsedPercent:
            guard info.f_files > 0 else { return .number(0) }
            return .number(Double(info.f_files - min(info.f_files, info.f_ffree)) / Double(info.f_files) * 100)
        }
    }
}
