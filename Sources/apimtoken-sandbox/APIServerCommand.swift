import ArgumentParser
import Foundation

/// `api-server stop|start`: makes one cluster's Kubernetes API server unreachable, or serves it again on its port.
struct APIServerCommand: AsyncParsableCommand {
    /// Help text.
    static let configuration = CommandConfiguration(
        commandName: "api-server",
        abstract: "Stop a cluster's Kubernetes API server (connections refused, open ones closed) or start it again on the same port.",
        discussion: "Example: apimtoken-sandbox api-server stop --cluster 2")

    /// What to do.
    enum Action: String, ExpressibleByArgument, CaseIterable {
        /// Close it.
        case stop
        /// Serve again.
        case start
    }

    @OptionGroup var dir: DirectoryOption
    @OptionGroup var cluster: ClusterOption

    /// stop or start.
    @Argument(help: "stop or start.")
    var action: Action

    /// Talks to the admin endpoint.
    func run() async throws {
        let body = try JSONSerialization.data(withJSONObject: ["running": action == .start])
        let (status, data) = try await AdminClient(dir).send("POST", "/api-server" + cluster.query, body: body)
        let doc = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
        guard status == 200, let server = doc?["server"] as? String else {
            FileHandle.standardError.write(Data("apimtoken-sandbox: \(String(decoding: data, as: UTF8.self))\n".utf8))
            throw ExitCode(1)
        }
        print("cluster \(cluster.number) API server \(server): \(action == .start ? "serving" : "stopped")")
    }
}
