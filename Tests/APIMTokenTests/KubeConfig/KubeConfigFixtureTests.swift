import Foundation
import Testing

@testable import APIMToken

/// Each fixture is resolved by us and by the real `kubectl` on PATH (`kubectl config view --minify --raw -o json`);
/// server, namespace, user, credential and TLS settings must agree.
@Suite struct KubeConfigFixtureTests {
    typealias Support = KubeConfigTestSupport

    /// One comparison: how kubectl is pointed at the fixture, and where its relative paths live.
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var kubeconfig: String?
        var kubeconfigList: [String]?
        var context: String?
        var namespace: String?
        /// The directory each relative path field is resolved against (by field name), default the file's directory.
        var bases: [String: String] = [:]
        var testDescription: String { name }
    }

    static let fixtures = KubeConfigTestSupport.fixtures
    static let cases: [Case] = [
        Case(name: "AKS with kubelogin exec and env: null", kubeconfig: "\(fixtures)/aks-kubelogin.yaml"),
        Case(name: "AKS with kubelogin exec, -n override", kubeconfig: "\(fixtures)/aks-kubelogin.yaml", namespace: "other"),
        Case(name: "AKS admin: client certificate plus token", kubeconfig: "\(fixtures)/aks-admin.yaml"),
        Case(name: "kind: inline certificates", kubeconfig: "\(fixtures)/kind.yaml"),
        Case(name: "kind: --context with tls-server-name, proxy-url and a namespace", kubeconfig: "\(fixtures)/kind.yaml", context: "kind-second"),
        Case(name: "minikube: relative file paths", kubeconfig: "\(fixtures)/minikube/config"),
        Case(
            name: "KUBECONFIG merge of three files: current-context from the first that sets it",
            kubeconfigList: ["\(fixtures)/merge/one.yaml", "\(fixtures)/merge/two.yaml", "\(fixtures)/merge/sub/three.yaml"],
            bases: ["certificate-authority": "\(fixtures)/merge", "tokenFile": "\(fixtures)/merge/sub"]),
        Case(
            name: "KUBECONFIG merge: first file wins for a repeated context, cluster and user",
            kubeconfigList: ["\(fixtures)/merge/one.yaml", "\(fixtures)/merge/two.yaml", "\(fixtures)/merge/sub/three.yaml"],
            context: "dev"),
        Case(
            name: "KUBECONFIG merge: a context from the third file using the first file's cluster",
            kubeconfigList: ["\(fixtures)/merge/one.yaml", "\(fixtures)/merge/two.yaml", "\(fixtures)/merge/sub/three.yaml"],
            context: "basic"),
        Case(
            name: "KUBECONFIG with a missing file, an empty entry and a duplicate",
            kubeconfigList: ["\(fixtures)/merge/none.yaml", "", "\(fixtures)/merge/two.yaml", "\(fixtures)/merge/one.yaml", "\(fixtures)/merge/two.yaml"],
            context: "dev", bases: ["certificate-authority": "\(fixtures)/merge"]),
    ]

    @Test(arguments: cases)
    func matchesKubectl(_ testCase: Case) throws {
        var arguments = ["config", "view", "--minify", "--raw", "-o", "json"]
        var extra: [String: String] = [:]
        var environment = Environment(["HOME": try Support.temporaryDirectory("home")])
        if let file = testCase.kubeconfig { arguments += ["--kubeconfig", file] }
        if let list = testCase.kubeconfigList {
            extra["KUBECONFIG"] = list.joined(separator: ":")
            environment["KUBECONFIG"] = list.joined(separator: ":")
        }
        if let context = testCase.context { arguments += ["--context", context] }
        if let namespace = testCase.namespace { arguments += ["--namespace", namespace] }

        let kubectl = try Support.kubectl(arguments, extraEnvironment: extra)
        #expect(kubectl.status == 0, "kubectl failed: \(kubectl.stderr)")
        let defaultBase = testCase.kubeconfig.map { KubeConfigPath.directory(of: $0) } ?? ""
        var expected = try Support.kubectlSummary(kubectl.stdout) { testCase.bases[$0] ?? defaultBase }
        // `config view` ignores -n; kubectl applies it on top of the context's namespace.
        if let namespace = testCase.namespace { expected.namespace = namespace }

        let connection = try KubeConfigResolver.resolve(
            flags: KubeConfigFlags(kubeconfig: testCase.kubeconfig, context: testCase.context, namespace: testCase.namespace),
            environment: environment)
        let actual = Support.summary(of: connection)
        #expect(actual == expected)
        #expect(!expected.server.isEmpty)
    }

    /// A kubeconfig saved by Windows PowerShell (UTF-16 with a byte-order mark), with a UTF-8 BOM, or with CRLF
    /// line ends loads as kubectl loads it.
    @Test(arguments: ["utf-16le", "utf-16be", "utf-8-bom", "crlf"])
    func encodingsKubectlAcceptsLoad(_ encoding: String) throws {
        let directory = try Support.temporaryDirectory("encoding")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let text = try String(contentsOfFile: "\(Self.fixtures)/kind.yaml", encoding: .utf8)
        var data: Data
        switch encoding {
        case "utf-16le": data = Data([0xFF, 0xFE]) + text.data(using: .utf16LittleEndian)!
        case "utf-16be": data = Data([0xFE, 0xFF]) + text.data(using: .utf16BigEndian)!
        case "utf-8-bom": data = Data([0xEF, 0xBB, 0xBF]) + Data(text.utf8)
        default: data = Data(text.replacingOccurrences(of: "\n", with: "\r\n").utf8)
        }
        let path = "\(directory)/config"
        try data.write(to: URL(fileURLWithPath: path))
        let kubectl = try Support.kubectl(["config", "view", "--minify", "--raw", "-o", "json", "--kubeconfig", path])
        #expect(kubectl.status == 0, "kubectl failed: \(kubectl.stderr)")
        let expected = try Support.kubectlSummary(kubectl.stdout) { _ in directory }
        let connection = try KubeConfigResolver.resolve(flags: KubeConfigFlags(kubeconfig: path), environment: Environment(["HOME": directory]))
        #expect(Support.summary(of: connection) == expected)
    }

    @Test func kubeloginInstallHintAndArgumentsSurviveLoading() throws {
        let connection = try KubeConfigResolver.resolve(
            flags: KubeConfigFlags(kubeconfig: "\(Self.fixtures)/aks-kubelogin.yaml"),
            environment: Environment(["HOME": "/nonexistent"]))
        guard case .exec(let exec) = connection.credential else {
            Issue.record("expected an exec credential, got \(connection.credential)")
            return
        }
        #expect(exec.env.isEmpty)
        #expect(exec.installHint?.contains("kubelogin is not installed") == true)
        #expect(exec.args.first == "get-token")
        #expect(exec.effectiveInteractiveMode == "IfAvailable")
        #expect(exec.userName == "clusterUser_rg-demo_aks-demo")
        #expect(connection.namespace == "apim")
    }

    @Test func inClusterUsesTheServiceAccountDirectoryOverride() throws {
        // kubectl cannot be compared here: its in-cluster path reads the fixed /var/run/secrets location and
        // only runs inside a pod. This checks our implementation directly.
        let home = try Support.temporaryDirectory("home")
        let environment = Environment([
            "HOME": home,
            "KUBERNETES_SERVICE_HOST": "fd00::1",
            "KUBERNETES_SERVICE_PORT": "443",
            InClusterConfig.directoryVariable: "\(Self.fixtures)/serviceaccount",
        ])
        let connection = try KubeConfigResolver.resolve(flags: KubeConfigFlags(), environment: environment)
        #expect(connection.server.absoluteString == "https://[fd00::1]:443")
        #expect(connection.namespace == "apim-system")
        #expect(connection.origin == .inCluster)
        #expect(connection.tls.certificateAuthority == .file("\(Self.fixtures)/serviceaccount/ca.crt"))
        guard case .tokenFile(let path) = connection.credential else {
            Issue.record("expected a token file credential")
            return
        }
        #expect(path == "\(Self.fixtures)/serviceaccount/token")

        // -n wins over the namespace file; POD_NAMESPACE wins over the file too.
        #expect(try KubeConfigResolver.resolve(flags: KubeConfigFlags(namespace: "ns1"), environment: environment).namespace == "ns1")
        var withPodNamespace = environment
        withPodNamespace["POD_NAMESPACE"] = "from-downward-api"
        #expect(try KubeConfigResolver.resolve(flags: KubeConfigFlags(), environment: withPodNamespace).namespace == "from-downward-api")

        // An IPv4 host is not bracketed.
        var ipv4 = environment
        ipv4["KUBERNETES_SERVICE_HOST"] = "10.0.0.1"
        #expect(try KubeConfigResolver.resolve(flags: KubeConfigFlags(), environment: ipv4).server.absoluteString == "https://10.0.0.1:443")
    }

    @Test func inClusterIsNotUsedWhenAKubeconfigSelectsAContext() throws {
        let environment = Environment([
            "HOME": try Support.temporaryDirectory("home"),
            "KUBERNETES_SERVICE_HOST": "10.0.0.1",
            "KUBERNETES_SERVICE_PORT": "443",
            InClusterConfig.directoryVariable: "\(Self.fixtures)/serviceaccount",
            "KUBECONFIG": "\(Self.fixtures)/kind.yaml",
        ])
        let connection = try KubeConfigResolver.resolve(flags: KubeConfigFlags(), environment: environment)
        #expect(connection.origin == .context(name: "kind-kind", cluster: "kind-kind", user: "kind-kind"))
    }

    @Test func inClusterIsUsedWhenKUBECONFIGNamesOnlyMissingFiles() throws {
        // As in client-go: an empty merged config falls through to in-cluster, whatever the source.
        let environment = Environment([
            "HOME": try Support.temporaryDirectory("home"),
            "KUBERNETES_SERVICE_HOST": "10.0.0.1",
            "KUBERNETES_SERVICE_PORT": "6443",
            InClusterConfig.directoryVariable: "\(Self.fixtures)/serviceaccount",
            "KUBECONFIG": "/nonexistent/a:/nonexistent/b",
        ])
        #expect(try KubeConfigResolver.resolve(flags: KubeConfigFlags(), environment: environment).origin == .inCluster)
    }
}
