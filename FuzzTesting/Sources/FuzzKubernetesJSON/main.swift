import APIMToken
import Foundation
import FuzzSupport

/// An API server's answer (object, list or `Status`), through the real client with a canned response: the first byte
/// picks the HTTP status and the resource, the rest is the body.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzKubernetesJSON(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let (selector, body) = FuzzInput(start, count).selector
    let status = cannedStatuses[Int(selector & 0x0F) % cannedStatuses.count]
    let client = KubernetesClient(server: URL(string: "https://127.0.0.1:6443")!, transport: CannedTransport(status: status, body: body))
    blocking {
        do {
            switch selector >> 4 {
            case 0: _ = try await client.get(Secret.self, name: "s", namespace: "n")
            case 1: _ = try await client.get(Deployment.self, name: "d", namespace: "n")
            case 2: _ = try await client.get(StatefulSet.self, name: "s", namespace: "n")
            case 3: _ = try await client.get(DaemonSet.self, name: "d", namespace: "n")
            case 4: _ = try await client.get(CronJob.self, name: "c", namespace: "n")
            case 5: _ = try await client.getIfPresent(ConfigMap.self, name: "c", namespace: "n")
            case 6: _ = try await client.listPage(Pod.self, namespace: "n")
            case 7: _ = try await client.listPage(Secret.self, namespace: nil)
            case 8: _ = try await client.listPage(Deployment.self, namespace: nil)
            case 9: _ = try await client.listPage(StatefulSet.self, namespace: nil)
            case 10: _ = try await client.listPage(DaemonSet.self, namespace: nil)
            case 11: _ = try await client.listPage(CronJob.self, namespace: nil)
            case 12: _ = try await client.listPage(Job.self, namespace: "n")
            case 13: _ = try await client.listPage(Event.self, namespace: "n")
            case 14: _ = try await client.listPage(Namespace.self, namespace: nil)
            default: _ = try await client.get(ServiceAccount.self, name: "s", namespace: "n")
            }
        } catch {
            _ = "\(error)"
        }
    }
    return 0
}
