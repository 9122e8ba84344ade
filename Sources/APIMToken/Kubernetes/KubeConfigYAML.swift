import FoundationEssentials
import YAML

/// A kubeconfig's YAML: the YAML module's parser (linear, bounded, see `YAMLParser`) with a kubeconfig's limits, and
/// errors that name the file and say what to do.
enum KubeConfigYAML {
    typealias Limits = YAMLParser.Limits

    /// Why a document was refused; the caller names the file.
    struct Failure: Error, Sendable, Equatable {
        /// What was wrong (never a quote of the document).
        var reason: String
        /// What to do next.
        var remedy: String?
    }

    /// Parses `data` (the contents of `path`, named in every error) into a node tree.
    /// An empty or comment-only document yields `.null`.
    static func parse(_ data: Data, path: String, limits: Limits = Limits()) throws -> KubeConfigNode {
        do {
            return try parse(data, limits: limits)
        } catch let failure as Failure {
            throw KubeConfigError.loading(path, failure.reason, remedy: failure.remedy.map { "\($0) (\(path))." })
        }
    }

    /// Parses `data` into a node tree, throwing `Failure`.
    static func parse(_ data: Data, limits: Limits) throws -> KubeConfigNode {
        do {
            return try YAMLParser.parse(data, limits: limits)
        } catch  where error.kind == .tooLarge {
            throw Failure(
                reason: "the file is \(data.count) bytes, more than the \(limits.maxBytes / 1024 / 1024) MiB a kubeconfig may have",
                remedy: remedy(for: .tooLarge))
        } catch {
            throw Failure(reason: error.reason, remedy: remedy(for: error.kind))
        }
    }

    static func remedy(for kind: YAMLParser.Failure.Kind) -> String? {
        switch kind {
        case .tooLarge: "Check that the file is really a kubeconfig; kubeconfigs are a few kilobytes"
        case .notText: "Check that the file is really a kubeconfig (YAML text), not a binary file"
        case .tooDeep: "Check that the file is really a kubeconfig; kubeconfigs nest fewer than 10 levels"
        case .aliasBomb: "Remove the YAML anchors and aliases; kubeconfigs do not need them"
        case .syntax, .other: nil
        }
    }
}
