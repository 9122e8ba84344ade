import FoundationEssentials

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Finds, reads and merges kubeconfig files exactly as client-go's `ClientConfigLoadingRules` does.
///
/// - `--kubeconfig PATH`: that one file, which must exist (`stat PATH: no such file or directory`).
/// - else `KUBECONFIG`: a `:`-separated list; empty entries skipped, duplicates dropped, missing files ignored.
///   The first file to define a cluster, user or context name wins (the whole entry), and `current-context`
///   comes from the first file that sets it.
/// - else `$HOME/.kube/config` (a missing file is simply an empty configuration).
public struct KubeConfigLoader: Sendable {
    /// The environment (`KUBECONFIG`, `HOME`).
    public var environment: Environment
    /// The directory relative file names are taken from.
    public var workingDirectory: String
    /// Size, depth and alias-expansion limits per file.
    var limits: KubeConfigYAML.Limits

    /// Creates a loader.
    public init(environment: Environment, workingDirectory: String = FileManager.default.currentDirectoryPath) {
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.limits = KubeConfigYAML.Limits()
    }

    /// What loading found.
    public struct Result: Sendable, Equatable {
        /// The merged configuration.
        public var config: KubeConfig
        /// The files that were read, in precedence order.
        public var loadedFiles: [String]
        /// Files named by `KUBECONFIG` (or the default file) that do not exist.
        public var missingFiles: [String]
        /// Whether `--kubeconfig` or `KUBECONFIG` named the files (rather than the default location).
        public var explicit: Bool
    }

    /// The files consulted, in precedence order, for an optional `--kubeconfig` value.
    public func precedence(explicitPath: String?) -> [String] {
        if let explicitPath, !explicitPath.isEmpty { return [explicitPath] }
        if let list = environment["KUBECONFIG"] {
            var seen = Set<String>()
            return list.split(separator: ":", omittingEmptySubsequences: true).map(String.init).filter { seen.insert($0).inserted }
        }
        return [environment.homeDirectory + "/.kube/config"]
    }

    /// Loads and merges the kubeconfig files for an optional `--kubeconfig` value.
    public func load(explicitPath: String?) throws -> Result {
        let files = precedence(explicitPath: explicitPath)
        let isExplicit = explicitPath.map { !$0.isEmpty } ?? false
        if isExplicit, let path = files.first {
            var info = stat()
            if stat(KubeConfigPath.absolute(path, workingDirectory: workingDirectory), &info) != 0, errno == ENOENT {
                throw KubeConfigError(
                    "stat \(path): no such file or directory",
                    remedy: "Pass the path of an existing kubeconfig to --kubeconfig, or leave the flag out to use KUBECONFIG or ~/.kube/config.")
            }
        }
        var merged = KubeConfig()
        var loaded: [String] = []
        var missing: [String] = []
        for path in files {
            guard let config = try loadFile(path) else {
                missing.append(path)
                continue
            }
            loaded.append(path)
            if merged.currentContext == nil { merged.currentContext = config.currentContext }
            merged.clusters.merge(config.clusters) { first, _ in first }
            merged.users.merge(config.users) { first, _ in first }
            merged.contexts.merge(config.contexts) { first, _ in first }
        }
        return Result(
            config: merged, loadedFiles: loaded, missingFiles: missing,
            explicit: isExplicit || environment["KUBECONFIG"] != nil)
    }

    /// Reads and decodes one file; `nil` when it does not exist.
    public func loadFile(_ path: String) throws -> KubeConfig? {
        // A relative entry of KUBECONFIG is relative to the working directory, as for kubectl.
        let absolute = KubeConfigPath.absolute(path, workingDirectory: workingDirectory)
        guard let data = try Self.readBounded(absolute, limit: limits.maxBytes) else { return nil }
        let node = try KubeConfigYAML.parse(data, path: path, limits: limits)
        return try KubeConfig(node: node, path: path, directory: KubeConfigPath.directory(of: absolute))
    }

    /// The file's bytes, `nil` when it does not exist (`ENOENT`); at most `limit + 1` bytes are read, so a huge file,
    /// a device or a pipe (`--kubeconfig <(…)` works) cannot exhaust memory.
    static func readBounded(_ path: String, limit: Int) throws -> Data? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            let code = errno
            // Only a missing file is skipped (Go's os.IsNotExist); `not a directory` and the rest are errors.
            if code == ENOENT { return nil }
            throw KubeConfigError.loading(path, "open \(path): \(KubeConfig.goErrorText(code))")
        }
        defer { close(fd) }
        var info = stat()
        if fstat(fd, &info) == 0 {
            if (info.st_mode & S_IFMT) == S_IFDIR {
                throw KubeConfigError.loading(path, "read \(path): is a directory")
            }
            if (info.st_mode & S_IFMT) == S_IFREG, Int(info.st_size) > limit {
                throw KubeConfigError.loading(
                    path, "the file is \(info.st_size) bytes, more than the \(limit / 1024 / 1024) MiB a kubeconfig may have",
                    remedy: "Check that \(path) is really a kubeconfig; kubeconfigs are a few kilobytes.")
            }
        }
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while data.count <= limit {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw KubeConfigError.loading(path, "read \(path): \(KubeConfig.goErrorText(errno))")
            }
            if count == 0 { break }
            data.append(contentsOf: buffer[0..<count])
        }
        if data.count > limit {
            throw KubeConfigError.loading(
                path, "the file is more than the \(limit / 1024 / 1024) MiB a kubeconfig may have",
                remedy: "Check that \(path) is really a kubeconfig; kubeconfigs are a few kilobytes.")
        }
        return data
    }
}
