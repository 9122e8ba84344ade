import APIMTokenSandbox
import ArgumentParser
import Foundation

/// `serve`: runs a sandbox in the foreground until SIGTERM or SIGINT (what `up` starts in the background).
struct Serve: AsyncParsableCommand {
    /// Help text (hidden command).
    static let configuration = CommandConfiguration(abstract: "Run a sandbox in the foreground (used by `up`).", shouldDisplay: false)

    @OptionGroup var dir: DirectoryOption
    @Option var scenario: Scenario = .demo
    @Option var gateways: Int = 20
    @Option var namespaces: Int = 4
    @Option var noise: Int = 0
    @Option var rolloutStep: Double = 1
    @Option var podStart: Double = 1
    @Option var jobImage: String?
    @Option var clusters: Int = 1
    @Option var expiring: Int?

    /// Starts the sandbox, writes the pid and ready files, and waits for a signal.
    func run() async throws {
        _ = setsid()
        signal(SIGTERM, SIG_IGN)
        signal(SIGINT, SIG_IGN)
        signal(SIGHUP, SIG_IGN)
        let sandbox = try await Sandbox.start(
            SandboxOptions(
                scenario: scenario, directory: dir.url, gateways: gateways, namespaces: namespaces, noiseObjects: noise,
                controller: ControllerOptions(podStartDelay: podStart, stepInterval: rolloutStep), adminEndpoint: true, clusters: clusters,
                expiring: expiring))
        let fm = FileManager.default
        var jobRunner: JobRunner?
        if let jobImage {
            let image = try JobImage.unpack(archive: jobImage, into: dir.url.appendingPathComponent("job-image"))
            jobRunner = sandbox.startJobRunner(image: image)
            say("apimtoken-sandbox: Jobs run in \(jobImage)")
        }
        let admin = dir.url.appendingPathComponent("admin.json")
        let adminDoc = "{\"endpoint\":\"\(sandbox.adminEndpoint ?? "")\",\"token\":\"\(sandbox.adminToken)\"}\n"
        _ = fm.createFile(atPath: admin.path, contents: Data(adminDoc.utf8), attributes: [.posixPermissions: 0o600])
        _ = fm.createFile(atPath: dir.pidFile.path, contents: Data("\(getpid())\n".utf8))
        _ = fm.createFile(atPath: dir.url.appendingPathComponent("ready").path, contents: Data())
        say(
            "apimtoken-sandbox serving: api server \(sandbox.apiServerURL), ARM \(sandbox.armEndpoint), Entra \(sandbox.authorityHost), IMDS \(sandbox.imdsEndpoint)"
        )
        for cluster in sandbox.clusters.dropFirst() { say("apimtoken-sandbox serving: \(cluster.contextName) api server \(cluster.apiServerURL)") }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let queue = DispatchQueue(label: "signals")
            let once = OnceFlag()
            var sources: [DispatchSourceSignal] = []
            for sig in [SIGTERM, SIGINT, SIGHUP] {
                let source = DispatchSource.makeSignalSource(signal: sig, queue: queue)
                source.setEventHandler { if once.claim() { continuation.resume() } }
                source.resume()
                sources.append(source)
            }
            SignalSources.keep(sources)
        }
        say("apimtoken-sandbox: stopping")
        jobRunner?.stop()
        await sandbox.shutdown()
        for name in ["ready", "sandbox.pid", "admin.json"] { try? fm.removeItem(at: dir.url.appendingPathComponent(name)) }
    }
}

/// Writes a line to DIR/sandbox.log unbuffered, so that the log shows progress as it happens.
private func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

// MARK: - OnceFlag

/// A flag that can be claimed once.
///
/// `@unchecked Sendable`: guarded by `lock`.
final class OnceFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var claimed = false

    /// True the first time only.
    func claim() -> Bool {
        lock.withLock {
            defer { claimed = true }
            return !claimed
        }
    }
}

// MARK: - SignalSources

/// Keeps signal sources alive for the life of the process.
enum SignalSources {
    nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []  // written once, from `serve` only
    /// Retains the sources.
    static func keep(_ s: [DispatchSourceSignal]) { sources = s }
}
