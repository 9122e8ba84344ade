import Foundation
import Testing

@testable import APIMToken

/// Errors carry kubectl's wording (checked against the real kubectl where kubectl reports the same problem),
/// exit 2 and a remedy.
@Suite struct KubeConfigErrorTests {
    typealias Support = KubeConfigTestSupport

    /// Resolves and returns the error, failing the test when there is none.
    func resolutionError(_ flags: KubeConfigFlags, _ environment: Environment) -> KubeConfigError? {
        do {
            let connection = try KubeConfigResolver.resolve(flags: flags, environment: environment)
            Issue.record("expected an error, resolved \(connection.server)")
            return nil
        } catch let error as KubeConfigError {
            #expect(error.exitStatus == .usage)
            #expect(error.remedy?.isEmpty == false, "no remedy for: \(error)")
            return error
        } catch {
            Issue.record("unexpected error type: \(error)")
            return nil
        }
    }

    func emptyHome() throws -> Environment { Environment(["HOME": try Support.temporaryDirectory("home")]) }

    /// kubectl's own message for `get pods` with this kubeconfig (it fails before any network access).
    func kubectlError(_ kubeconfig: String, context: String? = nil) throws -> String {
        var arguments = ["get", "pods", "--request-timeout=2s", "--kubeconfig", kubeconfig]
        if let context { arguments += ["--context", context] }
        let result = try Support.kubectl(arguments)
        #expect(result.status != 0)
        return result.stderr
    }

    @Test func missingExplicitKubeconfigIsAStatErrorLikeKubectl() throws {
        let path = try Support.temporaryDirectory() + "/absent/config"
        let error = try #require(resolutionError(KubeConfigFlags(kubeconfig: path), try emptyHome()))
        #expect(error.description == "stat \(path): no such file or directory")
        #expect(try kubectlError(path).contains(error.description))
    }

    @Test func unknownContextIsReportedLikeKubectl() throws {
        let path = "\(Support.fixtures)/kind.yaml"
        let error = try #require(resolutionError(KubeConfigFlags(kubeconfig: path, context: "nosuch"), try emptyHome()))
        #expect(error.description == "invalid configuration: context was not found for specified context: nosuch")
        #expect(error.remedy?.contains("kind-kind") == true)
        #expect(try kubectlError(path, context: "nosuch").contains("context was not found for specified context: nosuch"))
    }

    @Test func insecureWithACertificateAuthorityIsRefusedLikeClientGo() throws {
        let directory = try Support.temporaryDirectory()
        try Support.write("-----BEGIN CERTIFICATE-----\nZmFrZQ==\n-----END CERTIFICATE-----\n", to: "\(directory)/ca.crt")
        try Support.write(
            """
            apiVersion: v1
            kind: Config
            current-context: both
            clusters:
            - name: both
              cluster: {server: "https://127.0.0.1:6443", insecure-skip-tls-verify: true, certificate-authority: ca.crt}
            contexts:
            - name: both
              context: {cluster: both, user: u}
            users:
            - name: u
              user: {token: canary-token-1}
            """, to: "\(directory)/config")
        let error = try #require(resolutionError(KubeConfigFlags(kubeconfig: "\(directory)/config"), try emptyHome()))
        #expect(error.description == "specifying a root certificates file with the insecure flag is not allowed")
        #expect(try kubectlError("\(directory)/config").contains(error.description))
        #expect(!error.description.contains("canary"))
    }

    @Test func nothingConfiguredIsTheEmptyConfigError() throws {
        let error = try #require(resolutionError(KubeConfigFlags(), try emptyHome()))
        #expect(error.description == "invalid configuration: no configuration has been provided, try setting KUBERNETES_MASTER environment variable")
        #expect(error.remedy?.contains("--kubeconfig") == true)
    }

    @Test func noCurrentContextIsTheEmptyConfigErrorWithTheContextsAsRemedy() throws {
        let environment = Environment(["HOME": "/nonexistent", "KUBECONFIG": "\(Support.fixtures)/merge/one.yaml"])
        let error = try #require(resolutionError(KubeConfigFlags(), environment))
        #expect(error.description.contains("no configuration has been provided"))
        #expect(error.remedy?.contains("dev") == true)
    }

