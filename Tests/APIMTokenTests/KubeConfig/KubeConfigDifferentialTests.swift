import Foundation
import Testing

@testable import APIMToken

/// Differential parity with the real kubectl: several hundred generated KUBECONFIG sets (seeded, reproducible) are
/// resolved in-process and by `kubectl` on PATH, and the context, cluster, server, namespace, user, credential kind,
/// insecure-skip-tls-verify and the error/no-error outcome must agree, except for the deliberate departures below
/// (each one is listed in the README under "Hostile input").
///
/// kubectl runs twice per set, with a fresh HOME: `config view --minify --raw -o json` says what it selected, and
/// `get --raw /version` says whether the configuration is valid (the servers are closed loopback ports, so a valid
/// configuration ends in "connection refused", an exec plugin that is not installed, and the like).
///
/// `APIMTOKEN_DIFFERENTIAL_SEED` and `APIMTOKEN_DIFFERENTIAL_SETS` reproduce or widen a run.
@Suite struct KubeConfigDifferentialTests {
    static let seed = UInt64(ProcessInfo.processInfo.environment["APIMTOKEN_DIFFERENTIAL_SEED"] ?? "") ?? 20_261_203
    static let setCount = Int(ProcessInfo.processInfo.environment["APIMTOKEN_DIFFERENTIAL_SETS"] ?? "") ?? 300

    /// Why an outcome may differ from kubectl's on purpose.
    enum Departure: String, CaseIterable {
        /// Nothing configured: kubectl falls back to `http://localhost:8080`; the product refuses with a remedy
        /// (or uses in-cluster configuration in a pod), never sending requests to an unauthenticated default.
        case emptyConfigurationFallsBackToLocalhost
        /// The selected user has no credential: kubectl prompts on stdin for a username and password (and fails at
        /// "EOF" without a terminal); the product never prompts (it runs unattended in a CronJob) and sends no
        /// credential, so the server answers 401/403 with the product's remedy.
        case userWithoutCredentialPromptsInKubectl
        /// A `tokenFile` that does not exist: kubectl fails when it builds the client; the product resolves and reads
        /// the file on every request (as client-go does for in-cluster tokens), so the first request fails instead.
        case missingTokenFileIsReadPerRequest
    }

    @Test func resolutionMatchesKubectlOnGeneratedSets() async throws {
        let root = try KubeConfigTestSupport.temporaryDirectory("differential")
        defer { try? FileManager.default.removeItem(atPath: root) }
        var generator = KubeConfigSetGenerator(seed: Self.seed, fixtures: KubeConfigTestSupport.fixtures)
        let sets = try (0..<Self.setCount).map { try generator.makeSet(index: $0, under: root) }

        // kubectl, two processes per set, two sets at a time.
        // On threads of their own: a minute of blocking waits on the cooperative pool (two threads on this machine)
        // would stall every test running beside this one.
        let results = OutcomeBox(count: sets.count)
        let kubectlResults = await withCheckedContinuation { continuation in
            detachThread {
                DispatchQueue.concurrentPerform(iterations: 2) { lane in
                    for index in stride(from: lane, to: sets.count, by: 2) {
                        results.set(index, KubectlOutcome(set: sets[index]))
                    }
                }
                continuation.resume(returning: results.values)
            }
        }

        var unexplained: [String] = []
        var departures: [Departure: Int] = [:]
        var agreedErrors = 0
        var agreedResolutions = 0
        var kinds: [String: Int] = [:]
        var refusals: [String: Int] = [:]
        for (set, kubectl) in zip(sets, kubectlResults.map { $0! }) {
            let product = set.resolveInProcess()
            switch (product, kubectl.resolution) {
            case (.success(let ours), .success(let theirs)):
                if ours == theirs {
                    agreedResolutions += 1
                    kinds[ours.credential.rawValue, default: 0] += 1
                } else {
                    unexplained.append("set \(set.index): product \(ours.json) but kubectl \(theirs.json)\n\(set.describe())")
                }
            case (.failure(let ours), .failure):
                agreedErrors += 1
                refusals[String(ours.message.prefix(70)), default: 0] += 1
            case (.failure(let error), .success(let theirs)):
                if kubectl.usedLocalhostDefault {
                    departures[.emptyConfigurationFallsBackToLocalhost, default: 0] += 1
                } else {
                    unexplained.append("set \(set.index): product refused (\(error)) but kubectl resolved \(theirs.json)\n\(set.describe())")
                }
            case (.success(let ours), .failure(let reason)):
                if reason.message.contains("Please enter Username"), ours.credential == .none {
                    departures[.userWithoutCredentialPromptsInKubectl, default: 0] += 1
                } else if set.selectsMissingTokenFile(ours), reason.message.contains("no such file or directory") {
                    departures[.missingTokenFileIsReadPerRequest, default: 0] += 1
                } else {
                    unexplained.append("set \(set.index): product resolved \(ours.json) but kubectl failed: \(reason)\n\(set.describe())")
                }
            }
        }
        #expect(
            unexplained.isEmpty,
            "\(unexplained.count) unexplained differences with kubectl (seed \(Self.seed)):\n\(unexplained.prefix(5).joined(separator: "\n\n"))")
        // The generated sets really cover both outcomes and every credential kind.
        #expect(agreedResolutions >= Self.setCount / 8, "only \(agreedResolutions) sets resolved on both sides")
        #expect(agreedErrors >= Self.setCount / 10, "only \(agreedErrors) sets failed on both sides")
        for kind in ["token", "tokenFile", "basic", "exec", "clientCertificate", "none"] {
            #expect(kinds[kind, default: 0] > 0, "no set resolved to credential kind \(kind): \(kinds)")
        }
        print("differential: \(sets.count) sets, \(agreedResolutions) resolved alike, \(agreedErrors) refused alike, departures \(departures), kinds \(kinds)")
        for (reason, count) in refusals.sorted(by: { $0.value > $1.value }).prefix(12) { print("differential: refused alike \(count)×: \(reason)") }
    }
}

