import Foundation

@testable import APIMToken

/// Runs an outside tool (kubectl, python3) to completion, off the cooperative thread pool: the product's runner waits
/// on a thread of its own, so a slow tool never starves the tests running beside it.
enum ExternalTool {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func run(
        _ executable: String, _ arguments: [String], input: String? = nil,
        environment: [String: String] = [:]
    ) async throws -> ProcessResult {
        var environment = environment
        environment["PATH"] = environment["PATH"] ?? ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        return try await POSIXProcessRunner().run(
            ProcessRequest(
                executable: executable, arguments: arguments, environment: environment,
                input: input.map { .data(Data($0.utf8)) } ?? .none, timeout: .seconds(300)))
    }

    /// Standard output of a run that must succeed.
    static func output(_ executable: String, _ arguments: [String], input: String? = nil) async throws -> Data {
        let result = try await run(executable, arguments, input: input)
        guard result.exitStatus == 0 else {
            throw Failure(description: "\(executable) exited \(result.exitStatus): \(String(decoding: result.standardError, as: UTF8.self))")
        }
        return result.standardOutput
    }
}

/// PyYAML, an independent YAML 1.1 reader, for checking what the YAML module writes. It comes with the `kubernetes`
/// client in `.venv-tests` (scripts/bootstrap); the system `python3` is the fallback.
enum PyYAML {
    /// Every document of `text`, as JSON-compatible objects (`yaml.safe_load_all`).
    static func loadAll(_ text: String) async throws -> [Any] {
        let venv = ManifestFixtures.repositoryRoot.appendingPathComponent(".venv-tests/bin/python").path
        let python = FileManager.default.isExecutableFile(atPath: venv) ? venv : "python3"
        let program = "import sys, json, yaml\nprint(json.dumps(list(yaml.safe_load_all(sys.stdin.read()))))"
        let output = try await ExternalTool.output(python, ["-c", program], input: text)
        return try JSONSerialization.jsonObject(with: output, options: [.fragmentsAllowed]) as? [Any] ?? []
    }
}
