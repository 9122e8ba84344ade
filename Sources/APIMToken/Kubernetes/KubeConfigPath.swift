import FoundationEssentials

/// Path arithmetic as Go's `path/filepath` does it on Linux (`Join`, `Clean`, `Abs`), for kubeconfig references.
enum KubeConfigPath {
    /// `path` when absolute, else `directory/path`, cleaned.
    static func resolve(_ path: String, against directory: String) -> String {
        path.hasPrefix("/") ? clean(path) : clean(directory + "/" + path)
    }

    /// The absolute, cleaned form of `path` relative to `workingDirectory`.
    static func absolute(_ path: String, workingDirectory: String) -> String {
        resolve(path, against: workingDirectory)
    }

    /// The directory part of an absolute path.
    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let dir = String(path[..<slash])
        return dir.isEmpty ? "/" : dir
    }

    /// Removes `.`, `..` and repeated slashes (Go `filepath.Clean`).
    static func clean(_ path: String) -> String {
        let absolute = path.hasPrefix("/")
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == ".." {
                if let last = parts.last, last != ".." {
                    parts.removeLast()
                    continue
                }
                if absolute { continue }
            }
            parts.append(part)
        }
        let joined = parts.joined(separator: "/")
        if absolute { return "/" + joined }
        return joined.isEmpty ? "." : joined
    }
}