/// kubectl's outcomes, filled from two threads.
final class OutcomeBox: @unchecked Sendable {
    private let lock = NSLock()
    private var outcomes: [KubectlOutcome?]

    init(count: Int) { outcomes = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ outcome: KubectlOutcome) { lock.withLock { outcomes[index] = outcome } }

    var values: [KubectlOutcome?] { lock.withLock { outcomes } }
}

// MARK: - KubeConfigSet

/// One generated case: files on disk, the KUBECONFIG list (relative to `directory`) and the flags.
struct KubeConfigSet {
    var index: Int
    var directory: String
    var kubeconfigList: [String]
    var explicitFile: String?
    var context: String?
    var namespace: String?
    var files: [(name: String, text: String)]

    var environment: [String: String] {
        var environment = ["HOME": directory + "/home"]
        if explicitFile == nil { environment["KUBECONFIG"] = kubeconfigList.joined(separator: ":") }
        return environment
    }

    var flagArguments: [String] {
        var arguments: [String] = []
        if let explicitFile { arguments += ["--kubeconfig", explicitFile] }
        if let context { arguments += ["--context", context] }
        if let namespace { arguments += ["-n", namespace] }
        return arguments
    }

    func resolveInProcess() -> Result<KubeConfigResolution, KubeConfigTestFailure> {
        do {
            let connection = try KubeConfigResolver.resolve(
                flags: KubeConfigFlags(kubeconfig: explicitFile, context: context, namespace: namespace),
                environment: Environment(environment), workingDirectory: directory)
            return .success(KubeConfigResolution(connection))
        } catch {
            return .failure(KubeConfigTestFailure(message: "\(error)"))
        }
    }

    /// Whether the product's answer uses a token file that does not exist (see `Departure`).
    func selectsMissingTokenFile(_ resolution: KubeConfigResolution) -> Bool {
        resolution.credential == .tokenFile && files.contains { $0.text.contains("tokenFile: missing/") }
    }

    func describe() -> String {
        "  cd \(directory) && " + (explicitFile == nil ? "KUBECONFIG=\(kubeconfigList.joined(separator: ":")) " : "")
            + "kubectl config view --minify --raw \(flagArguments.joined(separator: " "))\n"
            + files.map { "  --- \($0.name)\n" + $0.text.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n") }.joined(separator: "\n")
    }
}

/// A failure, as text (both sides' errors are compared by outcome only).
struct KubeConfigTestFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

// MARK: - KubectlOutcome

/// What the real kubectl made of a set.
struct KubectlOutcome {
    var resolution: Result<KubeConfigResolution, KubeConfigTestFailure>
    var usedLocalhostDefault = false

