import APIMTokenSandbox
import ArgumentParser
import Foundation

/// `fault`: injects, lists or clears faults in the running sandbox.
struct FaultCommand: AsyncParsableCommand {
    /// Help text.
    static let configuration = CommandConfiguration(
        commandName: "fault",
        abstract: "Inject a fault into the next COUNT matching requests, or list/clear pending faults.",
        discussion: """
            Example: apimtoken-sandbox fault --server arm --method POST --path '*/generateToken' --count 2 --status 429 --retry-after 3
            With several clusters, --cluster K targets cluster K's API server; Azure faults go to cluster 1 (the default).
            """)

    @OptionGroup var dir: DirectoryOption
    @OptionGroup var cluster: ClusterOption

    /// Which server.
    @Option(help: "kubernetes, arm, entra or imds (default: any).")
    var server: SandboxServer?
    /// Which method.
    @Option(help: "The HTTP method (default: any).")
    var method: String?
    /// A path glob.
    @Option(help: "A glob over the request path; * matches anything, including /.")
    var path: String?
    /// How many requests.
    @Option(help: "How many requests get the fault.")
    var count: Int = 1
    /// The status to answer with.
    @Option(help: "Answer with this HTTP status.")
    var status: Int?
    /// Extra response headers.
    @Option(name: .customLong("header"), help: "An extra response header NAME=VALUE (repeatable).")
    var headers: [String] = []
    /// `Retry-After` seconds.
    @Option(help: "Add Retry-After: SECONDS.")
    var retryAfter: Int?
    /// `Retry-After` as an HTTP date.
    @Option(help: "Add Retry-After as an HTTP date SECONDS from now.")
    var retryAfterDate: Int?
    /// `retry-after-ms`.
    @Option(help: "Add retry-after-ms: MS.")
    var retryAfterMs: Int?
    /// `x-ms-retry-after-ms`.
    @Option(help: "Add x-ms-retry-after-ms: MS.")
    var xMsRetryAfterMs: Int?
    /// A delay before answering normally.
    @Option(help: "Delay the request this many seconds, then answer normally.")
    var latency: Double?
    /// Reset the connection.
    @Flag(help: "Reset the connection instead of answering.")
    var reset = false
    /// Hold the request until the client goes away.
    @Flag(help: "Hold the request unanswered until the client goes away (kill tests).")
    var hold = false
    /// Pass over the first matching requests.
    @Option(help: "Let this many matching requests through before the fault applies.")
    var skip: Int?
    /// An outage.
    @Option(help: "An outage: every matching request for this many seconds from the first one gets the fault.")
    var seconds: Double?
    /// Apply, then lose the response.
    @Flag(name: .customLong("after-applying"), help: "Handle the request (commit any write) before the fault replaces its response.")
    var afterApplying = false
    /// List pending faults.
    @Flag(help: "List pending faults.")
    var list = false
    /// Clear pending faults.
    @Flag(help: "Remove every pending fault.")
    var clear = false

    /// Exactly one action, and a path unless listing or clearing.
    func validate() throws {
        if list || clear { return }
        guard path != nil else { throw ValidationError("--path is required to inject a fault") }
        let actions = [status != nil, latency != nil, reset, hold].filter { $0 }.count
        guard actions == 1 else { throw ValidationError("give exactly one of --status, --latency, --reset or --hold") }
        if let skip, skip < 0 { throw ValidationError("--skip must be ≥ 0") }
        if let seconds, seconds <= 0 { throw ValidationError("--seconds must be more than 0") }
        guard count >= 1 else { throw ValidationError("--count must be ≥ 1") }
        for h in headers where !h.contains("=") { throw ValidationError("--header must be NAME=VALUE, got \(h)") }
    }

    /// Talks to the admin endpoint.
    func run() async throws {
        let client = try AdminClient(dir)
        if clear {
            _ = try await client.send("DELETE", "/faults" + cluster.query)
            print("faults cleared")
            return
        }
        if list {
            let (_, data) = try await client.send("GET", "/faults" + cluster.query)
            print(String(decoding: data, as: UTF8.self))
            return
        }
        let action: Fault.Action
        if let status {
            var h: [String: String] = [:]
            for pair in headers {
                let kv = pair.split(separator: "=", maxSplits: 1).map(String.init)
                h[kv[0]] = kv.count > 1 ? kv[1] : ""
            }
            let forms: [Fault.RetryAfter?] = [
                retryAfter.map { .seconds($0) }, retryAfterDate.map { .httpDate(secondsFromNow: $0) },
                retryAfterMs.map { .retryAfterMilliseconds($0) }, xMsRetryAfterMs.map { .msRetryAfterMilliseconds($0) },
            ]
            for form in forms.compactMap({ $0 }) { h[form.header.0] = form.header.1 }
            action = .respond(status: status, headers: h, body: nil)
        } else if let latency {
            action = .latency(seconds: latency)
        } else if hold {
            action = .hold
        } else {
            action = .reset
        }
        let fault = Fault(
            server: server, method: method?.uppercased(), pathPattern: path!, count: count, action: action, skip: skip, seconds: seconds,
            afterApplying: afterApplying ? true : nil)
        let (code, data) = try await client.send("POST", "/faults" + cluster.query, body: try JSONEncoder().encode(fault))
        guard code == 201 else {
            FileHandle.standardError.write(Data("apimtoken-sandbox: \(String(decoding: data, as: UTF8.self))\n".utf8))
            throw ExitCode(1)
        }
        print("fault injected: \(method?.uppercased() ?? "*") \(path!) " + (seconds.map { "for \($0)s" } ?? "×\(count)"))
    }
}

extension SandboxServer: ExpressibleByArgument {}
