/// An open file of a `StorageFileSystem`: the file system's number for it (a descriptor for
/// `PosixFileSystem`) and the path it was opened by, for error messages.
public struct StorageFile: Hashable, Sendable {
    /// The file system's handle (a file descriptor for `PosixFileSystem`).
    public let descriptor: Int32
    /// The path the file was opened by.
    public let path: String

    public init(descriptor: Int32, path: String) {
        self.descriptor = descriptor
        self.path = path
    }
}