    init(set: KubeConfigSet) {
        let view = Self.run(["config", "view", "--minify", "--raw", "-o", "json"] + set.flagArguments, set: set, home: "view")
        let request = Self.run(["get", "--raw", "/version", "--request-timeout=5s"] + set.flagArguments, set: set, home: "get")
        usedLocalhostDefault = request.stderr.contains("localhost:8080")
        // kubectl prompts on stdout when the user has no credential (see `Departure`).
        let prompted = String(decoding: request.stdout, as: UTF8.self).contains("Please enter Username")
        // A valid configuration gets as far as the network (nothing listens) or the exec plugin (not installed).
        let reachedNetwork = ["refused", "exec: executable", "executable file not found", "getting credentials", "localhost:8080"]
            .contains { request.stderr.contains($0) }
        guard view.status == 0 else {
            resolution = .failure(KubeConfigTestFailure(message: "config view: \(view.stderr)"))
            return
        }
        guard reachedNetwork else {
            resolution = .failure(KubeConfigTestFailure(message: (prompted ? "Please enter Username: " : "") + "get: \(request.stderr)"))
            return
        }
        do {
            resolution = .success(try Self.summary(view.stdout, set: set))
        } catch {
            resolution = .failure(KubeConfigTestFailure(message: "unreadable config view: \(error)"))
        }
    }

    /// The facts `KubeConfigResolution` holds, read from kubectl's minified view; the credential kind follows the
    /// precedence client-go applies (token, tokenFile, basic, exec unless a client certificate is set, certificate).
    static func summary(_ json: Data, set: KubeConfigSet) throws -> KubeConfigResolution {
        guard let view = try JSONSerialization.jsonObject(with: json) as? [String: Any],
            let contexts = view["contexts"] as? [[String: Any]], let context = contexts.first,
            let name = context["name"] as? String
        else {
            throw KubeConfigTestFailure(message: "no context in the view")
        }
        let fields = context["context"] as? [String: Any] ?? [:]
        let cluster = (view["clusters"] as? [[String: Any]])?.first?["cluster"] as? [String: Any] ?? [:]
        let user = (view["users"] as? [[String: Any]])?.first?["user"] as? [String: Any] ?? [:]
        func text(_ object: [String: Any], _ key: String) -> String? {
            guard let value = object[key] as? String, !value.isEmpty else { return nil }
            return value
        }
        let server = text(cluster, "server") ?? ""
        var credential = KubeConfigResolution.CredentialKind.none
        let hasClientCertificate = text(user, "client-certificate") != nil || text(user, "client-certificate-data") != nil
        if text(user, "token") != nil {
            credential = .token
        } else if text(user, "tokenFile") != nil {
            credential = .tokenFile
        } else if text(user, "username") != nil {
            credential = .basic
        } else if user["exec"] != nil && !hasClientCertificate {
            credential = .exec
        } else if hasClientCertificate {
            credential = .clientCertificate
        }
        if server.hasPrefix("http://") && credential != .clientCertificate { credential = .none }
        guard let url = URL(string: server) else { throw KubeConfigTestFailure(message: "server \"\(server)\" is not a URL") }
        var resolution = KubeConfigResolution(ClusterConnection(server: url, origin: .context(name: name, cluster: "", user: ""), credential: .none))
        resolution.cluster = text(fields, "cluster") ?? ""
        resolution.user = text(fields, "user") ?? ""
        resolution.namespace = set.namespace ?? text(fields, "namespace") ?? "default"
        resolution.credential = credential
        resolution.insecureSkipTLSVerify = cluster["insecure-skip-tls-verify"] as? Bool ?? false
        return resolution
    }

    static func run(_ arguments: [String], set: KubeConfigSet, home: String) -> (status: Int32, stdout: Data, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["kubectl"] + arguments
        var environment = set.environment
        environment["HOME"] = set.directory + "/home-" + home
        environment["PATH"] = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        process.environment = environment
        process.currentDirectoryURL = URL(fileURLWithPath: set.directory)
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("kubectl-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: output.path + ".out", contents: nil)
        _ = FileManager.default.createFile(atPath: output.path + ".err", contents: nil)
        defer {
            try? FileManager.default.removeItem(atPath: output.path + ".out")
            try? FileManager.default.removeItem(atPath: output.path + ".err")
        }
        do {
            process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: output.path + ".out"))
            process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: output.path + ".err"))
            process.standardInput = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
        } catch {
            return (127, Data(), "could not run kubectl: \(error)")
        }
        let stdout = FileManager.default.contents(atPath: output.path + ".out") ?? Data()
        let stderr = FileManager.default.contents(atPath: output.path + ".err") ?? Data()
        return (process.terminationStatus, stdout, String(decoding: stderr, as: UTF8.self))
    }
}

