import Foundation
import Testing

/// The real `kubectl __complete apimtoken …` (kubectl ≥ 1.26 runs `kubectl_complete-apimtoken` from PATH) with the
/// built binary, a fresh HOME, and a kubeconfig whose server is unreachable: completion needs no cluster.
@Suite(.serialized) struct CompletionEndToEndTests {
    /// The two supported installs of the completer: a symlink to the binary, or the shipped sh script.
    enum Install: String, CaseIterable, Sendable { case symlink, script }

    /// (words after `kubectl __complete apimtoken`, candidates that must all be offered).
    static let cases: [([String], [String])] = [
        ([""], ["status", "rotate", "switch-key"]),
        (["rotate", "--token-key", ""], ["last", "rotate", "primary", "secondary"]),
        (["rotate", "-k", "p"], ["primary"]),
        (["status", "-n", ""], ["apim", "apim-prod"]),
        (["rotate", "--namespace=apim-"], ["--namespace=apim-prod"]),
        (["switch-key", "--context", ""], ["bare", "dev", "prod", "staging"]),
        (["rotate", "--login-method", ""], ["auto", "workload-identity", "identity", "sp", "azurecli"]),
        (["status", "--"], ["--all-namespaces", "--output", "--kubeconfig", "--context", "--namespace"]),
    ]

    @Test(arguments: Install.allCases)
    func kubectlCompletesThePlugin(_ install: Install) async throws {
        guard let binary = Self.binary, let kubectl = Self.kubectl else { return }
        let bin = CompletionFixtures.freshDirectory("bin")
        try FileManager.default.createSymbolicLink(atPath: bin + "/kubectl-apimtoken", withDestinationPath: binary)
        switch install {
        case .symlink:
            try FileManager.default.createSymbolicLink(atPath: bin + "/kubectl_complete-apimtoken", withDestinationPath: binary)
        case .script:
            let script = CompletionFixtures.packageRoot.appendingPathComponent("completions/kubectl_complete-apimtoken").path
            try FileManager.default.copyItem(atPath: script, toPath: bin + "/kubectl_complete-apimtoken")
        }
        let environment = [
            "PATH": bin + ":/usr/bin:/bin", "HOME": CompletionFixtures.freshDirectory("home"),
            "KUBECONFIG": try CompletionFixtures.write(CompletionFixtures.kubeconfig),
        ]
        for (words, expected) in Self.cases {
            let run = await Self.run([kubectl, "__complete", "apimtoken"] + words, environment: environment)
            let lines = run.stdout.split(separator: "\n").map(String.init)
            let candidates = lines.dropLast().map { String($0.split(separator: "\t", maxSplits: 1).first ?? "") }
            #expect(run.status == 0, "\(words): \(run)")
            #expect(lines.last == ":4", "\(words): \(run)")
            for value in expected { #expect(candidates.contains(value), "\(words): \(value) missing; \(run)") }
            #expect(run.stderr.contains("About to call: \(bin)/kubectl_complete-apimtoken"), "\(words): \(run)")
        }
    }

    @Test func withoutTheCompleterKubectlOffersFileNames() async throws {
        guard let binary = Self.binary, let kubectl = Self.kubectl else { return }
        let bin = CompletionFixtures.freshDirectory("bin")
        try FileManager.default.createSymbolicLink(atPath: bin + "/kubectl-apimtoken", withDestinationPath: binary)
        let run = await Self.run(
            [kubectl, "__complete", "apimtoken", ""], environment: ["PATH": bin + ":/usr/bin:/bin", "HOME": CompletionFixtures.freshDirectory("home")])
        #expect(run.stdout == ":0\n", "\(run)")
        #expect(run.stderr.contains("does not provide a matching completion executable"), "\(run)")
    }

    // MARK: - Support

    /// The built `kubectl-apimtoken`: next to the test bundle (`swift build` puts every product there), else `.build/debug`.
    static var binary: String? {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let candidates = [
            URL(fileURLWithPath: exe).deletingLastPathComponent().appendingPathComponent("kubectl-apimtoken").path,
            CompletionFixtures.packageRoot.appendingPathComponent(".build/debug/kubectl-apimtoken").path,
        ]
        if let found = candidates.first(where: FileManager.default.isExecutableFile(atPath:)) { return found }
        Issue.record("kubectl-apimtoken is not built; run: swift build --product kubectl-apimtoken")
        return nil
    }

    /// A kubectl new enough for plugin completion (1.26+); `/usr/bin/kubectl` here is 1.32.
    static var kubectl: String? {
        for candidate in ["/usr/bin/kubectl", "/usr/local/bin/kubectl", "/usr/lib/google-cloud-sdk/bin/kubectl.1.32"]
        where FileManager.default.isExecutableFile(atPath: candidate) {
            return candidate
        }
        Issue.record("kubectl is not installed; plugin completion needs kubectl 1.26 or later")
        return nil
    }

    /// What one process printed and returned.
    struct Run: CustomStringConvertible {
        var status: Int32
        var stdout: String
        var stderr: String
        var description: String { "exit \(status)\n--- stdout\n\(stdout)--- stderr\n\(stderr)" }
    }

    /// Runs `argv` (no shell) with exactly `environment`, for at most `timeout` seconds.
    static func run(_ argv: [String], environment: [String: String], timeout: TimeInterval = 60) async -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: argv[0])
        process.arguments = Array(argv.dropFirst())
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        let dir = CompletionFixtures.freshDirectory("io")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let out = URL(fileURLWithPath: dir + "/out")
        let err = URL(fileURLWithPath: dir + "/err")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        do {
            process.standardOutput = try FileHandle(forWritingTo: out)
            process.standardError = try FileHandle(forWritingTo: err)
            try process.run()
        } catch {
            return Run(status: -1, stdout: "", stderr: "could not start \(argv[0]): \(error)")
        }
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning {
            if Date() > deadline {
                process.terminate()
                break
            }
            try? await Task.sleep(nanoseconds: 20_000_000)
        }
        process.waitUntilExit()
        return Run(
            status: process.terminationStatus, stdout: (try? String(contentsOf: out, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOf: err, encoding: .utf8)) ?? "")
    }
}
