import APIMTokenSandbox
import ArgumentParser
import Foundation

/// `token`: prints a bearer token for a ServiceAccount (by design, this prints a secret).
struct Token: AsyncParsableCommand {
    /// Help text.
    static let configuration = CommandConfiguration(abstract: "Print a bearer token for a ServiceAccount of the running sandbox.")

    @OptionGroup var dir: DirectoryOption
    @OptionGroup var cluster: ClusterOption

    /// NAMESPACE/NAME.
    @Option(name: .customLong("service-account"), help: "NAMESPACE/NAME of the ServiceAccount.")
    var serviceAccount: String

    /// Token lifetime in seconds.
    @Option(help: "Lifetime in seconds.")
    var lifetime: Int = 3600

    /// Audiences of the token.
    @Option(
        name: .customLong("audience"),
        help: "An audience (repeatable); api://AzureADTokenExchange makes a workload-identity token for AZURE_FEDERATED_TOKEN_FILE. Default: the API server.")
    var audiences: [String] = []

    /// Where to write a kubeconfig instead of printing the token.
    @Option(
        name: .customLong("write-kubeconfig"),
        help: "Write a kubeconfig that uses the token (no client certificate, so RBAC applies) to this path instead of printing the token.")
    var kubeconfigPath: String?

    /// Checks the NAMESPACE/NAME form.
    func validate() throws {
        guard serviceAccount.split(separator: "/").count == 2 else { throw ValidationError("--service-account must be NAMESPACE/NAME") }
    }

    /// Asks the admin endpoint for a token.
    func run() async throws {
        let parts = serviceAccount.split(separator: "/").map(String.init)
        let body = try JSONSerialization.data(
            withJSONObject: [
                "namespace": parts[0], "name": parts[1], "lifetimeSeconds": lifetime,
                "audiences": audiences.isEmpty ? ["https://kubernetes.default.svc.cluster.local"] : audiences,
            ] as [String: Any])
        let (status, data) = try await AdminClient(dir).send("POST", "/serviceaccount-token" + cluster.query, body: body)
        guard status == 200, let doc = try JSONSerialization.jsonObject(with: data) as? [String: Any], let token = doc["token"] as? String else {
            FileHandle.standardError.write(Data("apimtoken-sandbox: \(String(decoding: data, as: UTF8.self))\n".utf8))
            throw ExitCode(1)
        }
        guard let kubeconfigPath else {
            print(token)
            return
        }
        guard let server = doc["server"] as? String else { throw ValidationError("the sandbox did not say which API server issued the token") }
        let text = Sandbox.tokenKubeconfig(
            server: server, caPath: dir.url.appendingPathComponent("ca.crt").path, token: token, context: "\(parts[0])-\(parts[1])", namespace: parts[0])
        guard FileManager.default.createFile(atPath: kubeconfigPath, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw ValidationError("cannot write \(kubeconfigPath)")
        }
        print("wrote \(kubeconfigPath) (context \(parts[0])-\(parts[1]), ServiceAccount \(serviceAccount))")
    }
}