// MARK: - KubeConfigSetGenerator

/// Generates KUBECONFIG sets: one to three files (some in a subdirectory, named relatively) with overlapping cluster,
/// user and context names, duplicate keys, empty and missing fields, current-context pointing nowhere, namespaces set
/// and unset, tokens, token files, exec plugins, basic auth and client certificates, insecure-skip-tls-verify, and a
/// few values kubectl refuses (numbers where strings belong, duplicate names in a list, two auth methods).
struct KubeConfigSetGenerator {
    var random: SplitMix64
    let fixtures: String

    init(seed: UInt64, fixtures: String) {
        random = SplitMix64(seed: seed)
        self.fixtures = fixtures
    }

    mutating func chance(_ percent: Int) -> Bool { Int(random.next() % 100) < percent }
    mutating func pick<T>(_ choices: [T]) -> T { choices[Int(random.next() % UInt64(choices.count))] }

    mutating func makeSet(index: Int, under root: String) throws -> KubeConfigSet {
        let directory = "\(root)/set-\(index)"
        let manager = FileManager.default
        for folder in ["home", "home-view", "home-get", "sub", "certs", "tokens"] {
            try manager.createDirectory(atPath: "\(directory)/\(folder)", withIntermediateDirectories: true)
        }
        // Real PEM (kubectl parses them before it connects): the test service principal's certificate and key.
        let pem = "\(fixtures)/../Azure/test-sp-cert-and-key.pem"
        try manager.copyItem(atPath: "\(fixtures)/../Azure/test-sp-cert-only.pem", toPath: "\(directory)/certs/ca.crt")
        try manager.copyItem(atPath: pem, toPath: "\(directory)/sub/client.crt")
        try manager.copyItem(atPath: pem, toPath: "\(directory)/sub/client.key")
        try Data("file-token\n".utf8).write(to: URL(fileURLWithPath: "\(directory)/tokens/t"))
        try Data("sub-token\n".utf8).write(to: URL(fileURLWithPath: "\(directory)/sub/t"))

        let fileCount = pick([1, 1, 2, 2, 2, 3])
        var files: [(name: String, text: String)] = []
        var list: [String] = []
        for fileIndex in 0..<fileCount {
            let name = fileIndex == 1 ? "sub/config-\(fileIndex)" : "config-\(fileIndex)"
            let text = makeFile(fileIndex: fileIndex, inSubdirectory: name.hasPrefix("sub/"))
            try Data(text.utf8).write(to: URL(fileURLWithPath: "\(directory)/\(name)"))
            files.append((name, text))
            list.append(name)
        }
        if chance(10) { list.insert("missing-\(index)", at: Int(random.next() % UInt64(list.count + 1))) }
        if chance(5) { list.append(list[0]) }
        var set = KubeConfigSet(index: index, directory: directory, kubeconfigList: list, files: files)
        if chance(8) { set.explicitFile = files[0].name }
        if chance(20) { set.context = pick(["x0", "x1", "x2", "x3", "nowhere"]) }
        if chance(12) { set.namespace = pick(["flag-ns", "other"]) }
        return set
    }

