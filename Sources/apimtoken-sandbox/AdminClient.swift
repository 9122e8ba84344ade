import ArgumentParser
import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Talks to a running sandbox's admin endpoint (address and token from DIR/admin.json).
struct AdminClient {
    /// The admin endpoint URL.
    let endpoint: String
    /// The admin bearer token.
    let token: String

    /// Reads DIR/admin.json of a running sandbox.
    init(_ dir: DirectoryOption) throws {
        guard dir.runningPID() != nil,
            let data = try? Data(contentsOf: dir.url.appendingPathComponent("admin.json")),
            let doc = try? JSONSerialization.jsonObject(with: data) as? [String: String],
            let endpoint = doc["endpoint"], let token = doc["token"]
        else { throw ValidationError("no sandbox is running in \(dir.url.path); start one with: apimtoken-sandbox up --dir \(dir.url.path)") }
        self.endpoint = endpoint
        self.token = token
    }

    /// Sends a request and returns status and body.
    func send(_ method: String, _ path: String, body: Data? = nil) async throws -> (Int, Data) {
        var request = URLRequest(url: URL(string: endpoint + path)!)
        request.httpMethod = method
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = body
        request.timeoutInterval = 10
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, data)
    }
}
