import Foundation

@testable import APIMToken

/// Shared helpers for the kubeconfig tests: fixture paths, temporary directories, the real kubectl.
enum KubeConfigTestSupport {
    /// `Tests/APIMTokenTests/Fixtures/KubeConfig`, found from this source file's path.
    static let fixtures: String = {
        let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        return here.deletingLastPathComponent().appendingPathComponent("Fixtures/KubeConfig").path
    }()

    /// A fresh temporary directory.
    static func temporaryDirectory(_ label: String = "kubeconfig") throws -> String {
        let path = NSTemporaryDirectory() + "apimtoken-\(label)-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Writes `text` to `path` (creating directories), optionally executable.
    static func write(_ text: String, to path: String, executable: Bool = false) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        if executable { try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path) }
    }

    /// Runs the `kubectl` on PATH with a fresh `HOME` and only the given extra variables; returns (status, stdout, stderr).
    static func kubectl(_ arguments: [String], extraEnvironment: [String: String] = [:]) throws -> (status: Int32, stdout: Data, stderr: String) {
        let home = try temporaryDirectory("kubectl-home")
        defer { try? FileManager.default.removeItem(atPath: home) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["kubectl"] + arguments
        var environment = ["HOME": home, "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"]
        environment.merge(extraEnvironment) { _, new in new }
        process.environment = environment
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, stdout, String(decoding: stderr, as: UTF8.self))
    }

    /// The facts both sides must agree on.
    struct Summary: Equatable, CustomStringConvertible {
        var server: String
        var namespace: String
        var user: String
        var credential: String
        var certificateAuthority: String
        var clientCertificate: String
        var clientKey: String
        var insecure: Bool
        var tlsServerName: String
        var proxy: String

        var description: String {
            "server=\(server) ns=\(namespace) user=\(user) credential=\(credential) ca=\(certificateAuthority) cert=\(clientCertificate) key=\(clientKey) insecure=\(insecure) sni=\(tlsServerName) proxy=\(proxy)"
        }
    }

    /// What `kubectl config view --minify --raw -o json` selected, with relative paths resolved against `base`
    /// (kubectl prints them as written; clientcmd resolves them against the defining file's directory).
    static func kubectlSummary(_ json: Data, base: (String) -> String) throws -> Summary {
        guard let root = try JSONSerialization.jsonObject(with: json) as? [String: Any] else { throw KubeConfigError("kubectl printed no JSON object") }
        let cluster = ((root["clusters"] as? [[String: Any]])?.first?["cluster"] as? [String: Any]) ?? [:]
        let userEntry = (root["users"] as? [[String: Any]])?.first
        let user = (userEntry?["user"] as? [String: Any]) ?? [:]
        let context = ((root["contexts"] as? [[String: Any]])?.first?["context"] as? [String: Any]) ?? [:]
        func path(_ value: Any?, _ field: String) -> String {
            guard let text = value as? String, !text.isEmpty else { return "" }
            return text.hasPrefix("/") ? text : KubeConfigPath.clean(base(field) + "/" + text)
        }
        func dataOrPath(_ data: Any?, _ file: Any?, _ field: String) -> String {
            if let data = data as? String, !data.isEmpty { return "data:" + data }
            return path(file, field)
        }
        let hasCert =
            (user["client-certificate-data"] as? String).map { !$0.isEmpty } ?? false || (user["client-certificate"] as? String).map { !$0.isEmpty } ?? false
        var credential = "none"
        if let token = user["token"] as? String, !token.isEmpty {
            credential = "token:" + token
        } else if user["tokenFile"] != nil {
            credential = "tokenFile:" + path(user["tokenFile"], "tokenFile")
        } else if let name = user["username"] as? String {
            credential = "basic:" + name + ":" + ((user["password"] as? String) ?? "")
        } else if let exec = user["exec"] as? [String: Any], !hasCert {
            let env = (exec["env"] as? [[String: Any]] ?? []).map { "\($0["name"] ?? "")=\($0["value"] ?? "")" }
            credential =
                "exec:\(exec["apiVersion"] ?? "") \(exec["command"] ?? "") \((exec["args"] as? [String] ?? []).joined(separator: " ")) env=\(env) mode=\(exec["interactiveMode"] ?? "") cluster-info=\(exec["provideClusterInfo"] as? Bool ?? false)"
        }
        return Summary(
            server: cluster["server"] as? String ?? "",
            namespace: (context["namespace"] as? String).flatMap { $0.isEmpty ? nil : $0 } ?? "default",
            user: context["user"] as? String ?? "",
            credential: credential,
            certificateAuthority: dataOrPath(cluster["certificate-authority-data"], cluster["certificate-authority"], "certificate-authority"),
            clientCertificate: dataOrPath(user["client-certificate-data"], user["client-certificate"], "client-certificate"),
            clientKey: dataOrPath(user["client-key-data"], user["client-key"], "client-key"),
            insecure: cluster["insecure-skip-tls-verify"] as? Bool ?? false,
            tlsServerName: cluster["tls-server-name"] as? String ?? "",
            proxy: cluster["proxy-url"] as? String ?? "")
    }

    /// The same facts from our resolved connection.
    static func summary(of connection: ClusterConnection) -> Summary {
        func describe(_ source: PEMSource?) -> String {
            switch source {
            case .data(let data)?: return "data:" + data.base64EncodedString()
            case .file(let path)?: return path
            case nil: return ""
            }
        }
        var user = ""
        if case .context(_, _, let name) = connection.origin { user = name }
        let credential: String
        switch connection.credential {
        case .none: credential = "none"
        case .bearerToken(let token): credential = "token:" + token.value
        case .tokenFile(let path): credential = "tokenFile:" + path
        case .basic(let name, let password): credential = "basic:\(name):\(password.value)"
        case .exec(let exec):
            let env = exec.env.map { "\($0.name)=\($0.value)" }
            credential =
                "exec:\(exec.apiVersion) \(exec.command) \(exec.args.joined(separator: " ")) env=\(env) mode=\(exec.effectiveInteractiveMode ?? "") cluster-info=\(exec.provideClusterInfo)"
        }
        var proxy = ""
        if case .url(let url) = connection.proxy { proxy = url }
        return Summary(
            server: connection.server.absoluteString,
            namespace: connection.namespace,
            user: user,
            credential: credential,
            certificateAuthority: describe(connection.tls.certificateAuthority),
            clientCertificate: describe(connection.tls.clientCertificate),
            clientKey: describe(connection.tls.clientKey),
            insecure: connection.tls.insecureSkipVerify,
            tlsServerName: connection.tls.serverName ?? "",
            proxy: proxy)
    }
}