    mutating func makeFile(fileIndex: Int, inSubdirectory: Bool) -> String {
        var text = ""
        if chance(90) { text += "apiVersion: v1\nkind: Config\n" }
        if chance(3) { return text + pick(["", "# only a comment\n", "preferences: {}\n"]) }
        if chance(75) { text += "current-context: \(pick(["x0", "x1", "x2", "x3", "x0", "x1", "x2", "x3", "x4", "\"\""]))\n" }
        let up = inSubdirectory ? "../" : ""

        // Clusters.
        if chance(85) {
            text += "clusters:\n"
            for cluster in pickSubset(["c0", "c1", "c2", "c3"]) {
                text += "- name: \(cluster)\n"
                if chance(4) {
                    text += "  cluster: null\n"
                    continue
                }
                text += "  cluster:\n"
                // Distinct loopback hosts on port 9, where nothing listens (high ports may be other tests' servers).
                let host = "127.0.\(fileIndex + 1).\(Int(cluster.dropFirst())! + 1)"
                if !chance(4) {
                    let scheme = chance(6) ? "http" : "https"
                    text += "    server: \(scheme)://\(host):9\n"
                }
                if chance(12) { text += "    server: https://\(host.replacingOccurrences(of: "127.0.", with: "127.1.")):9\n" }
                switch Int(random.next() % 20) {
                case 0...5: text += "    insecure-skip-tls-verify: true\n"
                case 6...9: text += "    certificate-authority: \(up)certs/ca.crt\n"
                case 10: text += "    certificate-authority: \(up)certs/missing.crt\n"
                case 11...12: text += "    insecure-skip-tls-verify: false\n"
                default: break
                }
                if chance(2) { text += "    certificate-authority: \(up)certs/ca.crt\n    insecure-skip-tls-verify: true\n" }
            }
            if chance(2) { text += "- name: c0\n  cluster: {server: https://127.9.9.9:9}\n" }
        }

        // Users.
        if chance(85) {
            text += "users:\n"
            for user in pickSubset(["u0", "u1", "u2", "u3"]) {
                text += "- name: \(user)\n"
                switch Int(random.next() % 40) {
                case 0...5: text += "  user: {token: \(user)-\(fileIndex)-token}\n"
                case 6...9: text += "  user:\n    tokenFile: \(inSubdirectory ? "t" : "tokens/t")\n"
                case 10: text += "  user:\n    tokenFile: missing/t\n"
                case 11...15:
                    text += "  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: apimtoken-no-such-plugin\n"
                    text += "      interactiveMode: Never\n"
                    if chance(30) { text += "      args: [get-token, --server-id, \"6dae42f8\"]\n      env: null\n" }
                case 16: text += "  user:\n    exec: {command: apimtoken-no-such-plugin}\n"
                case 17...21:
                    text +=
                        "  user:\n    client-certificate: \(inSubdirectory ? "" : "sub/")client.crt\n    client-key: \(inSubdirectory ? "" : "sub/")client.key\n"
                case 22...25: text += "  user: {username: admin, password: secret}\n"
                case 26: text += "  user: {token: t, username: admin, password: p}\n"
                case 27...29: text += "  user: {}\n"
                case 30: text += "  user: null\n"
                case 31: text += chance(25) ? "  user: {token: 12345}\n" : "  user: {token: \"12345\"}\n"
                case 32...34: text += "  user: {token: a, tokenFile: tokens/t}\n"
                default: text += "  user:\n    token: first\n    token: last\n"
                }
            }
            if chance(2) { text += "- name: u0\n  user: {token: again}\n" }
        }

        // Contexts.
        if chance(90) {
            text += "contexts:\n"
            for context in pickSubset(["x0", "x1", "x2", "x3"]) {
                text += "- name: \(context)\n  context:\n"
                if !chance(3) { text += "    cluster: \(pick(["c0", "c1", "c2", "c3", "c0", "c1", "c2", "c3", "c9"]))\n" }
                if !chance(8) { text += "    user: \(pick(["u0", "u1", "u2", "u3", "u0", "u1", "u2", "u3", "u9", "\"\""]))\n" }
                switch Int(random.next() % 30) {
                case 0...11: text += "    namespace: ns-\(fileIndex)-\(context)\n"
                case 12...13: text += "    namespace: \"\"\n"
                case 14: text += chance(25) ? "    namespace: 123\n" : "    namespace: \"123\"\n"
                case 15...17: text += "    namespace: first\n    namespace: last\n"
                default: break
                }
            }
            if chance(2) { text += "- name: x0\n  context: {cluster: c0}\n" }
        }
        if chance(20) { text += "current-context: \(pick(["x0", "x1", "x2", "x3"]))\n" }
        if chance(5) { text += "preferences: {colors: true}\npreferences: {}\n" }
        return text
    }

    mutating func pickSubset(_ names: [String]) -> [String] {
        let subset = names.filter { _ in chance(70) }
        return subset.isEmpty ? [pick(names)] : subset
    }
}

/// A small deterministic random generator (the same on every platform).
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
