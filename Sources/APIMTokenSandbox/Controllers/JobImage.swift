import Foundation

// MARK: - JobImage

/// An OCI image archive (what `scripts/image` writes) unpacked into a root filesystem, and the means to run a
/// container in it as a container runtime would, without one: a mount and PID namespace (`unshare`), `/proc`,
/// `/sys` and a minimal `/dev`, the pod's files bind-mounted read-only where the manifests put them, the root
/// remounted read-only (`readOnlyRootFilesystem`), then `chroot` to the image and drop to the pod's UID/GID.
/// The network namespace is shared, so the process reaches the sandbox on 127.0.0.1.
///
/// Needs root (mount namespaces) and util-linux's `unshare` and `mount` plus coreutils' `chroot`; without them
/// ``unpack(archive:into:)`` throws and says what is missing, so a test that asks for an image fails rather than skips.
public struct JobImage: Sendable {
    /// The unpacked root filesystem. Mount points are created in it as a runtime creates them in a container's root.
    public let root: URL
    /// The image config's `Entrypoint`.
    public let entrypoint: [String]
    /// The image config's `Cmd`.
    public let cmd: [String]
    /// The image config's `Env` (`NAME=value`).
    public let environment: [String: String]
    /// The image config's `User` (`uid:gid` or `uid`), when set.
    public let user: String?
    /// The image config's labels.
    public let labels: [String: String]
    /// Host tools, by absolute path.
    private let tools: Tools

    /// Where the system CA bundle sits in the image (Debian's libcurl default `CURLOPT_CAINFO`).
    public static let systemBundlePath = "/etc/ssl/certs/ca-certificates.crt"

    struct Tools: Sendable {
        var unshare: String
        var mount: String
        var chroot: String
        var tar: String
        var sha256sum: String
    }

    /// A file system the container sees besides the image.
    public enum Mount: Sendable, Equatable {
        /// A host file or directory, read-only, at `target` (an absolute path in the image).
        case bind(source: String, target: String)
        /// A writable tmpfs of at most `bytes` at `target` (an `emptyDir`).
        case tmpfs(target: String, bytes: Int)

        var target: String {
            switch self {
            case .bind(_, let target), .tmpfs(let target, _): target
            }
        }
    }

    /// The same image config over another root filesystem (a copy, for tests that damage it).
    public func withRoot(_ root: URL) -> JobImage {
        JobImage(root: root, entrypoint: entrypoint, cmd: cmd, environment: environment, user: user, labels: labels, tools: tools)
    }

    // MARK: Unpacking

    /// Unpacks `archive` (an OCI image layout in a tar) into `directory`: checks every blob's digest, then applies
    /// the layers in order, whiteouts included, into `directory/rootfs`.
    public static func unpack(archive: String, into directory: URL) throws -> JobImage {
        let tools = try Self.findTools()
        let fm = FileManager.default
        guard fm.isReadableFile(atPath: archive) else { throw SandboxError("the job image \(archive) does not exist or is unreadable") }
        let layout = directory.appendingPathComponent("layout")
        let root = directory.appendingPathComponent("rootfs")
        try? fm.removeItem(at: layout)
        try? fm.removeItem(at: root)
        try fm.createDirectory(at: layout, withIntermediateDirectories: true)
        try fm.createDirectory(at: root, withIntermediateDirectories: true)
        try run([tools.tar, "-xf", archive, "-C", layout.path])

        func blob(_ digest: String) throws -> URL {
            let parts = digest.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, parts[0] == "sha256", parts[1].allSatisfy(\.isHexDigit) else { throw SandboxError("unsupported digest \(digest)") }
            let url = layout.appendingPathComponent("blobs/sha256/\(parts[1])")
            let sum = try run([tools.sha256sum, url.path]).prefix(64)
            guard "sha256:\(sum)" == digest else { throw SandboxError("blob \(digest) of \(archive) has the digest sha256:\(sum)") }
            return url
        }
        func object(_ url: URL) throws -> [String: Any] {
            guard let value = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any] else {
                throw SandboxError("\(url.lastPathComponent) in \(archive) is not a JSON object")
            }
            return value
        }

        guard (try? object(layout.appendingPathComponent("oci-layout")))?["imageLayoutVersion"] as? String == "1.0.0" else {
            throw SandboxError("\(archive) is not an OCI image layout (no oci-layout 1.0.0)")
        }
        var descriptor = (try object(layout.appendingPathComponent("index.json"))["manifests"] as? [[String: Any]])?.first
        var manifest: [String: Any] = [:]
        while let current = descriptor, let digest = current["digest"] as? String {
            let document = try object(try blob(digest))
            if let manifests = document["manifests"] as? [[String: Any]] {  // a nested index: take linux/amd64
                descriptor = manifests.first { ($0["platform"] as? [String: Any])?["architecture"] as? String == "amd64" } ?? manifests.first
            } else {
                manifest = document
                descriptor = nil
            }
        }
        guard let configDigest = (manifest["config"] as? [String: Any])?["digest"] as? String, let layers = manifest["layers"] as? [[String: Any]] else {
            throw SandboxError("\(archive) has no image manifest with a config and layers")
        }
        let config = try object(try blob(configDigest))
        let diffIDs = (config["rootfs"] as? [String: Any])?["diff_ids"] as? [String] ?? []
        guard diffIDs.count == layers.count else { throw SandboxError("\(archive): \(layers.count) layers but \(diffIDs.count) diff_ids") }