    @Test func validationProblemsUseClientGoWording() throws {
        let directory = try Support.temporaryDirectory()
        try Support.write(
            """
            apiVersion: v1
            kind: Config
            clusters:
            - name: noserver
              cluster: {insecure-skip-tls-verify: true}
            - name: ok
              cluster: {server: "https://127.0.0.1:6443"}
            - name: badproxy
              cluster: {server: "https://127.0.0.1:6443", proxy-url: "ftp://proxy:21"}
            contexts:
            - {name: no-server, context: {cluster: noserver, user: u}}
            - {name: no-cluster, context: {cluster: missing, user: u}}
            - {name: no-user, context: {cluster: ok, user: ghost}}
            - {name: two-methods, context: {cluster: ok, user: both}}
            - {name: v1-exec, context: {cluster: ok, user: v1noim}}
            - {name: bad-proxy, context: {cluster: badproxy, user: u}}
            - {name: missing-cert, context: {cluster: ok, user: certfile}}
            users:
            - {name: u, user: {token: canary-token-2}}
            - {name: both, user: {token: canary-token-3, username: admin, password: canary-password}}
            - {name: v1noim, user: {exec: {apiVersion: client.authentication.k8s.io/v1, command: kubelogin, env: null}}}
            - {name: certfile, user: {client-certificate: nope.crt, client-key: nope.key}}
            """, to: "\(directory)/config")
        let expectations: [(String, String)] = [
            ("no-server", "invalid configuration: no server found for cluster \"noserver\""),
            ("no-cluster", "invalid configuration: cluster \"missing\" was not found for context \"no-cluster\""),
            ("no-user", "invalid configuration: user \"ghost\" was not found for context \"no-user\""),
            ("two-methods", "invalid configuration: more than one authentication method found for both; found [token basicAuth], only one is allowed"),
            ("v1-exec", "invalid configuration: interactiveMode must be specified for v1noim to use exec authentication plugin"),
            (
                "bad-proxy",
                "invalid configuration: invalid 'proxy-url' \"ftp://proxy:21\" for cluster \"badproxy\": unsupported scheme \"ftp\", must be http, https, or socks5"
            ),
            (
                "missing-cert",
                "invalid configuration: [unable to read client-cert \(directory)/nope.crt for certfile due to open \(directory)/nope.crt: no such file or directory, unable to read client-key \(directory)/nope.key for certfile due to open \(directory)/nope.key: no such file or directory]"
            ),
        ]
        for (context, message) in expectations {
            let error = try #require(resolutionError(KubeConfigFlags(kubeconfig: "\(directory)/config", context: context), try emptyHome()))
            #expect(error.description == message)
            #expect(!error.description.contains("canary"))
        }
        // kubectl agrees where it reports these itself (it falls back to localhost:8080 for a missing server or
        // cluster, and prompts for a missing user, so those cannot be compared).
        #expect(
            try kubectlError("\(directory)/config", context: "v1-exec").contains(
                "interactiveMode must be specified for v1noim to use exec authentication plugin"))
        let certError = try kubectlError("\(directory)/config", context: "missing-cert")
        #expect(
            certError.contains("unable to read client-cert \(directory)/nope.crt for certfile due to open \(directory)/nope.crt: no such file or directory"))
    }

    @Test func malformedYAMLNamesTheFileLikeKubectl() throws {
        let directory = try Support.temporaryDirectory()
        let path = "\(directory)/bad.yaml"
        try Support.write("apiVersion: v1\nkind: Config\nclusters: [\n", to: path)
        let error = try #require(resolutionError(KubeConfigFlags(kubeconfig: path), try emptyHome()))
        #expect(error.description.hasPrefix("error loading config file \"\(path)\": yaml: "))
        #expect(try kubectlError(path).contains("error loading config file \"\(path)\": yaml: "))
    }

    @Test func onlyAMissingFileIsSkippedOtherOpenErrorsAreReportedLikeKubectl() throws {
        let directory = try Support.temporaryDirectory()
        try Support.write("not a directory", to: "\(directory)/file")
        let notADirectory = "\(directory)/file/config"
        let expected = "error loading config file \"\(notADirectory)\": open \(notADirectory): not a directory"
        // Through --kubeconfig and through KUBECONFIG alike (Go's os.IsNotExist is true only for ENOENT).
        let explicit = try #require(resolutionError(KubeConfigFlags(kubeconfig: notADirectory), try emptyHome()))
        #expect(explicit.description == expected)
        var environment = try emptyHome()
        environment["KUBECONFIG"] = "\(notADirectory):\(Support.fixtures)/kind.yaml"
        let listed = try #require(resolutionError(KubeConfigFlags(), environment))
        #expect(listed.description == expected)
        let kubectl = try Support.kubectl(["config", "view", "--minify"], extraEnvironment: ["KUBECONFIG": environment["KUBECONFIG"]!])
        #expect(kubectl.status != 0)
        #expect(kubectl.stderr.contains(expected), "kubectl said: \(kubectl.stderr)")

        let directoryError = try #require(resolutionError(KubeConfigFlags(kubeconfig: directory), try emptyHome()))
        #expect(directoryError.description == "error loading config file \"\(directory)\": read \(directory): is a directory")
        #expect(try kubectlError(directory).contains(directoryError.description))
    }

    @Test func plainHTTPServersGetNoCredentials() throws {
        let directory = try Support.temporaryDirectory()
        try Support.write(
            """
            apiVersion: v1
            kind: Config
            current-context: c
            clusters: [{name: c, cluster: {server: "http://127.0.0.1:8080"}}]
            contexts: [{name: c, context: {cluster: c, user: u}}]
            users: [{name: u, user: {token: canary-token-4}}]
            """, to: "\(directory)/config")
        let connection = try KubeConfigResolver.resolve(flags: KubeConfigFlags(kubeconfig: "\(directory)/config"), environment: try emptyHome())
        guard case .none = connection.credential else {
            Issue.record("a token would be sent in clear text")
            return
        }
    }

    @Test func theDefaultFileIsHomeKubeConfig() throws {
        let home = try Support.temporaryDirectory("home")
        try FileManager.default.createDirectory(atPath: "\(home)/.kube", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: "\(Support.fixtures)/kind.yaml", toPath: "\(home)/.kube/config")
        let connection = try KubeConfigResolver.resolve(flags: KubeConfigFlags(), environment: Environment(["HOME": home]))
        #expect(connection.server.absoluteString == "https://127.0.0.1:41235")
        let loaded = try KubeConfigLoader(environment: Environment(["HOME": home])).load(explicitPath: nil)
        #expect(loaded.loadedFiles == ["\(home)/.kube/config"])
    }

    @Test func kubeconfigListIsDeduplicatedAndMissingFilesAreReported() throws {
        let one = "\(Support.fixtures)/merge/one.yaml"
        let environment = Environment(["HOME": "/nonexistent", "KUBECONFIG": "\(one)::/nonexistent/x:\(one)"])
        let loaded = try KubeConfigLoader(environment: environment).load(explicitPath: nil)
        #expect(loaded.loadedFiles == [one])
        #expect(loaded.missingFiles == ["/nonexistent/x"])
    }
}
