import CLinux

/// Memory policy for a process that holds many connections at once (`kinglet fleet simulate`).
package enum ConnectionMemory {
    /// Gives allocations of 16 KiB and more pages of their own (glibc's mmap threshold, fixed
    /// rather than adaptive). The two that matter are mbedTLS's record buffers, 16.7 KiB each
    /// way per connection and zeroed by `calloc`: taken from recycled heap memory they are
    /// resident in full, 33 KiB per connection; in fresh pages only what records were written
    /// into becomes resident, about a page each. One agent alone mostly gets fresh heap anyway;
    /// a thousand whose logins churned through the same arenas do not.
    package static func mapLargeAllocationsSeparately() {
        _ = mallopt(M_MMAP_THRESHOLD, 16 * 1024)
    }
}
