import Crypto
import Foundation
import Testing

@testable import APIMToken

// MARK: - krew

/// `plugin-manifest/apimtoken.yaml` passes the checks krew and krew-index apply to a plugin manifest.
@Suite struct ManifestsKrewTests {
    static let manifestURL = ManifestFixtures.repositoryRoot.appendingPathComponent("plugin-manifest/apimtoken.yaml")

    static func manifest() async throws -> [String: Any] {
        let text = try String(contentsOf: manifestURL, encoding: .utf8)
        return try #require(try await PyYAML.loadAll(text).first as? [String: Any])
    }

    /// krew's `IsSafePluginName`: `^[\w-]+$` and not a reserved Windows file name.
    static func isSafePluginName(_ name: String) -> Bool {
        let reserved = ["CON", "PRN", "AUX", "NUL"] + (1...9).flatMap { ["COM\($0)", "LPT\($0)"] }
        return !name.isEmpty && name.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || $0 == "_" || $0 == "-" }
            && !reserved.contains { $0.caseInsensitiveCompare(name) == .orderedSame }
    }

    /// `v` followed by a semantic version (krew parses `spec.version` with a leading `v`).
    static func isVSemver(_ version: String) -> Bool {
        version.range(
            of: #"^v(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$"#,
            options: .regularExpression) != nil
    }

    /// Whether a krew platform selector matches `os`/`arch` (matchLabels and matchExpressions, as a LabelSelector).
    static func selector(_ selector: [String: Any], matches labels: [String: String]) -> Bool {
        let matchLabels = (selector["matchLabels"] as? [String: Any]) ?? [:]
        for (key, value) in matchLabels where labels[key] != "\(value)" { return false }
        for expression in (selector["matchExpressions"] as? [[String: Any]]) ?? [] {
            let key = expression["key"] as? String ?? ""
            let values = ((expression["values"] as? [Any]) ?? []).map { "\($0)" }
            switch expression["operator"] as? String {
            case "In": if !(labels[key].map(values.contains) ?? false) { return false }
            case "NotIn": if labels[key].map(values.contains) ?? false { return false }
            case "Exists": if labels[key] == nil { return false }
            case "DoesNotExist": if labels[key] != nil { return false }
            default: return false
            }
        }
        return true
    }

    @Test func manifestPassesKrewValidation() async throws {
        let manifest = try await Self.manifest()
        let fileName = Self.manifestURL.deletingPathExtension().lastPathComponent
        #expect(manifest["apiVersion"] as? String == "krew.googlecontainertools.github.com/v1alpha2")
        #expect(manifest["kind"] as? String == "Plugin")
        let name = try #require((manifest["metadata"] as? [String: Any])?["name"] as? String)
        #expect(name == fileName, "the plugin name matches the file name")
        #expect(Self.isSafePluginName(name))
        let spec = try #require(manifest["spec"] as? [String: Any])
        let version = try #require(spec["version"] as? String)
        #expect(Self.isVSemver(version), "version \(version) is not v-semver")
        #expect(version == "v\(APIMTokenVersion.current)", "the manifest's version is the binary's")
        let short = try #require(spec["shortDescription"] as? String)
        #expect(!short.isEmpty && !short.contains("\n") && short.count <= 60)
        #expect((spec["homepage"] as? String)?.hasPrefix("https://") == true)
        let platforms = try #require(spec["platforms"] as? [[String: Any]])
        #expect(!platforms.isEmpty)
        for platform in platforms {
            let uri = try #require(platform["uri"] as? String)
            #expect(uri.hasPrefix("https://") && uri.hasSuffix(".tar.gz"))
            let sha = try #require(platform["sha256"] as? String)
            #expect(sha.range(of: "^[a-f0-9]{64}$", options: .regularExpression) != nil, "sha256 \(sha) is not 64 lowercase hex")
            #expect(sha != String(repeating: "0", count: 64), "sha256 is still the placeholder: run scripts/release")
            let bin = try #require(platform["bin"] as? String)
            #expect(!bin.isEmpty)
            let files = try #require(platform["files"] as? [[String: Any]])
            #expect(!files.isEmpty)
            for file in files { #expect(!((file["from"] as? String) ?? "").isEmpty && !((file["to"] as? String) ?? "").isEmpty) }
            #expect(files.contains { $0["from"] as? String == "LICENSE" }, "the archive's LICENSE is installed")
            #expect(files.contains { $0["from"] as? String == bin }, "bin is among the files")
            // Selectors: present, not empty, only os/arch keys.
            let selector = try #require(platform["selector"] as? [String: Any])
            let matchLabels = selector["matchLabels"] as? [String: Any]
            let expressions = selector["matchExpressions"] as? [[String: Any]]
            #expect(!(matchLabels?.isEmpty ?? true) || !(expressions?.isEmpty ?? true), "empty selector")
            let keys = Array((matchLabels ?? [:]).keys) + (expressions ?? []).compactMap { $0["key"] as? String }
            #expect(keys.allSatisfy { $0 == "os" || $0 == "arch" }, "selector keys \(keys)")
            #expect(uri.contains("_\(matchLabels?["os"] ?? "")_\(matchLabels?["arch"] ?? "")."), "the uri names its platform")
        }
        // No two platform entries match the same os/arch.
        for os in ["linux", "darwin", "windows", "freebsd"] {
            for arch in ["amd64", "arm64", "386", "arm", "ppc64le", "s390x"] {
                let matching = platforms.filter { Self.selector($0["selector"] as? [String: Any] ?? [:], matches: ["os": os, "arch": arch]) }
                #expect(matching.count <= 1, "\(matching.count) platforms match \(os)/\(arch)")
            }
        }
        let linux = platforms.filter { Self.selector($0["selector"] as? [String: Any] ?? [:], matches: ["os": "linux", "arch": "amd64"]) }
        #expect(linux.count == 1)
    }

    @Test func overlapCheckWouldCatchOverlappingSelectors() {
        let a: [String: Any] = ["matchLabels": ["os": "linux"]]
        let b: [String: Any] = ["matchExpressions": [["key": "arch", "operator": "In", "values": ["amd64", "arm64"]]]]
        #expect(Self.selector(a, matches: ["os": "linux", "arch": "amd64"]) && Self.selector(b, matches: ["os": "linux", "arch": "amd64"]))
        #expect(!Self.isVSemver("0.1.0") && Self.isVSemver("v0.1.0") && Self.isVSemver("v1.2.3-rc.1"))
        #expect(!Self.isSafePluginName("a/b") && !Self.isSafePluginName("con"))
    }

    /// When `scripts/release` has built the archive, the manifest's sha256 is the archive's and it holds the files.
    @Test(.enabled(if: ManifestsKrewTests.releaseArchive != nil, "no dist/ archive: run scripts/release"))
    func sha256MatchesTheBuiltArchive() async throws {
        let archive = try #require(Self.releaseArchive)
        let digest = SHA256.hash(data: try Data(contentsOf: archive)).map { String(format: "%02x", $0) }.joined()
        let platforms = try #require((try await Self.manifest()["spec"] as? [String: Any])?["platforms"] as? [[String: Any]])
        #expect(platforms.contains { $0["sha256"] as? String == digest }, "run scripts/release again: the manifest's sha256 is stale")
        let listing = try ManifestsDockerfileTests.run("/usr/bin/tar", ["-tzf", archive.path])
        // Exactly what the manifest installs (binary, LICENSE, completion helper), plus the README.
        let installed = platforms.flatMap { ($0["files"] as? [[String: Any]] ?? []).compactMap { $0["from"] as? String } }
        #expect(Set(installed) == ["kubectl-apimtoken", "LICENSE", "kubectl_complete-apimtoken"])
        #expect(Set(listing.output.split(separator: "\n").map(String.init)) == Set(installed + ["README.md"]))
    }

    static var releaseArchive: URL? {
        let url = ManifestFixtures.repositoryRoot.appendingPathComponent("dist/kubectl-apimtoken_v\(APIMTokenVersion.current)_linux_amd64.tar.gz")
        return FileManager.default.fileExists(atPath: url.path) ? url : nil
    }
}