        for (layer, diffID) in zip(layers, diffIDs) {
            guard let digest = layer["digest"] as? String else { throw SandboxError("a layer of \(archive) has no digest") }
            let mediaType = layer["mediaType"] as? String ?? ""
            guard mediaType.hasSuffix("tar+gzip") || mediaType.hasSuffix("tar.gzip") || mediaType.hasSuffix(".tar") else {
                throw SandboxError("layer \(digest) has the unsupported media type \(mediaType)")
            }
            let path = try blob(digest).path
            let compressed = !mediaType.hasSuffix(".tar")
            let uncompressed = try run(["/bin/sh", "-c", compressed ? "gzip -dc \"$0\" | sha256sum" : "sha256sum < \"$0\"", path]).prefix(64)
            guard "sha256:\(uncompressed)" == diffID else { throw SandboxError("layer \(digest) does not match its diff_id \(diffID)") }
            try apply(layer: path, gzip: compressed, to: root, tools: tools)
        }

        try? fm.removeItem(at: layout)  // the blobs are applied; only the root is needed from here on

        let settings = config["config"] as? [String: Any] ?? [:]
        var environment: [String: String] = [:]
        for entry in settings["Env"] as? [String] ?? [] {
            let pair = entry.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            environment[String(pair[0])] = pair.count > 1 ? String(pair[1]) : ""
        }
        return JobImage(
            root: root, entrypoint: settings["Entrypoint"] as? [String] ?? [], cmd: settings["Cmd"] as? [String] ?? [],
            environment: environment, user: (settings["User"] as? String).flatMap { $0.isEmpty ? nil : $0 },
            labels: settings["Labels"] as? [String: String] ?? [:], tools: tools)
    }

    /// One layer onto the root: whiteouts (`.wh.NAME` deletes NAME, `.wh..wh..opq` empties the directory) first,
    /// then the layer's other entries, owners and modes kept.
    private static func apply(layer path: String, gzip: Bool, to root: URL, tools: Tools) throws {
        let fm = FileManager.default
        let listing = try run([tools.tar, gzip ? "-tzf" : "-tf", path])
        for entry in listing.split(separator: "\n").map(String.init) {
            let name = (entry as NSString).lastPathComponent
            guard name.hasPrefix(".wh.") else { continue }
            let parent = root.appendingPathComponent((entry as NSString).deletingLastPathComponent)
            guard isInside(root: root, parent.path) else { throw SandboxError("whiteout \(entry) escapes the root") }
            if name == ".wh..wh..opq" {
                for child in (try? fm.contentsOfDirectory(atPath: parent.path)) ?? [] { try fm.removeItem(at: parent.appendingPathComponent(child)) }
            } else {
                try? fm.removeItem(at: parent.appendingPathComponent(String(name.dropFirst(4))))
            }
        }
        let owners = getuid() == 0 ? ["--same-owner", "--numeric-owner"] : ["--no-same-owner"]
        try run([tools.tar, gzip ? "-xzf" : "-xf", path, "-C", root.path, "--same-permissions", "--exclude=.wh.*", "--exclude=*/.wh.*"] + owners)
    }

    /// Whether `path`, taken lexically (`..` removed), stays inside the root.
    private static func isInside(root: URL, _ path: String) -> Bool {
        let resolved = URL(fileURLWithPath: path).standardizedFileURL.path
        return resolved == root.path || resolved.hasPrefix(root.path + "/")
    }

    // MARK: Running

    /// The argv that runs `command` in the image as `uid:gid` with `mounts`, in new mount and PID namespaces.
    /// The environment is the caller's (`Process.environment`), passed unchanged through `unshare`, `sh` and
    /// `chroot` to the command, so that no value of it appears in any argv.
    public func launchArguments(command: [String], uid: Int, gid: Int, mounts: [Mount]) throws -> [String] {
        guard getuid() == 0 else {
            throw SandboxError("running a job image needs root (mount and PID namespaces); run the tests as root, as CI does")
        }
        guard let executable = command.first, executable.hasPrefix("/") else {
            throw SandboxError("the container command \(command.first ?? "(none)") is not an absolute path (the image has no shell to search PATH)")
        }
        for mount in mounts { try createMountPoint(mount) }
        var specs: [String] = []
        for mount in mounts {
            switch mount {
            case .bind(let source, let target): specs += ["bind", source, target]
            case .tmpfs(let target, let bytes): specs += ["tmpfs", String(bytes), target]
            }
        }
        return [
            tools.unshare, "--mount", "--pid", "--fork", "--kill-child", "--propagation", "private", "/bin/sh", "-c", Self.script, "job-image",
            tools.mount, tools.chroot, root.path, "\(uid):\(gid)",
        ] + specs + ["--"] + command
    }

    /// Runs in the new namespaces as PID 1 (then replaced by the command, which becomes PID 1).
    /// Arguments: mount, chroot, root, uid:gid, then `bind SRC DST` / `tmpfs BYTES DST` triples, `--`, the command.
    static let script = #"""
        set -eu
        unset PWD OLDPWD
        m=$1; c=$2; r=$3; u=$4; shift 4
        "$m" --bind "$r" "$r"
        "$m" -t proc -o nosuid,nodev,noexec proc "$r/proc"
        "$m" -t sysfs -o ro,nosuid,nodev,noexec sysfs "$r/sys"
        "$m" -t tmpfs -o nosuid,noexec,mode=755,size=65536 tmpfs "$r/dev"
        for d in null zero full random urandom tty; do
          : > "$r/dev/$d"
          "$m" --bind "/dev/$d" "$r/dev/$d"
        done
        while [ "$1" != "--" ]; do
          case "$1" in
            bind) "$m" --bind "$2" "$r$3"; "$m" -o remount,bind,ro,nosuid,nodev "$r$3" ;;
            tmpfs) "$m" -t tmpfs -o "nosuid,nodev,size=$2,mode=1777" tmpfs "$r$3" ;;
          esac
          shift 3
        done
        shift
        "$m" -o remount,bind,ro,nosuid,nodev "$r"
        exec "$c" --userspec="$u" --groups="${u#*:}" "$r" "$@"
        """#

    /// Creates the mount point of `mount` in the root (a directory, or an empty file for a file bind), refusing a
    /// symbolic link on the way: the host resolves the path, and a link in the image must not point it outside.
    private func createMountPoint(_ mount: Mount) throws {
        let fm = FileManager.default
        let components = mount.target.split(separator: "/").map(String.init)
        guard mount.target.hasPrefix("/"), !components.isEmpty, !components.contains(".."), !components.contains(".") else {
            throw SandboxError("invalid mount path \(mount.target)")
        }
        var isSourceDirectory: ObjCBool = true
        if case .bind(let source, _) = mount, !fm.fileExists(atPath: source, isDirectory: &isSourceDirectory) {
            throw SandboxError("the mount source \(source) does not exist")
        }
        var current = root
        for (index, component) in components.enumerated() {
            current = current.appendingPathComponent(component)
            let last = index == components.count - 1
            if let type = (try? fm.attributesOfItem(atPath: current.path))?[.type] as? FileAttributeType {
                if type == .typeSymbolicLink { throw SandboxError("the mount path \(mount.target) crosses a symbolic link in the image (\(current.path))") }
                continue
            }
            if last && !isSourceDirectory.boolValue {
                guard fm.createFile(atPath: current.path, contents: nil) else { throw SandboxError("cannot create the mount point \(current.path)") }
            } else {
                try fm.createDirectory(at: current, withIntermediateDirectories: false)
            }
        }
    }

    // MARK: Host tools

    private static func findTools() throws -> Tools {
        func find(_ name: String, _ package: String) throws -> String {
            for directory in ["/usr/bin", "/bin", "/usr/sbin", "/sbin"] {
                let path = "\(directory)/\(name)"
                if FileManager.default.isExecutableFile(atPath: path) { return path }
            }
            throw SandboxError("running a job image needs \(name) (Debian: apt-get install \(package)); it is not installed")
        }
        return Tools(
            unshare: try find("unshare", "util-linux"), mount: try find("mount", "mount"), chroot: try find("chroot", "coreutils"),
            tar: try find("tar", "tar"), sha256sum: try find("sha256sum", "coreutils"))
    }

    /// Runs a short host command and returns its stdout; throws with its stderr when it fails.
    @discardableResult
    private static func run(_ argv: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: argv[0])
        process.arguments = Array(argv.dropFirst())
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Read both pipes to the end before waiting: a large listing would otherwise fill the pipe and block.
        let group = DispatchGroup()
        let collected = LockedOutput()
        group.enter()
        DispatchQueue.global().async {
            collected.setError(err.fileHandleForReading.readDataToEndOfFile())
            group.leave()
        }
        let output = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw SandboxError("\((argv[0] as NSString).lastPathComponent) failed (exit \(process.terminationStatus)): \(collected.error.prefix(2000))")
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Standard error of a helper, written from another thread.
    ///
    /// `@unchecked Sendable`: guarded by `lock`.
    private final class LockedOutput: @unchecked Sendable {
        private let lock = NSLock()
        private var data = Data()
        func setError(_ value: Data) { lock.withLock { data = value } }
        var error: String { lock.withLock { String(decoding: data, as: UTF8.self) } }
    }
}
