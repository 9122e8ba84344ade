import APIMTokenSandbox
import Foundation
import Testing

/// What one run of the binary printed and returned.
struct Run: CustomStringConvertible {
    var status: Int32
    var stdout: String
    var stderr: String

    var description: String { "exit \(status)\n--- stdout\n\(stdout)\n--- stderr\n\(stderr)" }

    /// The stdout parsed as a JSON object.
    var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(stdout.utf8))) as? [String: Any] ?? [:] }
}

/// Runs the built `kubectl-apimtoken` against a sandbox.
enum E2E {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The binary next to the test bundle (`swift build` puts every product in the same directory).
    static var binary: String? {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var candidates = [URL(fileURLWithPath: exe).deletingLastPathComponent().appendingPathComponent("kubectl-apimtoken").path]
        candidates.append(packageRoot.appendingPathComponent(".build/debug/kubectl-apimtoken").path)
        if let found = candidates.first(where: FileManager.default.isExecutableFile(atPath:)) { return found }
        Issue.record("kubectl-apimtoken is not built; run: swift build --product kubectl-apimtoken")
        return nil
    }

    /// A sandbox with fast controllers.
    static func sandbox(_ scenario: Scenario = .demo) async throws -> Sandbox {
        try await Sandbox.start(SandboxOptions(scenario: scenario, controller: ControllerOptions(podStartDelay: 0.2, stepInterval: 0.1)))
    }

    /// The environment a user gets from `source DIR/env`, with a fresh HOME and no proxy.
    static func environment(_ sandbox: Sandbox, _ extra: [String: String?] = [:]) -> [String: String] {
        var env: [String: String] = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": freshDirectory("home")]
        env.merge(sandbox.environment) { _, new in new }
        env["NO_PROXY"] = "127.0.0.1,localhost"
        for (key, value) in extra { env[key] = value }
        return env
    }

    static func freshDirectory(_ prefix: String) -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("apimtoken-e2e-\(prefix)-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url.path
    }

    /// Runs `argv` (no shell) with exactly `environment`, bounded by `timeout`.
    static func run(_ argv: [String], environment: [String: String], stdin: String? = nil, timeout: TimeInterval = 120) async -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: argv[0])
        process.arguments = Array(argv.dropFirst())
        process.environment = environment
        let dir = freshDirectory("io")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let out = URL(fileURLWithPath: dir).appendingPathComponent("out")
        let err = URL(fileURLWithPath: dir).appendingPathComponent("err")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        do {
            process.standardOutput = try FileHandle(forWritingTo: out)
            process.standardError = try FileHandle(forWritingTo: err)
            if let stdin {
                let input = URL(fileURLWithPath: dir).appendingPathComponent("in")
                try Data(stdin.utf8).write(to: input)
                process.standardInput = try FileHandle(forReadingFrom: input)
            } else {
                process.standardInput = FileHandle.nullDevice
            }
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

    /// Runs the plugin binary.
    static func plugin(_ sandbox: Sandbox, _ arguments: [String], env extra: [String: String?] = [:], timeout: TimeInterval = 120) async -> Run {
        guard let binary else { return Run(status: -1, stdout: "", stderr: "no binary") }
        return await run([binary] + arguments, environment: environment(sandbox, extra), timeout: timeout)
    }

    /// Starts the plugin binary without waiting for it, so that a test can signal or kill it mid-run.
    static func start(_ sandbox: Sandbox, _ arguments: [String], env extra: [String: String?] = [:]) throws -> RunningPlugin {
        guard let binary else { throw E2EError("no binary") }
        return try RunningPlugin(argv: [binary] + arguments, environment: environment(sandbox, extra))
    }

    /// Every request of `server` in the sandbox log, as `METHOD path`.
    static func requests(_ sandbox: Sandbox, _ server: SandboxServer) -> [String] {
        sandbox.requestLog.filter { $0.server == server }.map { "\($0.method) \($0.path)" }
    }

    /// How many `generateToken` calls reached ARM (answered or not).
    static func generateTokenCalls(_ sandbox: Sandbox) -> Int {
        sandbox.requestLog.filter { $0.server == .arm && $0.path.hasSuffix("/generateToken") }.count
    }
}

/// A plugin process started by ``E2E/start(_:_:env:)``.
final class RunningPlugin: @unchecked Sendable {
    private let process = Process()
    private let directory: String

    init(argv: [String], environment: [String: String]) throws {
        directory = E2E.freshDirectory("io")
        process.executableURL = URL(fileURLWithPath: argv[0])
        process.arguments = Array(argv.dropFirst())
        process.environment = environment
        _ = FileManager.default.createFile(atPath: directory + "/out", contents: nil)
        _ = FileManager.default.createFile(atPath: directory + "/err", contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: directory + "/out"))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: directory + "/err"))
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    /// Whether the process has not exited yet.
    var isRunning: Bool { process.isRunning }

    /// Sends a signal to the process.
    func signal(_ number: Int32) { kill(process.processIdentifier, number) }

    /// Waits (at most two minutes, then kills) and returns what it printed.
    func wait() async -> Run {
        let deadline = Date().addingTimeInterval(120)
        while process.isRunning {
            if Date() > deadline { process.terminate() }
            try? await Task.sleep(nanoseconds: 10_000_000)
        }
        process.waitUntilExit()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // A process killed by a signal reports it as 128 + signal, as a shell would.
        let status = process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
        return Run(
            status: status, stdout: (try? String(contentsOfFile: directory + "/out", encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOfFile: directory + "/err", encoding: .utf8)) ?? "")
    }
}

/// A failure in a test's own set-up.
struct E2EError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