// MARK: - Dockerfile

/// The Dockerfile, checked without a Docker engine.
@Suite struct ManifestsDockerfileTests {
    struct Stage {
        var from: String
        var name: String?
        var instructions: [(keyword: String, arguments: String)] = []
    }

    /// Parses the Dockerfile into stages of instructions (continuation lines joined, comments dropped).
    static func stages() throws -> [Stage] {
        let text = try String(contentsOf: ManifestFixtures.repositoryRoot.appendingPathComponent("Dockerfile"), encoding: .utf8)
        var logical: [String] = []
        var current = ""
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if current.isEmpty && (trimmed.isEmpty || trimmed.hasPrefix("#")) { continue }
            if trimmed.hasSuffix("\\") {
                current += trimmed.dropLast() + " "
            } else {
                current += trimmed
                logical.append(current)
                current = ""
            }
        }
        var stages: [Stage] = []
        for line in logical {
            let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
            let keyword = parts[0].uppercased()
            let arguments = parts.count > 1 ? parts[1] : ""
            if keyword == "FROM" {
                let words = arguments.split(separator: " ").map(String.init)
                stages.append(Stage(from: words[0], name: words.count >= 3 && words[1].uppercased() == "AS" ? words[2] : nil))
            } else {
                stages[stages.count - 1].instructions.append((keyword, arguments))
            }
        }
        return stages
    }

    /// Packages named by `apt-get install` in a stage.
    static func aptPackages(_ stage: Stage) -> [String] {
        stage.instructions.filter { $0.keyword == "RUN" }.flatMap { run -> [String] in
            run.arguments.components(separatedBy: "&&").flatMap { command -> [String] in
                let words = command.split(separator: " ").map(String.init)
                guard let install = words.firstIndex(of: "install"), words[..<install].contains("apt-get") else { return [] }
                return words[(install + 1)...].filter { !$0.hasPrefix("-") }
            }
        }
    }

    /// The runtime packages both image builds install, from `image/packages` (comments and blank lines dropped).
    static var imagePackages: Set<String> {
        let text = (try? String(contentsOf: ManifestFixtures.repositoryRoot.appendingPathComponent("image/packages"), encoding: .utf8)) ?? ""
        return Set(
            text.split(separator: "\n").compactMap { line in
                let name = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first?.trimmingCharacters(in: .whitespaces) ?? ""
                return name.isEmpty ? nil : name
            })
    }

    static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test func buildsAStaticStdlibBinaryAndRunsRotateAsNonRoot() throws {
        let stages = try Self.stages()
        #expect(stages.count == 2, "multi-stage: builder and runtime")
        let builder = stages[0]
        let runtime = try #require(stages.last)
        #expect(builder.from.hasPrefix("swift:") && builder.from.hasSuffix("-bookworm"))
        #expect(builder.instructions.contains { $0.keyword == "RUN" && $0.arguments.contains("--static-swift-stdlib") && $0.arguments.contains("-c release") })
        #expect(runtime.from == "debian:bookworm-slim", "the runtime's Debian release matches the builder's (libcurl ABI)")
        #expect(Set(Self.aptPackages(runtime)) == Self.imagePackages, "image/packages, as scripts/image unpacks them: only what the binary loads")
        #expect(Self.imagePackages.isSuperset(of: ["libcurl4", "ca-certificates", "tzdata", "libc6", "libstdc++6", "libgcc-s1"]))
        #expect(runtime.instructions.contains { $0.keyword == "RUN" && $0.arguments.contains("rm -rf /var/lib/apt/lists") })
        let copy = try #require(runtime.instructions.first { $0.keyword == "COPY" && $0.arguments.contains("--from=\(builder.name ?? "0")") })
        #expect(copy.arguments.hasSuffix(" /usr/local/bin/kubectl-apimtoken"))
        let user = try #require(runtime.instructions.last { $0.keyword == "USER" })
        #expect(user.arguments == "65532:65532")
        #expect(user.arguments.split(separator: ":").first.map(String.init) == String(InstallManifests.nonRootID), "the CronJob's runAsUser")
        let entrypoint = try #require(runtime.instructions.last { $0.keyword == "ENTRYPOINT" })
        let command = try #require(runtime.instructions.last { $0.keyword == "CMD" })
        let argv =
            try JSONDecoder().decode([String].self, from: Data(entrypoint.arguments.utf8))
            + JSONDecoder().decode([String].self, from: Data(command.arguments.utf8))
        #expect(argv == ["/usr/local/bin/kubectl-apimtoken", "rotate"], "exec form; the default command is rotate")
        // The CronJob passes only arguments, so the image's entrypoint is what runs them.
        let manifests = try InstallManifests(ManifestFixtures.configuration(.workloadIdentity(clientID: "c", tenantID: nil)))
        #expect(manifests.cronJob.spec.jobTemplate.spec.template.spec.containers[0].args.first == "rotate")
    }

    /// A stripped `--static-swift-stdlib` release binary in `.build`, if one was built (by `scripts/release`).
    static var staticReleaseBinary: URL? {
        let url = ManifestFixtures.repositoryRoot.appendingPathComponent(".build/release/kubectl-apimtoken")
        guard FileManager.default.isExecutableFile(atPath: url.path),
            let ldd = try? run("/usr/bin/ldd", [url.path]), ldd.status == 0, !ldd.output.contains("libswift")
        else { return nil }
        return url
    }

    /// Every library `ldd` reports is in a package the runtime stage installs, or in the dependency closure of one,
    /// or in the base image (Debian's required packages; here the C and C++ runtimes).
    @Test(.enabled(if: ManifestsDockerfileTests.staticReleaseBinary != nil, "no static-stdlib release binary in .build/release: run scripts/release"))
    func runtimeStageProvidesEveryLinkedLibrary() throws {
        let binary = try #require(Self.staticReleaseBinary)
        // The binary's own libraries, and libcurl's: the binary loads libcurl.so.4 itself when it first makes a request.
        let libcurl = try #require(
            ["/usr/lib/x86_64-linux-gnu/libcurl.so.4", "/lib/x86_64-linux-gnu/libcurl.so.4"].first(where: FileManager.default.fileExists(atPath:)),
            "libcurl.so.4 is not installed on this machine")
        let binaryLibraries = try Self.run("/usr/bin/ldd", [binary.path])
        let curlLibraries = try Self.run("/usr/bin/ldd", [libcurl])
        #expect(!binaryLibraries.output.contains("libcurl"), "libcurl is loaded on first use, not linked")
        let ldd = (status: curlLibraries.status, output: binaryLibraries.output + "\n\(libcurl) => \(libcurl) (0x0)\n" + curlLibraries.output)
        #expect(!ldd.output.contains("not found"))
        let runtime = try #require(try Self.stages().last)
        // The packages the runtime stage ends up with: what it installs and everything those depend on.
        let apt = try Self.run(
            "/usr/bin/apt-cache",
            ["depends", "--recurse", "--no-recommends", "--no-suggests", "--no-conflicts", "--no-breaks", "--no-replaces", "--no-enhances"]
                + Self.aptPackages(runtime))
        try #require(apt.status == 0, "apt-cache depends failed")
        var provided = Set(
            apt.output.split(separator: "\n").compactMap { line -> String? in
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                if trimmed.isEmpty || trimmed.hasPrefix("<") { return nil }
                if let colon = trimmed.firstIndex(of: ":"), trimmed.hasPrefix("Depends") || trimmed.hasPrefix("PreDepends") || trimmed.hasPrefix("|") {
                    let name = trimmed[trimmed.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                    return name.hasPrefix("<") ? nil : name.split(separator: ":").first.map(String.init)
                }
                return trimmed.split(separator: ":").first.map(String.init)
            })
        // debian:bookworm-slim's essential runtime libraries.
        provided.formUnion(["libc6", "libgcc-s1", "libstdc++6", "zlib1g"])
        // "libcurl.so.4 => /lib/x86_64-linux-gnu/libcurl.so.4 (0x…)" or "/lib64/ld-linux-x86-64.so.2 (0x…)"; not linux-vdso.
        let paths = ldd.output.split(separator: "\n").compactMap { line -> String? in
            let words = line.split(separator: " ").map(String.init)
            let path =
                words.firstIndex(of: "=>").flatMap { words.indices.contains($0 + 1) ? words[$0 + 1] : nil }
                ?? words.first.flatMap { $0.hasPrefix("/") ? $0 : nil }
            return path.flatMap { $0.hasPrefix("/") ? $0 : nil }
        }
        // dpkg knows each file under one spelling of the merged /usr: ask for all of them in one call.
        func spellings(_ path: String) -> [String] {
            Array(
                Set([
                    path, (path as NSString).resolvingSymlinksInPath, path.replacingOccurrences(of: "/usr/lib/", with: "/lib/"),
                    path.replacingOccurrences(of: "/lib/", with: "/usr/lib/"), path.replacingOccurrences(of: "/lib64/", with: "/usr/lib64/"),
                ])
            ).sorted()
        }
        let owners = try Self.run("/usr/bin/dpkg", ["-S"] + paths.flatMap(spellings)).output  // exits 1 for the unknown spellings
        var ownerOfPath: [String: String] = [:]
        for line in owners.split(separator: "\n") {
            guard let separator = line.range(of: ": ") else { continue }
            let package = line[..<separator.lowerBound].split(separator: ":").first.map(String.init) ?? ""
            for path in line[separator.upperBound...].split(separator: ",") {
                ownerOfPath[path.trimmingCharacters(in: .whitespaces)] = package
            }
        }
        var checked = 0
        for path in paths {
            let owner = try #require(spellings(path).lazy.compactMap { ownerOfPath[$0] }.first, "no Debian package owns \(path)")
            #expect(provided.contains(owner), "\(path) comes from \(owner), which the runtime stage does not install")
            checked += 1
        }
        #expect(checked >= 3, "ldd listed the C runtime and libcurl at least:\n\(ldd.output)")
        #expect(ldd.output.contains("libcurl.so.4"))
    }
}
