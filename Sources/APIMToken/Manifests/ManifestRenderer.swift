import FoundationEssentials
import YAML

// MARK: - ManifestFormat

/// How `--dry-run=client` prints manifests.
public enum ManifestFormat: String, Sendable, CaseIterable {
    /// Multi-document YAML separated by `---`.
    case yaml
    /// One `v1` `List`.
    case json
}

// MARK: - ManifestRenderer

/// Renders manifests deterministically, the way `kubectl … -o yaml|json` prints objects.
///
/// Keys are sorted at every level, as kubectl prints them (it marshals through maps). Swift dictionaries have no
/// stable order, so sorting is what makes the output byte-for-byte reproducible for golden tests.
/// Secret values are always `<redacted>`: this output is for people and files, never a request body.
public enum ManifestRenderer {
    /// The manifests as text, ending in a newline.
    public static func render(_ manifests: [Manifest], format: ManifestFormat) throws -> String {
        switch format {
        case .yaml: return try yaml(manifests)
        case .json: return try json(manifests)
        }
    }

    /// Multi-document YAML. A redacted Secret's document starts with a comment that says so.
    public static func yaml(_ manifests: [Manifest]) throws -> String {
        var documents: [String] = []
        for manifest in manifests {
            var text = try YAMLEmitter.emit(json: KubeJSON.encoder.encode(manifest))
            if manifest.hasRedactedValues { text = "# \(ServicePrincipalSecretManifest.redactionNote)\n" + text }
            documents.append(text)
        }
        return documents.joined(separator: "---\n")
    }

    /// A `v1` `List` of the objects, pretty-printed with sorted keys.
    public static func json(_ manifests: [Manifest]) throws -> String {
        let encoder = KubeJSON.encoder
        encoder.outputFormatting.insert(.prettyPrinted)
        let data = try encoder.encode(ManifestList(items: manifests))
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// Notes that belong next to the output (on stderr): JSON cannot carry comments.
    public static func notes(for manifests: [Manifest]) -> [String] {
        manifests.contains(where: \.hasRedactedValues) ? [ServicePrincipalSecretManifest.redactionNote] : []
    }
}

/// `{"apiVersion": "v1", "kind": "List", "items": […], "metadata": {"resourceVersion": ""}}`, as kubectl prints a list.
struct ManifestList: Encodable {
    var apiVersion = "v1"
    var kind = "List"
    var items: [Manifest]
    var metadata = ["resourceVersion": ""]
}
