import APIMTokenSandbox
import Foundation
import Testing

/// `status --contexts` and `--all-contexts` over several clusters of one kubeconfig: two sandboxes and a context
/// whose API server is not there.
@Suite(.serialized) struct MultiClusterStatusEndToEndTests {
    /// The sandbox's kubeconfig with its names prefixed, so that several merge into one KUBECONFIG list.
    static func renamedKubeconfig(_ sandbox: Sandbox, as name: String) throws -> String {
        // Only the names (of clusters, users, contexts): the bearer token's value must stay as it is.
        let renames = [
            "apimtoken-sandbox-token": "\(name)-token", "apimtoken-sandbox": name, "sandbox-admin": "\(name)-admin", "sandbox-token": "\(name)-bearer",
        ]
        let text = try String(contentsOfFile: sandbox.kubeconfigPath, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).map {
            line -> String in
            for key in ["name: ", "cluster: ", "user: ", "current-context: "] {
                if let range = line.range(of: key), line[..<range.lowerBound].allSatisfy({ $0 == " " || $0 == "-" }),
                    let renamed = renames[String(line[range.upperBound...])]
                {
                    return line[..<range.upperBound] + renamed
                }
            }
            return String(line)
        }.joined(separator: "\n")
        let path = E2E.freshDirectory("kubeconfig-\(name)") + "/config"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// A context `down` whose server refuses connections (a closed loopback port), with east's credentials.
    static func unreachableKubeconfig(copying east: String) throws -> String {
        let text = try String(contentsOfFile: east, encoding: .utf8)
        let server = try #require(text.split(separator: "\n").first { $0.contains("server:") })
        let down = text.replacingOccurrences(of: String(server), with: "    server: https://127.0.0.1:9")
            .replacingOccurrences(of: "east", with: "down")
        let path = E2E.freshDirectory("kubeconfig-down") + "/config"
        try down.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func allContextsListsEveryClusterAndAnUnreachableOneIsAnErrorRow() async throws {
        let east = try await E2E.sandbox()
        let west = try await E2E.sandbox()
        defer {
            Task {
                await east.shutdown()
                await west.shutdown()
            }
        }
        let eastConfig = try Self.renamedKubeconfig(east, as: "east")
        let westConfig = try Self.renamedKubeconfig(west, as: "west")
        let downConfig = try Self.unreachableKubeconfig(copying: eastConfig)
        let kubeconfig = [eastConfig, westConfig, downConfig].joined(separator: ":")

        let run = await E2E.plugin(east, ["status", "--all-contexts", "-A", "-o", "json", "--request-timeout", "5s"], env: ["KUBECONFIG": kubeconfig])
        #expect(run.status == 5, "an unreachable context counts in the exit code: \(run)")
        let gateways = try #require(run.json["gateways"] as? [[String: Any]], "\(run)")
        let contexts = gateways.compactMap { $0["context"] as? String }
        #expect(Set(contexts) == ["east", "east-token", "west", "west-token"], "\(contexts)")
        #expect(gateways.filter { $0["context"] as? String == "west" }.compactMap { $0["gateway"] as? String }.sorted() == ["demo", "edge", "entra"])
        let errors = try #require(run.json["errors"] as? [[String: Any]], "\(run)")
        #expect(errors.compactMap { $0["context"] as? String }.sorted() == ["down", "down-token"])
        #expect(errors.allSatisfy { ($0["exitCode"] as? Int) == 5 && ($0["error"] as? String ?? "").contains("127.0.0.1:9") }, "\(errors)")

        let table = await E2E.plugin(east, ["status", "--contexts", "down,west", "-n", "apim"], env: ["KUBECONFIG": kubeconfig])
        #expect(table.status == 5, "\(table)")
        let lines = table.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("CONTEXT") == true, "\(table)")
        #expect(lines.contains { $0.hasPrefix("down ") && $0.contains("error") }, "\(table)")
        #expect(lines.contains { $0.hasPrefix("west ") && $0.contains("demo") }, "\(table)")
        #expect(lines.contains { $0.hasPrefix("context down: error: ") }, "\(table)")

        let healthy = await E2E.plugin(east, ["status", "--contexts", "east,west", "-n", "apim", "-o", "json"], env: ["KUBECONFIG": kubeconfig])
        #expect(healthy.status == 0, "\(healthy)")
        #expect((healthy.json["errors"] as? [Any])?.isEmpty == true)

        let unknown = await E2E.plugin(east, ["status", "--contexts", "east,nowhere"], env: ["KUBECONFIG": kubeconfig])
        #expect(unknown.status == 2 && unknown.stderr.contains("no context named nowhere"), "\(unknown)")
        let both = await E2E.plugin(east, ["status", "--contexts", "east", "--context", "west"], env: ["KUBECONFIG": kubeconfig])
        #expect(both.status == 2, "\(both)")
    }
}
